"""Training-step overhead of sloth_monitor: monitor off vs on with Sloth slow or down, side by side.

    python bench/training_overhead.py [--rounds 5] [--steps 300] [--step-ms 3] [--work numpy|python]

A stand-in training loop runs `--steps` steps per segment; each step does `--step-ms` of work
(numpy matrix products, which release the GIL like a real framework's kernels, or pure Python,
which holds it) and reports progress with log_batch, and every 50 steps an epoch with
log_epoch. Segments of each mode alternate for `--rounds` rounds so drift on a busy machine
hits every mode alike. Modes:

- off:  no monitor calls at all.
- control: no monitor either, but the same loop with a do-nothing call in place of each monitor
  call: how far two monitor-free runs differ on this machine (the noise floor).
- slow: a Sloth stand-in (another process, on 127.0.0.1) answering every request `--delay` s late.
- down: a closed port (connection refused, retries with backoff).

Reported per mode: the median and the best over rounds of the mean step time, each against
"off", and the share of the loop's time spent inside the monitor's own calls (what the monitor
adds directly; it barely depends on how busy the machine is, unlike the step times, which other
processes on a shared machine move by several percent either way). Not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import socket
import statistics
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sloth_monitor import TrainingRun

EPOCH_EVERY = 50


def serve_slowly(delay: float, port: multiprocessing.Queue[int]) -> None:
    """A Sloth stand-in that answers the protocol `delay` seconds late (run in its own process)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            time.sleep(delay)
            data = json.dumps({"ok": True, "stop": False, "stopped_by": None}).encode()
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


def slow_sloth(delay: float) -> tuple[str, multiprocessing.Process]:
    # Another process, as Sloth is: its threads must not compete with the training loop for the GIL.
    ports: multiprocessing.Queue[int] = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve_slowly, args=(delay, ports), daemon=True)
    server.start()
    return f"http://127.0.0.1:{ports.get(timeout=10)}", server


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def make_work(kind: str, step_ms: float) -> Any:
    """A function doing about `step_ms` of work, calibrated on this machine."""
    if kind == "numpy":
        # One BLAS thread: on a small shared machine, a pool of them measures the scheduler, not the monitor.
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(name, "1")
        import numpy as np

        a = np.random.default_rng(0).random((128, 128))

        def unit() -> None:
            a @ a
    else:
        def unit() -> None:
            sum(i * i for i in range(500))
    began = time.perf_counter()
    for _ in range(200):
        unit()
    per_unit = (time.perf_counter() - began) / 200
    repeats = max(1, round(step_ms / 1000 / per_unit))

    def work() -> None:
        for _ in range(repeats):
            unit()
    return work


def segment(work: Any, steps: int, url: str | None, control: bool = False) -> tuple[float, float]:
    """Run `steps` steps; (mean step seconds, seconds spent inside monitor calls)."""
    run = None if url is None else TrainingRun("bench", channel="#bench", total_epochs=steps // EPOCH_EVERY,
                                               url=url, token="bench", flush_timeout=0.2, poll_interval=1.0)
    log_batch, log_epoch = (run.log_batch, run.log_epoch) if run is not None else (nothing, nothing)
    monitored = run is not None or control
    in_monitor = 0.0
    if run is not None:
        run.start()
    began = time.perf_counter()
    for step in range(steps):
        work()
        if monitored:
            t = time.perf_counter()
            log_batch(step // EPOCH_EVERY, step % EPOCH_EVERY, EPOCH_EVERY, loss=1.0 / (step + 1))
            if step % EPOCH_EVERY == EPOCH_EVERY - 1:
                log_epoch(step // EPOCH_EVERY, loss=1.0 / (step + 1), val_loss=1.1 / (step + 1))
            in_monitor += time.perf_counter() - t
    elapsed = time.perf_counter() - began
    if run is not None:
        run.finish()  # outside the timed loop: a job pays this once, at the very end
    return elapsed / steps, in_monitor


def nothing(*args: Any, **kwargs: Any) -> None:
    pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--step-ms", type=float, default=3.0)
    parser.add_argument("--delay", type=float, default=5.0, help="seconds the slow Sloth takes to answer")
    parser.add_argument("--work", choices=("numpy", "python"), default="numpy")
    args = parser.parse_args(argv)
    logging.getLogger("sloth_monitor").setLevel(logging.ERROR)  # "cannot deliver" once per segment is noise here

    work = make_work(args.work, args.step_ms)
    slow_url, server = slow_sloth(args.delay)
    modes: dict[str, str | None] = {"off": None, "control": None, "slow": slow_url, "down": closed_port_url()}
    step_means: dict[str, list[float]] = {mode: [] for mode in modes}
    monitor_share: dict[str, list[float]] = {mode: [] for mode in modes}
    segment(work, args.steps // 5, None)  # warm-up
    for _ in range(args.rounds):
        for mode, url in modes.items():
            mean, in_monitor = segment(work, args.steps, url, control=mode == "control")
            step_means[mode].append(mean)
            monitor_share[mode].append(in_monitor / (mean * args.steps))
    server.terminate()

    print(f"{args.rounds} rounds x {args.steps} steps of ~{args.step_ms:g} ms ({args.work}); "
          f"log_batch every step, log_epoch every {EPOCH_EVERY}; slow Sloth answers after {args.delay:g} s")
    print(f"{'monitor':<8} {'median step':>12} {'overhead':>9} {'best step':>10} {'overhead':>9} "
          f"{'in monitor calls':>17}")
    median_off, best_off = statistics.median(step_means["off"]), min(step_means["off"])
    for mode in modes:
        median, best = statistics.median(step_means[mode]), min(step_means[mode])
        versus = ("", "") if mode == "off" else (f"{median / median_off - 1:+.2%}", f"{best / best_off - 1:+.2%}")
        share = "" if mode in ("off", "control") else f"{statistics.median(monitor_share[mode]):.3%}"
        print(f"{mode:<8} {median * 1e3:>9.3f} ms {versus[0]:>9} {best * 1e3:>7.3f} ms {versus[1]:>9} {share:>17}")


if __name__ == "__main__":
    main()
