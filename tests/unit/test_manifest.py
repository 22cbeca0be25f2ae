import re
from pathlib import Path

import pytest
import yaml

from bot.features.loader import load_features
from bot.features.manifest import manifest, manifest_yaml
from bot.features.registry import Registry

ROOT = Path(__file__).resolve().parents[2]


def build_registry() -> Registry:
    return load_features({}, installed=False)


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


def table_commands(readme: str) -> set[str]:
    """The command names that start a backticked usage in the first cell of a table row."""
    cells = re.findall(r"^\| (.+?) \|", readme, re.M)
    return {name for cell in cells for name in re.findall(r"`([a-z0-9_-]+)(?=[ `])", cell)}


def test_readme_documents_every_command() -> None:
    """Each command has a row in the README's command table, under its exact name."""
    documented = table_commands((ROOT / "README.md").read_text())
    for command in build_registry().listed():
        assert command.name in documented, f"README's command table has no row for {command.name}"


def test_readme_check_matches_names_exactly() -> None:
    rows = table_commands("| `runs [owner]` | …\n| `connect` / `disconnect` | …\n| `help` | …\n")
    assert "run" not in rows and rows == {"runs", "connect", "disconnect", "help"}


def test_http_mode_sends_every_request_to_slack_events_with_socket_mode_off() -> None:
    data = manifest(build_registry(), public_url="https://sloth.example.org/", transport="http")
    url = "https://sloth.example.org/slack/events"
    assert data["settings"]["socket_mode_enabled"] is False
    assert data["settings"]["event_subscriptions"]["request_url"] == url
    assert data["settings"]["interactivity"] == {"is_enabled": True, "request_url": url}
    assert data["features"]["slash_commands"][0]["url"] == url
    socket = manifest(build_registry(), public_url="https://sloth.example.org")
    assert "request_url" not in socket["settings"]["event_subscriptions"] and "url" not in socket["features"][
        "slash_commands"][0]


def test_sloth_manifest_takes_the_transport_and_address_from_the_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("SLOTH_TRANSPORT", "http")
    monkeypatch.delenv("SLOTH_PUBLIC_URL", raising=False)
    assert main(["manifest"]) == 2
    assert "SLOTH_PUBLIC_URL" in capsys.readouterr().err
    monkeypatch.setenv("SLOTH_PUBLIC_URL", "http://10.0.0.5:8080")
    assert main(["manifest"]) == 0
    printed = capsys.readouterr().out
    assert "only to https URLs" in printed
    assert yaml.safe_load(printed)["settings"]["event_subscriptions"]["request_url"] == "http://10.0.0.5:8080/slack/events"
    assert main(["manifest", "--transport", "socket"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["settings"]["socket_mode_enabled"] is True
