"""Training-step overhead of bot.monitor: monitor off vs on with Sloth slow or down, side by side.

    python bench/training_overhead.py [--rounds 5] [--steps 300] [--step-ms 3] [--work numpy|python]

A stand-in training loop runs `--steps` steps per segment; each step does `--step-ms` of work
(numpy matrix products, which release the GIL like a real framework's kernels, or pure Python,
which holds it) and reports progress with log_batch, and every 50 steps an epoch with
log_epoch. Segments of each mode alternate for `--rounds` rounds so drift on a busy machine
hits every mode alike. Modes:

- off:  no monitor calls at all.
- slow: a Sloth stand-in on 127.0.0.1 that answers every request after `--delay` seconds.
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
import socket
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bot.monitor import TrainingRun

EPOCH_EVERY = 50


class SlowSloth:
    """Answers the protocol like Sloth, `delay` seconds late."""

    def __init__(self, delay: float) -> None:
        delay_seconds = delay

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(delay_seconds)
                data = json.dumps({"ok": True, "stop": False, "stopped_by": None}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def make_work(kind: str, step_ms: float) -> Any:
    """A function doing about `step_ms` of work, calibrated on this machine."""
    if kind == "numpy":
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


def segment(work: Any, steps: int, url: str | None) -> tuple[float, float]:
    """Run `steps` steps; (mean step seconds, seconds spent inside monitor calls)."""
    run = None if url is None else TrainingRun("bench", channel="#bench", total_epochs=steps // EPOCH_EVERY,
                                               url=url, token="bench", flush_timeout=0.2, poll_interval=1.0)
    in_monitor = 0.0
    if run is not None:
        run.start()
    began = time.perf_counter()
    for step in range(steps):
        work()
        if run is not None:
            t = time.perf_counter()
            run.log_batch(step // EPOCH_EVERY, step % EPOCH_EVERY, EPOCH_EVERY, loss=1.0 / (step + 1))
            if step % EPOCH_EVERY == EPOCH_EVERY - 1:
                run.log_epoch(step // EPOCH_EVERY, loss=1.0 / (step + 1), val_loss=1.1 / (step + 1))
            in_monitor += time.perf_counter() - t
    elapsed = time.perf_counter() - began
    if run is not None:
        run.finish()  # outside the timed loop: a job pays this once, at the very end
    return elapsed / steps, in_monitor


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--step-ms", type=float, default=3.0)
    parser.add_argument("--delay", type=float, default=5.0, help="seconds the slow Sloth takes to answer")
    parser.add_argument("--work", choices=("numpy", "python"), default="numpy")
    args = parser.parse_args(argv)
    logging.getLogger("bot.monitor").setLevel(logging.ERROR)  # "cannot deliver" once per segment is noise here

    work = make_work(args.work, args.step_ms)
    modes: dict[str, str | None] = {"off": None, "slow": SlowSloth(args.delay).url, "down": closed_port_url()}
    step_means: dict[str, list[float]] = {mode: [] for mode in modes}
    monitor_share: dict[str, list[float]] = {mode: [] for mode in modes}
    segment(work, args.steps // 5, None)  # warm-up
    for _ in range(args.rounds):
        for mode, url in modes.items():
            mean, in_monitor = segment(work, args.steps, url)
            step_means[mode].append(mean)
            monitor_share[mode].append(in_monitor / (mean * args.steps))

    print(f"{args.rounds} rounds x {args.steps} steps of ~{args.step_ms:g} ms ({args.work}); "
          f"log_batch every step, log_epoch every {EPOCH_EVERY}; slow Sloth answers after {args.delay:g} s")
    print(f"{'monitor':<8} {'median step':>12} {'overhead':>9} {'best step':>10} {'overhead':>9} "
          f"{'in monitor calls':>17}")
    median_off, best_off = statistics.median(step_means["off"]), min(step_means["off"])
    for mode in modes:
        median, best = statistics.median(step_means[mode]), min(step_means[mode])
        versus = ("", "") if mode == "off" else (f"{median / median_off - 1:+.2%}", f"{best / best_off - 1:+.2%}")
        share = "" if mode == "off" else f"{statistics.median(monitor_share[mode]):.3%}"
        print(f"{mode:<8} {median * 1e3:>9.3f} ms {versus[0]:>9} {best * 1e3:>7.3f} ms {versus[1]:>9} {share:>17}")


if __name__ == "__main__":
    main()
