"""The baseline: a bare Bolt AsyncApp in Socket Mode, the shape Bolt's documentation shows, or
(BOLT_TRANSPORT=http) served over HTTP by Bolt's own aiohttp adapter on 127.0.0.1:PORT.

Answers `/sloth <anything>` through respond(), like Sloth answers `help`; `/sloth nap` first
sleeps NAP_SECONDS (3) on the event loop after its ack, the mistake bench/ack_blocking.py
measures. Reads the same environment as Sloth (SLACK_BOT_TOKEN, SLACK_APP_TOKEN, SLACK_API_URL,
and SLACK_SIGNING_SECRET over HTTP, which Bolt reads by itself).
"""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

API_URL = os.environ.get("SLACK_API_URL", "https://slack.com/api/")
NAP_SECONDS = float(os.environ.get("NAP_SECONDS", "3"))
app = AsyncApp(client=AsyncWebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=API_URL))


@app.command("/sloth")
async def sloth(ack: Any, respond: Any, command: dict[str, Any]) -> None:
    await ack()
    if command.get("text") == "nap":
        time.sleep(NAP_SECONDS)  # noqa: ASYNC251 - the blocking call bench/ack_blocking.py measures
    await respond(f"You said: {command.get('text', '')}")


async def main() -> None:
    if os.environ.get("BOLT_TRANSPORT") == "http":
        runner = web.AppRunner(app.web_app(), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", int(os.environ["PORT"])).start()
        await asyncio.Event().wait()  # serve until stopped
    handler = AsyncSocketModeHandler(app, os.environ["SLACK_APP_TOKEN"], web_client=AsyncWebClient(base_url=API_URL))
    await handler.start_async()


if __name__ == "__main__":
    asyncio.run(main())
