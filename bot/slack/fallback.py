"""Newer blocks a workspace refuses, said again with older ones.

A workspace (or a client Slack still answers for) that does not take a newer block kind answers
a message holding one with `invalid_blocks`, naming it in `response_metadata.messages`:
`[ERROR] unsupported type: table [json-pointer:/blocks/2/type]` (the wording node-slack-sdk's
WebClient tests quote; the same error reported for `markdown` blocks). A `response_url` answers
like an incoming webhook, HTTP 400 with the bare error in the body and no messages (Slack's
webhook errors; java-slack-sdk#1017, where Slack's maintainers say webhooks give no details).

`BlockSupport` is what Sloth does about it, for every chat.* call that carries blocks (messages,
scheduled messages, edits, streams) through its Web API client and every reply through a
response_url:
- before sending, the kinds this workspace refused lately are said the classic way
  (`bot.slack.classic`), and a message is kept to the limits Slack sets for a whole message;
- on a refusal that names a newer kind as unsupported, that kind is remembered for an hour
  (`REMEMBER`, per process: a replica learns it on its own first refusal), logged once, and the
  same content is sent again the classic way; a refusal naming no kind (a response_url's) counts
  against every newer kind the message held; one that points inside a newer block for another
  reason (a limit Slack holds that Sloth did not know) is sent again the classic way, and
  logged, without remembering the kind.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError

from bot.slack.classic import NEW_KINDS, classic_blocks, fit_blocks, kinds_in

log = logging.getLogger(__name__)
T = TypeVar("T")

METHODS = frozenset({"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage",
                     "chat.startStream", "chat.appendStream", "chat.stopStream"})
REFUSALS = frozenset({"invalid_blocks", "invalid_attachments"})
REMEMBER = 3600.0
UNSUPPORTED = re.compile(r"unsupported type: (\w+)")
POINTER = re.compile(r"json-pointer:/(?:(attachments|chunks)/(\d+)/)?blocks/(\d+)")


@dataclass
class BlockSupport:
    """What this workspace refused lately, and how to say a message anyway."""

    clock: Callable[[], float] = time.time
    refused: dict[str, float] = field(default_factory=dict)  # kind -> until when it is said the classic way
    told: set[str] = field(default_factory=set)  # problems logged already

    def refusing(self) -> frozenset[str]:
        now = self.clock()
        for kind in [k for k, until in self.refused.items() if until <= now]:
            del self.refused[kind]
        return frozenset(self.refused)

    def prepared(self, args: dict[str, Any], kinds: Collection[str] = ()) -> dict[str, Any]:
        """A message's arguments with the kinds refused (lately, or `kinds`) said the classic way."""
        refused = self.refusing() | frozenset(kinds)
        return with_blocks(args, lambda blocks: fit_blocks(classic_blocks(blocks, refused) if refused else blocks))

    def refused_by(self, answer: dict[str, Any], args: dict[str, Any]) -> set[str]:
        """The newer kinds to say the classic way after Slack's `answer` refused `args` (empty:
        the refusal is not about them)."""
        if answer.get("error") not in REFUSALS:
            return set()
        present = set().union(*(kinds_in(b) for b in blocks_of(args)))
        if not present:
            return set()
        said = [str(m) for m in (answer.get("response_metadata") or {}).get("messages") or []]
        said += [str(m) for m in answer.get("errors") or [] if isinstance(m, str)]
        named = {m.group(1) for text in said for m in UNSUPPORTED.finditer(text)} & present
        if named or not said:
            self.remember(named or present, "named by Slack" if named else "a refusal naming no block")
            return named or present
        inside = {kind for text in said if (kind := _kind_at(text, args)) in NEW_KINDS}
        for text in said:
            if text not in self.told and _kind_at(text, args) in NEW_KINDS:
                self.told.add(text)
                log.warning("Slack refused a newer block as Sloth built it (%s); sent the classic way instead", text)
        return inside

    def remember(self, kinds: Collection[str], why: str) -> None:
        now = self.clock()
        for kind in sorted(kinds):
            if kind not in self.refusing():
                log.warning("this workspace refuses `%s` blocks (%s): Sloth says them with older blocks for "
                            "the next %d minutes", kind, why, REMEMBER // 60)
            self.refused[kind] = now + REMEMBER

    async def send(self, args: dict[str, Any], call: Callable[[dict[str, Any]], Awaitable[T]]) -> T:
        """`call(args)` prepared; once more the classic way if Slack refuses a newer kind in it."""
        args = self.prepared(args)
        try:
            return await call(args)
        except SlackApiError as error:
            kinds = self.refused_by(error.response.data if isinstance(error.response.data, dict) else {}, args)
            if not kinds:
                raise
        return await call(self.prepared(args, kinds))


def support_of(client: Any) -> BlockSupport:
    """The client's `BlockSupport` (the runtime's bot client has one; a bare client, a fresh one)."""
    found = getattr(client, "blocks", None)
    return found if isinstance(found, BlockSupport) else BlockSupport()


# -- where a call carries its blocks ----------------------------------------------------------

def blocks_of(args: dict[str, Any]) -> list[list[Any]]:
    """Every list of blocks in a call's arguments: the message's, each attachment's and each
    streamed chunk's."""
    found: list[list[Any]] = []

    def note(blocks: list[Any]) -> list[Any]:
        found.append(blocks)
        return blocks

    with_blocks(args, note)
    return found


def with_blocks(args: dict[str, Any], change: Callable[[list[Any]], list[Any]]) -> dict[str, Any]:
    """`args` (a body, or a call's keyword arguments with `json`/`data`/`params`) with `change`
    applied to each list of blocks (the message's, its attachments', its streamed chunks'),
    decoding and encoding those sent as JSON text."""
    out = dict(args)
    for part in ("json", "data", "params"):
        if isinstance(args.get(part), dict):
            out[part] = with_blocks(args[part], change)
    if "blocks" in args:
        out["blocks"] = _each(args["blocks"], change)
    for holders in ("attachments", "chunks"):
        if holders in args:
            out[holders] = _each(args[holders], lambda items: [
                {**item, "blocks": _each(item["blocks"], change)} if isinstance(item, dict) and "blocks" in item
                else item for item in items])
    return out


def _each(value: Any, change: Callable[[list[Any]], list[Any]]) -> Any:
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except ValueError:
            return value  # Slack refuses it as it is
        return json.dumps(change(decoded)) if isinstance(decoded, list) else value
    return change(value) if isinstance(value, list) else value


def _kind_at(text: str, args: dict[str, Any]) -> str | None:
    """The kind of the block a message's json-pointer names, if it names one."""
    match = POINTER.search(text)
    if match is None:
        return None
    body = next((args[p] for p in ("json", "data", "params") if isinstance(args.get(p), dict)), args)
    holder = body
    if match.group(1) is not None:
        items = _decoded(body.get(match.group(1)))
        number = int(match.group(2))
        holder = items[number] if isinstance(items, list) and number < len(items) else None
    blocks = _decoded(holder.get("blocks")) if isinstance(holder, dict) else None
    index = int(match.group(3))
    if isinstance(blocks, list) and index < len(blocks) and isinstance(blocks[index], dict):
        return str(blocks[index].get("type"))
    return None


def _decoded(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value
