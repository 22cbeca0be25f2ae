"""The ingest endpoint's refusals: no token configured, wrong token, too big, malformed."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.runtime.lifecycle import Runtime
from handlers.training.service import training
from sloth_emulator import Emulator
from sloth_monitor import TrainingRun
from tests.e2e.training.training_harness import T0, TOKEN, cards, ingest_url, monitoring_bot

RUN = {"name": "raw", "channel": "#testing_exp", "owner": None, "total_epochs": 3, "config": {}}


async def post_events(runtime: Runtime, run_id: str, events: list[dict[str, Any]], token: str | None = TOKEN,
                      body: Any = None) -> tuple[int, dict[str, Any]]:
    """One protocol request, as the client would send it; (HTTP status, JSON answer)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = body if body is not None else json.dumps({"run": RUN, "events": events, "dropped": 0})
    url = f"{ingest_url(runtime)}/monitor/v1/runs/{run_id}/events"
    async with aiohttp.ClientSession() as http, http.post(url, data=data, headers=headers) as response:
        return response.status, await response.json()


def report_one_epoch(url: str, token: str) -> tuple[TrainingRun, bool, float]:
    """A short job through the real client: (the run, whether finish was delivered, seconds it took)."""
    began = time.monotonic()
    run = TrainingRun("x", channel="#testing_exp", url=url, token=token, flush_timeout=5)
    with run:
        run.log_epoch(0, loss=1.0)
    return run, run.finish(), time.monotonic() - began


async def test_without_a_configured_token_ingest_is_refused_and_says_why(
        emulator: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with monitoring_bot(emulator, tmp_path, monitor_token=None) as runtime:
        # Said once at start, naming the setting (with one workspace, Sloth's own).
        assert [r.getMessage() for r in caplog.records if "training ingest is off" in r.getMessage()] == [
            "training ingest is off: set SLOTH_MONITOR_TOKEN to let training jobs report to Sloth"]
        status, answer = await post_events(runtime, "run-00000001", [], token="anything")
        assert status == 403 and "SLOTH_MONITOR_TOKEN" in answer["error"]
        # The client takes 403 as final: it stops at once instead of retrying until its flush timeout.
        run, delivered, seconds = await asyncio.to_thread(report_one_epoch, ingest_url(runtime), "anything")
    assert not delivered and not run.should_stop and seconds < 3
    assert cards(emulator, "testing_exp") == []


@pytest.mark.parametrize("token", [None, "wrong-token", TOKEN + "x", "ünïcode"])
async def test_a_missing_or_wrong_token_gets_401(emulator: Emulator, tmp_path: Path, token: str | None) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        headers = {"Authorization": f"Bearer {token}".encode().decode("latin-1")} if token else {}
        url = f"{ingest_url(runtime)}/monitor/v1/runs/run-00000001/events"
        body = json.dumps({"run": RUN, "events": [{"type": "start", "seq": 1, "time": T0 + 1.0}], "dropped": 0})
        async with aiohttp.ClientSession() as http, http.post(url, data=body, headers=headers) as response:
            assert response.status == 401
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert cards(emulator, "testing_exp") == []


async def test_the_real_client_gives_up_after_401_and_the_job_is_unaffected(
        emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        _, delivered, seconds = await asyncio.to_thread(report_one_epoch, ingest_url(runtime), "wrong")
    assert not delivered and seconds < 3 and cards(emulator, "testing_exp") == []


async def test_an_oversized_body_gets_413(emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        big = json.dumps({"run": {**RUN, "config": {"blob": "x" * 2_000_000}}, "events": [], "dropped": 0})
        status, answer = await post_events(runtime, "run-00000001", [], body=big)
        assert status == 413 and "over" in answer["error"]

        async def chunks() -> Any:  # no Content-Length: the limit still holds
            for _ in range(40):
                yield b"x" * 65536

        url = f"{ingest_url(runtime)}/monitor/v1/runs/run-00000001/events"
        async with aiohttp.ClientSession() as http, http.post(
                url, data=chunks(), headers={"Authorization": f"Bearer {TOKEN}"}) as response:
            assert response.status == 413


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


EVENT = {"type": "epoch", "seq": 1, "time": T0 + 1.0, "epoch": 0, "metrics": {"loss": 0.5}}
MALFORMED = [
    ("not json", "{", "not JSON"),
    ("NaN", '{"run": {}, "events": [], "dropped": NaN}', "not JSON"),
    ("not an object", "[]", "body must be an object"),
    ("unknown top field", {"run": RUN, "events": [], "dropped": 0, "extra": 1}, "unknown fields: extra"),
    ("no run name", {"run": {**RUN, "name": ""}, "events": []}, "run.name"),
    ("bad channel", {"run": {**RUN, "channel": "<!here>"}, "events": []}, "run.channel"),
    ("bad owner", {"run": {**RUN, "owner": "@will"}, "events": []}, "run.owner"),
    ("epochs zero", {"run": {**RUN, "total_epochs": 0}, "events": []}, "run.total_epochs"),
    ("events not a list", {"run": RUN, "events": {}}, "events must be a list"),
    ("unknown type", {"run": RUN, "events": [{**EVENT, "type": "nope"}]}, "events[0].type"),
    ("seq zero", {"run": RUN, "events": [{**EVENT, "seq": 0}]}, "events[0].seq"),
    ("seq twice", {"run": RUN, "events": [EVENT, EVENT]}, "same seq"),
    ("metric text", {"run": RUN, "events": [{**EVENT, "metrics": {"loss": "low"}}]}, "events[0].metrics.loss"),
    ("negative epoch", {"run": RUN, "events": [{**EVENT, "epoch": -1}]}, "events[0].epoch"),
    ("bool seq", {"run": RUN, "events": [{**EVENT, "seq": True}]}, "events[0].seq"),
    ("bad status", {"run": RUN, "events": [{"type": "finish", "seq": 1, "time": T0 + 1.0, "status": "done",
                                            "error": None}]}, "events[0].status"),
    ("labels differ", {"run": RUN, "events": [{"type": "predictions", "seq": 1, "time": T0 + 1.0, "y_true": [1],
                                               "y_pred": [1, 2], "class_names": [], "images": [[]]}]},
     "same length"),
    ("image too big", {"run": RUN, "events": [{"type": "predictions", "seq": 1, "time": T0 + 1.0, "y_true": [1],
                                               "y_pred": [1], "class_names": [],
                                               "images": [[[0.0] * 65] * 2]}]}, "images[0]"),
    ("not a png", {"run": RUN, "events": [{"type": "predictions", "seq": 1, "time": T0 + 1.0, "y_true": [1],
                                           "y_pred": [1], "class_names": [], "png_b64": ["aGVsbG8="]}]},
     "not a PNG"),
    # protocol 2
    ("protocol 4", {"protocol": 4, "run": RUN, "events": []}, "protocol is out of range"),
    ("bad kind", {"run": {**RUN, "kind": "job"}, "events": []}, "run.kind"),
    ("bad commit", {"run": {**RUN, "git": {"commit": "HEAD", "branch": None}}, "events": []}, "run.git.commit"),
    ("bad controls", {"run": {**RUN, "controls": ["reboot"]}, "events": []}, "run.controls"),
    ("bad mode", {"run": {**RUN, "mode": "lowest"}, "events": []}, "run.mode"),
    ("NaN spelled otherwise", {"run": RUN, "events": [{**EVENT, "metrics": {"loss": "NaN"}}]},
     "events[0].metrics.loss"),
    ("negative gpu memory", {"run": RUN, "events": [{"type": "system", "seq": 1, "time": T0 + 1.0, "gpus": [
        {"index": 0, "name": "A100", "util_percent": 5, "mem_used_mb": -1, "mem_total_mb": 10}]}]},
     "events[0].gpus[0].mem_used_mb"),
    ("checkpoint without path", {"run": RUN, "events": [{"type": "checkpoint", "seq": 1, "time": T0 + 1.0}]},
     "events[0].path"),
    ("control status", {"run": RUN, "events": [{"type": "control", "seq": 1, "time": T0 + 1.0, "id": "c1",
                                                "kind": "lr", "status": "maybe"}]}, "events[0].status"),
    ("problems not counted", {"run": RUN, "events": [], "problems": {"not_numbers": {"count": 0}}},
     "problems.not_numbers.count"),
    ("protocol 2 without instance", {"protocol": 2, "run": RUN, "events": []}, "run.instance is required"),
    # bounds: each of these once broke a run, the card or `runs` for everyone
    ("seq past 2**53", {"run": RUN, "events": [{**EVENT, "seq": 2**53}]}, "events[0].seq is out of range"),
    ("time in nanoseconds", {"run": RUN, "events": [{**EVENT, "time": 1.8e18}]}, "events[0].time must be Unix time"),
    ("time since start", {"run": RUN, "events": [{**EVENT, "time": 12.5}]}, "events[0].time must be Unix time"),
    ("time a week ahead", {"run": RUN, "events": [{**EVENT, "time": time.time() + 7 * 86400}]}, "a day ahead"),
    ("config 500 deep", {"run": {**RUN, "config": nested(500)}, "events": []}, "body is nested too deeply"),
    ("config 12 deep", {"run": {**RUN, "config": nested(12)}, "events": []}, "run.config is nested too deeply"),
    ("changes 12 deep", {"run": RUN, "events": [{"type": "config", "seq": 1, "time": T0, "changes": nested(12)}]},
     "events[0].changes is nested too deeply"),
    ("problems 500 deep", {"run": RUN, "events": [], "problems": nested(500)}, "body is nested too deeply"),
]


@pytest.mark.parametrize(("case", "body", "reason"), MALFORMED, ids=[m[0] for m in MALFORMED])
async def test_malformed_requests_get_400_with_the_reason(
        emulator: Emulator, tmp_path: Path, case: str, body: Any, reason: str) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        raw = body if isinstance(body, str) else json.dumps(body)
        status, answer = await post_events(runtime, "run-00000001", [], body=raw)
        assert status == 400 and reason in answer["error"], answer
        status, answer = await post_events(runtime, "bad id!", [])
        assert status in (400, 404)
    assert cards(emulator, "testing_exp") == []


async def test_a_repeated_request_is_applied_once(emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        events = [{"type": "start", "seq": 1, "time": T0 + 1.0}, {**EVENT, "seq": 2}]
        answers = await asyncio.gather(*[post_events(runtime, "run-00000001", events) for _ in range(5)])
        calm = {"ok": True, "stop": False, "stopped_by": None, "controls": [], "notices": []}
        assert all(status == 200 and answer == calm for status, answer in answers)
        await emulator.wait_for(lambda: cards(emulator, "testing_exp"), timeout=10)
        run = await training(runtime.ctx.of("training")).runs.get("run-00000001")
    assert run is not None and run.last_seq == 2 and len(run.history) == 1 and run.epochs_done == 1


def report_oversized_predictions(url: str) -> tuple[TrainingRun, bool]:
    run = TrainingRun("big", channel="#testing_exp", url=url, token=TOKEN, flush_timeout=10)
    with run:
        run.log_epoch(0, loss=1.0)
        fake_png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 400  # ~100 KB each, 16 of them: over 1 MiB
        run.log_predictions([fake_png] * 16, list(range(16)), list(range(16)))
        run.log_epoch(1, loss=0.5)
    return run, run.finish()


async def test_the_real_client_drops_a_request_refused_with_413_and_carries_on(
        emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path) as runtime:
        run, _ = await asyncio.to_thread(report_oversized_predictions, ingest_url(runtime))
        [card] = await emulator.wait_for(
            lambda: [c for c in cards(emulator, "testing_exp") if c["metadata"]["event_payload"]["status"]
                     == "completed"], timeout=15)
        stored = await training(runtime.ctx.of("training")).runs.get(run.run_id)
    assert card["metadata"]["event_payload"]["epoch"] == 2  # what came after the refused request arrived
    assert stored is not None and not any(job["kind"] == "predictions" for job in stored.jobs)


async def test_every_step_and_machine_sample_is_kept_in_the_runs_series(emulator: Emulator, tmp_path: Path) -> None:
    def batch(seq: int, number: int) -> dict[str, Any]:
        return {"type": "batch", "seq": seq, "time": T0 + seq, "epoch": 0, "batch": number, "total_batches": 4,
                "metrics": {"loss": 1.0 / (number + 1)}}

    sample = {"type": "system", "seq": 3, "time": T0 + 3, "source": "none", "gpus": [], "cpu_percent": 50.0,
              "process_cpu_percent": 90.0, "ram_used_mb": 1000.0, "ram_total_mb": 8000.0, "process_rss_mb": 300.0}
    async with monitoring_bot(emulator, tmp_path) as runtime:
        # Two requests (the client coalesces batches: one per request), one repeated.
        for events in ([batch(1, 0), batch(2, 1), sample], [batch(4, 2)], [batch(4, 2)]):
            assert (await post_events(runtime, "series-run-01", events))[0] == 200
        runs = training(runtime.ctx.of("training")).runs
        steps = await runs.series.read("series-run-01", "steps")
        machine = await runs.series.read("series-run-01", "machine")
        run = await runs.get("series-run-01")
    assert [(s["batch"], s["metrics"]["loss"], s["time"]) for s in steps] == [
        (0, 1.0, T0 + 1), (1, 0.5, T0 + 2), (2, 1 / 3, T0 + 4)]  # the repeated request added nothing
    assert machine == [{k: v for k, v in sample.items() if k not in ("type", "seq", "source")}]
    assert run is not None and run.batch == 2 and "steps" not in run.to_json()  # the run's key stays small


async def test_refusals_are_logged_once_per_source_and_counted_in_metrics(
        emulator: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    v3 = {**RUN, "instance": "first-job-instance"}
    async with monitoring_bot(emulator, tmp_path) as runtime:
        for _ in range(3):
            assert (await post_events(runtime, "refused-run-1", [], token="guessed-token-7"))[0] == 401
        assert (await post_events(runtime, "refused-run-1", [], body=json.dumps(
            {"protocol": 3, "run": v3, "events": []})))[0] == 200
        for instance in ("second-job-instance", "third-job-instance"):
            taken = json.dumps({"protocol": 3, "run": {**v3, "instance": instance}, "events": []})
            assert (await post_events(runtime, "refused-run-1", [], body=taken))[0] == 409
        newer = json.dumps({"protocol": 9, "run": v3, "events": []})
        assert (await post_events(runtime, "refused-run-1", [], body=newer))[0] == 400
        async with aiohttp.ClientSession() as http, http.get(f"{ingest_url(runtime)}/metrics") as page:
            metrics = await page.text()
    said = [r.getMessage() for r in caplog.records if "training ingest refused" in r.getMessage()]
    assert len(said) == 3, said  # one line per source and reason, however often
    assert "from 127.0.0.1 with 401: missing or wrong bearer token" in said[0]
    assert not [r for r in caplog.records if "guessed-token-7" in r.getMessage()]  # never a token in the log
    assert "with 409: run id refused-run-1 is already used by another job" in said[1]
    assert "with 400: protocol is out of range" in said[2]
    for reason, count in (("token", 3), ("taken", 2), ("protocol", 1), ("malformed", 0), ("off", 0)):
        assert f'sloth_training_ingest_refused_total{{reason="{reason}"}} {count}.0' in metrics
