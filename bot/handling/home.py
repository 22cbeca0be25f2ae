"""Members' Home tabs: drawn when a member opens the tab, and again when what it shows changes.

A Home tab is one view per member (views.publish), put together from every feature's section
(`router.home`, `bot.views.home`), each drawn for that member alone, in a guard scope that is
theirs and while their request is the one being answered: a section shows only what they may
see, and what it reads of the store is input. A section that fails or takes more than
`SECTION_SECONDS` is replaced by a line saying so; the rest of the tab is drawn.

- Opening the tab (`app_home_opened`, tab "home") draws it at once, and from then on Sloth keeps
  that member's tab fresh for `KEEP_SECONDS` (the members it keeps are noted in the store, so
  every replica knows them).
- A feature says what changed with `ctx.refresh_home(member, …)` (or for everyone it keeps, with
  no member named). That only notes the request: the runtime's `keep` loop (`flush`, every
  `FLUSH_SECONDS`; in the test kit, `sloth.advance`) draws each tab asked for at least
  `DEBOUNCE_SECONDS` ago, so a burst of changes makes one redraw, and never on the path of an ack.
- views.publish is Tier 4 (100 a minute for the workspace): every draw takes a slot of a budget
  kept in the store for every replica (`PER_WINDOW` in `WINDOW` seconds, 80 a minute), a member
  who opened the tab before a background redraw.

Its buttons (`sloth_home:run:<command>`, `bot.views.home.home_button`) run a command for whoever
presses: one that needs something filled in opens its form, any other runs at once; the answer
goes to the member's DM with Sloth (a Home tab has no channel).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.errors import SlackApiError

from bot import guard
from bot.features.core import Core
from bot.features.invocation import Click, Invocation
from bot.features.registry import Feature
from bot.features.surfaces import HomeSection
from bot.handling.dispatch import answer, new_error_id
from bot.handling.forms import open_menu, tell
from bot.slack.asking import asking
from bot.slack.pacing import EditPacer
from bot.store import Namespaced, StoreUnavailable
from bot.views.home import HOME_RUN, MENU, command_buttons, failed_section, heading, home_view
from bot.views.metadata import Origin
from bot.views.submissions import Submissions
from bot.work import blocking

log = logging.getLogger(__name__)
SECTION_SECONDS = 5.0
KEEP_SECONDS = 7 * 86400.0  # a member who has not opened the tab for a week gets no background redraws
DEBOUNCE_SECONDS = 1.0
FLUSH_SECONDS = 1.0
PER_WINDOW, WINDOW = 16, 12.0  # views.publish: 80 a minute, under Tier 4's 100
EVERYONE = ""  # in `pending`: every member whose tab Sloth keeps
SEEN = "seen"
COMMON = (("Remind me…", "remind"), ("Set my status…", "status"), ("Chart a channel…", "plot"),
          ("Export a channel…", "export"), ("Play a game…", "play"), ("Training runs", "runs"), ("Help", "help"))
INTRO = ("What Sloth holds for you, and buttons for what you do most. Type `{slash} help` anywhere, or use "
         "the *Sloth…* shortcut, for everything else.")


class HomeTabs:
    def __init__(self, core: Core, submissions: Submissions) -> None:
        self.core, self.submissions = core, submissions
        self.records = Namespaced(core.store, "home")
        self.pacer = EditPacer(Namespaced(core.store, "home_pace"), PER_WINDOW, WINDOW)
        self.pending: dict[str, float] = {}  # member (or EVERYONE) -> when a redraw was first asked for

    # -- when -----------------------------------------------------------------------------------

    async def opened(self, member: str) -> None:
        """The member opened their Home tab: draw it now, and keep it fresh from now on."""
        until = self.core.clock() + KEEP_SECONDS
        try:
            await self.records.update(SEEN, lambda kept: _kept({**(kept or {}), member: until}, self.core.clock()),
                                      ttl=KEEP_SECONDS)
        except StoreUnavailable:
            log.info("the store cannot note whose Home tab to keep fresh; drawing it anyway")
        self.pending.pop(member, None)
        await self.pacer.redraw(f"home:{member}", lambda: self.publish(member))

    def changed(self, members: tuple[str, ...]) -> None:
        now = self.core.clock()
        for member in members or (EVERYONE,):
            self.pending.setdefault(member, now)

    async def keep(self) -> None:
        """Draw the tabs asked for, every FLUSH_SECONDS, until cancelled (the runtime's task)."""
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            try:
                await self.flush()
            except Exception:
                log.exception("Home tabs could not be redrawn; trying again")

    async def flush(self) -> int:
        """Draw every tab asked for at least DEBOUNCE_SECONDS ago, of members Sloth keeps."""
        now = self.core.clock()
        due = [m for m, asked in self.pending.items() if asked <= now - DEBOUNCE_SECONDS]
        if not due:
            return 0
        for member in due:
            del self.pending[member]
        kept = _kept(await self.records.get(SEEN) or {}, now)
        members = list(kept) if EVERYONE in due else [m for m in due if m in kept]
        for member in members:
            await self.pacer.redraw(f"home:{member}", self._drawer(member), background=True)
        return len(members)

    def _drawer(self, member: str) -> Callable[[], Awaitable[None]]:
        return lambda: self.publish(member)

    # -- what -----------------------------------------------------------------------------------

    async def publish(self, member: str) -> None:
        view = await self.render(member)
        try:
            await self.core.client.views_publish(user_id=member, view=view)
        except SlackApiError as e:
            log.warning("the Home tab of %s was not published: %s", member, e.response.get("error"))

    async def render(self, member: str) -> dict[str, Any]:
        """The member's Home tab, every section drawn for them alone."""
        core = self.core
        try:
            await core.directory.user(member)
            name = core.directory.display_name(member)
        except SlackApiError:
            name = "you"
        sections = []
        with guard.handling(guard.Scope(asker=member, name_of=core.directory.display_name)), asking(member, ""):
            for section, feature in core.registry.homes:
                sections.append((feature.name, await self._section(section, feature, member)))
        return home_view(heading(guard.inert_text(name), INTRO.format(slash=core.settings.command)), sections,
                         command_buttons(self._common()))

    async def _section(self, section: HomeSection, feature: Feature, member: str) -> list[dict[str, Any]]:
        try:
            blocks = await asyncio.wait_for(
                blocking.call(feature.name, "home", section, self.core.of(feature.name), member), SECTION_SECONDS)
            if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
                raise TypeError(f"a Home section returns a list of blocks, not {type(blocks).__name__}")
            return blocks
        except Exception as e:
            error_id = new_error_id()
            self.core.metrics.handler_errors.labels("home").inc()
            log.error("the %s feature's Home section failed (error id %s): %s: %s", feature.name, error_id,
                      type(e).__name__, e, exc_info=e)
            return failed_section(feature.name, error_id)

    def _common(self) -> list[tuple[str, str]]:
        registry = self.core.registry
        found = [(label, name) for label, name in COMMON if (c := registry.find(name)) is not None
                 and c.name not in registry.unavailable and not c.admin_only]
        return found

    # -- its buttons ----------------------------------------------------------------------------

    async def pressed(self, click: Click) -> None:
        """A Home tab's button: the menu of commands, a command's form, or the command, run."""
        core, name = self.core, click.value or click.action_id.removeprefix(f"{HOME_RUN}:")
        origin = Origin(user=click.user, via="shortcut")
        if name == MENU and click.trigger_id:
            await open_menu(core, self.submissions, origin, click.trigger_id)
            return
        command = core.registry.find(name)
        if command is None:
            await tell(core, origin, f"That button is out of date: `{core.slash(name)}` is not a command of Sloth's.")
            return
        if any(p.required for p in command.params) and click.trigger_id:
            if not await core.forms.open(click.trigger_id, command.name, user=click.user):
                await tell(core, origin, "Slack gives Sloth 3 seconds to open a form, and they had passed. Please "
                                         "press the button again.")
            return
        dm = str((await core.client.conversations_open(users=click.user))["channel"]["id"])
        await answer(core, Invocation(name=command.name, args="", user=click.user, channel=dm, source="dm"))


def _kept(kept: dict[str, Any], now: float) -> dict[str, float]:
    """The members whose tabs are kept fresh (until when), without those whose time is up."""
    return {m: until for m, until in kept.items() if isinstance(until, int | float) and until > now}
