"""Sloth as a real process, started the way an operator starts it: the `sloth` console script.

Used by the loading tests: a team's folder as the working directory, features on PYTHONPATH,
wheels built offline and installed into a folder of their own, so the test venv stays as it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from sloth_emulator import Emulator
from tests.e2e.harness import visible_text

ROOT = Path(__file__).resolve().parents[2]
SLOTH = Path(sys.executable).with_name("sloth")  # the test venv's console script
# Tokens of the right shape, for runs that must stop at the settings check, before Slack is asked.
SHAPED_TOKENS = {"SLACK_BOT_TOKEN": "xoxb-0-not-a-real-token", "SLACK_APP_TOKEN": "xapp-0-not-a-real-token"}


def sloth_env(data_dir: Path, emu: Emulator | None = None, **extra: str) -> dict[str, str]:
    """This process's environment without Slack, Sloth, proxy or PYTHONPATH variables, plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "SLOTH_", "STANDUP_")) and "PROXY" not in k.upper() and k != "PYTHONPATH"}
    if emu is not None:
        env.update(SLACK_BOT_TOKEN=emu.bot_token, SLACK_APP_TOKEN=emu.app_token, SLACK_API_URL=emu.api_url)
    env.update({"SLOTH_HTTP_PORT": "0", "SLOTH_DATA_DIR": str(data_dir), "SLOTH_RENDER_WORKERS": "1", **extra})
    return env


def run(argv: Sequence[str | Path], env: dict[str, str], cwd: Path,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """A short command (`sloth features`, `sloth manifest`, a run refused at start), to its end."""
    return subprocess.run([str(a) for a in argv], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, check=False)


def problems(stderr: str) -> list[str]:
    """The problems of Sloth's one refusal message, which must be the only thing on stderr."""
    header, *lines = stderr.strip().splitlines()
    assert header == "Sloth cannot start; fix these settings:", stderr
    assert all(line.startswith("  - ") for line in lines), stderr
    return [line.removeprefix("  - ") for line in lines]


@contextlib.asynccontextmanager
async def running(argv: Sequence[str | Path], env: dict[str, str], cwd: Path, emu: Emulator) -> AsyncIterator[None]:
    """`sloth run` (or another start command) connected to `emu`; stopped with SIGTERM, which must
    end it cleanly: exit 0 and no traceback."""
    process = await asyncio.create_subprocess_exec(*[str(a) for a in argv], env=env, cwd=cwd,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    err = b""
    try:
        connected = asyncio.ensure_future(emu.wait_connected(1, timeout=60))
        exited = asyncio.ensure_future(process.wait())
        await asyncio.wait([connected, exited], return_when=asyncio.FIRST_COMPLETED)
        exited.cancel()
        if not connected.done():
            connected.cancel()
            _, err = await process.communicate()
            raise AssertionError(f"Sloth exited with {process.returncode} before connecting:\n{err.decode()[-3000:]}")
        yield
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    text = err.decode()
    assert process.returncode == 0, text[-3000:]
    assert "Traceback" not in text, text[-3000:]


async def slash(emu: Emulator, text: str, timeout: float = 30) -> str:  # noqa: ASYNC109
    """`/sloth <text>`; everything the reply to it shows, once Sloth has sent it."""
    delivery = await emu.slash_command(text=text)
    await delivery.acked()
    url = delivery.payload["response_url"]
    [reply] = await emu.wait_for(lambda: [p for p in emu.responses if p.url == url], timeout=timeout)
    return visible_text(reply.body)


def build_wheel(source: Path, into: Path) -> Path:
    """A wheel of the project in `source`, built offline with the test venv's setuptools."""
    result = run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                  "-w", into, source], dict(os.environ), source, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    [wheel] = into.glob("*.whl")
    return wheel


def install_into(wheels: Path | Sequence[Path], target: Path) -> Path:
    """The wheels installed into a folder of their own (scripts in `target/bin`), not the venv."""
    listed = [wheels] if isinstance(wheels, Path) else list(wheels)
    result = run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", target, *listed],
                 dict(os.environ), target.parent, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    return target


def dockerfile_sources() -> list[str]:
    """The files and folders the Dockerfile copies into the image to install Sloth from."""
    names: list[str] = []
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        words = line.split()
        if words[:1] == ["COPY"]:
            names += [w for w in words[1:-1] if not w.startswith("--")]
    return names


def sloth_wheels(into: Path) -> list[Path]:
    """Wheels of sloth-emulator and sloth-bot, built from exactly what the Dockerfile copies (so
    the image installs these)."""
    source = copy_project(ROOT, into / "source", dockerfile_sources())
    return [build_wheel(source / "emulator", into / "emulator-wheel"), build_wheel(source, into / "sloth-wheel")]


def copy_project(source: Path, into: Path, names: Sequence[str]) -> Path:
    """The parts of a project a wheel is built from, without caches or earlier builds."""
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", ".pytest_cache")
    into.mkdir(parents=True)
    for name in names:
        if (source / name).is_dir():
            shutil.copytree(source / name, into / name, ignore=ignore)
        else:
            shutil.copy2(source / name, into / name)
    return into
