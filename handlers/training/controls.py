"""`run stop|checkpoint|lr <run>`: the run card's Stop, Checkpoint now and LR × 0.5 as a command, so a
member (or a model or an MCP client acting for one, after they confirm) can press them by naming
the run. The same handlers answer as the buttons do: the run's owner and admins only."""

from __future__ import annotations

import inspect

from bot.api import Args, Click, Context, Invocation, Param, Reply, Router, notice
from handlers.training.buttons import ask_job, stop
from handlers.training.compare import find_run
from handlers.training.service import training

router = Router()


@router.command(
    "run", "Stop a training run, ask it to save a checkpoint now, or halve its learning rate (its owner and "
    "admins).", Param("action", choices=("stop", "checkpoint", "lr")), Param("run", "text",
                                                                           help="The run's id (or 6+ characters "
                                                                                "of it) or its name."),
    changes=True, examples=("run stop 3f2a9c", "run checkpoint bert-tiny", "run lr bert-tiny"),
)
async def run_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    action = str(args["action"]).lower()
    if action not in ("stop", "checkpoint", "lr"):
        return notice("Say what to do with the run: `stop`, `checkpoint` or `lr` (halve its learning rate).")
    run = await find_run(ctx, inv, training(ctx), args["run"])  # only runs the member may see
    press = Click(action_id=f"training:{action}", value=run.run_id, user=inv.user, channel=inv.channel,
                  message_ts=None, response_url=None, is_ephemeral=True, message=None)
    if action == "stop":
        pressed = stop(ctx, press)  # typed as any button handler, which may be a plain def
        answer = await pressed if inspect.isawaitable(pressed) else pressed
    else:
        answer = await ask_job(ctx, press, action)
    return answer or notice("Done.")
