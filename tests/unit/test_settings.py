from pathlib import Path

import pytest

from bot.config.feature_settings import Config
from bot.config.problems import Problems
from bot.config.settings import load_settings
from bot.features.loader import load_features
from bot.runtime.configure import configure

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
    with pytest.raises(Problems) as caught:
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


def test_core_settings_beside_features() -> None:
    s = load_settings({**GOOD, "SLOTH_SECRET_KEY": "k" * 32, "SLOTH_PUBLIC_URL": "https://x/",
                       "SLOTH_RENDER_WORKERS": "3"})
    assert s.secret_key == "k" * 32 and s.public_url == "https://x" and s.render_workers == 3
    assert load_settings(GOOD).public_url == "http://localhost:8080"
    with pytest.raises(Problems) as caught:
        load_settings({**GOOD, "SLOTH_SECRET_KEY": "short", "SLOTH_PUBLIC_URL": "ftp:x", "SLOTH_RENDER_WORKERS": "1.5"})
    assert len(caught.value.problems) == 3
    assert "short" not in str(caught.value)


def feature_config(env: dict[str, str], feature: str) -> Config:
    found = load_features(env, installed=False).feature(feature)
    assert found is not None
    return found.config


def test_built_in_features_read_their_own_settings() -> None:
    env = {"SLOTH_FILES_DIR": "/srv/files", "SLOTH_SHARE_MAX_MB": "0.5", "SLOTH_MONITOR_TOKEN": "m-token",
           "SLOTH_GAME_IDLE_HOURS": "2", "SLOTH_TRAINING_STALE_MINUTES": "1.5"}
    share = feature_config(env, "share")
    assert share.files_dir == Path("/srv/files") and share.max_mb == 0.5
    assert feature_config(env, "games").idle_hours == 2.0
    training = feature_config(env, "training")
    assert training.monitor_token == "m-token" and training.stale_minutes == 1.5
    defaults = feature_config({}, "share")
    assert defaults.files_dir == Path("files") and defaults.max_mb == 25.0


@pytest.mark.parametrize("variable", ["SLOTH_GAME_IDLE_HOURS", "SLOTH_SHARE_MAX_MB", "SLOTH_TRAINING_STALE_MINUTES"])
@pytest.mark.parametrize("bad", ["0", "-2", "soon", "nan", "inf", "-inf", "NaN"])
def test_numbers_must_be_positive_and_finite(variable: str, bad: str) -> None:
    with pytest.raises(Problems) as caught:
        load_features({variable: bad}, installed=False)
    [problem] = caught.value.problems
    assert problem.startswith(f"{variable} must be") and repr(bad) in problem


def test_every_problem_of_core_and_features_is_reported_at_once() -> None:
    env = {**GOOD, "SLOTH_HTTP_PORT": "99999", "SLOTH_GAME_IDLE_HOURS": "nan", "SLOTH_SHARE_MAX_MB": "inf",
           "SLOTH_MONITOR_TOKEN": ""}
    with pytest.raises(Problems) as caught:
        configure(env)
    problems = caught.value.problems
    assert len(problems) == 3
    assert any("SLOTH_HTTP_PORT" in p for p in problems) and any("SLOTH_GAME_IDLE_HOURS" in p for p in problems)
