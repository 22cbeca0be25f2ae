"""`share [name] [#channel]`: files from SLOTH_FILES_DIR only; traversal, symlinks and big files refused."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.runtime.lifecycle import Runtime
from handlers.share import Refused, read_shared
from sloth_emulator import Emulator
from tests.e2e.files.filework import WILL, file_messages, run, said, uploads
from tests.e2e.harness import running_bot, settle, visible_text

LIMIT = 4096
REPORT = b"quarter,revenue\nQ3,42\n"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Sloth's files folder, with neighbours it must never reach."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("the password")
    files = tmp_path / "files"
    (files / "charts").mkdir(parents=True)
    (files / "report.csv").write_bytes(REPORT)
    (files / "charts" / "q3.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    (files / ".env").write_text("SLACK_BOT_TOKEN=xoxb-secret")
    (files / "big.bin").write_bytes(b"x" * (LIMIT + 1))
    (files / "link.txt").symlink_to(outside / "secret.txt")
    (files / "linked").symlink_to(outside, target_is_directory=True)
    (files / "charts" / "up.txt").symlink_to(files / "report.csv")  # even a link that stays inside
    os.mkfifo(files / "pipe")
    return files


@pytest.fixture
async def bot(emulator: Emulator, tmp_path: Path, folder: Path) -> AsyncIterator[Runtime]:
    env = {"SLOTH_FILES_DIR": str(folder), "SLOTH_SHARE_MAX_MB": str(LIMIT / 1024 / 1024)}
    async with running_bot(emulator, tmp_path / "data", env=env) as runtime:
        yield runtime


async def test_without_a_name_it_lists_what_can_be_shared(emulator: Emulator, bot: Runtime) -> None:
    shown = said(await run(emulator, bot, "share"))
    assert "`report.csv` · 22 B" in shown and "`charts/q3.png`" in shown
    assert "`big.bin` · 4.0 KB _(too big to share)_" in shown
    for hidden in (".env", "link.txt", "linked", "secret", "up.txt", "pipe"):
        assert hidden not in shown


async def test_share_uploads_the_exact_bytes_where_asked(emulator: Emulator, bot: Runtime) -> None:
    assert "Shared `report.csv` (22 B) in #random." in said(await run(emulator, bot, "share report.csv #random"))
    assert "Shared `q3.png` (18 B) here." in said(await run(emulator, bot, "share charts/q3.png",
                                                             channel="python_content"))
    report, chart = uploads(emulator)
    assert report.content == REPORT and report.name == "report.csv"
    assert (chart.content or b"").startswith(b"\x89PNG") and chart.name == "q3.png"
    [posted] = file_messages(emulator, "random")
    assert posted["files"][0]["id"] == report.id and "shared by Will Koehrsen" in posted["text"]
    assert len(file_messages(emulator, "python_content")) == 1


@pytest.mark.parametrize(("name", "reason"), [
    ("../outside/secret.txt", "leads outside Sloth's files folder"),
    ("charts/../../outside/secret.txt", "leads outside Sloth's files folder"),
    ("charts/../report.csv", "leads outside Sloth's files folder"),  # even when it would land inside
    ("./report.csv", "leads outside Sloth's files folder"),
    ("/etc/passwd", "is an absolute path"),
    ("~/.ssh/id_rsa", "is an absolute path"),
    ("C:\\Windows\\win.ini", "is an absolute path"),
    ("link.txt", "goes through a symlink"),
    ("linked/secret.txt", "goes through a symlink"),
    ("charts/up.txt", "goes through a symlink"),
    (".env", "is a hidden file"),
    ("big.bin", "is 4.0 KB; I share files up to 4.0 KB"),
    ("pipe", "is not a regular file"),
    ("charts", "is not a regular file"),
    ("missing.txt", "There is no file `missing.txt`"),
    ("charts/report.csv/x", "There is no file"),
    ("a" * 300, "is too long to name a file: it is 300 characters, and a file or folder name is at most 255 bytes"),
    ("charts/" + "é" * 200 + ".png", "one of its parts is 204 characters (404 bytes), and a file or folder name is "
                                     "at most 255 bytes"),
    ("a/" * 2100 + "x", "is too long to be a path: 4,201 bytes, and a path is at most 4,096"),
])
async def test_refusals_upload_nothing(emulator: Emulator, bot: Runtime, name: str, reason: str) -> None:
    bodies = await run(emulator, bot, f"share {name} #random")
    assert reason in said(bodies)
    assert all(b["response_type"] == "ephemeral" for b in bodies)
    assert not emulator.calls_to("files.getUploadURLExternal") and uploads(emulator) == []


async def test_a_channel_sloth_is_not_in_is_offered_a_join(emulator: Emulator, bot: Runtime) -> None:
    outside = emulator.workspace.create_channel("outside", WILL)
    shown = said(await run(emulator, bot, f"share report.csv <#{outside.id}|outside>"))
    assert "I'm not in #outside yet, so I can't share files in it" in shown
    [offer] = emulator.ephemerals(user=WILL)
    await (await emulator.click(offer["channel"], offer["ts"], "sloth_join_retry", user=WILL)).acked()
    await settle(bot)
    [posted] = file_messages(emulator, outside.id)
    assert emulator.workspace.files[posted["files"][0]["id"]].content == REPORT
    assert "Shared `report.csv`" in visible_text(emulator.ephemerals(user=WILL)[-1])


async def test_a_missing_folder_is_explained(emulator: Emulator, tmp_path: Path) -> None:
    async with running_bot(emulator, tmp_path / "data", env={"SLOTH_FILES_DIR": str(tmp_path / "nowhere")}) as runtime:
        for text in ("share", "share report.csv"):
            assert "files folder (SLOTH_FILES_DIR) is missing" in said(await run(emulator, runtime, text))


async def test_a_mention_shares_in_its_thread_and_a_dm_in_the_dm(emulator: Emulator, bot: Runtime) -> None:
    parent = emulator.messages("random")[0]
    await (await emulator.user_message(user=WILL, channel="random", thread_ts=parent["ts"],
                                       text=f"<@{emulator.bot_user_id}> share report.csv")).acked()
    im, _ = emulator.workspace.open_im(WILL, emulator.bot_user_id)
    await (await emulator.user_message(user=WILL, channel=im.id, text="share charts/q3.png")).acked()
    await settle(bot)
    [in_thread] = file_messages(emulator, "random")
    assert in_thread["thread_ts"] == parent["ts"]
    [in_dm] = file_messages(emulator, im.id)
    assert emulator.workspace.files[in_dm["files"][0]["id"]].name == "q3.png"


async def test_a_slash_command_where_sloth_cannot_post_shares_by_dm(emulator: Emulator, bot: Runtime) -> None:
    outside = emulator.workspace.create_channel("outside", WILL)
    shown = said(await run(emulator, bot, "share report.csv", channel=outside.id))
    assert "Shared `report.csv` (22 B) in a DM, since I can't post in this conversation." in shown
    assert file_messages(emulator, outside.id) == []


def test_a_name_no_file_system_holds_is_refused_plainly(folder: Path) -> None:
    with pytest.raises(Refused, match="has characters no file name can hold"):
        read_shared(folder, "report\ud800.csv", LIMIT)  # a lone surrogate, as JSON can carry one


async def test_a_file_slack_will_not_take_is_explained(emulator: Emulator, bot: Runtime) -> None:
    emulator.fail_next("files.getUploadURLExternal", "file_type_not_allowed")
    shown = said(await run(emulator, bot, "share report.csv #random"))
    assert "Slack would not take `report.csv`: this workspace does not allow files of that type." in shown
    assert "error id" not in shown and uploads(emulator) == []
