"""A secret's value is never printed: not by a check's message, a conversion's exception, or a repr."""

from __future__ import annotations

from typing import Any

import pytest

from bot.cli import refuse
from bot.config.feature_settings import Setting
from bot.config.problems import Problems
from bot.config.settings import load_settings
from bot.features.loader import load_features
from bot.features.router import Router
from bot.runtime.configure import configure

SECRET = "s3cr3t-Value-9f2"
GOOD = {"SLACK_BOT_TOKEN": "xoxb-1-abc", "SLACK_APP_TOKEN": "xapp-1-abc"}


def echo_value_error(raw: str) -> str:
    raise ValueError(f"a key like ab-123, not {raw}")


def echo_type_error(raw: str) -> str:
    raise TypeError(raw)


def echo_chained(raw: str) -> str:
    try:
        raise KeyError(raw)
    except KeyError as e:
        raise RuntimeError(f"lookup of {raw!r} failed") from e


def echo_int(raw: str) -> int:
    return int(raw)  # int's own message quotes the text: "invalid literal for int() with base 10: '…'"


router = Router("vault", settings=[
    Setting("key", echo_value_error, secret=True),
    Setting("token", echo_type_error, secret=True),
    Setting("pin", echo_chained, secret=True),
    Setting("code", echo_int, secret=True),
    Setting("port", int, secret=True, minimum=1, maximum=9),
    Setting("visible", echo_value_error),
])
VARIABLES = ("VAULT_KEY", "VAULT_TOKEN", "VAULT_PIN", "VAULT_CODE", "VAULT_PORT")


def vault_problems(**env: str) -> list[str]:
    with pytest.raises(Problems) as caught:
        configure({**GOOD, "SLOTH_FEATURES": "tests.unit.test_secrets:router", **env})
    return caught.value.problems


def test_a_check_that_echoes_a_secret_is_not_repeated(capsys: pytest.CaptureFixture[str]) -> None:
    problems = vault_problems(**{variable: SECRET for variable in VARIABLES})
    assert len(problems) == 5
    assert refuse(problems) == 2
    printed = capsys.readouterr().err
    for variable in VARIABLES:
        assert f"{variable} must be " in printed
    assert "VAULT_KEY must be a valid echo_value_error (the value is secret, so it is not shown)." in problems
    assert "VAULT_PORT must be a whole number from 1 to 9 (the value is secret, so it is not shown)." in problems
    assert SECRET not in printed and SECRET.lower() not in printed.lower() and "Traceback" not in printed


def test_the_same_check_on_a_setting_that_is_not_secret_says_what_it_was_given() -> None:
    [problem] = vault_problems(VAULT_VISIBLE="plain-text")
    assert problem == "VAULT_VISIBLE must be a key like ab-123, not plain-text, not 'plain-text'."


def test_reprs_show_no_secret_value() -> None:
    assert SECRET not in repr(Setting("key", str, default=SECRET, secret=True))
    registry = load_features({"SLOTH_FEATURES": "tests.unit.test_secrets:router", "VAULT_PORT": "7",
                              "VAULT_CODE": "4242"}, installed=False)
    vault = registry.feature("vault")
    assert vault is not None and vault.config.code == 4242
    assert "4242" not in repr(vault.config) and "4242" not in repr(vault)


@pytest.mark.parametrize("env", [
    {"SLACK_BOT_TOKEN": f"xoxb {SECRET}"},
    {"SLACK_APP_TOKEN": f"xoxb-{SECRET}"},
    {"SLACK_USER_TOKEN": f"xoxp-{SECRET} x"},
    {"SLOTH_SECRET_KEY": SECRET[:10]},
    {"SLACK_CLIENT_SECRET": SECRET},
    {"SLOTH_STORE_URL": f"postgres://sloth:{SECRET}@db/sloth"},
])
def test_core_secrets_are_never_in_a_problem(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(Problems) as caught:
        configure({**GOOD, **env})
    refuse(caught.value.problems)
    printed = capsys.readouterr().err
    assert printed.count("  - ") == 1
    assert SECRET not in printed and SECRET[:10] not in printed


def test_core_settings_repr_shows_no_secret() -> None:
    settings: Any = load_settings({
        "SLACK_BOT_TOKEN": f"xoxb-{SECRET}", "SLACK_APP_TOKEN": f"xapp-{SECRET}", "SLACK_USER_TOKEN": f"xoxp-{SECRET}",
        "SLOTH_SECRET_KEY": SECRET * 2, "SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": SECRET,
        "SLOTH_STORE_URL": f"redis://:{SECRET}@redis:6379/0",
    }, env_file=None)
    assert settings.store_url.endswith("@redis:6379/0")
    assert SECRET not in repr(settings)
