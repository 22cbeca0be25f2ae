"""Sloth's test kit: run a feature end to end against the Slack emulator, as a member would meet it.

    async with start_sloth(features=["weather"], env={"WEATHER_API_KEY": "k"}, connected=["amelia"]) as sloth:
        answer = await sloth.command("weather Paris")
        assert "Paris" in answer.text
        answer = await sloth.click(answer, "weather:refresh")
        answer = await sloth.event({"type": "reaction_added", "user": sloth.user_id("amelia"), ...})
        reply = await sloth.http("POST", "/weather/hook", json={"city": "Oslo"})   # status, headers, body
        await sloth.advance(3600)                       # the fake clock, then every job now due
        assert sloth.calls("chat.postMessage")

The emulator and a real Sloth runtime run in the test's own event loop, over real sockets on
127.0.0.1 with ports picked by the system: the real slack_sdk and slack_bolt clients do the
talking, nothing is mocked. With pytest, the `sloth` fixture (`sloth_bot.pytest_plugin`) and the
emulator's `slack` fixture (`sloth_emulator.pytest_plugin`) do the starting and stopping.
`Answer`, `Posted` and `FakeClock` are the emulator's: an `Answer` is what Sloth showed in answer
to one act, in order (`posts`, each a `Posted` with `channel`, `ts`, `message`, `ephemeral_to`,
`text`, `visible`, `buttons`; `text`, `visible` and `buttons` of them all; `with_button(id)`;
`views` and `view`; `ack`; `deleted`), and is false when Sloth showed nothing.

`connected=["amelia"]` connects members at start the way `connect` does (the OAuth round trip
through the emulator's authorize page, their token stored sealed), so `token="user"` commands
act as them; `sloth.connect(user)` does it during a test.

`sloth.blocked` lists every time a feature's handler held the event loop longer than
`loop_block_seconds` (0.5 s unless given), naming the feature and the handler; the `sloth`
fixture fails the test when it is not empty at the end.
"""

from __future__ import annotations

import contextlib
import secrets
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

from bot.config.settings import Settings
from bot.features.context import Context
from bot.features.loader import BUILTIN, load_features
from bot.features.manifest import manifest
from bot.features.registry import Registry
from bot.runtime.lifecycle import Runtime
from bot.runtime.loop_watch import Blocked
from bot.testing.forms import FormActs
from bot.testing.http import HttpAnswer, request
from bot.testing.members import connect_member
from bot.testing.surfaces import StepRun, SurfaceActs
from sloth_emulator import Answer, ApiCall, Emulator, FakeClock, Posted, Workspace
from sloth_emulator.answers import changes, snapshot

__all__ = ["Answer", "Blocked", "FakeClock", "HttpAnswer", "Posted", "Sloth", "StepRun", "blocked_report",
           "bot_settings", "start_runtime", "start_sloth"]
CONNECT = "bot.connect.feature"


class Sloth(FormActs, SurfaceActs):
    """A started Sloth and its emulator, driven the way members use Slack (forms and shortcuts:
    `open_form`, `submit_view`, `shortcut`, `close_view`, in `bot.testing.forms`; the Home tab,
    message shortcuts and workflow steps: `home`, `message_shortcut`, `step`, `click_view`, in
    `bot.testing.surfaces`)."""

    def __init__(self, emulator: Emulator, runtime: Runtime, clock: Callable[[], float]) -> None:
        self.emulator = emulator
        self.runtime = runtime
        self.clock = clock

    # -- acting as members -----------------------------------------------------------------

    async def command(self, text: str, user: str | None = None, channel: str | None = None) -> Answer:
        """`/sloth <text>` as `user` in `channel` (default: the first member, #general)."""
        return await self._answered(lambda: self.emulator.slash_command(text=text, user=user, channel=channel))

    async def mention(self, text: str, user: str | None = None, channel: str | None = None,
                      thread: str | None = None) -> Answer:
        """`@sloth <text>` posted in `channel` (or in the thread of the message `thread`)."""
        said = f"<@{self.emulator.bot_user_id}> {text}"
        return await self._answered(
            lambda: self.emulator.user_message(user=user, channel=channel, text=said, thread_ts=thread))

    async def dm(self, text: str, user: str | None = None) -> Answer:
        """`text` sent to Sloth in a direct message by `user` (an ID or a handle, as for `command`)."""
        ws = self.emulator.workspace
        who = ws.first_human() if user is None else (
            ws.user(user) or next((u for u in ws.users.values() if u.name == user), None))
        assert who is not None, f"no member {user}"
        im, _ = self.emulator.workspace.open_im(self.emulator.bot_user_id, who.id)
        return await self._answered(lambda: self.emulator.user_message(user=who.id, channel=im.id, text=text))

    async def click(self, where: Answer | Posted | dict[str, Any], action_id: str, user: str | None = None,
                    value: str | None = None) -> Answer:
        """Press the button `action_id` of a message Sloth posted (default: as whoever saw it), or
        of a view it drew (a Home tab, a modal: the view, or an Answer that holds it)."""
        if isinstance(where, dict) or (isinstance(where, Answer) and action_id not in where.buttons and where.views):
            return await self.click_view(where, action_id, user, value)
        post = where.with_button(action_id) if isinstance(where, Answer) else where
        return await self._answered(lambda: self.emulator.click(
            post.channel, post.ts, action_id, user=user or post.ephemeral_to, value=value))

    async def event(self, event: dict[str, Any]) -> Answer:
        """Deliver a Slack event (`{"type": "reaction_added", "user": …, "item": {…}}`) as Slack wraps
        it, to every feature listening to its type; what Sloth showed while handling it."""
        return await self._answered(lambda: self.emulator.send_event(event))

    async def http(self, method: str, path: str, *, json: Any = None, data: bytes | str | None = None,
                   headers: Mapping[str, str] | None = None, params: Mapping[str, str] | None = None) -> HttpAnswer:
        """A request to Sloth's HTTP side (a feature's route, `/healthz`, …), handled to the end:
        status, headers and body, and what Sloth showed in Slack meanwhile."""
        before = snapshot(self.emulator)
        status, answered, body = await request(f"http://127.0.0.1:{self.runtime.http_port}", method, path,
                                               json=json, data=data, headers=headers, params=params)
        await self.settle()
        return HttpAnswer(status, answered, body, changes(self.emulator, before))

    async def connect(self, user: str) -> None:
        """Let Sloth act as `user` (an ID or a handle), the way `connect` does: the OAuth round trip
        through the emulator's authorize page in their browser, their token stored sealed. Sloth's
        "You're connected" DM to them is part of it."""
        await connect_member(self.emulator, self.runtime, self.user_id(user))
        await self.settle()

    async def advance(self, seconds: float) -> int:
        """Move the fake clock, run every job now due, redraw the Home tabs asked to be redrawn long
        enough ago, and wait for what they did; how many jobs ran."""
        clock = self.clock
        if not isinstance(clock, FakeClock):
            raise TypeError("advance() needs the runtime started with a FakeClock")
        await self.runtime.scheduler.wait_idle()
        clock.advance(seconds)
        ran = await self.runtime.scheduler.tick()
        await self.runtime.home.flush()
        await self.settle()
        return ran

    async def settle(self) -> None:
        """Wait until every envelope acked so far has been handled to the end."""
        await self.runtime.pool.queue.join()
        await self.runtime.loop_watch.caught_up()

    @property
    def blocked(self) -> list[Blocked]:
        """Each time a feature's handler held the event loop past `loop_block_seconds`: while it
        did, Sloth answered nobody else. Empty unless a handler blocks (`time.sleep`, `requests`)."""
        return list(self.runtime.loop_watch.blocked)

    # -- looking --------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """The Web API calls the emulator answered (of one method), oldest first."""
        return [c for c in self.emulator.calls if method is None or c.method == method]

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """A channel's messages (by name or ID) as Slack stores them, oldest first, replies included."""
        return self.emulator.messages(channel)

    def user_id(self, name: str) -> str:
        """A member's ID from their handle (`amelia`) or ID."""
        ws = self.emulator.workspace
        found = ws.user(name) or next((u for u in ws.users.values() if u.name == name.lstrip("@")), None)
        if found is None:
            raise ValueError(f"no member {name!r} in the workspace")
        return found.id

    def channel_id(self, name: str) -> str:
        """A channel's ID from its name (`random`, `#random`) or ID."""
        found = self.emulator.workspace.channel(name.lstrip("#"))
        if found is None:
            raise ValueError(f"no channel {name!r} in the workspace")
        return found.id

    def context(self, feature: str = "core") -> Context:
        """A feature's context, to look at its store (`context("standup").store`)."""
        return self.runtime.ctx.of(feature)

    async def _answered(self, act: Callable[[], Any]) -> Answer:
        before = snapshot(self.emulator)
        delivery = await act()
        await delivery.acked()
        await self.settle()
        return changes(self.emulator, before)


def blocked_report(blocked: Sequence[Blocked]) -> str | None:
    """Why a test fails when handlers blocked the event loop, each named; None when none did."""
    if not blocked:
        return None
    seen = "; ".join(f"the {b.feature} feature's {b.what} for {b.seconds:.2f} s" for b in blocked)
    return (f"A handler held Sloth's event loop, and nobody else's command, click or job moved meanwhile: {seen}. "
            "Await instead of blocking (no time.sleep, requests or other synchronous I/O in an async def "
            "handler), or make it a plain def handler, which runs in a thread. A test that means to block: "
            "@pytest.mark.sloth(allow_blocking=True).")


def bot_settings(emu: Emulator, data_dir: Path, **overrides: Any) -> Settings:
    """Core settings that point Sloth at the emulator, with a store in `data_dir`
    (`transport="http"`: Slack's requests over HTTP, signed with the emulator's signing secret).

    The emulator applies no rate limits unless told to, so neither does Sloth's own chat.update
    budget here (`edits_per_window`); a test of pacing sets both."""
    settings = Settings(
        bot_token=emu.bot_token, app_token=emu.app_token, api_url=emu.api_url, http_host="127.0.0.1",
        http_port=0, data_dir=data_dir, store_url=f"sqlite:///{data_dir / 'sloth.db'}",
        client_id=emu.client_id, client_secret=emu.client_secret, signing_secret=emu.signing_secret,
        edits_per_window=10_000 if emu.api.limiter is None else Settings.edits_per_window,
    )
    return replace(settings, **overrides)


def registry_for(features: Sequence[str] = (), env: Mapping[str, str] | None = None,
                 builtins: bool | Sequence[str] = True) -> Registry:
    """The built-in features (all, some, or none) plus `features`, configured from `env` only."""
    chosen = BUILTIN if builtins is True else tuple(builtins or ())
    return load_features({**(env or {}), "SLOTH_FEATURES": ",".join(features)}, builtins=chosen, installed=False)


@contextlib.asynccontextmanager
async def start_runtime(
    emu: Emulator, data_dir: Path, *, registry: Registry | None = None, clock: Callable[[], float] = time.time,
    connections: int = 1, jobs: Literal["auto", "manual"] = "auto", **overrides: Any,
) -> AsyncIterator[Runtime]:
    """A started runtime whose socket is connected (`connections`: how many the emulator should see),
    or, with `transport="http"`, whose /slack/events is the emulator's request URL."""
    runtime = Runtime(bot_settings(emu, data_dir, **overrides), registry, clock=clock, jobs=jobs)
    async with runtime:
        if runtime.settings.transport == "http":
            await emu.use_request_url(f"http://127.0.0.1:{runtime.http_port}/slack/events")
        else:
            await emu.wait_connected(connections, timeout=10)
        yield runtime


@contextlib.asynccontextmanager
async def start_sloth(
    features: Sequence[str] = (), *, env: Mapping[str, str] | None = None, builtins: bool | Sequence[str] = True,
    workspace: Workspace | None = None, emulator: Emulator | None = None, clock: Callable[[], float] | None = None,
    data_dir: Path | None = None, scopes: bool = True, connected: Sequence[str] = (), **settings: Any,
) -> AsyncIterator[Sloth]:
    """The emulator (unless given one) and Sloth with the built-in features plus `features`.

    `env` holds the features' settings (`{"STANDUP_CHANNEL": "#standup"}`). With a FakeClock
    (the default), jobs run only when the test calls `advance`; with `clock=time.time` they run
    on their own. `scopes=True` gives the bot token exactly the scopes of the app manifest the
    loaded features make, as a real installation would have. `connected` names members (IDs or
    handles) who have connected before the test starts (see `Sloth.connect`); it loads the
    built-in `connect` feature, whose pages make the round trip, even when `builtins` leaves it out.
    `settings` are core settings by name (`admins=frozenset({"U…"})`); `connect` is configured
    (the emulator's app credentials and a secret key) unless they say otherwise.
    """
    if connected and builtins is not True and CONNECT not in (builtins or ()):
        builtins = (*(builtins or ()), CONNECT)
    registry = registry_for(features, env, builtins)
    settings.setdefault("secret_key", secrets.token_hex(32))
    clock = clock or FakeClock()
    with contextlib.ExitStack() as stack:
        folder = data_dir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sloth-test-")))
        async with contextlib.AsyncExitStack() as running:
            emu = emulator if emulator is not None else await running.enter_async_context(
                Emulator(workspace or Workspace.default()))
            if scopes:
                grant_manifest_scopes(emu, registry)
            jobs: Literal["auto", "manual"] = "manual" if isinstance(clock, FakeClock) else "auto"
            runtime = await running.enter_async_context(
                start_runtime(emu, folder, registry=registry, clock=clock, jobs=jobs, **settings))
            sloth = Sloth(emu, runtime, clock)
            for member in connected:
                await sloth.connect(member)
            yield sloth


def grant_manifest_scopes(emu: Emulator, registry: Registry, agent: bool = False) -> None:
    """Let the bot token call only what the app manifest of `registry` asks for, if the emulator can,
    and give the app the manifest's shortcuts, Home tab and workflow steps (Slack offers members
    only those)."""
    made = manifest(registry, agent=agent)
    emu.restrict_scopes(emu.bot_token, set(made["oauth_config"]["scopes"]["bot"]))
    features = emu.app_manifest.setdefault("features", {})
    features["shortcuts"], features["app_home"] = made["features"]["shortcuts"], made["features"]["app_home"]
    emu.app_manifest["functions"] = made.get("functions", {})
    if agent:
        features["assistant_view"] = made["features"]["assistant_view"]
