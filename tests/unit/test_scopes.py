"""Which commands a token's scopes allow: the one answer the runtime and `sloth doctor` share."""

from __future__ import annotations

from bot.features.loader import load_features
from bot.features.scopes import granted_scopes, missing_by_command


def test_granted_scopes_reads_the_header_whatever_its_case() -> None:
    assert granted_scopes({"X-OAuth-Scopes": "chat:write, users:read,,commands"}) == {
        "chat:write", "users:read", "commands"}
    assert granted_scopes({"x-oauth-scopes": ["files:write,files:read"]}) == {"files:write", "files:read"}
    assert granted_scopes({"x-oauth-scopes": ""}) == frozenset()
    assert granted_scopes({"content-type": "application/json"}) is None


def test_missing_by_command_names_each_command_and_its_scopes() -> None:
    registry = load_features({}, installed=False)
    everything = {s for c in registry.listed() for s in c.scopes}
    missing = missing_by_command(registry.listed(), everything - {"files:write"})
    assert missing == {"files": ("files:write",), "plot": ("files:write",), "export": ("files:write",),
                       "share": ("files:write",)}
    assert missing_by_command(registry.listed(), everything) == {}


def test_user_scopes_are_judged_only_for_commands_that_act_as_a_member() -> None:
    registry = load_features({}, installed=False)
    missing = missing_by_command(registry.listed(), {"users.profile:write", "dnd:write"}, user=True)
    assert missing == {"search": ("search:read",)}
