"""Commands run as tools for a member (`bot.agent.tools.run_tool`): through the slash command's own
dispatch, so the member's rights, the channels they may see, their own connection and the
command's parser apply as they do to `/sloth`. Real SDK clients against the emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.agent.tools import run_tool
from bot.testing import Sloth
from sloth_emulator import Emulator
from tests.e2e.browser import oauth_settings
from tests.e2e.harness import running_bot

WJK68, AMELIA, KENJI = "U01WJK68KS", "U01AMHART1", "U01KSATO01"


@pytest.fixture
async def sloth(emulator: Emulator, tmp_path: Path) -> AsyncIterator[Sloth]:
    async with running_bot(emulator, tmp_path, **oauth_settings(emulator)) as runtime:
        yield Sloth(emulator, runtime, runtime.clock)


async def test_a_read_tool_answers_as_plain_text_for_its_member(sloth: Sloth, slack: Emulator) -> None:
    result = await run_tool(sloth.runtime.ctx, "whois", {"user": "@kenji"}, member=AMELIA, channel=None)
    assert result.ok, result.text
    assert "Kenji Sato" in result.text and "<@" not in result.text  # names, not Slack's markup
    assert not [c for c in slack.calls if c.method in ("chat.postMessage", "chat.postEphemeral")]  # said to no one


async def test_an_admin_command_is_refused_to_a_member_and_nothing_changes(sloth: Sloth, slack: Emulator) -> None:
    result = await run_tool(sloth.runtime.ctx, "archive", {"channel": "#random"}, member=KENJI, channel=None)
    assert not result.ok
    assert result.text.startswith("Only Sloth's admins (and the workspace's admins and owners) can use `archive`")
    assert not slack.workspace.channel("random").is_archived
    assert not [c for c in slack.calls if c.method == "conversations.archive"]


async def test_a_bad_argument_is_refused_in_the_parsers_words(sloth: Sloth) -> None:
    result = await run_tool(sloth.runtime.ctx, "history", {"channel": "#random", "count": 0}, member=AMELIA,
                            channel=None)
    assert not result.ok and "count should be between 1 and" in result.text
    assert result.text.startswith("Usage: `history #channel [count]`")
    unknown = await run_tool(sloth.runtime.ctx, "history", {"chanel": "#random"}, member=AMELIA, channel=None)
    assert not unknown.ok and unknown.text == "`history` does not take chanel; it takes channel, count."
    missing = await run_tool(sloth.runtime.ctx, "archive-everything", {}, member=WJK68, channel=None)
    assert not missing.ok and missing.text == "There is no tool called `archive-everything`."


async def test_a_member_command_needs_the_members_own_connection(sloth: Sloth, slack: Emulator) -> None:
    result = await run_tool(sloth.runtime.ctx, "status", {"status": ":palm_tree: On holiday"}, member=KENJI,
                            channel=None)
    assert not result.ok and "Sloth needs your permission to act as you" in result.text
    assert "Connect to Slack" in str(result.reply.blocks)  # the button, for a caller that can show it
    assert slack.workspace.users[KENJI].status_text == "Commuting"
    await sloth.connect("kenji")
    done = await run_tool(sloth.runtime.ctx, "status", {"status": ":palm_tree: On holiday"}, member=KENJI,
                          channel=None)
    assert done.ok and done.text == "Your status is now :palm_tree: On holiday."
    assert slack.workspace.users[KENJI].status_text == "On holiday"


async def test_a_private_channel_the_member_is_not_in_is_refused_like_one_that_does_not_exist(
        sloth: Sloth, slack: Emulator) -> None:
    secret = slack.workspace.create_channel("acquisition", WJK68, is_private=True)
    secret.members.update(dict.fromkeys([slack.bot_user_id]))
    slack.workspace.post(secret, {"user": WJK68, "text": "the offer is 40M"})
    result = await run_tool(sloth.runtime.ctx, "history", {"channel": secret.id}, member=KENJI, channel=None)
    assert not result.ok and "40M" not in result.text
    assert "channel" in result.text.lower()
