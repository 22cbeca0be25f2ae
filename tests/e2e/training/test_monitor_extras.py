"""The machine's figures (fake NVML, fake nvidia-smi, neither), the tqdm drop-in and @notify,
through the real client against a recording stand-in Sloth."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from sloth_monitor import TrainingRun, notify, tqdm
from sloth_monitor import _tqdm as monitor_tqdm
from sloth_monitor._system import MIN_INTERVAL, Sampler, parse_smi
from tests.e2e.training.monitor_server import RecordingServer

FAKE_NVML = '''
import threading
calls = []  # the thread of every call, so the test can see who samples

class _Util:
    def __init__(self, gpu): self.gpu = gpu

class _Memory:
    def __init__(self, used, total): self.used, self.total = used, total

def _called():
    calls.append(threading.current_thread().name)

def nvmlInit(): _called()
def nvmlDeviceGetCount(): _called(); return 2
def nvmlDeviceGetHandleByIndex(i): _called(); return i
def nvmlDeviceGetName(h): return b"Fake A100" if h == 0 else "Fake H100"
def nvmlDeviceGetUtilizationRates(h): _called(); return _Util(37 + h)
def nvmlDeviceGetMemoryInfo(h): _called(); return _Memory((h + 1) * 1024**3, 80 * 1024**3)
'''
FAKE_SMI = """#!/bin/sh
echo "0, Fake L4, 12, 2048, 23034"
echo "1, Fake L4, [N/A], 0, 23034"
"""


def system_events(server: RecordingServer) -> list[dict[str, Any]]:
    return [e for e in server.events(system=True) if e["type"] == "system"]


def sampled_run(server: RecordingServer) -> dict[str, Any]:
    """Start a run, wait for its first machine sample to arrive, finish; that sample."""
    with TrainingRun("gpus", channel="#ml", url=server.url, system_interval=MIN_INTERVAL) as run:
        server.wait_for(lambda requests: any(e["type"] == "system" for r in requests for e in r.events))
        run.log_epoch(0, loss=1.0)
    [sample] = system_events(server)[:1]
    return sample


def test_gpu_figures_come_from_nvml_off_the_training_thread(server: RecordingServer, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pynvml.py").write_text(FAKE_NVML)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "pynvml", raising=False)
    sample = sampled_run(server)
    assert sample["source"] == "nvml"
    assert sample["gpus"] == [
        {"index": 0, "name": "Fake A100", "util_percent": 37.0, "mem_used_mb": 1024.0, "mem_total_mb": 81920.0},
        {"index": 1, "name": "Fake H100", "util_percent": 38.0, "mem_used_mb": 2048.0, "mem_total_mb": 81920.0}]
    calls = sys.modules["pynvml"].calls
    assert calls and all(name.startswith("sloth-monitor-") for name in calls), calls
    assert threading.current_thread().name not in calls


def test_without_nvml_gpu_figures_come_from_nvidia_smi(server: RecordingServer, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    smi = tmp_path / "nvidia-smi"
    smi.write_text(FAKE_SMI)
    smi.chmod(0o755)
    monkeypatch.setitem(sys.modules, "pynvml", None)  # as where nvidia-ml-py is not installed
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    sample = sampled_run(server)
    assert sample["source"] == "nvidia-smi"
    assert [(g["name"], g["util_percent"], g["mem_used_mb"]) for g in sample["gpus"]] == [
        ("Fake L4", 12.0, 2048.0), ("Fake L4", None, 0.0)]


def test_without_either_the_card_gets_cpu_and_ram_only(server: RecordingServer, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", None)
    monkeypatch.setenv("PATH", str(tmp_path))  # no nvidia-smi anywhere
    sample = sampled_run(server)
    assert sample["source"] == "none" and sample["gpus"] == []
    assert sample["ram_total_mb"] > sample["ram_used_mb"] > 0 and sample["process_rss_mb"] > 0


def test_samples_are_never_more_frequent_than_the_card_is_edited() -> None:
    assert Sampler(0.1).interval == MIN_INTERVAL == 2.0
    sampler = Sampler(3.0, finder=lambda: (None, "none"))
    first = sampler.sample()
    assert first["cpu_percent"] is None  # a share needs two readings
    assert sampler.next_due > 0 and sampler.sample()["source"] == "none"


def test_nvidia_smi_output_is_read_per_gpu() -> None:
    assert parse_smi("3, Tesla T4, 99, 15000, 15360\n") == [
        {"index": 3, "name": "Tesla T4", "util_percent": 99.0, "mem_used_mb": 15000.0, "mem_total_mb": 15360.0}]


# ---- tqdm ------------------------------------------------------------------------------------

@pytest.mark.parametrize("with_tqdm", [True, False], ids=["tqdm", "no tqdm installed"])
def test_tqdm_feeds_the_batch_bar_with_a_few_requests(server: RecordingServer, monkeypatch: pytest.MonkeyPatch,
                                                       with_tqdm: bool) -> None:
    pytest.importorskip("tqdm") if with_tqdm else monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setattr(monitor_tqdm, "_class", None)
    with TrainingRun("bars", channel="#ml", url=server.url, progress_interval=0.0, system_interval=None) as run:
        for epoch in range(2):
            bar = tqdm(range(20_000), run=run, disable=True)
            for step in bar:
                if step % 5000 == 0:
                    bar.set_postfix(loss=1.0 / (step + 1), note="text is not a metric")
            run.log_epoch(epoch, loss=0.5)
    assert type(bar).__name__ == ("SlothTqdm" if with_tqdm else "PlainBar")
    batches = [e for e in server.events() if e["type"] == "batch"]
    assert len(server.received) < 20 and 0 < len(batches) < 20  # 40,000 updates, coalesced
    assert (batches[-1]["epoch"], batches[-1]["batch"], batches[-1]["total_batches"]) == (1, 19_999, 20_000)
    assert batches[-1]["metrics"] == {"loss": pytest.approx(1 / 15001)}


def test_tqdm_with_manual_updates(server: RecordingServer) -> None:
    pytest.importorskip("tqdm")
    with TrainingRun("manual", channel="#ml", url=server.url, progress_interval=0.0, system_interval=None) as run:
        with tqdm(total=50, run=run, epoch=3, disable=True) as bar:
            for _ in range(10):
                bar.update(5)
    [batch] = [e for e in server.events() if e["type"] == "batch"][-1:]
    assert (batch["epoch"], batch["batch"], batch["total_batches"]) == (3, 49, 50)


# ---- @notify ----------------------------------------------------------------------------------

def test_notify_reports_a_task_with_its_duration_and_summary(server: RecordingServer) -> None:
    @notify(channel="#ml", owner="U01WJK68KS", url=server.url)
    def build_features(day: str) -> dict[str, int]:
        return {"rows": 1200, "day": len(day)}

    assert build_features("2026-12-01") == {"rows": 1200, "day": 10}
    body = server.received[0].body
    assert (body["run"]["name"], body["run"]["kind"], body["run"]["framework"]) == (
        "test_notify_reports_a_task_with_its_duration_and_summary.<locals>.build_features", "task", "notify")
    start, finish = server.events()
    assert start["type"] == "start" and finish["status"] == "completed"
    assert finish["summary"] == "{'rows': 1200, 'day': 10}" and finish["time"] >= start["time"]


def test_notify_re_raises_the_exception_unchanged_after_reporting_it(server: RecordingServer) -> None:
    problem = KeyError("missing column 'price'")

    @notify("nightly export", channel="#ml", url=server.url)
    def export() -> None:
        raise problem

    with pytest.raises(KeyError) as raised:
        export()
    assert raised.value is problem
    [finish] = [e for e in server.events() if e["type"] == "finish"]
    assert finish["status"] == "failed" and finish["error"]["type"] == "KeyError"
    assert finish["error"]["message"] == "\"missing column 'price'\""
    assert any("raise problem" in line for line in finish["error"]["traceback"])


def test_notify_as_a_block(server: RecordingServer) -> None:
    with notify("step 3: upload", channel="#ml", url=server.url) as run:
        run.log_config(files=12)
    assert [e["type"] for e in server.events()] == ["start", "config", "finish"]
