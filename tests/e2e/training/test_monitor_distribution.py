"""The sloth-monitor distribution on its own: built as a wheel, installed alone in a fresh virtual
environment (no network, no other package), it imports and reports with the standard library only."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

from tests.e2e.training.monitor_server import RecordingServer
from tests.unit.test_monitor_imports import probe, third_party

ROOT = Path(__file__).resolve().parents[3]
REPORT = """
import json, sys
from sloth_monitor import TrainingRun
with TrainingRun("alone", channel="#ml", url=sys.argv[1], system_interval=2) as run:
    run.log_epoch(0, loss=1.0)
print(json.dumps({"delivered": run.finish(), "file": __import__("sloth_monitor").__file__}))
"""


def build_wheel(out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(ROOT / "monitor")], check=True, timeout=120, capture_output=True)
    [wheel] = out.glob("sloth_monitor-*.whl")
    return wheel


def test_the_wheel_installs_alone_and_imports_only_the_standard_library(tmp_path: Path,
                                                                        server: RecordingServer) -> None:
    wheel = build_wheel(tmp_path / "dist")
    venv.EnvBuilder(with_pip=True).create(tmp_path / "env")
    python = str(tmp_path / "env" / "bin" / "python")
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-index", "--no-deps", str(wheel)],
                   check=True, timeout=120, capture_output=True)
    listed = subprocess.run([python, "-m", "pip", "list", "--format=json"], check=True, capture_output=True,
                            text=True, timeout=60)
    installed = {p["name"].lower() for p in json.loads(listed.stdout)}
    assert installed - {"pip", "setuptools", "wheel"} == {"sloth-monitor"}

    result = probe(python, cwd=tmp_path)  # not from the checkout: from the environment
    assert third_party(result["added"]) == set() and result["threads"] == 1
    missing = subprocess.run([python, "-c", "from sloth_monitor.lightning import LightningCallback\n"
                              "LightningCallback('x', channel='#ml')"], capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and "No module named" in missing.stderr  # only when a callback is made

    done = subprocess.run([python, "-I", "-c", REPORT, server.url], capture_output=True, text=True, check=True,
                          timeout=60, cwd=tmp_path)
    answer = json.loads(done.stdout)
    assert answer["delivered"] is True and answer["file"].startswith(str(tmp_path / "env"))
    assert [e["type"] for e in server.events()] == ["start", "epoch", "finish"]
