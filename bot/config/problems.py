"""The one exception for "here is everything that is wrong", raised wherever problems are collected.

Sloth's settings, each feature's settings, loading the features and combining their declarations
each collect every problem they find instead of stopping at the first, so an operator fixes them
all in one go; `sloth` then prints them one per line and exits with 2.
"""

from __future__ import annotations


class Problems(Exception):
    """Every problem found, one sentence each (`problems`); the message is one per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
