"""Settings for `connect`: the app's credentials, the secret key, and where Slack's authorize page is."""

from __future__ import annotations

import pytest

from bot.config.problems import Problems
from bot.config.settings import load_settings

GOOD = {"SLACK_BOT_TOKEN": "xoxb-1-abc", "SLACK_APP_TOKEN": "xapp-1-abc"}


def test_connect_settings() -> None:
    s = load_settings(GOOD | {"SLACK_CLIENT_ID": "123.456", "SLACK_CLIENT_SECRET": "shh", "SLOTH_SECRET_KEY": "k" * 32,
                              "SLOTH_PUBLIC_URL": "https://sloth.example.com/"})
    assert (s.client_id, s.client_secret, s.secret_key) == ("123.456", "shh", "k" * 32)
    assert s.public_url == "https://sloth.example.com"
    assert s.authorize_url == "https://slack.com/oauth/v2/authorize"
    assert "shh" not in repr(s) and "k" * 32 not in repr(s)
    emulated = load_settings(GOOD | {"SLACK_API_URL": "http://127.0.0.1:3001/api/"})
    assert emulated.authorize_url == "http://127.0.0.1:3001/oauth/v2/authorize"
    assert emulated.client_id is None and emulated.secret_key is None


@pytest.mark.parametrize(("env", "says"), [
    ({"SLACK_CLIENT_ID": "123.456"}, "go together"),
    ({"SLACK_CLIENT_SECRET": "shh"}, "go together"),
    ({"SLOTH_SECRET_KEY": "short"}, "at least 16 characters"),
])
def test_connect_setting_problems(env: dict[str, str], says: str) -> None:
    with pytest.raises(Problems, match=says):
        load_settings(GOOD | env)
