"""`connect`: the OAuth v2 round trip through a real browser-like client, and every way it refuses."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import aiohttp
import pytest

from bot.runtime.lifecycle import Runtime
from sloth_emulator import Emulator
from tests.e2e.browser import browser, connect_link, link_buttons, oauth_settings
from tests.e2e.harness import ask, running_bot, settle, visible_text

WJK68, AMELIA = "U01WJK68KS", "U01AMHART1"


def granted_token(emu: Emulator) -> str:
    """The user token the last oauth.v2.access call handed out."""
    return str(emu.calls_to("oauth.v2.access")[-1].response["authed_user"]["access_token"])


async def open_link(emu: Emulator, link: str, signed_in_as: str | None) -> tuple[int, str, list[str]]:
    async with browser(emu, signed_in_as) as http, http.get(link) as response:
        return response.status, await response.text(), [r.url.path for r in response.history]


async def connect(emu: Emulator, bot: Runtime, user: str) -> str:
    status, page, _ = await open_link(emu, connect_link(await ask(emu, bot, "connect", user=user)), user)
    assert status == 200 and "Sloth is connected" in page, page
    return granted_token(emu)


async def test_round_trip_stores_a_sealed_token_and_acts_with_it(emulator: Emulator, tmp_path: Path) -> None:
    async with running_bot(emulator, tmp_path, **oauth_settings(emulator)) as bot:
        reply = await ask(emulator, bot, "connect", user=AMELIA)
        assert reply["response_type"] == "ephemeral" and "10 minutes" in visible_text(reply)
        link = connect_link(reply)
        assert link.startswith(f"http://127.0.0.1:{bot.http_port}/slack/install?state=")
        status, page, hops = await open_link(emulator, link, AMELIA)
        assert (status, hops) == (200, ["/slack/install", "/oauth/v2/authorize"])
        assert "Sloth is connected" in page
        [access] = emulator.calls_to("oauth.v2.access")
        assert access.args["redirect_uri"] == f"{bot.settings.public_url}/slack/oauth_redirect"
        assert set(access.response["authed_user"]["scope"].split(",")) == {
            "users.profile:write", "dnd:write", "search:read"}
        token = granted_token(emulator)
        record = await bot.store.get(f"user_token:{AMELIA}")
        assert record["user"] == AMELIA and token not in json.dumps(record)  # sealed, not stored as is
        im, _ = emulator.workspace.open_im(emulator.bot_user_id, AMELIA)
        assert "You're connected" in emulator.messages(im.id)[-1]["text"]
        await ask(emulator, bot, "status :coffee: Brewing for 30m", user=AMELIA)
        assert emulator.workspace.users[AMELIA].status_text == "Brewing"
        [used] = emulator.calls_to("users.profile.set")
        assert used.token == token


async def test_a_link_opened_by_another_member_stores_nothing(emulator: Emulator, tmp_path: Path) -> None:
    async with running_bot(emulator, tmp_path, **oauth_settings(emulator)) as bot:
        wills_link = connect_link(await ask(emulator, bot, "connect", user=WJK68))
        status, page, _ = await open_link(emulator, wills_link, AMELIA)  # Amelia's browser, Will's link
        assert status == 403 and "made for someone else" in page
        token = granted_token(emulator)
        assert emulator.token_owner(token) is None  # revoked on the spot
        assert await bot.store.get(f"user_token:{WJK68}") is None
        assert await bot.store.get(f"user_token:{AMELIA}") is None
        body = await ask(emulator, bot, "snooze 30", user=WJK68)
        assert link_buttons(body) and emulator.calls_to("dnd.setSnooze") == []


async def test_links_work_once_in_the_browser_that_started_them_and_expire(
    emulator: Emulator, tmp_path: Path
) -> None:
    now = [1_800_000_000.0]
    async with running_bot(emulator, tmp_path, clock=lambda: now[0], **oauth_settings(emulator)) as bot:
        link = connect_link(await ask(emulator, bot, "connect", user=AMELIA))
        # Another browser lands on the redirect with a valid code and state but without the cookie.
        async with browser(emulator, AMELIA) as http:
            async with http.get(link, allow_redirects=False) as install:
                authorize = install.headers["Location"]
            async with http.get(authorize, allow_redirects=False) as approved:
                back = approved.headers["Location"]
        async with aiohttp.ClientSession() as stranger, stranger.get(back) as response:
            assert response.status == 400 and "did not start" in await response.text()
        assert (await open_link(emulator, link, AMELIA))[0] == 200
        status, page, _ = await open_link(emulator, link, AMELIA)  # the same link again
        assert status == 400 and "already used" in page
        tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
        assert (await open_link(emulator, tampered, AMELIA))[0] == 400
        late = connect_link(await ask(emulator, bot, "connect", user=WJK68))
        now[0] += 601
        status, page, _ = await open_link(emulator, late, WJK68)
        assert status == 400 and "expired" in page and await bot.store.get(f"user_token:{WJK68}") is None


async def test_declining_changes_nothing(emulator: Emulator, tmp_path: Path) -> None:
    emulator.oauth_approves = False
    async with running_bot(emulator, tmp_path, **oauth_settings(emulator)) as bot:
        status, page, _ = await open_link(emulator, connect_link(await ask(emulator, bot, "connect", user=AMELIA)),
                                          AMELIA)
        assert status == 200 and "nothing changed" in page
        assert emulator.calls_to("oauth.v2.access") == [] and await bot.store.get(f"user_token:{AMELIA}") is None


async def test_without_a_secret_key_connecting_is_refused_clearly(
    emulator: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = oauth_settings(emulator) | {"secret_key": None}
    with caplog.at_level(logging.WARNING):
        async with running_bot(emulator, tmp_path, **settings) as bot:
            body = await ask(emulator, bot, "connect", user=AMELIA)
            assert "SLOTH_SECRET_KEY is not set" in visible_text(body) and not link_buttons(body)
            assert "SLOTH_SECRET_KEY is not set" in visible_text(await ask(emulator, bot, "search x", user=AMELIA))
            async with aiohttp.ClientSession() as http:
                base = f"http://127.0.0.1:{bot.http_port}"
                for path in ("/slack/install?state=x", "/slack/oauth_redirect?state=x&code=y"):
                    async with http.get(base + path) as response:
                        assert response.status == 503 and "SLOTH_SECRET_KEY" in await response.text()
    assert any("SLOTH_SECRET_KEY is not set" in r.getMessage() for r in caplog.records)


async def test_disconnect_forgets_and_revokes(emulator: Emulator, tmp_path: Path) -> None:
    async with running_bot(emulator, tmp_path, **oauth_settings(emulator)) as bot:
        token = await connect(emulator, bot, AMELIA)
        again = visible_text(await ask(emulator, bot, "connect", user=AMELIA))
        assert "already connected" in again
        assert "forgotten your token and revoked it" in visible_text(await ask(emulator, bot, "disconnect",
                                                                                user=AMELIA))
        assert await bot.store.get(f"user_token:{AMELIA}") is None and emulator.token_owner(token) is None
        assert "were not connected" in visible_text(await ask(emulator, bot, "disconnect", user=AMELIA))
        assert link_buttons(await ask(emulator, bot, "status :x: gone", user=AMELIA))


async def test_a_revoked_or_narrow_token_asks_to_connect_again(emulator: Emulator, tmp_path: Path) -> None:
    async with running_bot(emulator, tmp_path, **oauth_settings(emulator)) as bot:
        token = await connect(emulator, bot, AMELIA)
        emulator.restrict_scopes(token, {"dnd:write"})
        body = await ask(emulator, bot, "status :x: nope", user=AMELIA)
        assert "did not grant `users.profile:write`" in visible_text(body) and link_buttons(body)
        emulator.tokens.revoke(token)
        body = await ask(emulator, bot, "snooze 10", user=AMELIA)
        assert "no longer works" in visible_text(body) and link_buttons(body)
        assert await bot.store.get(f"user_token:{AMELIA}") is None


async def test_the_configured_user_token_acts_for_its_owner_only(emulator: Emulator, tmp_path: Path) -> None:
    owner = emulator.token_owner(emulator.user_token)
    assert owner == WJK68
    async with running_bot(emulator, tmp_path, user_token=emulator.user_token, **oauth_settings(emulator)) as bot:
        await emulator.wait_for(lambda: [c for c in emulator.calls_to("auth.test") if c.token == emulator.user_token])
        assert "SLACK_USER_TOKEN" in visible_text(await ask(emulator, bot, "connect", user=WJK68))
        await ask(emulator, bot, "snooze 45", user=WJK68)
        for user in (AMELIA, "U01JBECKER"):
            for line in ("snooze 45", "status :x: not mine", "search pandas", "snooze off"):
                assert link_buttons(await ask(emulator, bot, line, user=user)), line
        acting = [c for c in emulator.calls if c.method in ("dnd.setSnooze", "dnd.endSnooze", "users.profile.set",
                                                            "search.messages")]
        assert [(c.method, emulator.token_owner(c.token)) for c in acting] == [("dnd.setSnooze", WJK68)]
        assert "still acts as you" in visible_text(await ask(emulator, bot, "disconnect", user=WJK68))


async def test_connect_from_a_mention_is_shown_only_to_the_asker(emulator: Emulator, tmp_path: Path) -> None:
    async with running_bot(emulator, tmp_path, **oauth_settings(emulator)) as bot:
        await (await emulator.user_message(user=AMELIA, channel="general",
                                           text=f"<@{emulator.bot_user_id}> connect")).acked()
        await settle(bot)
        assert [m for m in emulator.messages("general") if m.get("user") == emulator.bot_user_id] == []
        [private] = emulator.ephemerals(AMELIA, "general")
        assert link_buttons(private)
        help_text = visible_text(await ask(emulator, bot, "help status", user=AMELIA))
        assert "your own Slack authorization" in help_text and "/sloth connect" in help_text
