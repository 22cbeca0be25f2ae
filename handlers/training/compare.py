"""`runs compare <run> <run>`: the two runs' shared metrics overlaid in one PNG, and how the settings
they started with differ (in the picture's comment, and as a table in the answer to the asker).

A run is named by its id (or the first 6+ characters of it) or by its name (the newest run of
that name). The picture is drawn in a worker process, like the other training pictures, and
goes to the thread of the asking message (a slash command's goes to the channel, or a DM).
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import TYPE_CHECKING, Any

from bot.api import (
    Context,
    Invocation,
    Reply,
    Task,
    UserError,
    escape,
    made,
    notice,
    reply_place,
    section,
    table,
    truncate,
    upload,
)
from handlers.training.card_parts import value_text
from handlers.training.service import Training, training, visible_to
from handlers.training.state import Run, shared_metrics

# Drawn in a worker process; named, not imported, so this process never loads matplotlib.
COMPARE_PNG: Task[[str, list[tuple[str, list[dict[str, Any]]]]], bytes] = Task("handlers.training.render:compare_png")
if TYPE_CHECKING:  # only mypy imports the drawing module, to check the task's types
    from bot.api import same_types
    from handlers.training import render

    same_types(COMPARE_PNG, render.compare_png)

USAGE = "Usage: `runs compare <run> <run>`, each a run id (or its first 6 characters) or a run name."
MAX_DIFF = 20


async def find_run(ctx: Context, inv: Invocation, service: Training, wanted: str) -> Run:
    found = []
    for run_id in await service.runs.recent():  # newest first
        run = await service.runs.get(run_id)
        if run is not None and (run_id == wanted or (len(wanted) >= 6 and run_id.startswith(wanted))
                                or run.name == wanted) and await visible_to(ctx, inv.user, run):
            found.append(run)
    if not found:
        raise UserError(f"No training run is called or has the id `{escape(truncate(wanted, 80))}`. "
                        "`runs` lists them.")
    exact = [run for run in found if run.run_id == wanted]
    return (exact or found)[0]


def config_diff(first: Run, second: Run) -> list[str]:
    """`key: a → b` for every setting the two runs started with differently (a missing key shows as
    –). The settings they started with: a run's config also follows the LR button."""
    return [f"{key}: {a} → {b}" for key, a, b in diff_rows(first, second)]


def diff_rows(first: Run, second: Run) -> list[tuple[str, str, str]]:
    """(key, first's value, second's) for every setting the two runs started with differently."""
    before, after = started_with(first), started_with(second)
    rows = []
    for key in list(dict.fromkeys([*before, *after])):
        a, b = before.get(key, "–"), after.get(key, "–")
        if a != b:
            rows.append((key, shown(a), shown(b)))
    return rows


def started_with(run: Run) -> dict[str, Any]:
    return run.start_config if run.start_config is not None else run.config  # kept before starts were


def shown(value: Any) -> str:
    text = value if isinstance(value, str) else value_text(value) if isinstance(value, float) else json.dumps(
        value, default=str)
    return truncate(text, 60)


async def compare(ctx: Context, inv: Invocation, words: list[str]) -> Reply:
    if len(words) != 2:
        raise UserError(USAGE)
    service = training(ctx)
    first, second = [await find_run(ctx, inv, service, word) for word in words]
    if first.run_id == second.run_id:
        raise UserError("Those name the same run twice; name two different runs.")
    title = f"{first.name} vs {second.name}"
    png = made(COMPARE_PNG, title, [(label(first), first.history), (label(second), second.history)])
    place = await reply_place(ctx, inv)
    if place.channel == inv.channel and inv.ts and inv.source in ("mention", "dm"):
        place = dataclasses.replace(place, thread=inv.thread or inv.ts)  # the asking message's thread
    shared = shared_metrics(first.history, second.history)
    diff = config_diff(first, second)
    comment = compare_comment(first, second, shared, diff)
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", f"{first.name}-vs-{second.name}").strip("-")[:80] or "runs"
    await upload(ctx, requester=inv.user, place=place, data=png, filename=f"{slug}.png", title=title[:100],
                 comment=comment, alt=f"training curves of {first.name[:40]} and {second.name[:40]} overlaid")
    moved = f" (in a DM: {place.moved})" if place.moved else ""
    answer = notice(f"Compared *{escape(truncate(first.name, 60))}* and *{escape(truncate(second.name, 60))}*"
                    f"{moved}.")
    rows = diff_rows(first, second)
    if not rows:
        return answer
    differences = table(rows, header=["Config", label(first), label(second)], wrap=[False, True, True])
    return Reply(text=answer.text, blocks=[section(answer.text), differences], ephemeral=True, replace=False)


def label(run: Run) -> str:
    return f"{run.name[:24]} ({run.run_id[:6]})"


def compare_comment(first: Run, second: Run, shared: list[str], diff: list[str]) -> str:
    metrics = ", ".join(f"`{escape(m)}`" for m in shared) if shared else "no metric in common"
    lines = [f"*{escape(truncate(first.name, 60))}* (`{first.run_id[:8]}`, {first.epochs_done} epochs) vs "
             f"*{escape(truncate(second.name, 60))}* (`{second.run_id[:8]}`, {second.epochs_done} epochs): {metrics}."]
    if diff:
        more = f"\n… and {len(diff) - MAX_DIFF} more" if len(diff) > MAX_DIFF else ""
        shown_diff = "\n".join(diff[:MAX_DIFF]) + more
        lines.append("Settings they started with, where they differ:\n```" + escape(shown_diff.replace("`", "'"))
                     + "```")
    else:
        lines.append("They started with the same settings.")
    return "\n".join(lines)
