"""What `bot.guard.clean` costs on a typical 50-block message (it runs on every message Sloth sends).

    python bench/guard_cost.py

The message is what Sloth's cards and listings look like: sections with mrkdwn text, fields and
a button, context lines, actions, a rich-text quote, one with a member's mention. It is cleaned
with no request in progress, in a request whose member typed a mention and a disguised link, and
in a job that read a few stored records (one with a mention in it); each figure is the median of
many runs, in microseconds per message. Then what reading the store adds: the check of every
value read (a training run's record), and the one scan that the first message naming a member
costs after reading a record that holds a `<` (a redraw naming nobody scans nothing).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import guard
from bot.store import decode, encode

TYPED = "status <@U0BOSS|boss> <http://evil.example|https://slack.com> tomorrow"
RUNS = 2000


def message() -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": "Training runs"}}]
    for n in range(12):
        line = f"*run-{n}* by <@U0OWNER{n}>: epoch {n}/20, loss 0.{n}31 — <https://ex.example/{n}|curves>"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": line},
                       "fields": [{"type": "mrkdwn", "text": f"*Accuracy*\n0.9{n}"},
                                  {"type": "mrkdwn", "text": "*Started*\n<!date^1700000000^{date_short}|Nov 14>"}],
                       "accessory": {"type": "button", "action_id": f"run:stop:{n}", "value": f"run-{n}",
                                     "text": {"type": "plain_text", "text": "Stop"}}})
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"host gpu-{n}, pid 12{n}"}]})
        blocks.append({"type": "actions", "elements": [
            {"type": "button", "action_id": f"run:curves:{n}", "text": {"type": "plain_text", "text": "Curves"}},
            {"type": "button", "action_id": f"run:compare:{n}", "text": {"type": "plain_text", "text": "Compare"},
             "confirm": {"title": {"type": "plain_text", "text": "Sure?"},
                         "text": {"type": "mrkdwn", "text": "Compare with the best run"},
                         "confirm": {"type": "plain_text", "text": "Yes"},
                         "deny": {"type": "plain_text", "text": "No"}}},
        ]})
        blocks.append({"type": "divider"})
    blocks.append({"type": "rich_text", "elements": [{"type": "rich_text_quote", "elements": [
        {"type": "text", "text": "Asked by "}, {"type": "user", "user_id": "U0ASKER"},
        {"type": "link", "url": "https://ex.example", "text": "the report"}]}]})
    return {"channel": "C1", "text": "Training runs", "blocks": blocks[:50]}


def median_us(clean: Any, scope: guard.Scope | None) -> float:
    msg = message()
    times = []
    for _ in range(RUNS):
        begun = time.perf_counter()
        clean(msg, scope)
        times.append(time.perf_counter() - begun)
    return statistics.median(times) * 1e6


def main() -> None:
    print("| scope | µs per 50-block message |\n|---|---:|")
    print(f"| none (no request in progress) | {median_us(guard.clean, None):.0f} |")
    request = guard.Scope(typed=TYPED, asker="U0ASKER")
    print(f"| a request (typed mention and link) | {median_us(guard.clean, request):.0f} |")
    record = getattr(guard, "record", None)
    if record is not None:
        job = guard.Scope()
        with guard.handling(job):
            for n in range(5):
                record({"name": f"run-{n}", "owner": f"U0OWNER{n}", "notes": "see <@U0BOSS|boss>" if n == 2 else "",
                        "history": [{"epoch": e, "loss": 1 / (e + 1)} for e in range(200)]})
        print(f"| a job that read 5 stored records | {median_us(guard.clean, job):.0f} |")
        run = {"name": "resnet", "owner": "U0OWNER", "config": {"lr": 1e-3, "layers": [64, 64, 32]},
               "history": [{"epoch": e, "metrics": {"loss": 1 / (e + 1), "acc": 0.5, "val_loss": 0.3, "lr": 1e-3}}
                           for e in range(2000)]}
        failed = {**run, "traceback": ['File "<module>", line 3']}
        raw = encode(run)
        print(f"\n| reading a {len(raw) // 1024} KB record from the store | µs |\n|---|---:|")
        print(f"| decoding it (json.loads, as before) | {read_us(lambda: json.loads(raw)):.0f} |")
        print(f"| decoding it, seen by the guard (bot.store.decode) | {read_us(lambda: decode(raw)):.0f} |")
        print(f"| first message naming a member after reading it with a `<` inside | {first_scan_us(failed):.0f} |")


def read_us(read: Any) -> float:
    times = []
    for _ in range(200):
        with guard.handling(guard.Scope()):
            begun = time.perf_counter()
            read()
            times.append(time.perf_counter() - begun)
    return statistics.median(times) * 1e6


def first_scan_us(value: Any) -> float:
    times = []
    for _ in range(50):
        scope = guard.Scope()
        with guard.handling(scope):
            guard.record(value)
        begun = time.perf_counter()
        guard.clean({"text": "<@U0OWNER> your run diverged"}, scope)
        times.append(time.perf_counter() - begun)
    return statistics.median(times) * 1e6


if __name__ == "__main__":
    main()
