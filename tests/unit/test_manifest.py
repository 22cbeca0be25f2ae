from pathlib import Path

import yaml

from bot.app import build_registry
from bot.manifest import manifest, manifest_yaml

ROOT = Path(__file__).resolve().parents[2]


def test_committed_manifest_matches_the_registry() -> None:
    committed = (ROOT / "deploy" / "slack-app-manifest.yaml").read_text()
    assert committed == manifest_yaml(build_registry()), "run: sloth manifest > deploy/slack-app-manifest.yaml"


def test_manifest_declares_socket_mode_events_and_every_scope() -> None:
    registry = build_registry()
    data = yaml.safe_load(manifest_yaml(registry))
    assert data["settings"]["socket_mode_enabled"] is True
    assert data["settings"]["interactivity"]["is_enabled"] is True
    assert data["features"]["slash_commands"][0]["command"] == "/sloth"
    events = set(data["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_mention", "message.im", "team_join", "user_change", "channel_created", "channel_rename"} <= events
    scopes = set(data["oauth_config"]["scopes"]["bot"])
    for command in registry.listed():
        assert set(command.scopes) <= scopes, command.name
    assert {"commands", "chat:write", "app_mentions:read", "im:history"} <= scopes
    assert manifest(registry, "/slothy")["features"]["slash_commands"][0]["command"] == "/slothy"


def test_readme_documents_every_command() -> None:
    readme = (ROOT / "README.md").read_text()
    for command in build_registry().listed():
        assert f"`{command.name}" in readme, f"README does not mention {command.name}"
