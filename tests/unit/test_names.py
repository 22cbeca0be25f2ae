"""Slack's naming and length rules, checked before Slack is asked."""

from __future__ import annotations

import pytest

from bot.pure.errors import UserError
from bot.pure.names import check_channel_name, check_length, has_mass_mention, parse_emoji, suggest_channel_name


@pytest.mark.parametrize("name", ["data-team", "ml_papers", "2025-plans", "a", "x" * 80, "#general"])
def test_valid_channel_names(name: str) -> None:
    assert check_channel_name(name) == name.lstrip("#")


@pytest.mark.parametrize(("typed", "says"), [
    ("Data-Team", "all lowercase. Try `data-team`"),
    ("data team", "Try `data-team`"),
    ("data.team!", "Try `data-team`"),
    ("x" * 81, "81 characters long; Slack allows at most 80"),
    ("---", "at least one letter or number"),
    ("", "needs a name"),
    ("café", "only lowercase letters"),
])
def test_invalid_channel_names(typed: str, says: str) -> None:
    with pytest.raises(UserError, match=says.replace(".", r"\.")):
        check_channel_name(typed)


def test_suggestions() -> None:
    assert suggest_channel_name("  Q3 Planning / Budget ") == "q3-planning-budget"
    assert suggest_channel_name("#Ops") == "ops"


def test_channel_name_errors_escape_what_was_typed() -> None:
    with pytest.raises(UserError) as caught:
        check_channel_name("<!here>")
    assert "<!here>" not in str(caught.value)


@pytest.mark.parametrize("token", [":palm_tree:", ":+1:", ":wave::skin-tone-3:", ":man-shrugging:", ":e-mail:"])
def test_emoji(token: str) -> None:
    assert parse_emoji(token) == token


@pytest.mark.parametrize(("token", "says"), [
    (":not", "not an emoji name"), (":Palm_Tree:", "not an emoji name"), ("::", "not an emoji name"),
    ("🌴", "emoji by name"),
])
def test_broken_emoji(token: str, says: str) -> None:
    with pytest.raises(UserError, match=says):
        parse_emoji(token)


def test_words_are_not_emoji() -> None:
    assert parse_emoji("Lunch") is None and parse_emoji("") is None


def test_lengths() -> None:
    assert check_length("It", "abc", 3) == "abc"
    with pytest.raises(UserError, match="It is 4 characters long; Slack allows at most 3"):
        check_length("It", "abcd", 3)


def test_mass_mentions() -> None:
    for text in ("<!here>", "hi <!channel> there", "<!everyone>", "<!here|here>", "<!subteam^S123|@team>"):
        assert has_mass_mention(text), text
    for text in ("@here", "<@U123>", "<#C123|general>", "here", "<!date^1^{date}|x>"):
        assert not has_mass_mention(text), text
