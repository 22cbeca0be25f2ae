"""`sloth sandbox` as a newcomer meets it: a real process, commands on stdin, replies on stdout."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path


def _pythonpath() -> dict[str, str]:
    # A fresh environment, as a newcomer has; PYTHONPATH passes through for checkouts run in place.
    path = os.environ.get("PYTHONPATH")
    return {"PYTHONPATH": path} if path else {}


def run_sandbox(script: str, tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", *options], input=script, capture_output=True, text=True, timeout=120,
        cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "COLUMNS": "100", **_pythonpath()},
    )


def test_scripted_session(tmp_path: Path) -> None:
    script = "\n".join([
        "/sloth team",
        "/sloth channels",
        "@sloth users wjk",
        "dm whois @wjk68",
        "/sloth histroy",
        "#random",
        "say hello <!here>",
        "/sloth history #random 3",
        "7",
    ]) + "\n"
    result = run_sandbox(script, tmp_path)
    out = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Data Analysis" in out and "data-analysis.slack.com" in out
    assert re.search(r"│ #python_content +│ Data Science and Python +│ +\d+ │", out)  # a table, numbers on the right
    assert "sloth in #general" in out and "Will Koehrsen │ @wjk68" in out  # the mention was answered in-channel
    assert "sloth in a direct message" in out and "Eastern Standard Time" in out
    assert "⚠️ I don't know the command histroy. Did you mean history?" in out  # an alert
    assert "hello @here" in out  # history shows the message, made inert
    assert "There is no button 7 on screen." in out
    assert "Traceback" not in result.stderr


def test_buttons_are_pressed_by_number(tmp_path: Path) -> None:
    result = run_sandbox("/sloth users\n1\n2\n", tmp_path, "--generated", "40,10")
    assert result.returncode == 0, result.stderr[-2000:]
    first, second, third = re.split(r"^> ", result.stdout, flags=re.M)[1:4]
    assert "Page 1 of 5" in first and "[1] Next ▶" in first
    assert "Page 2 of 5" in second and "(edited)" in second and "[1] ◀ Previous" in second
    assert "[2] Next ▶" in second
    assert "Page 3 of 5" in third


def test_connect_and_act_in_the_sandbox(tmp_path: Path) -> None:
    script = "\n".join([
        "/sloth status :palm_tree: Away for 2h",
        "1",
        "/sloth status :palm_tree: Away for 2h",
        "/sloth snooze 30",
        "/sloth say #general Build green as Python Test icon :snake:",
        "as @amelia",
        "/sloth create secret-plans",
    ]) + "\n"
    result = run_sandbox(script, tmp_path)
    out = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert "To use status, Sloth needs your permission" in out and "[1] Connect to Slack ↗" in out
    assert "in @wjk68's browser → Sloth is connected" in out and "You're connected" in out
    assert "Your status is now" in out and "Away, until" in out
    assert "Notifications paused for 30 minutes" in out
    assert "Python Test in #general" in out and "Posted in #general as Python Test" in out
    assert "Only Sloth's admins" in out
    assert "Traceback" not in result.stderr

def test_the_sandbox_serves_training_ingest_and_shows_the_card_as_it_changes(tmp_path: Path) -> None:
    from tests.e2e.training.training_harness import train

    errors = (tmp_path / "stderr.txt").open("w")  # a file, so a chatty stderr can never block the process
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "sandbox"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "COLUMNS": "100", **_pythonpath()}, stderr=errors,
    )
    lines: list[str] = []
    arrived = threading.Condition()

    def read() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            with arrived:
                lines.append(line)
                arrived.notify_all()

    def wait_for(pattern: str) -> re.Match[str]:
        with arrived:
            assert arrived.wait_for(lambda: re.search(pattern, "".join(lines)), timeout=60), "".join(lines)[-3000:]
            return re.search(pattern, "".join(lines))  # type: ignore[return-value]

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        hint = wait_for(r"SLOTH_URL=(\S+) SLOTH_MONITOR_TOKEN=(\S+) .* --channel '#ml'")
        url, token = hint.group(1), hint.group(2)
        run = train(url, "#ml", epochs=3, batches=3, token=token)  # the README's channel is there
        assert run.finished
        wait_for(r"sloth in #ml")
        wait_for(r"digits-cnn · completed")
        saved = wait_for(r"saved to\s+(\S+curves\.png)")
        assert Path(saved.group(1)).read_bytes().startswith(b"\x89PNG")
        process.stdin.write("quit\n")  # type: ignore[union-attr]
        process.stdin.flush()  # type: ignore[union-attr]
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        errors.close()
    assert "Traceback" not in (tmp_path / "stderr.txt").read_text()

def test_charts_exports_and_shared_files_are_saved_and_shown(tmp_path: Path) -> None:
    files = tmp_path / "files"
    files.mkdir()
    (files / "notes.txt").write_text("hello")
    script = "\n".join([
        "/sloth plot activity #chatter 14",
        "/sloth export #chatter 3",
        "/sloth share notes.txt #random",
        "/sloth share ../secret.txt",
        "/sloth files #random",
        "1",
    ]) + "\n"
    result = run_sandbox(script, tmp_path, "--files-dir", str(files))
    out = re.sub(r"\s*│\s*", "", result.stdout)  # undo rich's wrapping inside panels
    assert result.returncode == 0, result.stderr[-2000:]
    assert "(1120×630 PNG)" in out and "activity-chatter.png" in out
    export = re.search(r"saved to\s*(\S+\.csv)\s*\(CSV, ([\d,]+) rows\)", out)
    assert export and int(export.group(2).replace(",", "")) > 0
    assert "Shared notes.txt (5 B) in #random." in out
    assert "leads outside Sloth's files folder" in out
    assert "Deleted notes.txt." in out and "(a deleted file)" in out
    assert "Traceback" not in result.stderr


def test_a_form_is_filled_in_by_number_and_submitted(tmp_path: Path) -> None:
    script = "\n".join([
        "/sloth", "1 history", "submit",  # the menu, then the command's form
        "1 #random", "2 0", "submit",  # a bad value: shown under its input
        "2 2", "submit",
        "shortcut", "1 whois", "submit",  # the menu again, from the shortcut: whois
        "submit",  # a required input left blank: refused as Slack's client would
        "1 @amelia", "submit",
        "/sloth", "cancel",
    ]) + "\n"
    result = run_sandbox(script, tmp_path)
    out = re.sub(r"\s*│\s*", " ", result.stdout)  # undo rich's wrapping inside panels
    assert result.returncode == 0, result.stderr[-2000:]
    assert "🗔 /sloth history" in out and "[1] Channel: (Pick a channel)" in out
    assert "[2] Count (optional): (a whole number from 1 to 200, 10 unless you change it)" in out
    assert "⚠ count should be between 1 and 200." in out
    assert "(the form closed)" in out and "Last 2 messages in #random" in out
    assert "🗔 /sloth whois" in out and "is required: a member cannot submit it blank" in out
    assert "sloth in a direct message" in out and "Machine Learning Engineer" in out
    assert out.rstrip().endswith("(the form closed)")
    assert "Traceback" not in result.stderr


def test_the_home_tab_and_message_shortcuts_by_name(tmp_path: Path) -> None:
    script = "\n".join([
        "/sloth play tictactoe",
        "home",
        "1",  # the Home tab's Connect button: answered in the member's DM
        "say Shall we ship on Friday?",
        "shortcut export this thread",
        "shortcut Remind me about this",
        "shortcut Quote it",
    ]) + "\n"
    result = run_sandbox(script, tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    parts = re.split(r"^> ", result.stdout, flags=re.M)
    home, pressed, _, export, remind, unknown = parts[2:8]
    assert "Sloth · Home" in home and "Your games in progress" in home and "Tic-tac-toe" in home
    assert "[1] Connect" in home and "Help" in home
    assert "sloth in a direct message" in pressed and "Connect to Slack" in pressed
    assert "as a CSV in a DM" in export and "saved to" in export
    assert "/sloth remind" in remind and "in 1h about" in remind and "[1] Reminder" in remind
    assert "No message shortcut 'Quote it'" in unknown and '"Export this thread"' in unknown
