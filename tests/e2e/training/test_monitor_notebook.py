"""The client in a real Jupyter kernel (ipykernel, started by the test): the kernel's running
event loop is no problem, and running a cell again does not leave threads behind."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.training.monitor_server import RecordingServer

pytestmark = pytest.mark.integrations
jupyter_client = pytest.importorskip("jupyter_client", reason="needs the [integrations] extra (jupyter_client)")
pytest.importorskip("ipykernel", reason="needs the [integrations] extra (ipykernel)")

THREADS = """
import json, threading
print(json.dumps(sorted(t.name for t in threading.enumerate() if t.name.startswith("sloth-monitor-"))))
"""


class Notebook:
    """A kernel and a client to run cells in it; each cell's printed text is returned."""

    def __init__(self, kernels: Path) -> None:
        spec = kernels / "sloth-test"
        spec.mkdir(parents=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "sloth test", "language": "python"}))
        specs = jupyter_client.kernelspec.KernelSpecManager(kernel_dirs=[str(kernels)])
        self.manager = jupyter_client.KernelManager(kernel_name="sloth-test", kernel_spec_manager=specs)
        self.manager.start_kernel()
        self.client = self.manager.blocking_client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)

    def run(self, code: str) -> str:
        printed: list[str] = []

        def collect(message: dict[str, Any]) -> None:
            if message["msg_type"] == "stream":
                printed.append(message["content"]["text"])
            elif message["msg_type"] == "error":
                printed.append("\n".join(message["content"]["traceback"]))

        reply = self.client.execute_interactive(code, output_hook=collect, timeout=60)
        assert reply["content"]["status"] == "ok", "".join(printed)
        return "".join(printed)

    def close(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


@pytest.fixture
def notebook(tmp_path: Path) -> Iterator[Notebook]:
    kernel = Notebook(tmp_path / "kernels")
    yield kernel
    kernel.close()


def monitor_threads(notebook: Notebook) -> list[str]:
    found: list[str] = json.loads(notebook.run(THREADS))
    return found


def test_re_running_a_cell_in_a_kernel_leaves_one_thread(notebook: Notebook, server: RecordingServer) -> None:
    loop = notebook.run("import asyncio\ntry:\n    asyncio.get_running_loop(); print('running')\n"
                        "except RuntimeError:\n    print('none')\n")
    cell = (f"from sloth_monitor import TrainingRun\n"
            f"run = TrainingRun('nb-run', channel='#ml', url={server.url!r}, poll_interval=0.2)\n"
            "run.log_epoch(0, loss=1.0)\nprint(run.run_id)\n")
    run_ids = [notebook.run(cell).strip() for _ in range(3)]
    # The replaced runs' threads end as soon as their finish is delivered: wait for that, not a time.
    notebook.run("import threading\nfor t in threading.enumerate():\n"
                 "    if t.name.startswith('sloth-monitor-') and not t.name.endswith(run.run_id[:8]):\n"
                 "        t.join(10)\n")
    assert monitor_threads(notebook) == [f"sloth-monitor-{run_ids[-1][:8]}"]

    notebook.run("assert run.finish() is True\n"
                 "for t in threading.enumerate():\n    if t.name.startswith('sloth-monitor-'): t.join(10)\n")
    assert monitor_threads(notebook) == []
    assert loop.strip() == "running"  # the kernel runs cells inside its asyncio loop
    finishes = {r.path.split("/")[-2]: e for r in server.received for e in r.events if e["type"] == "finish"}
    assert [finishes[i]["status"] for i in run_ids] == ["stopped", "stopped", "completed"]
    assert [finishes[i]["error"]["type"] for i in run_ids[:2]] == ["Replaced", "Replaced"]
    assert server.received[0].body["run"]["process"] == "ipykernel_launcher.py"


def test_a_with_block_inside_the_kernels_event_loop(notebook: Notebook, server: RecordingServer) -> None:
    cell = ("import asyncio\nfrom sloth_monitor import TrainingRun\n"
            "async def train():\n"
            f"    with TrainingRun('nb-async', channel='#ml', url={server.url!r}) as run:\n"
            "        for epoch in range(3):\n"
            "            await asyncio.sleep(0)  # other tasks of the kernel's loop run in between\n"
            "            run.log_epoch(epoch, loss=1.0 / (epoch + 1))\n"
            "    return run.finish()\n"
            "print(await train())\n")
    assert notebook.run(cell).strip() == "True"
    assert [e["type"] for e in server.events()] == ["start", "epoch", "epoch", "epoch", "finish"]
