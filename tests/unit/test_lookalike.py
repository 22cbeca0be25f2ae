"""Names that read as a member's name, however they are spelt (bot.pure.lookalike)."""

from __future__ import annotations

import pytest

from bot.pure.lookalike import name_key, reads_as

REAL = "Will Koehrsen"
SPELLINGS = [
    "Will Koehrsen", "will koehrsen", "WILL KOEHRSEN", "Will  Koehrsen", "Will\u00a0Koehrsen", "Wi\u200bll Koehrsen",
    "W\u0456ll Koehrsen", "Will Koehrsen.", "Will Koehrsen!", " Will Koehrsen ", "Ｗｉｌｌ Ｋｏｅｈｒｓｅｎ",
    "Wíll Köehrsen", "Wi11 K0ehrsen", "Will_Koehrsen", "Will-Koehrsen", "WillKoehrsen", "Will Koehrsen 🙂",
    "\u202eWill Koehrsen", "Will \u039aoehrsen", "W\u0456ll \u041a\u043e\u0435hrs\u0435n", "Will\tKoehrsen",
    "Will Koehrsen (deploys)", "Wi\u200dll Koehrsen\u2060",
]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_of_a_members_name_reads_as_it(spelling: str) -> None:
    assert reads_as(spelling, REAL)


@pytest.mark.parametrize("name", ["Deploy Bot", "Willow", "Will Koehr", "Koehrsen Fan Club", "Python Test"])
def test_other_names_do_not(name: str) -> None:
    assert not reads_as(name, REAL)


def test_a_one_word_name_is_matched_whole_not_inside_other_names() -> None:
    assert reads_as("will.", "Will") and reads_as("W\u0456ll", "Will")
    assert not reads_as("Will's alerts", "Will")  # a display name alone does not claim every phrase with it


def test_the_key_folds_what_a_reader_cannot_tell_apart() -> None:
    assert name_key("Ａｌｅｒｔ\u200b  Bot.") == "alert bot"
    assert name_key("") == ""
