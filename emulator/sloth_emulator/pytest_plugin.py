"""pytest fixtures that give any Slack app a running Slack emulator (loaded automatically once
sloth-emulator is installed: entry point `pytest11`).

- `slack`: an `Emulator` started on 127.0.0.1 with a port the system picks, on the test's own
  event loop (async tests; needs pytest-asyncio). Point the app at it:
  `AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)`, and its Socket Mode client
  at `slack.app_token` (Bolt's handlers use the app's client to open the socket).
- `slack_thread`: the same emulator on a loop of its own in a thread, for sync tests and apps
  (`slack_bolt.App`, `WebClient`, `SocketModeHandler`) and for apps whose handlers block:
  every Emulator method is called as a plain function (`slack_thread.command("/hello")`).
- `slack_workspace`: the workspace both start with (`Workspace.default()`: a team, members,
  #general and #random, the app's bot user); override the fixture for another.
- `@pytest.mark.slack(**options)`: options for the Emulator (`rate_limits=RateLimits.realistic()`,
  `bot_scopes=[...]`, `redelivery_delay=`, `share_delay=`, `clock=FakeClock()`).

Acting as members, each returning the app's `Answer` (`text`, `posts`, `views`, `ack`, `buttons`):
`command("/deploy api")`, `mention("hi")`, `dm("hi")`, `event({...})`, `press(answer, "approve")`,
`submit(answer, {"title": "Ship"})`, `shortcut("new-note")`, `message_shortcut("quote", answer)`,
`home()`, `step("greet", {...})` (an Execution). Reading: `posts()`, `uploaded()`,
`views()`, `calls_to(method)`, `responses`, `wait_for(predicate)`. Faults: `rate_limit_next(method)`,
`fail_next(method, error)`, `fail_next_response()`, `drop_connection()`, `silence_connection()`,
`disconnect_all()`, `lose_acks()`. Time: `advance(seconds)` with `clock=FakeClock()`. See the package README.

This module imports only pytest at load time, so installing sloth-emulator costs other test
suites nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

try:
    import pytest_asyncio
except ImportError:  # `slack` is async and needs pytest-asyncio; `slack_thread` does not
    pytest_asyncio = None  # type: ignore[assignment]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "slack(**options): options for the Slack emulator of the `slack` and `slack_thread` "
        "fixtures (rate_limits=, bot_scopes=, clock=, redelivery_delay=, share_delay=)")


def emulator_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("slack")
    return dict(marker.kwargs) if marker else {}


@pytest.fixture
def slack_workspace() -> Any:
    from sloth_emulator import Workspace

    return Workspace.default()


@pytest.fixture
def slack_thread(request: pytest.FixtureRequest, slack_workspace: Any) -> Iterator[Any]:
    from sloth_emulator.threaded import EmulatorThread

    with EmulatorThread(slack_workspace, **emulator_options(request)) as running:
        yield running


if pytest_asyncio is not None:

    @pytest_asyncio.fixture
    async def slack(request: pytest.FixtureRequest, slack_workspace: Any) -> AsyncIterator[Any]:
        from sloth_emulator import Emulator

        async with Emulator(slack_workspace, **emulator_options(request)) as emulator:
            yield emulator
