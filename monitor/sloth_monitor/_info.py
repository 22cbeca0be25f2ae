"""Where a run is running: host, PID, process name and the git commit, read without running git."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Any


def process_info() -> dict[str, Any]:
    """The protocol 2 run fields that say which job this is."""
    return {"host": socket.gethostname()[:200], "pid": os.getpid(), "process": process_name()[:200],
            "git": git_info(script_dir())}


def process_name() -> str:
    """The script or module being run, as a person would name it (`train.py`, `-m trainer`, `ipykernel`)."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name and spec.name != "__main__":
        return spec.name.split(".")[0]
    if sys.argv and sys.argv[0] not in ("", "-c"):
        return Path(sys.argv[0]).name
    return Path(sys.executable).name + (" -c" if sys.argv[:1] == ["-c"] else "")


def script_dir() -> Path:
    """The folder of the script being run, else the working directory (notebooks, -c, the REPL)."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    if main_file and not str(main_file).endswith("ipykernel_launcher.py"):
        return Path(main_file).resolve().parent
    return Path.cwd()


def git_info(start: Path) -> dict[str, Any] | None:
    """{"commit", "branch"} of the repository holding `start`, or None outside one.

    Reads .git itself (HEAD, loose refs, packed-refs; worktrees' gitdir files too), so it costs a
    few file reads and works on machines without git installed.
    """
    try:
        git_dir = _find_git_dir(start)
        if git_dir is None:
            return None
        head = (git_dir / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return {"commit": head[:40], "branch": None} if _is_sha(head) else None
        ref = head[5:].strip()
        commit = _resolve(git_dir, ref)
        branch = ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else None
        return {"commit": commit, "branch": branch} if commit else None
    except (OSError, UnicodeDecodeError):
        return None


def _find_git_dir(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():  # a worktree or submodule: "gitdir: <path>"
            text = dot_git.read_text().strip()
            if text.startswith("gitdir: "):
                return (folder / text[8:]).resolve()
    return None


def _resolve(git_dir: Path, ref: str) -> str | None:
    # A worktree keeps HEAD of its own but shares refs with the main repository ("commondir").
    common = git_dir
    if (git_dir / "commondir").is_file():
        common = (git_dir / (git_dir / "commondir").read_text().strip()).resolve()
    for base in dict.fromkeys((git_dir, common)):
        loose = base / ref
        if loose.is_file():
            sha = loose.read_text().strip()
            return sha if _is_sha(sha) else None
    packed = common / "packed-refs"
    if packed.is_file():
        for line in packed.read_text().splitlines():
            sha, _, name = line.partition(" ")
            if name.strip() == ref and _is_sha(sha):
                return sha
    return None


def _is_sha(text: str) -> bool:
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)
