"""Sloth's test kit, as a team uses it: a feature declared here, driven through the pytest fixtures.

Every test starts the emulator and a real Sloth (`slack`, `sloth`), with this module's `echo`
feature named by its import path and its settings from the marker's `env`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.api import Args, Click, Context, Invocation, Param, Reply, Router, Setting, actions, button, escape, section
from bot.cli import main as sloth_cli
from bot.testing import Sloth
from sloth_emulator import Emulator, Workspace

echo = Router("echo", settings=[
    Setting("greeting", default="Hello"),
    Setting("tick", float, default=60.0, minimum=1),
    Setting("morning", default="09:00"),
])
ECHO = f"{__name__}:echo"
kit = pytest.mark.sloth(features=[ECHO], builtins=False, env={"ECHO_GREETING": "Howdy"})
HOUR = 3600.0


@echo.command("echo", "Say it back, with a button.", Param("words", "text"), examples=("echo hi",))
async def echo_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    text = f"{ctx.config.greeting}, {escape(args['words'])}"
    return Reply(text=text, blocks=[section(text), actions(button("Again", "echo:again", args["words"][:50]))])


@echo.action("echo")
async def again(ctx: Context, click: Click) -> Reply:
    await ctx.directory.user(click.user)  # so that display_name knows them
    text = f"Again: {escape(click.value)}, pressed by {escape(ctx.directory.display_name(click.user))}"
    return Reply(text=text, blocks=[section(text), actions(button("Again", "echo:again", click.value))])


@echo.every(lambda ctx: ctx.config.tick, name="tick")
async def tick(ctx: Context) -> None:
    await ctx.store.update("ticks", lambda n: (n or 0) + 1)


@echo.daily(lambda ctx: ctx.config.morning, tz="Europe/London", name="morning")
async def morning(ctx: Context) -> None:
    await ctx.client.chat_postMessage(channel="#general", text="Good morning")


@echo.event("message")
async def heard(ctx: Context, event: dict[str, Any]) -> None:
    seen = {"feature": ctx.feature, "channel": event.get("channel"), "text": event.get("text")}
    await ctx.store.update("heard", lambda before: [*(before or []), seen])


@echo.event("app_mention")
async def mentioned(ctx: Context, event: dict[str, Any]) -> None:
    await ctx.store.update("mentions", lambda before: [*(before or []), event.get("text")])


def channel_id(slack: Emulator, name: str) -> str:
    found = slack.workspace.channel(name)
    assert found is not None
    return found.id


@kit
async def test_command_answers_privately_with_the_features_setting(sloth: Sloth, slack: Emulator) -> None:
    answer = await sloth.command("echo hi there")
    [post] = answer.posts
    assert post.text == "Howdy, hi there"
    assert post.ephemeral_to == slack.workspace.first_human().id and post.channel == channel_id(slack, "general")
    assert sloth.context("echo").config.greeting == "Howdy"  # from the marker's env
    assert sloth.context("echo").config.tick == 60.0  # the default


@kit
async def test_mention_answers_in_the_channel_or_its_thread(sloth: Sloth, slack: Emulator) -> None:
    answer = await sloth.mention("echo from random", user="amelia", channel="random")
    [post] = answer.posts
    assert post.channel == channel_id(slack, "random") and post.ephemeral_to is None
    assert post.text == "Howdy, from random" and "thread_ts" not in post.message
    in_thread = await sloth.mention("echo threaded", channel="random", thread=post.ts)
    assert in_thread.posts[0].message["thread_ts"] == post.ts


@kit
async def test_dm_answers_in_the_dm(sloth: Sloth, slack: Emulator) -> None:
    answer = await sloth.dm("echo quietly", user="jonas")
    [post] = answer.posts
    channel = slack.workspace.channels[post.channel]
    jonas = next(u.id for u in slack.workspace.users.values() if u.name == "jonas")
    assert channel.is_im and set(channel.members) == {slack.bot_user_id, jonas}
    assert post.text == "Howdy, quietly"


@kit
async def test_click_on_an_ephemeral_answer_replaces_it(sloth: Sloth, slack: Emulator) -> None:
    answer = await sloth.command("echo ping")
    pressed = await sloth.click(answer, "echo:again")
    [post] = pressed.posts
    assert post.ephemeral_to == slack.workspace.first_human().id
    assert post.text == "Again: ping, pressed by Will Koehrsen"
    assert [m["text"] for m in slack.ephemerals(user=post.ephemeral_to)] == ["Again: ping, pressed by Will Koehrsen"]


@kit
async def test_click_on_a_channel_message_edits_it_for_whoever_presses(sloth: Sloth, slack: Emulator) -> None:
    answer = await sloth.mention("echo deploy", channel="random")
    pressed = await sloth.click(answer, "echo:again", user="amelia")
    [post] = pressed.posts
    assert (post.channel, post.ts) == (answer.posts[0].channel, answer.posts[0].ts)
    assert post.text == "Again: deploy, pressed by Amelia Hart"
    forged = await sloth.click(answer, "echo:again", user="amelia", value="what I typed")
    assert forged.posts[0].text == "Again: what I typed, pressed by Amelia Hart"


@pytest.mark.sloth(features=[ECHO], builtins=False, env={"ECHO_TICK": "60"})
async def test_advance_runs_an_every_job_once_each_time_it_falls_due(sloth: Sloth) -> None:
    store = sloth.context("echo").store
    await sloth.advance(0)  # jobs run their first time when Sloth starts
    assert await store.get("ticks") == 1
    assert await sloth.advance(59) == 0 and await store.get("ticks") == 1
    assert await sloth.advance(1) == 1 and await store.get("ticks") == 2
    await sloth.advance(600)  # ten periods later: one run, not ten to catch up
    assert await store.get("ticks") == 3


@pytest.mark.sloth(features=[ECHO], builtins=False, env={"ECHO_MORNING": "08:30"})
async def test_advance_runs_a_daily_job_once_a_day_at_its_time(sloth: Sloth, slack: Emulator) -> None:
    def greetings() -> list[Any]:
        return [c for c in sloth.calls("chat.postMessage") if c.args.get("text") == "Good morning"]

    # The fake clock starts at 22:13:20 in London; 08:30 is 10 h 16 min 40 s away.
    await sloth.advance(10 * HOUR + 16 * 60)
    assert greetings() == []
    await sloth.advance(60)
    [call] = greetings()
    assert call.ok and call.args["channel"] == "#general"
    assert [m["text"] for m in slack.messages("general")].count("Good morning") == 1
    await sloth.advance(12 * HOUR)
    assert len(greetings()) == 1
    await sloth.advance(3 * 24 * HOUR)  # three days on: one run now, not three
    assert len(greetings()) == 2


@kit
async def test_calls_records_every_web_api_call_in_order(sloth: Sloth, slack: Emulator) -> None:
    before = len(sloth.calls())
    await sloth.mention("echo recorded", channel="random")
    made = sloth.calls()[before:]
    assert [c.method for c in made] == ["chat.postMessage"]  # a mention is answered with one call
    [post] = sloth.calls("chat.postMessage")
    assert post.ok and post.args["text"] == "Howdy, recorded"
    assert post.args["channel"] == channel_id(slack, "random") and post.response["ts"]
    assert sloth.calls()[0].method == "auth.test"  # start-up came first


@kit
async def test_a_message_listener_hears_channel_messages_in_its_own_context(sloth: Sloth, slack: Emulator) -> None:
    delivery = await slack.user_message(user="amelia", channel="random", text="deploy finished")
    await delivery.acked()
    await sloth.settle()
    heard_here = await sloth.context("echo").store.get("heard")
    assert heard_here == [{"feature": "echo", "channel": channel_id(slack, "random"), "text": "deploy finished"}]
    assert await sloth.runtime.store.get("echo:heard") == heard_here  # the feature's namespace
    assert await sloth.context("core").store.get("heard") is None


@kit
async def test_an_app_mention_listener_runs_and_the_command_is_still_answered(sloth: Sloth, slack: Emulator) -> None:
    answer = await sloth.mention("echo both", channel="random")
    assert answer.posts[0].text == "Howdy, both"
    assert await sloth.context("echo").store.get("mentions") == [f"<@{slack.bot_user_id}> echo both"]


class TestAnotherWorkspace:
    """A test module (or class) gives the emulator a workspace of its own with `slack_workspace`."""

    @pytest.fixture
    def slack_workspace(self) -> Workspace:
        workspace = Workspace.default()
        ops = workspace.create_channel("ops", creator=workspace.first_human().id)
        ops.members[workspace.bot_user_id] = True  # Sloth was invited: it hears and answers there
        return workspace

    @kit
    async def test_the_emulator_runs_the_workspace_given(self, sloth: Sloth, slack: Emulator) -> None:
        answer = await sloth.mention("echo from ops", channel="ops")
        assert answer.posts[0].channel == channel_id(slack, "ops")
        assert {c["name"] for c in await sloth.context("echo").directory.channel_list()} >= {"ops", "general"}


def test_the_manifest_subscribes_channel_messages_for_a_message_listener(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    def bot_side(features: str) -> tuple[set[str], set[str]]:
        monkeypatch.setenv("SLOTH_FEATURES", features)
        assert sloth_cli(["manifest"]) == 0
        data = yaml.safe_load(capsys.readouterr().out)
        return set(data["settings"]["event_subscriptions"]["bot_events"]), set(data["oauth_config"]["scopes"]["bot"])

    monkeypatch.chdir(tmp_path)  # no .env file of the developer's
    monkeypatch.delenv("SLOTH_DISABLE", raising=False)
    events, scopes = bot_side(ECHO)
    assert {"message.channels", "message.groups", "message.im", "app_mention"} <= events
    assert {"channels:history", "groups:history"} <= scopes
    events, _ = bot_side("")
    assert "message.channels" not in events and "message.groups" not in events
