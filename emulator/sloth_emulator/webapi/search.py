"""search.messages and search.files: substring search with Slack's in:/from: modifiers."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from sloth_emulator.model import Channel
from sloth_emulator.shapes import file_dict
from sloth_emulator.webapi.context import USER_ONLY, Answer, ApiError, Call, Method

MODIFIER = re.compile(r"(in|from):(\S+)")


@dataclass
class Query:
    words: str
    channels: set[str] = field(default_factory=set)
    users: set[str] = field(default_factory=set)


def parse_query(call: Call, raw: str) -> Query:
    """Split "report in:#general from:@wjk68" into text and filters; <#C…> and <@U…> work too."""
    query = Query(MODIFIER.sub("", raw).strip().lower())
    for kind, value in MODIFIER.findall(raw):
        ref = value.strip("<>").split("|")[0].lstrip("#@")
        if kind == "in":
            channel = call.ws.channel(ref)
            query.channels.add(channel.id if channel else ref)
        else:
            user = call.ws.user(ref) or next((u for u in call.ws.users.values() if u.name == ref), None)
            query.users.add(user.id if user else ref)
    return query


def _paged(call: Call, matches: list[Any]) -> tuple[list[Any], dict[str, Any]]:
    count = max(1, min(call.number("count", 20), 100))
    page = max(1, call.number("page", 1))
    pages = max(1, -(-len(matches) // count))
    chunk = matches[(page - 1) * count:page * count]
    first = (page - 1) * count + 1 if chunk else 0
    info = {"pagination": {"total_count": len(matches), "page": page, "per_page": count, "page_count": pages,
                           "first": first, "last": first + len(chunk) - 1 if chunk else 0},
            "paging": {"count": count, "total": len(matches), "page": page, "pages": pages},
            "total": len(matches)}
    return chunk, info


def _searchable(call: Call, query: Query) -> list[Channel]:
    return [c for c in call.ws.channels.values()
            if (not c.is_private or call.me in c.members) and (not query.channels or c.id in query.channels)]


def search_messages(call: Call) -> Answer:
    raw = call.text("query")
    if not raw.strip():
        raise ApiError("No query passed")  # sic: Slack's documented error for a missing query
    query = parse_query(call, raw)
    ws = call.ws
    found = []
    for channel in _searchable(call, query):
        for message in channel.messages.values():
            by_wanted_user = not query.users or message.get("user") in query.users
            if by_wanted_user and query.words in message.get("text", "").lower():
                found.append((channel, message))
    # Without a relevance model, "score" order is newest first, like a timestamp sort.
    found.sort(key=lambda pair: pair[1]["ts"], reverse=call.text("sort_dir", "desc") != "asc")
    chunk, info = _paged(call, found)
    matches = []
    for channel, message in chunk:
        author = ws.users.get(message.get("user", ""))
        matches.append({
            "channel": {"id": channel.id, "is_ext_shared": False, "is_mpim": channel.is_mpim, "is_org_shared": False,
                        "is_pending_ext_shared": False, "is_private": channel.is_private, "is_shared": False,
                        "name": channel.name, "pending_shared": []},
            "iid": str(uuid.uuid5(uuid.NAMESPACE_URL, channel.id + message["ts"])),
            "permalink": f"https://{ws.team.domain}.slack.com/archives/{channel.id}/p{message['ts'].replace('.', '')}",
            "team": ws.team.id, "text": message.get("text", ""), "ts": message["ts"], "type": "message",
            "user": message.get("user", ""), "username": author.name if author else message.get("username", ""),
        })
    return {"query": raw, "messages": {"matches": matches, **info}}


def search_files(call: Call) -> Answer:
    raw = call.text("query")
    if not raw.strip():
        raise ApiError("No query passed")
    query = parse_query(call, raw)
    allowed = {c.id for c in _searchable(call, query)}
    found = [r for r in reversed(call.ws.files.values())
             if r.complete and (query.words in r.name.lower() or query.words in r.title.lower())
             and (not query.users or r.user in query.users)
             and ((r.user == call.me and not query.channels) or any(c in allowed for c in r.shares))]
    chunk, info = _paged(call, found)
    return {"query": raw, "files": {"matches": [file_dict(r, call.ws, call.emu.base_url) for r in chunk], **info}}


METHODS: dict[str, Method] = {
    "search.messages": Method(search_messages, USER_ONLY),
    "search.files": Method(search_files, USER_ONLY),
}
