"""Training-step overhead of sloth_monitor, per integration: monitor off vs on with Sloth up, slow and down.

    python bench/training_overhead.py [--rounds 8] [--steps 300] [--only plain-python,lightning,...]

Integrations: a plain loop whose steps are pure Python (holding the GIL, the worst case for a
background thread) or numpy (releasing it, like a framework's kernels), the same loop under
`sloth_monitor.tqdm`, and a tiny PyTorch Lightning MLP, Hugging Face BERT and Keras CNN on the CPU.
Segments of each mode alternate for `--rounds` rounds, so drift on a busy machine hits every mode
alike. Modes:

- off: no monitor.
- control: no monitor, but a do-nothing call (plain loop) or callback (frameworks) in its place:
  how far two monitor-free runs differ on this machine (the noise floor).
- up: a Sloth stand-in (another process, on 127.0.0.1) answering at once.
- slow: the same answering every request 5 s late (`--delay`).
- down: a closed port (connection refused, retries with backoff).

Reported per mode: the median and the best over rounds of the mean step time (between step
ends: start-up and the final flush are not in it), each against "off"; the process's CPU time
per step (all its threads, the monitor's sender included), against "off"; the time inside the
monitor's calls (plain loop); and the CPU time of the monitor's sender thread as a share of the
loop's time, which for pure-Python steps is what the monitor takes from the loop through the
GIL. CPU times count only this process's work, so unlike step times they barely move when
other programs share the machine.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import socket
import statistics
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for examples.*
# One BLAS / torch thread: on a small shared machine, a pool of them measures the scheduler, not the monitor.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

from bench.overhead_jobs import FRAMEWORKS, Timing, make_work, plain, with_tqdm  # noqa: E402

INTEGRATIONS = ("plain-python", "plain-numpy", "tqdm", "lightning", "huggingface", "keras")
MODES = ("off", "control", "up", "slow", "down")


def serve(delay: float, port: multiprocessing.Queue[int]) -> None:
    """A Sloth stand-in that answers the protocol `delay` seconds late (run in its own process)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            time.sleep(delay)
            data = json.dumps({"ok": True, "stop": False, "stopped_by": None, "controls": []}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    port.put(httpd.server_address[1])
    httpd.serve_forever()


def stand_in(delay: float) -> tuple[str, multiprocessing.Process]:
    # Another process, as Sloth is: its threads must not compete with the training loop for the GIL.
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(delay, ports), daemon=True)
    server.start()
    return f"http://127.0.0.1:{ports.get(timeout=10)}", server


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def segment(integration: str, mode: str, urls: dict[str, str | None], steps: int, step_ms: float) -> Timing:
    url, control = urls[mode], mode == "control"
    if integration.startswith("plain"):
        return plain(make_work(integration.removeprefix("plain-"), step_ms), steps, url, control)
    if integration == "tqdm":
        return with_tqdm(make_work("python", step_ms), steps, url, control)
    return FRAMEWORKS[integration](steps, url, control)


def measure(integration: str, urls: dict[str, str | None], rounds: int, steps: int,
            step_ms: float) -> dict[str, list[Timing]]:
    found: dict[str, list[Timing]] = {mode: [] for mode in MODES}
    segment(integration, "off", urls, max(20, steps // 5), step_ms)  # warm-up: imports, caches
    for _ in range(rounds):
        for mode in MODES:
            found[mode].append(segment(integration, mode, urls, steps, step_ms))
    return found


def table_rows(integration: str, found: dict[str, list[Timing]]) -> list[str]:
    off = [t.step_seconds for t in found["off"]]
    median_off, best_off = statistics.median(off), min(off)
    cpu_off = statistics.median(t.cpu_step for t in found["off"])
    rows = []
    for mode in MODES:
        steps = [t.step_seconds for t in found[mode]]
        median, best = statistics.median(steps), min(steps)
        cpu_step = statistics.median(t.cpu_step for t in found[mode])
        versus = ("", "") if mode == "off" else (f"{median / median_off - 1:+.2%}", f"{best / best_off - 1:+.2%}")
        cpu_versus = "" if mode == "off" else f"{cpu_step / cpu_off - 1:+.2%}"
        monitored = mode in ("up", "slow", "down")
        calls = statistics.median(t.in_monitor / (t.step_seconds * t.steps) for t in found[mode])
        cpu = statistics.median(t.sender_cpu / (t.step_seconds * t.steps) for t in found[mode])
        rows.append(f"| {integration} | {mode} | {median * 1e3:.3f} ms | {versus[0]} | {best * 1e3:.3f} ms | "
                    f"{versus[1]} | {cpu_step * 1e3:.3f} ms | {cpu_versus} | "
                    f"{f'{calls:.3%}' if monitored and calls else ''} | {f'{cpu:.3%}' if monitored else ''} |")
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--step-ms", type=float, default=3.0, help="work per step of the plain loops")
    parser.add_argument("--delay", type=float, default=5.0, help="seconds the slow Sloth takes to answer")
    parser.add_argument("--only", default=",".join(INTEGRATIONS))
    args = parser.parse_args(argv)
    logging.getLogger("sloth_monitor").setLevel(logging.ERROR)  # "cannot deliver" once per segment is noise here
    for noisy in ("lightning", "lightning.pytorch", "transformers"):
        logging.getLogger(noisy).setLevel(logging.ERROR)

    up_url, up = stand_in(0.0)
    slow_url, slow = stand_in(args.delay)
    urls: dict[str, str | None] = {"off": None, "control": None, "up": up_url, "slow": slow_url,
                                   "down": closed_port_url()}
    rows = []
    began = time.time()
    for integration in args.only.split(","):
        rows += table_rows(integration, measure(integration, urls, args.rounds, args.steps, args.step_ms))
        print("\n".join(rows[-len(MODES):]), file=sys.stderr, flush=True)
    up.terminate()
    slow.terminate()
    print(f"{args.rounds} rounds x {args.steps} steps; plain loops ~{args.step_ms:g} ms a step with log_batch every "
          f"step; slow Sloth answers after {args.delay:g} s; load average {os.getloadavg()[0]:.1f} after "
          f"{time.time() - began:.0f} s")
    print("| integration | monitor | median step | vs off | best step | vs off | CPU per step | vs off | "
          "in monitor calls | sender CPU |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
