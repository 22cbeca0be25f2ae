"""The shared Web API client: slack_sdk must not format response bodies for debug lines nobody sees."""

from __future__ import annotations

import logging

import aiohttp

from bot.slack.client import make_client


async def test_the_client_logger_says_debug_is_off_unless_it_is_on() -> None:
    async with aiohttp.ClientSession() as session:
        client = make_client("xoxb-test", "http://127.0.0.1:9/api/", session)
        # slack_sdk checks `logger.level <= DEBUG` before formatting a whole response body.
        assert client.logger.level == client.logger.getEffectiveLevel()
        root = logging.getLogger()
        before = root.level
        root.setLevel(logging.DEBUG)
        try:
            logging.getLogger("slack_sdk.web.sloth").setLevel(logging.NOTSET)
            assert make_client(None, "http://127.0.0.1:9/api/", session).logger.level == logging.DEBUG
            root.setLevel(logging.WARNING)
            logging.getLogger("slack_sdk.web.sloth").setLevel(logging.NOTSET)
            assert make_client(None, "http://127.0.0.1:9/api/", session).logger.level == logging.WARNING
        finally:
            root.setLevel(before)
