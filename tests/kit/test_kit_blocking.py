"""The test kit shows a feature's author that their handler blocks the event loop: the `sloth`
fixture fails the test at teardown, naming the feature and the command. Run as a team would:
a test file of their own, with the kit's pytest plugin, in a pytest run of its own."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

TEAM_TESTS = '''
import time

import pytest

from bot.api import Reply, Router

sleepy = Router("sleepy")


@sleepy.command("nap", "Hold the event loop for 0.3 s.")
async def nap(ctx, inv, args):
    time.sleep(0.3)
    return Reply(text="awake")


@sleepy.command("rest", "Sleep 0.3 s the right way.")
async def rest(ctx, inv, args):
    import asyncio

    await asyncio.sleep(0.3)
    return Reply(text="rested")


kit = dict(features=["test_team:sleepy"], builtins=False, loop_block_seconds=0.1)


@pytest.mark.sloth(**kit)
async def test_blocking(sloth):
    assert (await sloth.command("nap")).text == "awake"


@pytest.mark.sloth(**kit)
async def test_awaiting(sloth):
    assert (await sloth.command("rest")).text == "rested"
    assert sloth.blocked == []


@pytest.mark.sloth(**kit, allow_blocking=True)
async def test_blocking_on_purpose(sloth):
    await sloth.command("nap")
    assert [(b.feature, b.what) for b in sloth.blocked] == [("sleepy", "command nap")]
    assert sloth.blocked[0].seconds >= 0.1
'''


def test_the_fixture_fails_a_test_whose_handler_blocks_the_loop_naming_it(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_team=TEAM_TESTS)
    pytester.syspathinsert()
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_blocking*",
        "*A handler held Sloth's event loop*the sleepy feature's command nap for 0.*",
    ])
    assert "test_awaiting" not in "\n".join(line for line in result.outlines if "ERROR" in line)
