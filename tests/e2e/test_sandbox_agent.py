"""`sloth sandbox` with a model (SLOTH_MODEL* pointing at the scripted model server): a question in a
DM is answered by the agent, and the terminal draws the streamed answer as it grows, then its
feedback buttons, pressed by number."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.testing.model_server import ScriptedModel, Step, pieces

ANSWER = Step(text="Kenji Sato works on the data team in Tokyo.", chunks=4, gap=0.7)


async def test_the_sandbox_draws_a_streamed_answer_as_it_grows(tmp_path: Path) -> None:
    first, *_, last = pieces(ANSWER.text, ANSWER.chunks)
    async with ScriptedModel([ANSWER]) as model:
        env = {"PATH": "/usr/bin:/bin", "COLUMNS": "100", "SLOTH_MODEL": "scripted",
               "SLOTH_MODEL_URL": model.openai_url, "SLOTH_MODEL_KEY": "test-key",
               **({"PYTHONPATH": os.environ["PYTHONPATH"]} if os.environ.get("PYTHONPATH") else {})}
        sandbox = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "sandbox", cwd=tmp_path, env=env, stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        assert sandbox.stdin and sandbox.stdout and sandbox.stderr
        sandbox.stdin.write(b"dm who is kenji?\n1\n")
        await sandbox.stdin.drain()
        sandbox.stdin.close()
        out = ""
        async with asyncio.timeout(60):
            while "writing…" not in out or first not in out.split("writing…", 1)[1]:
                chunk = await sandbox.stdout.read(4096)
                assert chunk, out
                out += chunk.decode()
            # The first piece is on screen while the model has yet to write the last one.
            assert last not in out.split("writing…", 1)[1]
            rest, errors = await sandbox.communicate()
        out += rest.decode()
    assert sandbox.returncode == 0, errors.decode()[-2000:]
    streamed = out.split("writing…", 1)[1]
    assert ANSWER.text in streamed  # the pieces, in order, as one text
    assert "answered" in streamed and "[1] 👍 Good answer" in streamed and "[2] 👎 Bad answer" in streamed
    assert "There is no button 1" not in out and "Traceback" not in errors.decode()
    assert len(model.requests) == 1 and model.requests[0]["messages"][-1]["content"] == "who is kenji?"
