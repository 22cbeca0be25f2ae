"""The app as installed in the workspace: bot tokens from an install, token rotation, uninstalling,
and the history limit of apps distributed outside the Marketplace.

Slack's references: oauth.v2.access (an install grants a bot token; with token rotation on, an
expiring `xoxe.xoxb-1-…` token and a refresh token, exchanged with grant_type=refresh_token),
the `app_uninstalled` and `tokens_revoked` events (sent when the app is removed: every token of
the app in the workspace stops working), and the changelog of 2025-05-29: for apps distributed
to other workspaces outside the Marketplace, conversations.history and conversations.replies
take 1 call a minute and answer at most 15 messages; internal apps are not limited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sloth_emulator.tokens import Tokens

if TYPE_CHECKING:
    from sloth_emulator.delivery import Delivery
    from sloth_emulator.workspace import Workspace

HISTORY_METHODS = ("conversations.history", "conversations.replies")
HISTORY_MAX_MESSAGES = 15
HISTORY_WINDOW = 60.0


class Installs:
    tokens: Tokens
    workspace: Workspace
    bot_token: str
    clock: Callable[[], float]
    token_rotation: bool = False  # set True: installs grant expiring tokens with a refresh token
    # set True: the app is distributed outside the Marketplace (conversations.history/replies limited)
    distributed_unlisted: bool = False
    _history_calls: dict[str, float]

    async def send_event(self, event: dict[str, Any], connection_id: int | None = None) -> Delivery:
        raise NotImplementedError

    def install_bot(self, scopes: frozenset[str], lifetime: float) -> tuple[str, str | None]:
        """The bot token an install grants (and its refresh token with token rotation): the
        installed one again, as Slack answers a reinstall, or a new one after an uninstall."""
        if self.token_rotation:
            token, refresh = self.tokens.issue_rotating("bot", self.workspace.bot_user_id, scopes,
                                                        self.clock() + lifetime)
            self.bot_token = token
            return token, refresh
        if self.tokens.get(self.bot_token) is None:
            self.bot_token = self.tokens.issue("bot", self.workspace.bot_user_id, scopes)
        return self.bot_token, None

    async def uninstall(self) -> list[Delivery]:
        """A workspace admin removes the app: every bot and user token it holds is revoked, then
        Slack sends `tokens_revoked` (which tokens, by owner) and `app_uninstalled` (in no set order)."""
        gone = self.tokens.revoke_all(frozenset({"bot", "user"}))
        bots = sorted({i.user_id for i in gone if i.kind == "bot"})
        users = sorted({i.user_id for i in gone if i.kind == "user"})
        return [await self.send_event({"type": "tokens_revoked", "tokens": {"oauth": users, "bot": bots}}),
                await self.send_event({"type": "app_uninstalled"})]

    def history_limit(self, method: str, token: str | None) -> tuple[int | None, float | None]:
        """(the most messages one call may answer, the seconds to wait when over 1 call a minute),
        each None when no limit applies."""
        if not self.distributed_unlisted or method not in HISTORY_METHODS:
            return None, None
        now = self.clock()
        key = f"{method}:{token}"
        last = self._history_calls.get(key)
        if last is not None and now - last < HISTORY_WINDOW:
            return HISTORY_MAX_MESSAGES, HISTORY_WINDOW - (now - last)
        self._history_calls[key] = now
        return HISTORY_MAX_MESSAGES, None
