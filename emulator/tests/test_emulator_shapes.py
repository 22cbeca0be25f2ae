"""The emulator answers in the shapes of Slack's documented examples (emulator/sloth_emulator/fixtures)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

import sloth_emulator
from sloth_emulator import Emulator, Workspace

FIXTURES = Path(sloth_emulator.__file__).parent / "fixtures"
WJK68 = "U01WJK68KS"

# Parts of Slack's examples the emulator leaves out on purpose.
NOT_EMULATED = (
    ".profile.fields.",  # custom profile field IDs are workspace data, not shape
    ".channel.properties.",  # channel tabs and canvases
    ".message.username", ".message.subtype",  # the example is a legacy bot_message; apps post with bot_id
    "thumb_", "original_", "deanimate_gif", "pjpeg", "image_exif_rotation",  # image previews
    ".preview", ".score", ".top_file", ".reactions", ".shares.public.C0T8SE4AU",
    ".messages[].subscribed", ".messages[].last_read", ".messages[].unread_count",  # per-reader thread state
)


def missing_keys(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Paths present in Slack's example and absent from the answer (first item of each list)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found: list[str] = []
        for key, value in expected.items():
            where = f"{path}.{key}"
            found += [where] if key not in actual else missing_keys(value, actual[key], where)
        return found
    if isinstance(expected, list) and isinstance(actual, list) and expected and actual:
        return missing_keys(expected[0], actual[0], f"{path}[]")
    return []


def example(method: str, name: str = "success") -> dict[str, Any]:
    examples: dict[str, Any] = json.loads((FIXTURES / f"{method}.json").read_text())
    return examples[name]


@pytest.fixture(scope="module")
def emu() -> Emulator:
    emulator = Emulator(Workspace.default())
    bot = emulator.bot_token
    emulator.api.handle("chat.postMessage", {"channel": "C01GENERAL", "text": "seed"}, bot)
    emulator.api.handle("conversations.open", {"users": WJK68}, bot)
    return emulator


CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("auth.test", {}, "bot", "success_with_bot_token"),
    ("team.info", {}, "bot", "success"),
    ("users.list", {}, "bot", "success"),
    ("users.info", {"user": WJK68}, "bot", "success"),
    ("users.lookupByEmail", {"email": "will@data-analysis.example.com"}, "bot", "success"),
    ("users.profile.get", {}, "user", "success"),
    ("users.profile.set", {"profile": {"status_text": "Reading"}}, "user", "success"),
    ("users.getPresence", {}, "user", "success_for_token_holder"),
    ("conversations.list", {}, "bot", "success"),
    ("conversations.info", {"channel": "C01GENERAL"}, "bot", "success"),
    ("conversations.history", {"channel": "C01GENERAL", "limit": 1}, "bot", "success"),
    ("conversations.replies", {"channel": "C01PYTHONC", "ts": "", "limit": 2}, "bot", "success"),
    ("conversations.members", {"channel": "C01GENERAL", "limit": 2}, "bot", "success"),
    ("conversations.open", {"users": WJK68, "return_im": True}, "bot", "success_with_return_im"),
    ("conversations.create", {"name": "endeavor"}, "bot", "success"),
    ("conversations.invite", {"channel": "endeavor", "users": WJK68}, "bot", "success"),
    ("conversations.setPurpose", {"channel": "C01GENERAL", "purpose": "Announcements"}, "bot", "success"),
    ("chat.postMessage", {"channel": "C01GENERAL", "text": "x", "attachments": [{"text": "a", "fallback": "a"}]},
     "bot", "success"),
    ("chat.postEphemeral", {"channel": "C01GENERAL", "user": WJK68, "text": "x"}, "bot", "success"),
    ("chat.scheduleMessage", {"channel": "C01GENERAL", "text": "x", "post_at": int(time.time()) + 600,
                              "attachments": [{"text": "a", "fallback": "a"}]}, "bot", "success"),
    ("dnd.info", {}, "user", "success"),
    ("dnd.setSnooze", {"num_minutes": 5}, "user", "success"),
    ("reminders.add", {"text": "eat a banana", "time": "in 5 minutes"}, "user", "success"),
    ("search.messages", {"query": "pandas"}, "user", "success"),
    ("search.files", {"query": "slack"}, "user", "success"),
    ("files.info", {"file": "F01NOTEBK1"}, "bot", "success"),
    ("files.list", {}, "bot", "success"),
    ("files.getUploadURLExternal", {"filename": "a.txt", "length": 3}, "bot", "success"),
]


@pytest.mark.parametrize(("method", "args", "token", "name"), CASES, ids=[c[0] for c in CASES])
def test_answers_have_the_documented_shape(emu: Emulator, method: str, args: dict[str, Any], token: str,
                                           name: str) -> None:
    if method == "conversations.replies":
        args = {**args, "ts": next(iter(emu.workspace.channels["C01PYTHONC"].messages))}
    result = emu.api.handle(method, dict(args), emu.bot_token if token == "bot" else emu.user_token)
    assert result.status == 200 and result.body["ok"], result.body
    gaps = [p for p in missing_keys(example(method, name), result.body) if not any(n in p for n in NOT_EMULATED)]
    assert gaps == []


def test_update_delete_and_upload_completion_shapes(emu: Emulator) -> None:
    bot = emu.bot_token
    posted = emu.api.handle("chat.postMessage", {"channel": "C01GENERAL", "text": "draft"}, bot).body
    updated = emu.api.handle("chat.update", {"channel": "C01GENERAL", "ts": posted["ts"], "text": "final"}, bot)
    assert missing_keys(example("chat.update"), updated.body) == []
    deleted = emu.api.handle("chat.delete", {"channel": "C01GENERAL", "ts": posted["ts"]}, bot)
    assert missing_keys(example("chat.delete"), deleted.body) == []
    upload = emu.api.handle("files.getUploadURLExternal", {"filename": "a.txt", "length": 2}, bot).body
    assert emu.receive_upload(upload["upload_url"].rsplit("/", 1)[-1], b"hi")
    done = emu.api.handle("files.completeUploadExternal",
                          {"files": json.dumps([{"id": upload["file_id"], "title": "A"}])}, bot)
    assert missing_keys(example("files.completeUploadExternal"), done.body) == []
    assert done.body["files"] == [{"id": upload["file_id"], "title": "A"}]  # nothing more, as in the reference


def test_errors_have_the_documented_shape(emu: Emulator) -> None:
    answer = emu.api.handle("users.info", {"user": "U0NOBODY"}, emu.bot_token).body
    assert answer == example("users.info", "error")
    answer = emu.api.handle("conversations.info", {"channel": "C0NOWHERE"}, emu.bot_token).body
    assert answer == example("conversations.info", "error")
    answer = emu.api.handle("auth.test", {}, None).body
    assert answer == example("auth.test", "error_with_no_token")
