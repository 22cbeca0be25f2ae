"""Sloth against the parts of Slack's contract the stricter emulator enforces: each of these
answered wrongly, or not at all, before Sloth was fixed for it."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import yaml

from bot.features.loader import load_features
from bot.features.manifest import manifest_yaml
from bot.runtime.lifecycle import Runtime
from sloth_emulator import Emulator
from sloth_emulator.default_data import AMELIA, JONAS
from tests.e2e.files.filework import file_messages, uploads
from tests.e2e.harness import ask, running_bot, settle, visible_text


async def test_a_response_url_that_answers_ok_false_falls_back_to_an_ephemeral(
        emulator: Emulator, bot: Runtime) -> None:
    emulator.fail_next_response("expired_url", status=200)
    delivery = await emulator.slash_command(text="team", user=JONAS)
    await delivery.acked()
    await settle(bot)
    [refused] = [p for p in emulator.responses if p.url == delivery.payload["response_url"]]
    assert refused.status == 200 and refused.error == "expired_url"
    [fallback] = emulator.calls_to("chat.postEphemeral")
    assert fallback.ok and fallback.args["user"] == JONAS
    assert "Data Analysis" in visible_text(emulator.ephemerals(user=JONAS)[-1])


@pytest.mark.parametrize("value", [None, 7, {"id": "x"}, ["a"], True])
async def test_a_forged_button_value_is_refused_quietly(
        emulator: Emulator, bot: Runtime, value: object, caplog: pytest.LogCaptureFixture) -> None:
    game = await ask(emulator, bot, "play tictactoe")  # any message with buttons will do
    assert game
    posted = next(m for m in emulator.messages("general") if m.get("attachments"))
    delivery = await emulator.click("general", posted["ts"], "game:move:4", user=JONAS)
    await delivery.acked()
    await settle(bot)
    payload = json.loads(json.dumps(delivery.payload))
    payload["actions"][0]["value"] = value
    with caplog.at_level(logging.WARNING):
        forged = await emulator.hub.deliver("interactive", payload)
        await forged.acked()
        await settle(bot)
    assert forged.is_acked
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no traceback, no error id
    assert any("payload is not one Slack sends" in r.getMessage() for r in caplog.records)
    assert bot.metrics.handler_errors.labels("button")._value.get() == 0


async def test_private_channel_changes_keep_the_directory_fresh(emulator: Emulator, bot: Runtime) -> None:
    secret = emulator.workspace.create_channel("secret-plans", AMELIA, is_private=True)
    secret.members[emulator.bot_user_id] = True
    assert "secret-plans" in visible_text(await ask(emulator, bot, "channels secret", user=AMELIA))
    await (await emulator.rename_channel(secret.id, "open-plans")).acked()  # type: ignore[union-attr]
    await settle(bot)
    assert bot.directory.channels[secret.id]["name"] == "open-plans"  # from group_rename, no re-sync
    await (await emulator.archive_channel(secret.id)).acked()  # type: ignore[union-attr]
    await settle(bot)
    assert bot.directory.channels[secret.id]["is_archived"] is True  # group_archive


async def test_a_chart_answer_names_the_file_and_links_it(emulator: Emulator, bot: Runtime) -> None:
    await ask(emulator, bot, "plot members", channel="general")
    note = emulator.ephemerals()[-1]["text"]
    [file] = uploads(emulator)
    # The upload call answers only {id, title}: the name is Sloth's own, the link from files.info.
    assert f"/{file.id}/members-time-zones.png|members-time-zones.png>" in note and "``" not in note


async def test_alt_text_goes_only_with_images(emulator: Emulator, tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "notes.txt").write_text("meeting notes\n")
    async with running_bot(emulator, tmp_path / "data", env={"SLOTH_FILES_DIR": str(folder)}) as bot:
        await ask(emulator, bot, "share notes.txt", channel="general")
        await ask(emulator, bot, "plot members", channel="general")
    asked = emulator.calls_to("files.getUploadURLExternal")  # where upload v2 carries alt_txt
    assert [call.args.get("filename") for call in asked] == ["notes.txt", "members-time-zones.png"]
    assert "alt_txt" not in asked[0].args  # on a text file, a share would fail silently
    assert asked[1].args.get("alt_txt")
    assert len(file_messages(emulator, "general")) == 2  # both shared


async def test_sharing_an_empty_file_is_explained(emulator: Emulator, tmp_path: Path) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "empty.csv").write_bytes(b"")
    async with running_bot(emulator, tmp_path / "data", env={"SLOTH_FILES_DIR": str(folder)}) as bot:
        said = visible_text(await ask(emulator, bot, "share empty.csv"))
    assert "`empty.csv` is empty" in said and not emulator.calls_to("files.getUploadURLExternal")


def test_the_manifest_asks_for_no_scope_nothing_uses() -> None:
    data = yaml.safe_load(manifest_yaml(load_features({}, installed=False)))
    assert "users.profile:read" not in data["oauth_config"]["scopes"]["bot"]
    assert {"group_rename", "group_archive", "group_unarchive", "group_deleted"} <= set(
        data["settings"]["event_subscriptions"]["bot_events"])


async def test_a_command_whose_scope_the_token_lacks_is_switched_off_and_help_says_so(
        emulator: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    granted = set(yaml.safe_load(manifest_yaml(load_features({}, installed=False)))["oauth_config"]["scopes"]["bot"])
    emulator.restrict_scopes(emulator.bot_token, granted - {"files:write"})
    with caplog.at_level(logging.WARNING, logger="bot.runtime.lifecycle"):
        async with running_bot(emulator, tmp_path, scopes=False) as bot:
            overview = visible_text(await ask(emulator, bot, "help"))
            detail = visible_text(await ask(emulator, bot, "help plot"))
            answer = visible_text(await ask(emulator, bot, "plot members"))
            team = visible_text(await ask(emulator, bot, "team"))
    assert "`plot` — " in overview and "unavailable: the app lacks `files:write`" in overview
    assert "Unavailable now" in detail and "`files:write`" in detail
    assert "`plot` is switched off" in answer and not emulator.calls_to("files.getUploadURLExternal")
    assert "Data Analysis" in team  # everything else works
    logged = [r.getMessage() for r in caplog.records if "switched off" in r.getMessage()]
    assert len([m for m in logged if "`plot`" in m]) == 1  # said once, at start
