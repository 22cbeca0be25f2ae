"""Sloth's own end-to-end fixtures, on the emulator's (`sloth_emulator.pytest_plugin`: `slack`, `slack_workspace`).

`emulator` is the kit's `slack` (a module overrides `slack_workspace` for another workspace);
`bot` is a started runtime with the built-in features, talking to it over `transport`: Socket
Mode, or, for a test (or module) marked `both_transports`, once over Socket Mode and once over
HTTP (Slack's requests to /slack/events, signed), the same test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.runtime.lifecycle import Runtime
from sloth_emulator import Emulator
from tests.e2e.harness import running_bot
from tests.e2e.processes import sloth_wheels


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "both_transports: run the test over Socket Mode and over HTTP (its "
                            "`transport` fixture, which `bot` uses; running_bot(..., transport=transport))")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "transport" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_transports"):
        metafunc.parametrize("transport", ["socket", "http"])


@pytest.fixture
def transport() -> str:
    """How Slack reaches Sloth in this test: Socket Mode unless the test is marked both_transports."""
    return "socket"


@pytest.fixture(autouse=True)
def _transport_taken(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test run over both transports really ran over the one it says: over HTTP, Slack's
    requests went to a request URL; over Socket Mode, none did. (A marker that loses the
    transport would otherwise run the same test twice over Socket Mode, unnoticed.)"""
    callspec = getattr(request.node, "callspec", None)
    transport = callspec.params.get("transport") if callspec is not None else None
    if transport is None or "slack" not in request.fixturenames:
        yield
        return
    slack: Emulator = request.getfixturevalue("slack")
    yield
    assert bool(slack.http_requests) == (transport == "http"), f"this test did not run over {transport}"


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """sloth-emulator's and sloth-bot's wheels, built once per test session (offline)."""
    return sloth_wheels(tmp_path_factory.mktemp("wheels"))


@pytest.fixture
def emulator(slack: Emulator) -> Emulator:
    return slack


@pytest.fixture
async def bot(emulator: Emulator, tmp_path: Path, transport: str) -> AsyncIterator[Runtime]:
    async with running_bot(emulator, tmp_path, transport=transport) as runtime:
        yield runtime
