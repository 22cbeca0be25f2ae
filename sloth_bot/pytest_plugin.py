"""pytest fixtures for testing Sloth features end to end (a pytest plugin, loaded automatically
wherever Sloth is installed: entry point `pytest11`).

This module imports nothing named `bot` or `handlers`: a team's repository may have packages of
those names, and its own tests must keep working with Sloth installed. Sloth's packages are
loaded only when a test asks for the `sloth` fixture, the way the `sloth` command loads them.

    import pytest

    @pytest.mark.sloth(features=["standup"], env={"STANDUP_CHANNEL": "#general"})
    async def test_standup(sloth):
        answer = await sloth.command("standup Shipped the release")
        assert "Posted" in answer.text

- `sloth`: a started Sloth (built-in features plus the marker's `features`, settings from its
  `env`, core settings as keyword arguments) talking to `slack`; a `bot.testing.Sloth`. It acts as
  members (`command`, `mention`, `dm`, `click`, `event`), calls Sloth's HTTP side (`http`), moves
  the clock (`advance`), and looks (`calls`, `messages`, `context`, `blocked`).
  `@pytest.mark.sloth(connected=["amelia"])` starts it with members who have connected, so
  `token="user"` commands act as them.
- `slack`, `slack_workspace`: the Slack emulator it talks to and the workspace it starts with,
  from sloth-emulator's own plugin (`sloth_emulator.pytest_plugin`). Define a `slack_workspace`
  fixture to give it another workspace.
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

import sys
from collections.abc import AsyncIterator
from types import ModuleType
from typing import Any

import pytest

from sloth_bot import PINNED, installed_root, is_own, use_own_packages

try:
    import pytest_asyncio
except ImportError:  # the plugin loads wherever Sloth is installed; its fixtures need pytest-asyncio
    pytest_asyncio = None  # type: ignore[assignment]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sloth(features=(), env=None, builtins=True, connected=(), scopes=True, allow_blocking=False, "
        "loop_block_seconds=0.5, **settings): "
        "the Sloth the `sloth` fixture starts")


def sloth_kit() -> ModuleType:
    """Sloth's test kit (`bot.testing`), its packages loaded from where Sloth is installed; the
    test fails with the reason when a package of another name-sake was imported first."""
    for name in PINNED:
        if name in sys.modules and not is_own(name):
            pytest.fail(
                f"The `sloth` fixture needs Sloth's own `{name}` package, but this test session has already imported "
                f"another one from {getattr(sys.modules[name], '__file__', '?')} (Sloth's is in {installed_root()}). "
                f"One Python process holds one package called `{name}`: run the tests of your own `{name}` and "
                "the tests that use Sloth's fixtures in separate pytest runs, or rename your package.",
                pytrace=False)
    use_own_packages()
    import bot.testing

    return bot.testing


if pytest_asyncio is not None:

    @pytest.fixture
    def sloth_clock() -> Any:
        from sloth_emulator import FakeClock

        return FakeClock()

    @pytest_asyncio.fixture
    async def sloth(request: pytest.FixtureRequest, slack: Any, sloth_clock: Any,
                    tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Any]:
        kit = sloth_kit()
        marker = request.node.get_closest_marker("sloth")
        options: dict[str, Any] = dict(marker.kwargs) if marker else {}
        features = options.pop("features", ())
        allow_blocking = options.pop("allow_blocking", False)
        async with kit.start_sloth(features, emulator=slack, clock=sloth_clock,
                                   data_dir=tmp_path_factory.mktemp("sloth"), **options) as running:
            yield running
        report = kit.blocked_report(running.blocked)
        if report and not allow_blocking:
            pytest.fail(report, pytrace=False)
