from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings

GOOD = {"SLACK_BOT_TOKEN": "xoxb-1-abc", "SLACK_APP_TOKEN": "xapp-1-abc"}


def test_defaults() -> None:
    s = load_settings(GOOD)
    assert s.command == "/sloth" and s.http_port == 8080 and s.admins == frozenset()
    assert s.api_url == "https://slack.com/api/"
    assert s.store_url == f"sqlite:///{Path('data') / 'sloth.db'}"
    assert s.user_token is None and s.log_format == "text"


def test_every_problem_is_reported_together() -> None:
    env = {
        "SLACK_APP_TOKEN": "xoxb-wrong-kind-secret",
        "SLOTH_HTTP_PORT": "eighty",
        "SLOTH_ADMINS": "U123ABC, bob",
        "LOG_FORMAT": "xml",
        "SLOTH_STORE_URL": "postgres://x",
    }
    with pytest.raises(SettingsError) as caught:
        load_settings(env)
    text = str(caught.value)
    named = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLOTH_HTTP_PORT", "SLOTH_ADMINS", "LOG_FORMAT", "SLOTH_STORE_URL")
    for variable in named:
        assert variable in text
    assert len(caught.value.problems) == 6
    assert "xoxb-wrong-kind-secret" not in text  # never a token value


def test_admins_data_dir_and_api_url() -> None:
    s = load_settings({**GOOD, "SLOTH_ADMINS": "U1ABC,W2DEF", "SLOTH_DATA_DIR": "/tmp/x", "SLACK_API_URL": "http://h/api"})
    assert s.admins == {"U1ABC", "W2DEF"}
    assert s.store_url == "sqlite:////tmp/x/sloth.db"
    assert s.api_url == "http://h/api/"


def test_tokens_are_not_in_repr() -> None:
    assert "xoxb-1-abc" not in repr(load_settings(GOOD))


def test_dotenv_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("SLACK_BOT_TOKEN=xoxb-from-file\nSLACK_APP_TOKEN=xapp-from-file\nSLOTH_COMMAND=/slothy\n")
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLOTH_COMMAND"):
        monkeypatch.delenv(name, raising=False)
    s = load_settings(env_file=env_file)
    assert s.bot_token == "xoxb-from-file" and s.command == "/slothy"


def test_feature_settings() -> None:
    s = load_settings({**GOOD, "SLOTH_SECRET_KEY": "k" * 32, "SLOTH_FILES_DIR": "/srv/files",
                       "SLOTH_MONITOR_TOKEN": "m-token", "SLOTH_GAME_IDLE_HOURS": "2", "SLOTH_PUBLIC_URL": "https://x/"})
    assert s.secret_key == "k" * 32 and str(s.files_dir) == "/srv/files" and s.monitor_token == "m-token"
    assert s.game_idle_seconds == 7200 and s.public_url == "https://x"
    assert load_settings(GOOD).public_url == "http://localhost:8080"
    with pytest.raises(SettingsError) as caught:
        load_settings({**GOOD, "SLOTH_SECRET_KEY": "short", "SLOTH_GAME_IDLE_HOURS": "-1", "SLOTH_PUBLIC_URL": "ftp:x"})
    assert len(caught.value.problems) == 3
    assert "short" not in str(caught.value)


def test_training_stale_minutes() -> None:
    assert load_settings(GOOD).training_stale_seconds == 300
    assert load_settings({**GOOD, "SLOTH_TRAINING_STALE_MINUTES": "1.5"}).training_stale_seconds == 90
    for bad in ("0", "-2", "soon", "nan", "inf"):
        with pytest.raises(SettingsError) as caught:
            load_settings({**GOOD, "SLOTH_TRAINING_STALE_MINUTES": bad})
        assert caught.value.problems == ["SLOTH_TRAINING_STALE_MINUTES must be a positive number of minutes."]

def test_share_limit_and_render_workers() -> None:
    s = load_settings(GOOD)
    assert s.share_max_bytes == 25 * 1024 * 1024 and s.render_workers == 0
    s = load_settings({**GOOD, "SLOTH_SHARE_MAX_MB": "0.5", "SLOTH_RENDER_WORKERS": "3"})
    assert s.share_max_bytes == 512 * 1024 and s.render_workers == 3
    with pytest.raises(SettingsError) as caught:
        load_settings({**GOOD, "SLOTH_SHARE_MAX_MB": "0", "SLOTH_RENDER_WORKERS": "1.5"})
    assert len(caught.value.problems) == 2
    assert "SLOTH_SHARE_MAX_MB" in str(caught.value) and "SLOTH_RENDER_WORKERS" in str(caught.value)
    with pytest.raises(SettingsError):
        load_settings({**GOOD, "SLOTH_SHARE_MAX_MB": "lots"})
