"""Workflow Builder steps: Sloth's built-in ones (post as an identity, set my status, create a
channel, remind me) run by a member through a workflow, ended with functions.completeSuccess and
its outputs, or, refused, with functions.completeError and the reason; a step acts for the member
who runs the workflow and never as anyone else. Real Bolt and SDK clients against the emulator.

The tests that stand for each surface run over Socket Mode and over HTTP (Slack's requests signed,
to /slack/events)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.testing import Sloth
from sloth_emulator import Emulator
from tests.e2e.browser import oauth_settings
from tests.e2e.harness import running_bot

WJK68, AMELIA, KENJI = "U01WJK68KS", "U01AMHART1", "U01KSATO01"


@pytest.fixture
async def sloth(emulator: Emulator, tmp_path: Path, transport: str) -> AsyncIterator[Sloth]:
    """Sloth on the real clock (chat.scheduleMessage is judged by the emulator's), with connecting on."""
    async with running_bot(emulator, tmp_path, transport=transport, **oauth_settings(emulator)) as runtime:
        yield Sloth(emulator, runtime, runtime.clock)


def dm_of(slack: Emulator, user: str) -> str:
    return next(c.id for c in slack.workspace.channels.values() if c.is_im and user in c.members)


@pytest.mark.both_transports
async def test_post_as_an_identity_posts_for_the_member_and_hands_its_answer_on(sloth: Sloth,
                                                                                slack: Emulator) -> None:
    run = await sloth.step("say", {"channel": "#random", "message": "Deploy finished as Release Bot icon :rocket:"},
                           user="amelia")
    assert run.status == "completed", run.error
    assert run.outputs["text"].startswith("Posted in #random as *Release Bot*.")
    [post] = [p for p in run.answer.posts if p.channel == slack.workspace.channel("random").id]
    assert post.text == "Deploy finished" and post.message["username"] == "Release Bot"
    assert post.message["metadata"]["event_payload"]["requested_by"] == AMELIA  # who ran the workflow
    assert not [p for p in run.answer.posts if p.channel == dm_of(slack, AMELIA)]  # nothing to tell her


@pytest.mark.both_transports
async def test_a_step_never_posts_as_a_person_and_says_why_it_stopped(sloth: Sloth, slack: Emulator) -> None:
    run = await sloth.step("say", {"channel": "#random", "message": "I quit as Kenji Sato"}, user="amelia")
    assert run.status == "failed" and run.outputs == {}
    assert run.error is not None and "reads as the name of a member (@kenji)" in run.error
    assert "Sloth won't post as a person" in run.error
    assert not [p for p in run.answer.posts if p.channel == slack.workspace.channel("random").id]
    [told] = run.answer.posts
    assert told.channel == dm_of(slack, AMELIA) and "won't post as a person" in told.text


@pytest.mark.both_transports
async def test_set_my_status_acts_as_the_member_who_runs_the_workflow_alone(sloth: Sloth, slack: Emulator) -> None:
    await sloth.connect("amelia")
    kenji_before = dict(slack.workspace.users[KENJI].__dict__)
    run = await sloth.step("status", {"status": ":palm_tree: On holiday"}, user="amelia")
    assert run.status == "completed", run.error
    assert run.outputs["text"] == "Your status is now :palm_tree: On holiday."
    amelia = slack.workspace.users[AMELIA]
    assert (amelia.status_emoji, amelia.status_text) == (":palm_tree:", "On holiday")
    assert slack.workspace.users[KENJI].__dict__ == kenji_before


async def test_set_my_status_for_a_member_who_has_not_connected_is_refused_with_the_connect_button(
        sloth: Sloth, slack: Emulator) -> None:
    await sloth.connect("amelia")  # someone else's permission is no use to Kenji
    run = await sloth.step("status", {"status": ":palm_tree: On holiday"}, user="kenji")
    assert run.status == "failed"
    assert run.error is not None and "Sloth needs your permission to act as you" in run.error
    assert slack.workspace.users[KENJI].status_text == "Commuting"
    assert slack.workspace.users[AMELIA].status_text == "In a meeting"
    [told] = run.answer.posts
    assert told.channel == dm_of(slack, KENJI) and "Connect to Slack" in str(told.message["blocks"])


async def test_create_a_channel_is_for_admins_whoever_built_the_workflow(sloth: Sloth, slack: Emulator) -> None:
    refused = await sloth.step("create", {"name": "launch-room"}, user="kenji")
    assert refused.status == "failed" and refused.error is not None
    assert refused.error.startswith("Only Sloth's admins (and the workspace's admins and owners) can use `create`")
    assert slack.workspace.channel("launch-room") is None
    done = await sloth.step("create", {"name": "launch-room", "purpose": "Launch day"}, user="wjk68")
    assert done.status == "completed", done.error
    created = slack.workspace.channel("launch-room")
    assert created is not None and created.purpose == "Launch day"
    assert "#launch-room" in done.outputs["text"]


async def test_remind_me_schedules_a_dm_to_the_member_and_a_bad_time_is_refused(sloth: Sloth,
                                                                                slack: Emulator) -> None:
    run = await sloth.step("remind", {"reminder": "in 20m stretch your legs"}, user="amelia")
    assert run.status == "completed", run.error
    [entry] = slack.workspace.scheduled
    assert entry["channel_id"] == dm_of(slack, AMELIA) and entry["text"] == ":alarm_clock: Reminder: stretch your legs"
    assert run.outputs["text"].startswith("I'll remind you ") and "<!date" not in run.outputs["text"]
    bad = await sloth.step("remind", {"reminder": "whenever suits"}, user="amelia")
    assert bad.status == "failed" and bad.error
    assert len(slack.workspace.scheduled) == 1


async def test_a_run_without_the_member_who_runs_it_is_refused(sloth: Sloth, slack: Emulator) -> None:
    """Slack fills `interactivity` from the workflow's trigger; without a member in it, nobody's
    permission could be checked, so the step acts for nobody."""
    run = await slack.step("remind", {"reminder": "in 20m stretch", "interactivity": {"interactivity_pointer": "1.a"}})
    assert run.status == "failed" and run.error is not None and "acts for the member who runs the workflow" in run.error
    assert slack.workspace.scheduled == []
