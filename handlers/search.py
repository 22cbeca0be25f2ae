"""`search <query>`: messages the member can see, found with their own token, a page at a time.

Results can come from the member's private channels and DMs, so the answer is only ever shown
to them (ephemeral, or in their DM with Sloth), never posted where they asked.
"""

from __future__ import annotations

import re
from typing import Any

from bot.api import Args, Context, Invocation, Param, Reply, Router, inert, nav_blocks, readable, section, truncate
from handlers.history import when

router = Router("search")
PER_PAGE = 10
MAX_PAGE = 100  # search.messages serves at most 100 pages


def slack_query(typed: str, channel_name: Any) -> str:
    """The query as Slack's search reads it: `in:<#C1|general>` -> `in:#general`, `<@U1|will>` -> `<@U1>`."""
    typed = re.sub(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>", lambda m: "#" + (m.group(2) or channel_name(m.group(1))),
                   typed)
    return re.sub(r"<@([UW][A-Z0-9]+)\|[^>]*>", r"<@\1>", typed)


@router.command(
    "search", "Search the messages you can see (with your own Slack permission), a page at a time.",
    Param("query", "text"), token="user", scopes=("users:read",), user_scopes=("search:read",),
    examples=("search pandas", "search report in:#general from:@wjk68"),
)
async def search_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    query = slack_query(args["query"], ctx.directory.channel_name)
    page = min(max(0, inv.page), MAX_PAGE - 1)
    assert ctx.member_client is not None  # token="user": dispatch gives it, or answers with Connect
    answer = await ctx.member_client.search_messages(query=query, count=PER_PAGE, page=page + 1, highlight=False)
    found: dict[str, Any] = answer.get("messages") or {}
    await ctx.directory.load_users()
    return render_results(ctx, inv, args["query"], found, page)


def render_results(ctx: Context, inv: Invocation, typed: str, found: dict[str, Any], page: int) -> Reply:
    shown_query = truncate(readable(typed), 80)
    matches = found.get("matches") or []
    total = int((found.get("paging") or {}).get("total", found.get("total", len(matches))))
    if not matches:
        text = f"No messages match `{shown_query}`."
        return Reply(text=text, blocks=[section(text)], ephemeral=True)
    pages = min(MAX_PAGE, int((found.get("paging") or {}).get("pages", 1)))
    blocks = [section(f"*{total:,} messages match `{shown_query}`*")]
    blocks += [section(match_line(ctx, m)) for m in matches]
    blocks += nav_blocks(inv, page, pages, total, "messages")
    return Reply(text=f"{total} messages match {shown_query}", blocks=blocks, ephemeral=True)


def match_line(ctx: Context, match: dict[str, Any]) -> str:
    channel = match.get("channel") or {}
    name = str(channel.get("name", ""))
    if channel.get("is_im") or re.fullmatch(r"[UW][A-Z0-9]+", name):
        where = "a direct message"
    elif channel.get("is_mpim"):
        where = "a group DM"
    else:
        where = ("🔒" if channel.get("is_private") else "#") + inert(name, str, str)
    user = match.get("user")
    author = ctx.directory.display_name(user) if user else match.get("username") or "a bot"
    text = inert(match.get("text", ""), ctx.directory.display_name, ctx.directory.channel_name)
    link = match.get("permalink")
    opened = f" · <{link}|open>" if isinstance(link, str) and link.startswith("https://") else ""
    head = f"*{where}* · {inert(author, str, str)} · {when(str(match.get('ts', '0')))}{opened}"
    return f"{head}\n{truncate(text, 300) or '_(no text)_'}"
