"""What a member who is not in a private conversation can read or post through Sloth: nothing.

A private channel, a group DM and a DM, each holding a secret, Sloth a member of all three. Every
command that takes a channel is asked about each of them by a member of none (by name and by ID,
as a slash command, an @mention in #general and a DM), and nothing of their content, name or
purpose reaches anyone, nothing is posted into them. Members do get answers, only privately when
they ask where others would see.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.features.registry import Registry
from bot.features.router import Command
from bot.testing import Answer, Sloth
from sloth_emulator import Emulator
from sloth_emulator.model import FileRecord
from tests.e2e.harness import running_bot

WILL, AMELIA, JONAS, KENJI = "U01WJK68KS", "U01AMHART1", "U01JBECKER", "U01KSATO01"
GENERAL = "C01GENERAL"
SECRET_TEXT = "Board approved buying Initech for $4.2M"
SECRET_NAME = "acquisitions-q4"
SECRET_PURPOSE = "Mergers war room"
SECRET_FILE = "initech-term-sheet.txt"
GROUP_TEXT = "The reorg list is final, keep it quiet"
DM_TEXT = "My salary review came back at 190k"
SECRETS = (SECRET_TEXT, SECRET_PURPOSE, SECRET_FILE, GROUP_TEXT, DM_TEXT, "Initech", "reorg", "190k")


@dataclass(frozen=True)
class Private:
    channel: str
    group: str
    dm: str


pytestmark = pytest.mark.both_transports  # the whole sweep, over Socket Mode and over HTTP


@pytest.fixture
async def sloth(emulator: Emulator, tmp_path: Path, transport: str) -> AsyncIterator[Sloth]:
    async with running_bot(emulator, tmp_path, transport=transport) as runtime:
        yield Sloth(emulator, runtime, runtime.clock)


@pytest.fixture
def private(emulator: Emulator) -> Private:
    ws = emulator.workspace
    secret = ws.create_channel(SECRET_NAME, WILL, is_private=True)
    secret.members.update(dict.fromkeys([AMELIA, emulator.bot_user_id]))
    secret.purpose = SECRET_PURPOSE
    ws.post(secret, {"user": WILL, "text": SECRET_TEXT})
    ws.add_file(FileRecord("F0SECRET01", SECRET_FILE, WILL, ws.now(), title=SECRET_FILE, length=5, content=b"terms",
                           complete=True))
    shared = ws.post(secret, {"user": WILL, "text": "the draft", "upload": True, "files": [{"id": "F0SECRET01"}]})
    ws.files["F0SECRET01"].shares[secret.id] = [shared["ts"]]
    group, _ = ws.open_mpim([WILL, AMELIA, emulator.bot_user_id])
    ws.post(group, {"user": AMELIA, "text": GROUP_TEXT})
    dm, _ = ws.open_im(emulator.bot_user_id, WILL)
    ws.post(dm, {"user": WILL, "text": DM_TEXT})
    return Private(secret.id, group.id, dm.id)


def everything_sloth_said(emu: Emulator) -> list[str]:
    """All Sloth showed anyone: its messages, ephemerals, response_url answers, files it made."""
    said: list[object] = [m for c in emu.workspace.channels.values() for m in c.messages.values()
                          if m.get("user") == emu.bot_user_id or m.get("bot_id")]
    said += list(emu.workspace.ephemerals)
    said += [r.body for r in emu.responses]
    said += [(f.name, f.title, (f.content or b"").decode("utf-8", "replace"))
             for f in emu.workspace.files.values() if f.user == emu.bot_user_id]
    return [json.dumps(item, ensure_ascii=False, default=str) for item in said]


def channel_commands(registry: Registry) -> list[Command]:
    return [c for c in registry.listed() if any(p.kind == "channel" for p in c.params)]


def line_for(command: Command, target: str) -> str:
    """`command` with `target` where its channel goes and a plausible value for everything else."""
    words = [command.name]
    for param in command.params:
        if param.kind == "channel":
            words.append(target)
        elif "|" in param.name:  # a choice, e.g. `plot activity|members`
            words.append(param.name.split("|")[0])
        elif param.required:
            words.append({"text": "hello there", "int": "3", "user": f"<@{JONAS}>"}.get(param.kind, "x"))
    return " ".join(words)


async def ask(sloth: Sloth, line: str, how: str, user: str) -> Answer:
    if how == "slash":
        return await sloth.command(line, user=user, channel=GENERAL)
    if how == "mention":
        return await sloth.mention(line, user=user, channel=GENERAL)
    return await sloth.dm(line, user=user)


async def test_a_non_member_gets_nothing_of_a_private_conversation_from_any_command(
        emulator: Emulator, sloth: Sloth, private: Private) -> None:
    commands = channel_commands(sloth.runtime.registry)
    assert {"history", "export", "say", "files", "plot", "purpose", "invite", "archive"} <= {c.name for c in commands}
    before = {cid: len(emulator.workspace.channels[cid].messages) for cid in vars(private).values()}
    targets = [(f"#{SECRET_NAME}", True), (f"<#{private.channel}>", False), (f"<#{private.group}>", False),
               (f"<#{private.dm}>", False)]
    asked = 0
    for command in commands:
        for target, by_name in targets:
            for how in ("slash", "mention", "dm"):
                earlier = set(everything_sloth_said(emulator))
                answer = await ask(sloth, line_for(command, target), how, user=KENJI)
                asked += 1
                assert answer, f"no answer to {command.name} {target} ({how})"
                said = "\n".join(item for item in everything_sloth_said(emulator) if item not in earlier)
                leaked = [s for s in SECRETS if s in said]
                assert not leaked, f"{command.name} {target} ({how}) showed {leaked}"
                if not by_name:  # asked by ID, the channel's name stays unknown to them too
                    assert SECRET_NAME not in said, f"{command.name} {target} ({how}) named the channel"
    assert asked == len(commands) * 12
    after = {cid: len(emulator.workspace.channels[cid].messages) for cid in vars(private).values()}
    assert after == before  # nothing was posted into any of them
    read = [c for c in emulator.calls_to("conversations.history") if c.args.get("channel") in vars(private).values()]
    assert read == []  # refused before Slack was even asked


async def test_members_get_answers_but_never_where_others_see_them(
        emulator: Emulator, sloth: Sloth, private: Private) -> None:
    answer = await sloth.mention(f"history #{SECRET_NAME}", user=AMELIA, channel=GENERAL)
    assert [p.ephemeral_to for p in answer.posts] == [AMELIA] and SECRET_TEXT in answer.visible
    assert not [m for m in emulator.messages(GENERAL) if m.get("bot_id")]  # #general saw nothing
    answer = await sloth.mention(f"history <#{private.dm}>", user=WILL, channel=GENERAL)
    assert [p.ephemeral_to for p in answer.posts] == [WILL] and DM_TEXT in answer.visible
    answer = await sloth.dm(f"history #{SECRET_NAME}", user=WILL)
    assert SECRET_TEXT in answer.visible  # Will's own DM with Sloth is his alone
    answer = await sloth.mention(f"history #{SECRET_NAME}", user=AMELIA, channel=private.channel)
    assert answer.posts[0].ephemeral_to is None and answer.posts[0].channel == private.channel
    listing = await sloth.mention("channels", user=AMELIA, channel=GENERAL)
    assert SECRET_NAME in listing.visible and [p.ephemeral_to for p in listing.posts] == [AMELIA]
    public = await sloth.mention("channels", user=KENJI, channel=GENERAL)
    assert SECRET_NAME not in public.visible and SECRET_PURPOSE not in public.visible
    assert "python_content" in public.visible and public.posts[0].ephemeral_to is None  # still answered in public


async def test_files_lists_only_files_the_asker_could_see(emulator: Emulator, sloth: Sloth, private: Private) -> None:
    assert SECRET_FILE not in (await sloth.command("files", user=KENJI)).visible
    assert "slack_analysis.py" in (await sloth.command("files", user=KENJI)).visible
    mine = await sloth.mention("files", user=AMELIA, channel=GENERAL)
    assert SECRET_FILE in mine.visible and [p.ephemeral_to for p in mine.posts] == [AMELIA]


async def test_say_posts_into_a_private_channel_only_for_its_members(
        emulator: Emulator, sloth: Sloth, private: Private) -> None:
    refused = await sloth.command(f"say #{SECRET_NAME} hello as Alert", user=KENJI)
    assert "can't find the channel" in refused.text
    assert not [m for m in emulator.messages(private.channel) if m.get("bot_id")]
    await sloth.command(f"say #{SECRET_NAME} hello as Alert", user=AMELIA)
    [posted] = [m for m in emulator.messages(private.channel) if m.get("bot_id")]
    assert posted["text"] == "hello" and posted["username"] == "Alert"


async def test_membership_follows_slack_at_once(emulator: Emulator, sloth: Sloth, private: Private) -> None:
    assert SECRET_TEXT not in (await sloth.command(f"history #{SECRET_NAME}", user=KENJI)).visible
    delivery = await emulator.join_channel(private.channel, KENJI, inviter=WILL)
    assert delivery is not None
    await delivery.acked()
    await sloth.settle()
    assert SECRET_TEXT in (await sloth.command(f"history #{SECRET_NAME}", user=KENJI)).visible
    await sloth.settle()
    delivery = await emulator.leave_channel(private.channel, KENJI)
    assert delivery is not None
    await delivery.acked()
    await sloth.settle()
    assert SECRET_TEXT not in (await sloth.command(f"history #{SECRET_NAME}", user=KENJI)).visible


async def test_a_guest_sees_only_the_channels_they_were_invited_to(emulator: Emulator, sloth: Sloth) -> None:
    guest = emulator.workspace.users[JONAS]
    guest.is_restricted = True
    emulator.workspace.channels["C01RANDOM1"].members.pop(JONAS)
    await sloth.runtime.directory.load_users(force=True)
    refused = await sloth.command("history #random", user=JONAS)
    assert "can't find the channel `random`" in refused.text and "hot dog" not in refused.visible
    assert "hot dog" in (await sloth.command("history #random", user=KENJI)).visible
    listing = await sloth.command("channels", user=JONAS)
    assert "general" in listing.visible and "random" not in listing.visible


async def test_a_private_channel_named_in_a_public_message_is_shown_only_as_private(
        emulator: Emulator, sloth: Sloth, private: Private) -> None:
    general = emulator.workspace.channels[GENERAL]
    emulator.workspace.post(general, {"user": WILL, "text": f"details in <#{private.channel}|{SECRET_NAME}>"})
    await sloth.runtime.directory.load_channels(force=True)
    shown = (await sloth.command("history #general 1", user=KENJI)).visible
    assert "details in #private-channel" in shown and SECRET_NAME not in shown
