"""A member's Home tab, put together from every feature's section. Pure functions.

Each feature's section is a list of blocks (`router.home`); the tab holds a heading, the sections
in the order features load, each after a divider, and a row of buttons for common commands. A
Home tab holds at most 100 blocks, like a modal (Slack's Home tab reference): a section that
would not fit is left out whole and the tab says so. Block IDs are made unique across sections
(each section's are prefixed with its feature's name), as Slack wants them unique in a view.

`home_button(text, command)` is a button that runs one of Sloth's commands for whoever presses
it: a command with something to fill in opens its form, one without runs at once, answered in
the member's DM with Sloth (a Home tab has no channel to answer in).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from bot.pure.blocks import actions, button, context_block, divider, section
from bot.pure.views import MAX_ID, MAX_VIEW_BLOCKS

HOME_RUN = "sloth_home:run"  # the core's button family: sloth_home:run:<command> runs it or opens its form
MENU = "sloth"  # sloth_home:run:sloth opens the menu of commands
MAX_BUTTONS = 25  # elements of one actions block (Slack's actions block reference)


def home_button(text: str, command: str, style: str | None = None) -> dict[str, Any]:
    """A button that runs `command` (opens its form, if it has something to fill in) for whoever
    presses it; for a feature's section of the Home tab."""
    return button(text, f"{HOME_RUN}:{command}"[:MAX_ID], command, style=style)


def command_buttons(commands: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """The row of buttons for common commands: (label, command), the menu of all of them first."""
    row = [home_button("Sloth…", MENU, style="primary"), *(home_button(label, name) for label, name in commands)]
    return [actions(*row[:MAX_BUTTONS], block_id="sloth.commands")]


def home_view(heading: list[dict[str, Any]], sections: Sequence[tuple[str, list[dict[str, Any]]]],
              footer: list[dict[str, Any]]) -> dict[str, Any]:
    """The Home view: `heading`, each (feature, blocks) section that fits, then `footer`."""
    room = MAX_VIEW_BLOCKS - len(heading) - len(footer) - 1  # one block kept for "left out"
    blocks = [*heading]
    left_out: list[str] = []
    for feature, shown in sections:
        if not shown:
            continue
        if len(shown) + 1 > room:
            left_out.append(feature)
            continue
        room -= len(shown) + 1
        blocks.append(divider())
        blocks += [_owned(block, feature, n) for n, block in enumerate(shown)]
    if left_out:
        blocks.append(context_block(f"More than a Home tab holds: {', '.join(left_out)} left out."))
    blocks += footer
    return {"type": "home", "blocks": blocks, "callback_id": "sloth_home"}


def _owned(block: dict[str, Any], feature: str, n: int) -> dict[str, Any]:
    found = copy.deepcopy(block)
    own = found.get("block_id")
    found["block_id"] = (f"{feature}.{own}" if own else f"{feature}.{n}")[:MAX_ID]
    return found


def failed_section(feature: str, error_id: str) -> list[dict[str, Any]]:
    return [context_block(f":warning: The {feature} part of your Home tab could not be shown (error id "
                          f"`{error_id}`). It has been logged.")]


def heading(name: str, intro: str) -> list[dict[str, Any]]:
    return [section(f"*Sloth for {name}*\n{intro}")]
