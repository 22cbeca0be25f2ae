"""The sandbox's Home tab and message shortcuts.

`home` opens Sloth's Home tab as the current member and draws it, its buttons numbered like a
message's (pressing one clicks it in the tab, as Slack does); `shortcut <name>` uses one of the
features' message shortcuts, by its name or callback_id, on the newest message of the current
channel.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from rich.console import Group, RenderableType
from rich.panel import Panel

from bot.features.registry import Registry
from bot.sandbox.render import Button, Renderer
from sloth_emulator import Emulator


def home_of(emu: Emulator, user: str, names: Callable[[str], str]) -> tuple[RenderableType, list[Button]]:
    """The member's Home tab as Sloth last published it, and its buttons (numbered from 1)."""
    view = next((v for v in emu.views(user) if v["type"] == "home"), None)
    if view is None:
        raise ValueError("Sloth has not drawn a Home tab for you yet.")
    renderer = Renderer(names)
    drawn = renderer.blocks(view.get("blocks", []), "", view["id"])
    buttons = [dataclasses.replace(b, view=view["id"]) for b in renderer.buttons]
    return Panel(Group(*drawn), title="Sloth · Home", border_style="cyan"), buttons


def shortcut_named(registry: Registry, name: str) -> str:
    """The callback_id of the message shortcut called `name` (or with that callback_id)."""
    wanted = name.strip().strip('"').casefold()
    for callback_id, (declaration, _) in registry.shortcuts.items():
        if wanted in (callback_id.casefold(), declaration.name.casefold()):
            return callback_id
    known = ", ".join(f'"{d.name}"' for d, _ in registry.shortcuts.values()) or "none"
    raise ValueError(f"No message shortcut {name!r}. Sloth's are: {known}.")


def newest_message(emu: Emulator, channel: str) -> str:
    """The ts of the newest top-level or threaded message in `channel`."""
    messages = emu.messages(channel)
    if not messages:
        raise ValueError("This channel has no message to use a shortcut on; `say` something first.")
    return str(max(messages, key=lambda m: float(m["ts"]))["ts"])
