"""How a member gets into the run pages: a link for them alone, sent where only they see it.

A run card is shared by a channel, so it cannot carry a link for each reader. Its "Run page"
button is an ordinary button: pressing it answers the presser, and only them, with a link signed
for them (an hour to open it). `runs page` does the same for the runs table, and
`runs page <run>` for one run.
"""

from __future__ import annotations

from urllib.parse import quote

from bot.api import Click, Context, Invocation, Reply, Router, escape, notice, section
from handlers.training.compare import find_run
from handlers.training.pages.html import BASE
from handlers.training.service import training, visible_to

router = Router()
ENTER = f"{BASE}/enter"
NO_LINKS = ("Run pages are off on this Sloth: it has no `SLOTH_SECRET_KEY` to sign links with. "
            "Ask whoever runs Sloth to set it.")
GONE = "Sloth no longer keeps this training run (runs are kept for 30 days)."


def link_reply(ctx: Context, user: str, path: str, what: str) -> Reply:
    if ctx.links is None:
        return notice(NO_LINKS)
    url = ctx.links.url(user, path, enter=ENTER)
    text = f"Your link to {what} (for you alone, valid for an hour): <{url}|open it>"
    button = {"type": "button", "text": {"type": "plain_text", "text": "Open"}, "url": url,
              "action_id": "training:page-opened"}
    return Reply(text=text, blocks=[section(text, accessory=button)], ephemeral=True, replace=False)


@router.action("training:page")
async def page_button(ctx: Context, click: Click) -> Reply | None:
    run = await training(ctx).runs.get(click.value)
    if run is None:
        return notice(GONE)
    if not await visible_to(ctx, click.user, run):
        return notice("This run's page is for the members of the channel its card lives in.")
    return link_reply(ctx, click.user, f"{BASE}/runs/{quote(run.run_id)}", f"the page of *{escape(run.name)}*")


@router.action("training:page-opened")
async def opened(ctx: Context, click: Click) -> Reply | None:
    return None  # Slack tells of a link button's press too; the browser has the page already


async def page_command(ctx: Context, inv: Invocation, words: list[str]) -> Reply:
    """`runs page`: the runs table; `runs page <run>`: that run's page."""
    if not words:
        return link_reply(ctx, inv.user, f"{BASE}/runs", "the training runs table")
    run = await find_run(ctx, inv, training(ctx), " ".join(words))
    return link_reply(ctx, inv.user, f"{BASE}/runs/{quote(run.run_id)}", f"the page of *{escape(run.name)}*")
