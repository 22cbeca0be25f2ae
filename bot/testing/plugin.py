"""pytest fixtures for testing Sloth features end to end (a pytest plugin, loaded automatically).

Installed with Sloth (entry point `pytest11`), so a feature's own tests just use the fixtures:

    import pytest

    @pytest.mark.sloth(features=["standup"], env={"STANDUP_CHANNEL": "#general"})
    async def test_standup(sloth):
        answer = await sloth.command("standup Shipped the release")
        assert "Posted" in answer.text

- `sloth`: a started Sloth (built-in features plus the marker's `features`, settings from its
  `env`, core settings as keyword arguments) talking to `slack`; a `bot.testing.Sloth`.
- `slack`: the Slack emulator it talks to (`sloth_emulator.Emulator`), over 127.0.0.1 with a
  port the system picks. Define a `slack_workspace` fixture to give it another workspace.
- `sloth_clock`: the fake clock the runtime reads; `await sloth.advance(seconds)` moves it and
  runs the jobs that fall due.

Never block the event loop. Every handler shares it with everyone else's: while an `async def`
handler calls `time.sleep`, `requests.get` or crunches for a second, no other member's command,
click or job moves. The `sloth` fixture fails the test at teardown when one of the test's
handlers held the loop longer than `loop_block_seconds` (0.5 s; `@pytest.mark.sloth(
loop_block_seconds=0.1)` is stricter), naming the feature and the command, button, event or job;
`sloth.blocked` lists them during the test. Await instead, or write a plain `def` handler: it
runs in a thread, returns its Reply as usual, and reaches Slack or the store with
`ctx.sync(coroutine)`. `@pytest.mark.sloth(allow_blocking=True)` lets a test that means it pass.

The fixtures are async: they need pytest-asyncio (`pip install 'sloth-bot[testing]'`); tests
are `async def` (with `asyncio_mode = "auto"`, or marked `@pytest.mark.asyncio`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

try:
    import pytest_asyncio
except ImportError:  # the plugin loads wherever Sloth is installed; its fixtures need pytest-asyncio
    pytest_asyncio = None  # type: ignore[assignment]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sloth(features=(), env=None, builtins=True, allow_blocking=False, **settings): "
        "the Sloth the `sloth` fixture starts")


if pytest_asyncio is not None:

    @pytest.fixture
    def sloth_clock() -> Any:
        from bot.testing import FakeClock

        return FakeClock()

    @pytest.fixture
    def slack_workspace() -> Any:
        from sloth_emulator import Workspace

        return Workspace.default()

    @pytest_asyncio.fixture
    async def slack(slack_workspace: Any) -> AsyncIterator[Any]:
        from sloth_emulator import Emulator

        async with Emulator(slack_workspace) as emulator:
            yield emulator

    @pytest_asyncio.fixture
    async def sloth(request: pytest.FixtureRequest, slack: Any, sloth_clock: Any,
                    tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Any]:
        from bot.testing import blocked_report, start_sloth

        marker = request.node.get_closest_marker("sloth")
        options: dict[str, Any] = dict(marker.kwargs) if marker else {}
        features = options.pop("features", ())
        allow_blocking = options.pop("allow_blocking", False)
        async with start_sloth(features, emulator=slack, clock=sloth_clock,
                               data_dir=tmp_path_factory.mktemp("sloth"), **options) as running:
            yield running
        report = blocked_report(running.blocked)
        if report and not allow_blocking:
            pytest.fail(report, pytrace=False)
