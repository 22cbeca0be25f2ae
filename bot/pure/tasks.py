"""Work for the worker processes, named by its import path: the process that asks never imports it.

    CHART = Task[[Activity], bytes]("handlers.charts:activity_png")
    png = await ctx.cpu.run(CHART, data)

Naming a function instead of importing it keeps its module (and matplotlib with it) out of the
process that asks; only a worker resolves the path. The type parameters say what the function
takes and returns, like `Callable[P, T]`; `same_types(TASK, function)`, under TYPE_CHECKING,
lets mypy hold the two together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class Task(Generic[P, T]):
    """A function run in a worker process, named by its import path: `"package.module:function"`."""

    path: str

    def __post_init__(self) -> None:
        module, _, name = self.path.partition(":")
        if not module or not name.isidentifier():
            raise ValueError(f"a task is named 'package.module:function', not {self.path!r}")


def same_types(task: Task[P, T], function: Callable[P, T]) -> None:
    """Called only under TYPE_CHECKING, where mypy checks that `task` declares `function`'s types."""
