"""`sloth sandbox`: the whole product offline, against the built-in Slack emulator.

The emulator and the real runtime run in one process; you type what a Slack user would and see
what Sloth answers. Interactive on a terminal; one command per line when stdin is a pipe.
"""

from __future__ import annotations

import asyncio
import html
import re
import secrets
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from rich.console import Console
from yarl import URL

from bot.config.model import ModelSettings, read_model_settings
from bot.config.problems import Problems
from bot.config.settings import Settings, environment
from bot.features.loader import load_features
from bot.features.manifest import MENU_SHORTCUT, manifest
from bot.features.registry import Registry
from bot.runtime.lifecycle import FatalError, Runtime
from bot.sandbox import live
from bot.sandbox.forms import FormDesk
from bot.sandbox.render import Button, Renderer
from bot.sandbox.streams import Streams, answers_finished
from bot.sandbox.surfaces import home_of, newest_message, shortcut_named
from bot.sandbox.web import serve_web
from sloth_emulator import Emulator, Workspace
from sloth_emulator.generated import add_history
from sloth_emulator.oauth import SESSION_COOKIE

HELP = """[bold]Sloth sandbox[/bold] — a pretend Slack workspace on your machine; nothing leaves it.
  [cyan]/sloth <command>[/cyan]   a slash command, e.g. /sloth channels     ([cyan]/sloth help[/cyan] lists commands)
  [cyan]@sloth <command>[/cyan]   mention Sloth in the current channel
  [cyan]dm <command>[/cyan]       send Sloth a direct message (with SLOTH_MODEL set, ask in plain words:
                     the agent's answer is drawn as it streams in)
  [cyan]say <text>[/cyan]         post a plain message in the current channel
  [cyan]<number>[/cyan]           press the button with that number (a link button ↗ opens in a
                     pretend browser signed in as you: [cyan]/sloth connect[/cyan] then its number)
  [cyan]/sloth[/cyan] alone       the menu of commands, each with its form; in a form, [cyan]<number> <value>[/cyan]
                     fills an input, [cyan]submit[/cyan] sends it, [cyan]cancel[/cyan] closes it
  [cyan]shortcut[/cyan]           run the "Sloth…" shortcut (the same menu, answered in your DM)
  [cyan]shortcut <name>[/cyan]    a message shortcut on the channel's newest message, e.g. shortcut Export this thread
  [cyan]home[/cyan]               Sloth's Home tab for you; its buttons are pressed by number too
  [cyan]#channel[/cyan]           switch channel        [cyan]as @handle[/cyan]   act as another member
  [cyan]?[/cyan]                  this help             [cyan]quit[/cyan]         leave"""


@dataclass
class Session:
    emu: Emulator
    runtime: Runtime
    console: Console
    user: str
    channel: str
    seen: dict[tuple[str, str], str] = field(default_factory=dict)
    buttons: dict[int, Button] = field(default_factory=dict)
    files: live.SavedFiles | None = None
    desk: FormDesk | None = None  # the member's open modal, drawn as a numbered form
    streams: Streams = field(default_factory=Streams)  # the agent's answers, drawn as they grow

    @property
    def prompt(self) -> str:
        handle = self.emu.workspace.user(self.user).name  # type: ignore[union-attr]
        return f"@{handle} in #{self.emu.workspace.channel(self.channel).name}> "  # type: ignore[union-attr]


def run_sandbox(generated: str | None = None, files_dir: Path | None = None, web_port: int | None = None) -> int:
    """The terminal sandbox, or with `web_port` the page in a browser (port 0: any free one)."""
    try:
        return asyncio.run(_main(generated, files_dir, web_port))
    except KeyboardInterrupt:
        return 0


def _workspace(generated: str | None) -> Workspace:
    if not generated:
        workspace = Workspace.default()
    else:
        users, _, channels = generated.partition(",")
        workspace = Workspace.generated(users=int(users), channels=int(channels or 100))
    # A busy channel to try `plot activity #chatter` and `export #chatter` on.
    chatter = workspace.create_channel("chatter", workspace.first_human().id)
    chatter.purpose = "Busy chatter: try plot activity #chatter and export #chatter"
    humans = [u.id for u in workspace.users.values() if u.is_human][:40]
    chatter.members.update(dict.fromkeys([*humans, workspace.bot_user_id]))
    add_history(workspace, chatter.id, messages=3000, days=45, seed=7)
    # Where the README's training examples post their run cards (channel="#ml").
    ml = workspace.create_channel("ml", workspace.first_human().id)
    ml.purpose = "Training runs: jobs report here with channel=\"#ml\""
    ml.members.update(dict.fromkeys([*humans, workspace.bot_user_id]))
    return workspace


def _sample_files(data: Path) -> Path:
    """A files folder for `share`, with something in it."""
    folder = data / "files"
    (folder / "reports").mkdir(parents=True)
    (folder / "welcome.txt").write_text("Hello from Sloth's files folder (SLOTH_FILES_DIR).\n")
    (folder / "reports" / "q3.csv").write_text("quarter,revenue\nQ1,31\nQ2,37\nQ3,42\n")
    return folder


def _model(console: Console) -> tuple[bool, ModelSettings | None]:
    """The agent's model from SLOTH_MODEL* (none: no agent, as with `sloth run`); False on a bad setting."""
    problems: list[str] = []
    model = read_model_settings(environment(), problems)
    for problem in problems:
        console.print(problem, style="red", markup=False)
    return not problems, model


def _features(data: Path, files_dir: Path | None, token: str, console: Console) -> Registry | None:
    """The features `sloth run` would load here, with the sandbox's files folder and ingest token."""
    env = {**environment(), "SLOTH_MONITOR_TOKEN": token,
           "SLOTH_FILES_DIR": str(files_dir or _sample_files(data))}
    try:
        return load_features(env)
    except Problems as e:
        console.print("[red]Sloth cannot start; fix these settings:[/red]")
        for problem in e.problems:
            console.print(f"  - {problem}", markup=False)
        return None


async def _main(generated: str | None, files_dir: Path | None, web_port: int | None = None) -> int:
    console = Console(highlight=False)
    interactive = sys.stdin.isatty()
    with tempfile.TemporaryDirectory(prefix="sloth-sandbox-") as data:
        token = live.monitor_token()
        registry = _features(Path(data), files_dir, token, console)
        usable, model = _model(console)
        if registry is None or not usable:
            return 2
        # The bot token holds exactly the scopes installing the app would grant: the manifest's.
        granted = manifest(registry)["oauth_config"]["scopes"]["bot"]
        async with Emulator(_workspace(generated), bot_scopes=granted) as emu:
            settings = Settings(
                bot_token=emu.bot_token, app_token=emu.app_token, api_url=emu.api_url, http_host="127.0.0.1",
                http_port=live.pick_port(), data_dir=Path(data), store_url=f"sqlite:///{Path(data) / 'sloth.db'}",
                # `connect` works here too: the emulator's app credentials and a key for this session only.
                client_id=emu.client_id, client_secret=emu.client_secret, secret_key=secrets.token_hex(32),
                model=model,
            )
            try:
                async with Runtime(settings, registry) as runtime:
                    await emu.wait_connected(1, timeout=10)
                    human = emu.workspace.first_human()
                    session = Session(emu, runtime, console, user=human.id, channel=emu.workspace.general().id,
                                      files=live.SavedFiles(emu), desk=FormDesk(emu, console, _names(emu)))
                    emu.app_manifest = manifest(registry)  # installed from Sloth's manifest: its shortcut too
                    if web_port is not None:
                        await serve_web(emu, settings.command, web_port, console)
                        return 0
                    _snapshot(session)
                    if interactive:
                        console.print(HELP)
                        console.print(f"[dim]Health and metrics on http://127.0.0.1:{runtime.http_port}/[/dim]")
                    console.print(live.how_to_report(runtime.http_port or 0, token), markup=False, soft_wrap=True)
                    watcher = runtime.supervisor.spawn(
                        live.show_changes(emu, lambda: _unseen(session), lambda: _show_new(session)), "sandbox-live")
                    try:
                        await _loop(session, interactive)
                    finally:
                        watcher.cancel()
            except FatalError as e:
                console.print(f"[red]{e}[/red]")
                return 1
    return 0


async def _loop(session: Session, interactive: bool) -> None:
    loop = asyncio.get_running_loop()
    while True:
        if interactive:
            line = await loop.run_in_executor(None, _ask, session.prompt)
        else:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if line and line.strip():
                session.console.print(f"[bold]> {line.strip()}[/bold]")
        if line is None or (line == "" and not interactive):
            return
        line = line.strip()
        if not line:
            continue
        if line in ("quit", "exit", ":q"):
            return
        try:
            await _perform(session, line)
        except ValueError as e:
            session.console.print(f"[yellow]{e}[/yellow]")
        await session.runtime.pool.queue.join()
        await answers_finished(session.runtime)  # drawn as they grow meanwhile (show_changes)
        _show_new(session)


def _ask(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        return None


async def _perform(session: Session, line: str) -> None:
    emu, ws = session.emu, session.emu.workspace
    command = session.runtime.settings.command
    if line == "?":
        session.console.print(HELP)
    elif session.desk is not None and session.desk.handles(line):
        await session.desk.act(session.user, line)
    elif line == "shortcut":
        await _acked(await emu.global_shortcut(MENU_SHORTCUT, user=session.user))
    elif line.startswith("shortcut "):
        callback_id = shortcut_named(session.runtime.registry, line[len("shortcut "):])
        ts = newest_message(emu, session.channel)
        await _acked(await emu.use_message_shortcut(callback_id, session.channel, ts, user=session.user))
    elif line == "home":
        await _acked(await emu.open_home(session.user))
        await session.runtime.pool.queue.join()  # drawn while the event is handled
        tab, buttons = home_of(emu, session.user, _names(emu))
        session.console.print(tab)
        session.buttons = {b.number: b for b in buttons}
    elif line.startswith(command + " ") or line == command:
        text = line[len(command) :].strip()
        await _acked(await emu.slash_command(text=text, user=session.user, channel=session.channel))
    elif line.startswith("@sloth") or line.startswith("@" + ws.bot_user.name):
        text = f"<@{emu.bot_user_id}> " + line.split(" ", 1)[1] if " " in line else f"<@{emu.bot_user_id}>"
        await _acked(await emu.user_message(user=session.user, channel=session.channel, text=text))
    elif line.startswith("dm "):
        im, _ = ws.open_im(session.user, emu.bot_user_id)
        await _acked(await emu.user_message(user=session.user, channel=im.id, text=line[3:].strip()))
    elif line.startswith("say "):
        await _acked(await emu.user_message(user=session.user, channel=session.channel, text=line[4:].strip()))
    elif line.isdigit():
        button = session.buttons.get(int(line))
        if button is None:
            raise ValueError(f"There is no button {line} on screen.")
        if button.view:
            await _acked(await emu.click_view(button.view, button.action_id, user=session.user))
        else:
            await _acked(await emu.click(button.channel, button.ts, button.action_id, user=session.user,
                                         value=button.value))
        if button.url:
            await open_link(session, button.url)
    elif line.startswith("#"):
        channel = ws.channel(line[1:])
        if channel is None:
            raise ValueError(f"No channel {line}.")
        session.channel = channel.id
    elif line.startswith("as @"):
        user = next((u for u in ws.users.values() if u.name == line[4:]), None)
        if user is None:
            raise ValueError(f"No member {line[3:]}.")
        session.user = user.id
    else:
        raise ValueError(f"Type `{command} help` to talk to Sloth, or `?` for the sandbox's help.")


async def open_link(session: Session, url: str) -> None:
    """Follow a link button as the member's browser would, signed in to the emulator as them."""
    jar = aiohttp.CookieJar(unsafe=True)  # unsafe: accept cookies from an IP address (127.0.0.1)
    jar.update_cookies({SESSION_COOKIE: session.user}, URL(session.emu.base_url))
    handle = session.emu.workspace.user(session.user).name  # type: ignore[union-attr]
    async with aiohttp.ClientSession(cookie_jar=jar) as browser, browser.get(url) as response:
        page = await response.text()
    title = re.search(r"<h1>(.*?)</h1>", page, re.S)
    words = re.sub(r"<[^>]+>", " ", page.split("</h1>", 1)[-1])
    session.console.print(f"[blue]Opened {url}\n  in @{handle}'s browser → {html.unescape(title[1]) if title else ''}: "
                          f"{' '.join(html.unescape(words).split())}[/blue]")


async def _acked(deliveries: Any) -> None:
    for delivery in deliveries if isinstance(deliveries, list) else [deliveries]:
        await delivery.acked(timeout=5)


def _outputs(session: Session) -> list[tuple[str, dict[str, Any], str]]:
    """Every message the bot has shown the current user: (channel, message, title)."""
    emu, found = session.emu, []
    for channel in emu.workspace.channels.values():
        if not channel.messages:
            continue
        name = "a direct message" if channel.is_im else f"#{channel.name}"
        for message in emu.messages(channel.id):
            if message.get("user") == emu.bot_user_id or message.get("bot_id"):
                threaded = message.get("thread_ts") not in (None, message.get("ts"))
                where = name + (" (thread)" if threaded else "")
                found.append((channel.id, message, f"{message.get('username') or 'sloth'} in {where}"))
    for message in emu.ephemerals(user=session.user):
        found.append((message.get("channel", ""), message, "sloth · only visible to you"))
    return found


def _snapshot(session: Session) -> None:
    for channel, message, _ in _outputs(session):
        session.seen[(channel, str(message.get("ts")))] = live.fingerprint(message)


def _unseen(session: Session) -> bool:
    if session.desk is not None and session.desk.changed(session.user):
        return True
    return any(session.seen.get((channel, str(message.get("ts")))) != live.fingerprint(message)
               for channel, message, _ in _outputs(session))


def _names(emu: Emulator) -> Callable[[str], str]:
    """Names for <@U…> and <#C…> references alike."""
    ws = emu.workspace
    return lambda ref: str(getattr(ws.user(ref) or ws.channels.get(ref), "name", ref))


def _show_new(session: Session) -> None:
    files = session.files
    renderer = Renderer(_names(session.emu), files.describe if files else lambda _: None)
    fresh = []
    for channel, message, title in _outputs(session):
        key, body = (channel, str(message.get("ts"))), live.fingerprint(message)
        if session.seen.get(key) != body:
            edited = key in session.seen
            session.seen[key] = body
            if files:
                files.save_all(message)
            streaming = key in session.emu.workspace.streams
            if key in session.streams.streamed or streaming:
                drawn = session.streams.draw(session.console, renderer, key, message, title, streaming)
                fresh.extend([drawn] if drawn is not None else [])
                continue
            fresh.append(renderer.message(message, channel, title + (" (edited)" if edited else "")))
    if renderer.buttons:  # the numbers of the last buttons printed; a reply without any keeps them
        session.buttons = {b.number: b for b in renderer.buttons}
    for renderable in fresh:
        session.console.print(renderable)
    if session.desk is not None:
        session.desk.show(session.user)
