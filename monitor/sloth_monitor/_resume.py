"""Continuing a run after a restart: the resume token, and the file a job may keep it in.

A run belongs to the client instance that created it (a random id sent with every request), so
no other job can report under its run id. A job restarted after preemption is another client
instance; it continues the same run, card and curves by presenting the earlier instance's id as
its resume token (protocol `run.resume`), with the same owner. Only the job that ran before
knows that token: keep it beside the checkpoint, e.g. with ``resume_file="ckpt/sloth-run.json"``,
which this module reads when the run is made and writes when it starts (owner-only permissions).
A run that completes removes its file: the next start is a new run.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from ._wire import Problems

TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def checked_token(token: Any, problems: Problems) -> str | None:
    if token is None or (isinstance(token, str) and TOKEN.match(token)):
        return token
    problems.add("bad_resume", f"resume_token {str(token)[:70]!r} is not a run's resume token; "
                 "the run starts afresh")
    return None


def read(path: str | os.PathLike[str], problems: Problems) -> dict[str, str] | None:
    """{"run_id", "token"} from a resume file, or None when there is none (or it is unreadable)."""
    try:
        saved = json.loads(Path(path).read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        problems.add("bad_resume", f"cannot read the resume file {str(path)[:200]}: {exc}"[:300])
        return None
    if (not isinstance(saved, dict) or not isinstance(saved.get("run_id"), str)
            or not isinstance(saved.get("token"), str) or not TOKEN.match(saved["token"])):
        problems.add("bad_resume", f"the resume file {str(path)[:200]} is not one sloth_monitor wrote")
        return None
    return {"run_id": saved["run_id"], "token": saved["token"]}


def write(path: str | os.PathLike[str], run_id: str, token: str, problems: Problems) -> None:
    """Replace the file at once (a job killed mid-write leaves the old one), readable by its owner only."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".sloth-run-", dir=target.parent)
        with os.fdopen(handle, "w") as out:  # mkstemp makes it 0600
            json.dump({"run_id": run_id, "token": token}, out)
        os.replace(temporary, target)
    except OSError as exc:
        problems.add("bad_resume", f"cannot write the resume file {str(path)[:200]}: {exc}"[:300])


def remove(path: str | os.PathLike[str], run_id: str) -> None:
    """Remove the file if it is still this run's."""
    try:
        saved = json.loads(Path(path).read_text())
        if isinstance(saved, dict) and saved.get("run_id") == run_id:
            Path(path).unlink()
    except (OSError, ValueError):
        pass
