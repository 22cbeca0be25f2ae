"""The one place everything Sloth sends passes: nothing Sloth says can ping people it should not.

Whatever a feature does (a reply, a `chat.postMessage` or `chat.startStream` of its own, a modal,
a Home tab, a file's comment, an unfurl, an answer to a `response_url`), the Web API client
(`MeteredWebClient.api_call`, for every method in `GUARDED_METHODS`, whether the arguments come
as `json=`, `params=` or `data=`) and `bot.handling.respond` hand it through `clean` first. Every string
Slack shows is looked at (text, `markdown_text`, every block and element including `markdown`,
`rich_text`, `table`, `alert`, `card`, `carousel`, attachments, views, streamed chunks: see
`bot.guard.message`), and made inert:

- every mass mention (`<!here>`, `<!channel>`, `<!everyone>`, `<!subteam^…>`, rich-text
  broadcasts and user groups), unless the command declares `mentions="all"` and the member
  asking is an admin;
- every member mention and labelled link (`<url|label>`, Markdown `[label](url)`) that came from
  input, the asker's own mention excepted. Input is untrusted wherever it came from:
  - what the member typed (the command line, the message): a command declaring
    `mentions="users"` keeps the mentions it names (a challenge), `mentions="all"` keeps both
    (`say` posts what was typed);
  - the event a feature's listener handles, and the body and query of a request to a feature's
    HTTP route (a webhook's payload is someone else's text);
  - every value read from the store while the scope lasts (`ctx.store` and every other reader:
    `bot.store.decode` records it): a record may hold what another member typed or a webhook
    sent, long ago;
  - what a feature marks itself with `untrusted(value)` (text fetched from another service).
  A mention counts as from input when the input mentions that member at all, however the
  feature rebuilds it (`<@U1|boss>` typed, `<@U1>` sent). A mention a feature composes from an
  ID it holds (`<@{run.owner}>`, the players of a game) is not input and still pings;
- `link_names` and `parse=full`, which would turn plain `@channel` text into a ping.

Each piece of work runs in a scope of its own, held in a context variable so code deep inside
a handler needs no extra argument: dispatch sets one per command, `bot.handling.entry` per event and
button, `bot.runtime.lifecycle` per HTTP route and start/stop hook, `bot.features.jobs` per run of a job, and
`bot.work.supervisor` gives every background task a fresh one (nothing of the request that started
it). A route's body is taken as input once its handler has read it with `request.read()`,
`text()`, `json()` or `post()` (a handler streaming `request.content` itself marks what it sends
on with `untrusted`). A value read from the store whose JSON text holds no `<`, `](` or `]:`
cannot hold a reference and is let go at once; the others are kept unscanned (at most
`PENDING_LIMIT`) until a message about to be sent names a member or carries a labelled link, so a
card's redraw scans nothing. A scope that has seen more than `MARKS_LIMIT` references, or a value
too big to read whole, treats every mention and labelled link as input (it fails closed).

Not guarded: text Sloth sets elsewhere than in a message (a channel's purpose, a member's
status) and posts a feature makes with its own HTTP session instead of the Web API client.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from bot.guard.inert import inert_text as _inert_text
from bot.guard.message import clean_message
from bot.guard.scope import MARKS_LIMIT, PENDING_LIMIT, Scope, current, fresh_context, handling, record, record_read

if TYPE_CHECKING:
    from collections.abc import Callable

    from aiohttp import web

__all__ = ["GUARDED_METHODS", "MARKS_LIMIT", "PENDING_LIMIT", "Scope", "checked", "clean", "current", "fresh_context",
           "handling", "inert_text", "record", "record_read", "request_scope"]

GUARDED_METHODS = frozenset({
    "chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage", "chat.meMessage",
    "chat.startStream", "chat.appendStream", "chat.stopStream", "chat.unfurl",
    "files.completeUploadExternal", "files.upload",
    "views.open", "views.update", "views.push", "views.publish",
})


def inert_text(text: str, scope: Scope | None = None) -> str:
    """`text` with every reference the scope (by default the one in progress) does not allow made plain."""
    return _inert_text(text, current() if scope is None else scope)


def clean(message: dict[str, Any], scope: Scope | None = None) -> dict[str, Any]:
    """A copy of a message's (or a view's, or a stream's) arguments made safe."""
    return clean_message(message, current() if scope is None else scope)


async def checked(kwargs: dict[str, Any]) -> dict[str, Any]:
    """A guarded Web API call's keyword arguments (`json`, `params`, `data`) made safe."""
    scope = current()
    if scope is not None and scope.body is not None and not scope.seen.body_taken:
        body = await scope.body()
        if body is not None:
            scope.seen.body_taken = True
            scope.seen.add(body)
    out = dict(kwargs)
    for part in ("json", "params", "data"):
        value = kwargs.get(part)
        if isinstance(value, dict):
            out[part] = clean_message(value, scope)
        elif value is not None:
            raise TypeError(f"a message's `{part}` must be a dict for Sloth's guard to read it, "
                            f"not {type(value).__name__}")
    return out


def request_scope(request: web.Request, name_of: Callable[[str], str] | None = None) -> Scope:
    """The scope of a request to a feature's HTTP route: its path, query and body are input."""

    async def body() -> Any:
        if request.can_read_body:
            return None  # not read yet, so nothing of it can be in what the handler sends
        raw = await request.read()  # what the handler read (aiohttp keeps it); b"" if it streamed it
        return body_values(raw, request.content_type)

    scope = Scope(name_of=name_of, body=body)
    scope.seen.add([request.path, *request.query.items(), *request.match_info.values()])
    return scope


def body_values(raw: bytes, content_type: str) -> Any:
    """A body as the handler would read it: JSON decoded (escapes like \\u003c undone), forms parsed."""
    text = raw.decode("utf-8", "replace")
    if content_type == "application/x-www-form-urlencoded":
        return parse_qsl(text, keep_blank_values=True)
    try:
        return json.loads(text)
    except ValueError:
        return text
