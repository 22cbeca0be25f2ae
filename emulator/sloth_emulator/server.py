"""The one aiohttp application behind the emulator: Web API, uploads, response_url, downloads, Socket Mode."""

from __future__ import annotations

import base64
import binascii
import json
import logging
from functools import partial
from typing import TYPE_CHECKING, Any

from aiohttp import web

from sloth_emulator.oauth import authorize
from sloth_emulator.shapes import file_kind

if TYPE_CHECKING:
    from sloth_emulator.emulator import Emulator

log = logging.getLogger(__name__)

MAX_BODY = 1024**3  # Slack accepts files up to 1 GB

# What files.slack.com serves to a request without a valid token: a sign-in page with status 200.
# Bots that forget the Authorization header save this HTML instead of the file; so do we.
SIGN_IN_PAGE = "<!DOCTYPE html><html><head><title>Slack</title></head><body>Sign in to continue</body></html>"


async def read_args(request: web.Request) -> dict[str, Any]:
    """Arguments from the query string and a JSON, form or multipart body (the body wins)."""
    args: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.body_exists:
        return args
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        if isinstance(body, dict):
            args.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        args.update({k: v for k, v in form.items() if isinstance(v, str)})
    return args


def basic_credentials(header: str) -> tuple[str, str] | None:
    if not header.startswith("Basic "):
        return None
    try:
        client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id, secret


def request_token(request: web.Request, args: dict[str, Any]) -> str | None:
    """The token of a Web API call: the Authorization header's, else a `token` argument (taken out)."""
    header = request.headers.get("Authorization", "")
    token = args.pop("token", None)
    if header.startswith("Bearer "):
        token = header[7:].strip()
    return token or None


async def api(emu: Emulator, request: web.Request, args: dict[str, Any], token: str | None) -> web.Response:
    method = request.match_info["method"]
    header = request.headers.get("Authorization", "")
    result = emu.api.handle(method, args, token, basic_credentials(header))
    held = emu.api.holds.get(method)
    if held is not None:
        await held.wait()  # done already, as Slack would have; only the answer waits
    return web.json_response(result.body, status=result.status, headers=result.headers)


async def upload(emu: Emulator, request: web.Request) -> web.Response:
    if request.content_type == "multipart/form-data":
        form = await request.post()
        field = next((v for v in form.values() if isinstance(v, web.FileField)), None)
        data = field.file.read() if field is not None else b""
    else:
        data = await request.read()
    if not emu.receive_upload(request.match_info["key"], data):
        return web.Response(status=404, text="upload url not found")
    return web.Response(text=f"OK - {len(data)}", content_type="text/plain")


async def response_url(emu: Emulator, request: web.Request) -> web.Response:
    raw = await request.text()
    try:
        body = json.loads(raw) if raw else None
    except json.JSONDecodeError:
        body = None
    status, error = emu.response_urls.post(request.match_info["id"], body)
    if status == 200 and error is None:
        return web.Response(text="ok", content_type="text/plain")
    if status == 400:  # a body Slack refuses: the bare error, as incoming webhooks answer (responses.py)
        return web.Response(text=error or "invalid_payload", status=400, content_type="text/plain")
    return web.json_response({"ok": False, "error": error}, status=status)


async def download(emu: Emulator, request: web.Request) -> web.Response:
    header = request.headers.get("Authorization", "")
    info = emu.tokens.get(header[7:].strip()) if header.startswith("Bearer ") else None
    file_id = request.match_info["team_file"].rsplit("-", 1)[-1]
    record = emu.workspace.files.get(file_id)
    if info is None or info.kind in ("app", "config"):
        return web.Response(text=SIGN_IN_PAGE, content_type="text/html")
    if record is None or record.content is None:
        return web.Response(status=404, text="file not found")
    return web.Response(body=record.content, content_type=file_kind(record.name)[0])


def build_app(emu: Emulator) -> web.Application:
    async def api_call(request: web.Request) -> web.Response:
        args = await read_args(request)
        return await api(emu, request, args, request_token(request, args))

    async def index(request: web.Request) -> web.Response:
        return web.json_response({"emulator": "sloth", "team": emu.workspace.team.name, "api_url": emu.api_url,
                                  "connections": emu.connections})

    async def authorize_page(request: web.Request) -> web.Response:
        return await authorize(emu, request)

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_route("*", "/api/{method}", api_call)
    app.router.add_post("/upload/v1/{key}", partial(upload, emu))
    app.router.add_post("/response/{id}", partial(response_url, emu))
    app.router.add_get("/link/", emu.hub.handle_link)
    app.router.add_get("/files-pri/{team_file}/{name}", partial(download, emu))
    app.router.add_get("/files-pri/{team_file}/download/{name}", partial(download, emu))
    app.router.add_get("/oauth/v2/authorize", authorize_page)
    app.router.add_get("/", index)
    return app
