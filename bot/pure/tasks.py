"""Work for the worker processes, named by its import path: the process that asks never imports it.

    CHART = Task[[Activity], bytes]("handlers.charts:activity_png")
    png = await ctx.cpu.run(CHART, data)

Naming a function instead of importing it keeps its module (and matplotlib with it) out of the
process that asks; only a worker resolves the path. The type parameters say what the function
takes and returns, like `Callable[P, T]`; `same_types(TASK, function)`, under TYPE_CHECKING,
lets mypy hold the two together.

A file made by a task and uploaded is `made(TASK, *args)`, given to `upload(…, data=…)`: with the
job queue, the worker that makes the file uploads it too, so its bytes never travel back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class Task(Generic[P, T]):
    """A function run in a worker process, named by its import path: `"package.module:function"`.

    `quick`: it takes well under a second and someone is waiting for it (Sloth's move in a game):
    without the job queue it runs in a thread of Sloth's own process, never behind charts in the
    worker processes; with the queue, on its own lane, ahead of them.
    """

    path: str
    quick: bool = False

    def __post_init__(self) -> None:
        module, _, name = self.path.partition(":")
        if not module or not name.isidentifier():
            raise ValueError(f"a task is named 'package.module:function', not {self.path!r}")


def same_types(task: Task[P, T], function: Callable[P, T]) -> None:
    """Called only under TYPE_CHECKING, where mypy checks that `task` declares `function`'s types."""


@dataclass(frozen=True)
class Made:
    """A file still to be made: `task(*args, **kwargs)` returns its bytes (see `made`)."""

    task: Task[..., bytes]
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


def made(task: Task[P, bytes], *args: P.args, **kwargs: P.kwargs) -> Made:
    """The file `task(*args, **kwargs)` makes, for `upload(ctx, …, data=made(CHART, data))`."""
    return Made(task, args, dict(kwargs))
