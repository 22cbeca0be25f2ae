"""Trivia questions: their shape, checks, and the bank shipped in ``handlers/data/trivia.json``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

CHOICE_COUNT = 4


@dataclass(frozen=True)
class Question:
    category: str
    question: str
    choices: tuple[str, ...]
    answer: int
    """Index of the right choice."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "question": self.question,
            "choices": list(self.choices),
            "answer": self.answer,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Question:
        category, question = data.get("category"), data.get("question")
        choices, answer = data.get("choices"), data.get("answer")
        if not isinstance(category, str) or not isinstance(question, str) or not isinstance(choices, list):
            raise ValueError(f"bad question: {data!r}")
        if len(choices) != CHOICE_COUNT or not all(isinstance(choice, str) for choice in choices):
            raise ValueError(f"a question needs {CHOICE_COUNT} text choices: {data!r}")
        if not isinstance(answer, int) or isinstance(answer, bool) or not 0 <= answer < CHOICE_COUNT:
            raise ValueError(f"bad answer index: {data!r}")
        return cls(category, question, tuple(choices), answer)


@cache
def load_bank() -> tuple[Question, ...]:
    """The questions shipped in ``handlers/data/trivia.json``."""
    text = resources.files("handlers").joinpath("data/trivia.json").read_text(encoding="utf-8")
    return tuple(Question.from_dict(item) for item in json.loads(text))
