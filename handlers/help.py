"""`help` and `help <command>`: generated from every loaded command (`ctx.commands`), written in
standard Markdown (Slack's markdown block), which says headings, lists and code as they read."""

from __future__ import annotations

from bot.api import (
    Args,
    CommandInfo,
    Context,
    Invocation,
    Param,
    Reply,
    Router,
    UserError,
    context_block,
    header,
    markdown,
    shown,
)

router = Router("help")


@router.command(
    "help", "List what Sloth can do, or show how to use one command.", Param("command", required=False),
    examples=("help", "help history"),
)
async def help_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    name = args["command"]
    if name:
        command = ctx.commands.find(name)
        if command is None:
            suggestion = ctx.commands.closest(name)
            hint = f" Did you mean `{suggestion}`?" if suggestion else ""
            raise UserError(f"There is no command `{shown(name)}`.{hint}")
        return command_help(ctx, command)
    return overview(ctx)


def overview(ctx: Context) -> Reply:
    off = ctx.commands.unavailable
    lines = [f"- `{c.name}` — {c.summary}" + (" *(unavailable: the app lacks "
                                              f"{', '.join(f'`{s}`' for s in off[c.name])})*" if c.name in off else "")
             for c in ctx.commands.listed()]
    blocks = [
        header("Sloth commands"),
        markdown("\n".join(lines)),
        context_block(
            f"Type `{ctx.slash('help <command>')}` for usage and examples. "
            f"Every command also works as `@{_bot_name(ctx)} <command>` in a channel or thread, and in a DM."
        ),
    ]
    return Reply(text="Sloth commands: " + ", ".join(c.name for c in ctx.commands.listed()), blocks=blocks)


def command_help(ctx: Context, command: CommandInfo) -> Reply:
    lines = [f"**{command.summary}**", "", f"Usage: `{ctx.slash(command.usage)}`"]
    if command.examples:
        lines += ["", "Examples:", *[f"- `{ctx.slash(e)}`" for e in command.examples]]
    notes = []
    if command.admin_only:
        notes.append("Only Sloth's admins and the workspace's admins and owners can run it.")
    if command.token == "user":
        notes.append(f"It acts with your own Slack authorization: `{ctx.slash('connect')}` once to give it.")
    if command.aliases:
        notes.append("Also: " + ", ".join(f"`{a}`" for a in command.aliases))
    missing = ctx.commands.unavailable.get(command.name)
    if missing:
        notes.append("Unavailable now: Sloth's app lacks " + ", ".join(f"`{s}`" for s in missing)
                     + "; an admin adds the scope to the app and reinstalls it.")
    blocks = [markdown("\n".join(lines))]
    if notes:
        blocks.append(context_block(" ".join(notes)))
    return Reply(text=f"Usage: {ctx.slash(command.usage)}", blocks=blocks)


def _bot_name(ctx: Context) -> str:
    return ctx.directory.users.get(ctx.identity.bot_user_id, {}).get("name", "sloth")
