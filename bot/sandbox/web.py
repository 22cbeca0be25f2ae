"""`sloth sandbox --web`: the sandbox's workspace in a browser, laid out as Slack lays it out.

Another front end on the same emulator workspace as the terminal sandbox. The page (plain JS and
CSS shipped with Sloth; nothing loaded from anywhere else) reads what to draw from `/api/state`,
which answers at once when something changed since the version the page holds and otherwise
waits for a change (a long poll). What the member does goes through the emulator exactly as
Slack delivers it: a message or `/sloth …` from the composer, `block_actions` for a button,
`view_submission` for a form, whose errors in the ack come back to the page to show inline.

Served on 127.0.0.1 only; requests naming another host or coming from another origin are refused
so a web page elsewhere cannot drive the sandbox through the member's browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
import signal
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

from aiohttp import web
from rich.console import Console

from bot.sandbox.page import conversations, names_by_id, page_state, people
from sloth_emulator import Emulator

DEFAULT_PORT = 3030
POLL_SECONDS = 25.0  # how long /api/state holds a request open waiting for a change
ACK_SECONDS = 5.0
STATIC = {"/": ("index.html", "text/html"), "/app.css": ("app.css", "text/css"),
          **{f"/{name}.js": (f"{name}.js", "text/javascript") for name in ("text", "blocks", "forms", "app")}}
# Nothing but the page's own files: no scripts, styles, fonts or images from anywhere else.
POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
          "form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
PICTURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"))
EMULATOR = web.AppKey("emulator", Emulator)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WebSandbox:
    """The page's HTTP side for one emulator workspace; `command` is the slash command installed."""

    def __init__(self, emu: Emulator, command: str = "/sloth") -> None:
        self.emu, self.command = emu, command
        self.closing = asyncio.Event()
        self.app = web.Application(middlewares=[self._guard])
        self.app[EMULATOR] = emu
        for path in STATIC:
            self.app.router.add_get(path, self.static)
        self.app.router.add_get("/api/state", self.state)
        self.app.router.add_get("/api/members", self.members)
        self.app.router.add_get("/files/{file_id}", self.file)
        for name, handler in (("send", self.send), ("press", self.press), ("submit", self.submit),
                              ("close", self.close), ("home", self.open_home)):
            self.app.router.add_post(f"/api/{name}", handler)
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def start(self, port: int = DEFAULT_PORT) -> str:
        self.runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{self.port}/"

    async def stop(self) -> None:
        self.closing.set()  # long polls answer now instead of holding the shutdown
        if self.runner is not None:
            await self.runner.cleanup()

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.host not in (f"127.0.0.1:{self.port}", f"localhost:{self.port}"):
            raise web.HTTPForbidden(text="This sandbox answers on 127.0.0.1 only.")
        origin = request.headers.get("Origin")
        if request.method != "GET" and origin not in (None, f"http://{request.host}"):
            raise web.HTTPForbidden(text="Requests from other sites are refused.")
        response = await handler(request)
        response.headers["Content-Security-Policy"] = POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        return response

    async def static(self, request: web.Request) -> web.Response:
        name, kind = STATIC[request.path]
        return web.Response(text=_static_text(name), content_type=kind, charset="utf-8")

    async def state(self, request: web.Request) -> web.Response:
        user, channel = request.query.get("user", ""), request.query.get("channel", "")
        seen = request.query.get("seen", "")
        try:
            now = page_state(self.emu, user or self.emu.workspace.first_human().id, channel)
        except LookupError as e:
            raise web.HTTPNotFound(text=str(e)) from None
        if now["version"] == seen and not self.closing.is_set():
            changed = asyncio.ensure_future(self.emu.wait_for(
                lambda: page_state(self.emu, now["me"]["id"], channel)["version"] != seen, POLL_SECONDS))
            closing = asyncio.ensure_future(self.closing.wait())
            await asyncio.wait([changed, closing], return_when=asyncio.FIRST_COMPLETED)
            for task in (changed, closing):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                    await task
            now = page_state(self.emu, now["me"]["id"], channel)
        return web.json_response(now)

    async def members(self, request: web.Request) -> web.Response:
        """Who the page may act as, and the names mentions show (fetched once, not on every change)."""
        return web.json_response({"members": people(self.emu), "names": names_by_id(self.emu)})

    async def file(self, request: web.Request) -> web.Response:
        record = self.emu.workspace.files.get(request.match_info["file_id"])
        if record is None or record.content is None:
            raise web.HTTPNotFound(text="No such file.")
        # Pictures, known by their first bytes, are shown inline; anything else is only a download.
        kind = next((k for magic, k in PICTURES if record.content.startswith(magic)), "application/octet-stream")
        return web.Response(body=record.content, content_type=kind,
                            headers={"Content-Disposition": f"inline; filename=\"{_safe(record.name)}\""})

    async def send(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user, channel, text = body["user"], str(body.get("channel")), str(body.get("text", "")).strip()
        if not text:
            return _refused("Type a message first.")
        if channel not in {c["id"] for c in conversations(self.emu, user)}:
            return _refused("You can only write in a conversation you are in.")
        first = text.split(maxsplit=1)[0]
        if first.startswith("/"):
            if first != self.command:
                return _refused(f"{first} is not a command here: the app's is {self.command}.")
            delivery = await self.emu.slash_command(text[len(first):].strip(), user, channel, command=first)
        else:
            delivery = await self.emu.user_message(user, channel, self._references(text))
        await delivery.acked(timeout=ACK_SECONDS)
        return web.json_response({"ok": True})

    async def press(self, request: web.Request) -> web.Response:
        body = await _body(request)
        value = body.get("value")
        try:
            if body.get("view_id"):
                click_view = getattr(self.emu, "click_view", None)  # buttons in views: emulators that have them
                if click_view is None:
                    return _refused("This emulator cannot press buttons in a view yet.")
                delivery = await click_view(body["view_id"], body["action_id"], body["user"], value)
            else:
                delivery = await self.emu.click(body["channel"], body["ts"], body["action_id"], body["user"], value)
        except ValueError as e:
            return _refused(str(e))
        await delivery.acked(timeout=ACK_SECONDS)
        return web.json_response({"ok": True})

    async def submit(self, request: web.Request) -> web.Response:
        body = await _body(request)
        try:
            delivery = await self.emu.submit_view(body["view_id"], body.get("values") or {}, body["user"])
        except ValueError as e:  # what Slack's client would not send: a blank required input, an unknown option
            return _refused(str(e))
        frame = await delivery.acked(timeout=ACK_SECONDS)
        answer = frame.get("payload") or {}
        errors = answer.get("errors") if answer.get("response_action") == "errors" else None
        return web.json_response({"ok": not errors, "errors": errors or {}})

    async def close(self, request: web.Request) -> web.Response:
        body = await _body(request)
        try:
            delivery = await self.emu.close_view(body["view_id"], body["user"])
        except ValueError as e:
            return _refused(str(e))
        if delivery is not None:
            await delivery.acked(timeout=ACK_SECONDS)
        return web.json_response({"ok": True})

    async def open_home(self, request: web.Request) -> web.Response:
        """The member opens the app's Home tab: Slack sends `app_home_opened` each time."""
        body = await _body(request)
        opener = getattr(self.emu, "open_home", None)  # emulators that know the Home tab
        if opener is None:
            return web.json_response({"ok": False, "error": "This emulator has no Home tab."})
        try:
            delivery = await opener(body["user"])
        except ValueError as e:
            return web.json_response({"ok": False, "error": str(e)})
        await delivery.acked(timeout=ACK_SECONDS)
        return web.json_response({"ok": True})

    def _references(self, text: str) -> str:
        """`@handle` and `#channel` as Slack's composer sends them: <@U…> and <#C…>."""
        ws = self.emu.workspace
        handles = {u.name: u.id for u in ws.users.values()}
        handles.setdefault("sloth", self.emu.bot_user_id)

        def person(m: re.Match[str]) -> str:
            found = handles.get(m.group(1))
            return f"<@{found}>" if found else m.group(0)

        def place(m: re.Match[str]) -> str:
            found = ws.channel(m.group(1))
            return f"<#{found.id}|{found.name}>" if found and not found.is_im else m.group(0)

        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")  # as Slack stores typed text
        text = re.sub(r"(?<![\w<])@([\w.-]+)", person, text)
        return re.sub(r"(?<![\w<])#([\w-]+)", place, text)


async def serve_web(emu: Emulator, command: str, port: int, console: Console) -> None:
    """Serve the page until the process is interrupted (Ctrl-C) or terminated."""
    sandbox = WebSandbox(emu, command)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        url = await sandbox.start(port)
        console.print(f"[bold]Sloth sandbox[/bold] on {url} (open it in your browser; Ctrl-C stops it)", soft_wrap=True)
        console.file.flush()  # a script waiting for the address reads it now, not when the buffer fills
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        await sandbox.stop()


async def _body(request: web.Request) -> dict[str, Any]:
    # JSON only: a form posted from another site cannot send it without a preflight we never allow.
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="Send JSON.")
    body = await request.json()
    emu = request.app[EMULATOR]
    who = emu.workspace.user(str(body.get("user"))) if isinstance(body, dict) else None
    if who is None or not who.is_human:
        raise web.HTTPBadRequest(text="Say which member acts: the ID of a person in the workspace.")
    return body


def _refused(reason: str) -> web.Response:
    return web.json_response({"ok": False, "error": reason}, status=400)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name) or "file"


@functools.cache
def _static_text(name: str) -> str:
    """One of the page's own files (a fixed few), read from the package once."""
    return resources.files("bot.sandbox").joinpath("static", name).read_text("utf-8")
