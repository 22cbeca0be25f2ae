"""The machine's figures for the run card: per-GPU utilisation and memory, CPU and RAM.

GPUs come from NVML when the `pynvml` module (packages nvidia-ml-py or pynvml) imports, else
from `nvidia-smi` when it is on PATH, else there are none and the card shows CPU and RAM only.
A sample is taken by the sender thread, never by the training loop, and at most once per
`interval` (never under MIN_INTERVAL, the card's own edit gap).
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from typing import Any

_log = logging.getLogger(__name__)

MIN_INTERVAL = 2.0
MAX_GPUS = 16
SMI_QUERY = ["--query-gpu=index,name,utilization.gpu,memory.used,memory.total", "--format=csv,noheader,nounits"]
GpuReader = Callable[[], list[dict[str, Any]]]


def mib(value: float) -> float:
    return round(value / (1024 * 1024), 1)


def nvml_reader() -> GpuReader | None:
    """A reader over NVML, or None when pynvml is missing or finds no driver."""
    try:
        nvml: Any = importlib.import_module("pynvml")
        nvml.nvmlInit()
        count = min(MAX_GPUS, int(nvml.nvmlDeviceGetCount()))
        handles = [nvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
        names = [_text(nvml.nvmlDeviceGetName(h)) for h in handles]
    except Exception:  # ImportError, NVMLError (no driver), or a broken binding
        return None

    def read() -> list[dict[str, Any]]:
        gpus = []
        for index, (handle, name) in enumerate(zip(handles, names, strict=True)):
            memory = nvml.nvmlDeviceGetMemoryInfo(handle)
            gpus.append({"index": index, "name": name[:100],
                         "util_percent": float(nvml.nvmlDeviceGetUtilizationRates(handle).gpu),
                         "mem_used_mb": mib(memory.used), "mem_total_mb": mib(memory.total)})
        return gpus
    return read


def smi_reader(path: str | None = None) -> GpuReader | None:
    """A reader over `nvidia-smi --query-gpu`, or None when it is not on PATH or does not answer."""
    found = path or shutil.which("nvidia-smi")
    if found is None:
        return None

    def read() -> list[dict[str, Any]]:
        done = subprocess.run([found, *SMI_QUERY], capture_output=True, text=True, timeout=5, check=True)
        return parse_smi(done.stdout)
    try:
        read()
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return read


def parse_smi(output: str) -> list[dict[str, Any]]:
    gpus = []
    for line in output.strip().splitlines()[:MAX_GPUS]:
        index, name, util, used, total = (part.strip() for part in line.split(","))
        gpus.append({"index": int(index), "name": name[:100], "util_percent": _maybe_float(util),
                     "mem_used_mb": float(used), "mem_total_mb": float(total)})
    return gpus


def _maybe_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:  # "[N/A]" on some boards
        return None


def _text(value: Any) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


def find_gpus() -> tuple[GpuReader | None, str]:
    """NVML first, then nvidia-smi; the reader and the name of where the figures come from."""
    reader = nvml_reader()
    if reader is not None:
        return reader, "nvml"
    reader = smi_reader()
    return (reader, "nvidia-smi") if reader is not None else (None, "none")


class Sampler:
    """Takes a sample when one is due; the first call picks NVML, nvidia-smi or neither."""

    def __init__(self, interval: float, finder: Callable[[], tuple[GpuReader | None, str]] = find_gpus) -> None:
        self.interval = max(MIN_INTERVAL, interval)
        self.next_due = 0.0
        self._finder = finder
        self._gpus: GpuReader | None = None
        self._source = ""
        self._cpu_before: tuple[float, float] | None = None
        self._proc_before: tuple[float, float] | None = None

    def sample(self) -> dict[str, Any]:
        """One `system` event's fields. Never raises: a failing GPU reader is dropped."""
        self.next_due = time.monotonic() + self.interval
        if not self._source:
            self._gpus, self._source = self._finder()
        gpus: list[dict[str, Any]] = []
        if self._gpus is not None:
            try:
                gpus = self._gpus()
            except Exception:
                _log.info("Sloth monitor: reading the GPUs failed; reporting CPU and RAM only", exc_info=True)
                self._gpus, self._source = None, "none"
        return {"source": self._source, "gpus": gpus, "cpu_percent": self._cpu_percent(),
                "process_cpu_percent": self._process_cpu(), **ram()}

    def _cpu_percent(self) -> float | None:
        """The whole machine's busy share since the last sample, from /proc/stat (Linux)."""
        try:
            with open("/proc/stat") as stat:
                fields = [float(v) for v in stat.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        idle, total = fields[3] + (fields[4] if len(fields) > 4 else 0.0), sum(fields)
        before, self._cpu_before = self._cpu_before, (idle, total)
        if before is None or total <= before[1]:
            return None
        return round(100.0 * (1 - (idle - before[0]) / (total - before[1])), 1)

    def _process_cpu(self) -> float | None:
        """This process's CPU time per wall second (100 % = one core busy)."""
        times = os.times()
        now = (times.user + times.system, time.monotonic())
        before, self._proc_before = self._proc_before, now
        if before is None or now[1] <= before[1]:
            return None
        return round(100.0 * (now[0] - before[0]) / (now[1] - before[1]), 1)


def ram() -> dict[str, float | None]:
    """Machine RAM used and total, and this process's resident size, in MiB (None where unknown)."""
    found: dict[str, float | None] = {"ram_used_mb": None, "ram_total_mb": None, "process_rss_mb": None}
    try:
        with open("/proc/meminfo") as meminfo:
            values = {line.split(":")[0]: float(line.split()[1]) * 1024 for line in meminfo if ":" in line}
        found["ram_total_mb"] = mib(values["MemTotal"])
        found["ram_used_mb"] = mib(values["MemTotal"] - values.get("MemAvailable", values.get("MemFree", 0.0)))
        with open("/proc/self/statm") as statm:
            found["process_rss_mb"] = mib(float(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, KeyError, IndexError):
        pass
    return found
