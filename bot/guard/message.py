"""Every field Slack shows, walked: a message's, a view's, a stream's arguments made safe.

The shapes are those of Slack's Block Kit references and node-slack-sdk's `@slack/types`
(blocks.ts, block-elements.ts, composition-objects.ts, message-attachments.ts, views.ts,
chunk.ts). Rather than list every block, the walk goes through every dict and list and cleans
the strings under the keys Slack shows (`SHOWN`), whatever block holds them; so text objects
(plain_text, mrkdwn, raw_text table cells) anywhere, a `markdown` block's text, rich-text text,
links, dates' fallbacks, card and alert text, input labels, hints, placeholders, options,
confirm dialogs, image and video titles, attachments and their legacy actions, a view's title
and buttons, streamed chunks, and blocks of types Slack adds later. Machine fields (`value`,
`action_id`, `url`, `private_metadata`, message `metadata`, …) are never shown and left alone.
Rich-text elements that ping by themselves (`broadcast`, `usergroup`, `user`) or carry a label
apart from their address (`link`, a task's `url` source) are judged as a whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bot.guard.inert import inert_text
from bot.guard.scope import Scope
from bot.guard.text import has_markup

SHOWN = frozenset({
    "text", "title", "pretext", "fallback", "footer", "author_name", "author_subname", "alt_text",
    "accessibility_label", "provider_name", "description", "details", "output", "ok_text", "dismiss_text",
    "initial_comment", "markdown_text", "user_auth_message",
})
# Arguments that form-encoded calls carry as JSON text.
STRUCTURED = frozenset({"blocks", "attachments", "view", "chunks", "unfurls", "user_auth_blocks", "files"})
NEVER_SHOWN = frozenset({"metadata", "private_metadata", "state"})  # data for apps, not for people
PLAIN = (str, int, float, bool, type(None))
ELEMENTS = frozenset({"broadcast", "usergroup", "user", "link", "url"})  # judged as a whole (see the docstring)


def clean_message(message: dict[str, Any], scope: Scope | None) -> dict[str, Any]:
    """A copy of a call's arguments with every shown string made safe."""
    walk = _Walk(scope)
    out: dict[str, Any] = {}
    for key, value in message.items():
        if key == "link_names" or (key == "parse" and value == "full"):
            continue  # both would turn plain `@channel` text into a ping
        if isinstance(value, str) and key in STRUCTURED:
            out[key] = _json_text(value, walk)
        elif key in NEVER_SHOWN:
            out[key] = value
        else:
            out[key] = walk.item(key, value)
    return out


def _json_text(value: str, walk: _Walk) -> str:
    try:
        decoded = json.loads(value)
    except ValueError:
        return value  # Slack refuses it as it is (invalid_blocks, …): nothing to show
    return json.dumps(walk.value(decoded))


class _Walk:
    def __init__(self, scope: Scope | None) -> None:
        self.scope = scope
        self.text: Callable[[str], str] = lambda text: inert_text(text, scope)

    def item(self, key: str, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value) if key in SHOWN else value
        return self.value(value)

    def value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return self.mapping(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if not isinstance(value, PLAIN) and callable(getattr(value, "to_dict", None)):
            return self.value(value.to_dict())  # slack_sdk's Block, Attachment, Chunk, View objects
        return value

    def mapping(self, value: dict[str, Any]) -> Any:
        kind = value.get("type")
        if kind in ELEMENTS:
            value = self.element(kind, value)
        out: dict[str, Any] = {}
        for key, item in value.items():
            # The walk runs on every message sent: the common cases (a string, a nested block) first.
            if isinstance(item, str):
                out[key] = self.text(item) if key in SHOWN and has_markup(item) else item
            elif key in NEVER_SHOWN:
                out[key] = item
            elif key == "fields" and isinstance(item, list):
                out[key] = [self.field(f) for f in item]
            else:
                out[key] = self.value(item)
        return out

    def field(self, item: Any) -> Any:
        """An attachment's field shows its `value`; a section's fields are text objects."""
        if isinstance(item, dict) and "type" not in item and isinstance(item.get("value"), str):
            return {**self.mapping(item), "value": self.text(item["value"])}
        return self.value(item)

    def element(self, kind: str, value: dict[str, Any]) -> dict[str, Any]:
        scope = self.scope
        everyone = scope is not None and scope.everyone
        style = {"style": value["style"]} if isinstance(value.get("style"), dict) else {}
        if kind == "broadcast" and not everyone:
            return {"type": "text", "text": "@" + str(value.get("range", "here")), **style}
        if kind == "usergroup" and not everyone:
            return {"type": "text", "text": "@group", **style}
        if scope is None:
            return value
        user = value.get("user_id")
        if kind == "user" and isinstance(user, str) and scope.from_input(user):
            return {"type": "text", "text": "@" + scope.name(user), **style}
        url, label = value.get("url"), value.get("text")
        if kind in ("link", "url") and isinstance(url, str) and isinstance(label, str) and label != url \
                and scope.link_from_input(url, label):
            return {key: item for key, item in value.items() if key != "text"} if kind == "link" \
                else {**value, "text": url}  # shown as where it goes
        return value
