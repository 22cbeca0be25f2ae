"""OAuth helpers for Sloth's tests: its settings against the emulator's app, the link buttons it
sends, and a member's browser (the emulator's)."""

from __future__ import annotations

import secrets
from typing import Any

from sloth_emulator import Emulator
from sloth_emulator.browser import browser

__all__ = ["browser", "connect_link", "link_buttons", "oauth_settings"]


def oauth_settings(emu: Emulator) -> dict[str, Any]:
    """Settings overrides that switch the OAuth side on against the emulator's app credentials."""
    return {"client_id": emu.client_id, "client_secret": emu.client_secret, "secret_key": secrets.token_hex(32)}


def link_buttons(body: dict[str, Any]) -> list[str]:
    return [e["url"] for b in body.get("blocks") or [] if b.get("type") == "actions"
            for e in b.get("elements", []) if e.get("url")]


def connect_link(body: dict[str, Any]) -> str:
    [link] = link_buttons(body)
    return link
