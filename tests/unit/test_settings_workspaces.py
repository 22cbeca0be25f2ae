"""SLOTH_WORKSPACES: one workspace by default; many when the app's OAuth credentials come without a bot token."""

from __future__ import annotations

from bot.config.settings import read_settings

MANY = {"SLACK_CLIENT_ID": "123.456", "SLACK_CLIENT_SECRET": "s" * 32, "SLOTH_SECRET_KEY": "k" * 32,
        "SLACK_SIGNING_SECRET": "g" * 32, "SLOTH_TRANSPORT": "http"}


def test_oauth_credentials_without_a_bot_token_mean_many_workspaces() -> None:
    problems: list[str] = []
    settings = read_settings(MANY, problems)
    assert problems == [] and settings is not None
    assert settings.workspaces == "many" and settings.bot_token == ""


def test_a_bot_token_keeps_one_workspace_and_is_refused_with_many() -> None:
    problems: list[str] = []
    one = read_settings({**MANY, "SLACK_BOT_TOKEN": "xoxb-1-2-abc"}, problems)
    assert problems == [] and one is not None and one.workspaces == "single"
    read_settings({**MANY, "SLACK_BOT_TOKEN": "xoxb-1-2-abc", "SLOTH_WORKSPACES": "many"}, problems)
    assert any("SLACK_BOT_TOKEN is for one workspace" in p for p in problems)


def test_many_workspaces_name_everything_they_lack_at_once() -> None:
    problems: list[str] = []
    assert read_settings({"SLOTH_WORKSPACES": "many"}, problems) is None
    text = " ".join(problems)
    for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLOTH_SECRET_KEY", "SLACK_SIGNING_SECRET",
                 "SLOTH_TRANSPORT=http"):
        assert name in text
    assert not any("SLACK_BOT_TOKEN is not set" in p for p in problems)
    read_settings({"SLOTH_WORKSPACES": "several"}, problems)
    assert any("SLOTH_WORKSPACES must be 'single'" in p for p in problems)
