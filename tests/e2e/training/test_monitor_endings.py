"""How a job's run ends, as the client reports it: leaving never waits long for Slack, Ctrl-C is
"stopped", SIGTERM is "preempted" and the job still dies of it, a crash nobody caught is said with
its exception, and a restarted job presents its resume token. The real client against a recording
server (or a closed port); jobs that must be signalled run as processes of their own."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from sloth_monitor import TrainingRun, notify, tqdm
from tests.e2e.training.monitor_server import OK, Received, RecordingServer

ROOT = Path(__file__).resolve().parents[3]


def finish_of(server: RecordingServer) -> dict[str, Any]:
    [finish] = [e for e in server.events() if e["type"] == "finish"]
    return finish


# ---- what the loop reports ----------------------------------------------------------------

def test_tqdm_counts_each_item_once(server: RecordingServer) -> None:
    pytest.importorskip("tqdm")
    with TrainingRun("bar", channel="#ml", url=server.url, progress_interval=0, send_interval=0,
                     system_interval=None) as run:
        # Redrawn at every item: tqdm's loop then calls update() with what it counted itself.
        for _ in tqdm(range(50), run=run, file=io.StringIO(), mininterval=0, miniters=1):
            pass
    batches = [e for e in server.events() if e["type"] == "batch"]
    assert batches and max(e["batch"] for e in batches) == 49 and batches[-1]["batch"] == 49
    assert {e["total_batches"] for e in batches} == {50}


def test_the_last_batch_is_sent_at_the_finish_even_when_progress_was_thinned(server: RecordingServer) -> None:
    with TrainingRun("thinned", channel="#ml", url=server.url, progress_interval=60, system_interval=None) as run:
        for batch in range(10):
            run.log_batch(0, batch, 10, loss=1.0 / (batch + 1))
    batches = [e for e in server.events() if e["type"] == "batch"]
    # Only the first passed the thinning; the last one logged is sent with the finish all the same.
    assert batches[-1]["batch"] == 9 and batches[-1]["metrics"] == {"loss": 0.1}


def test_a_stop_from_slack_is_acknowledged_when_the_loop_sees_it(server: RecordingServer) -> None:
    stop = {**OK, "stop": True, "stopped_by": "Will", "controls": [{"id": "stop-1-7", "kind": "stop", "by": "Will"}]}
    server.answer = lambda srv, request: (200, stop if request.index >= 1 else OK)
    with TrainingRun("stopped", channel="#ml", url=server.url, send_interval=0.05, system_interval=None) as run:
        run.log_epoch(0, loss=1.0)
        assert run.wait_for_stop(5) and run.should_stop and run.stopped_by == "Will"
    acks = [e for e in server.events() if e["type"] == "control"]
    assert [(a["id"], a["kind"], a["status"]) for a in acks] == [("stop-1-7", "stop", "applied")]
    assert finish_of(server)["status"] == "stopped"


def test_a_notify_task_offers_no_stop_and_completes(server: RecordingServer) -> None:
    @notify("export", channel="#ml", url=server.url)
    def export() -> int:
        return 3

    assert export() == 3
    assert server.received[0].body["run"]["controls"] == [] and server.received[0].body["run"]["kind"] == "task"
    assert finish_of(server)["status"] == "completed"


# ---- leaving never waits long for Slack ----------------------------------------------------

def test_notify_calls_and_a_run_wait_at_most_the_short_flush_with_sloth_down(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}"

    @notify(channel="#ml", url=url)
    def trivial(n: int) -> int:
        return n

    began = time.monotonic()
    assert [trivial(n) for n in range(3)] == [0, 1, 2]
    three_calls = time.monotonic() - began
    began = time.monotonic()
    with TrainingRun("offline", channel="#ml", url=url) as run:
        run.log_epoch(0, loss=1.0)
    leaving = time.monotonic() - began
    assert three_calls <= 1.5, three_calls  # the default flush (1 s) once at most, not once a call
    assert leaving <= 0.5, leaving  # Sloth is known to be down: the finish is tried once
    assert run.finish() is False


EXITING = """
import sys, time
from sloth_monitor import notify
@notify(channel="#ml", url=sys.argv[1])
def step(n):
    return n
began = time.monotonic()
for n in range(3):
    step(n)
print(time.monotonic() - began, flush=True)
"""


def test_a_script_with_sloth_down_exits_within_the_flush(closed_port: int) -> None:
    def timed(script: str) -> float:
        began = time.monotonic()
        subprocess.run([sys.executable, "-c", script, f"http://127.0.0.1:{closed_port}"], check=True, timeout=60,
                       capture_output=True, env=job_environment())
        return time.monotonic() - began

    bare = timed("import sloth_monitor")
    monitored = timed(EXITING)
    assert monitored - bare <= 1.5, (monitored, bare)  # calls and interpreter exit together


# ---- how a run ends ------------------------------------------------------------------------

def test_ctrl_c_is_stopped_at_the_job_not_failed(server: RecordingServer) -> None:
    with pytest.raises(KeyboardInterrupt):
        with TrainingRun("interrupted", channel="#ml", url=server.url, system_interval=None) as run:
            run.log_epoch(0, loss=1.0)
            raise KeyboardInterrupt
    finish = finish_of(server)
    assert (finish["status"], finish["interrupted"], finish["error"]) == ("stopped", True, None)


def job_environment() -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


def start(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(script), *args], env=job_environment(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


LOOP = """
import signal, sys, time
from sloth_monitor import TrainingRun
{before}
with TrainingRun("preemptible", channel="#ml", url=sys.argv[1], run_id="preempt-run-001", send_interval=0.05,
                 system_interval=None, resume_file=sys.argv[2]) as run:
    run.log_checkpoint("/ckpt/epoch-0.pt")
    for epoch in range(10_000):
        run.log_epoch(epoch, loss=1.0 / (epoch + 1))
        time.sleep(0.02)
        {check}
print("left the block", flush=True)
"""


def epochs_arrived(requests: list[Received]) -> bool:
    return sum(e["type"] == "epoch" for r in requests for e in r.events) >= 3


def test_sigterm_reports_preempted_and_the_job_still_dies_of_it(server: RecordingServer, tmp_path: Path) -> None:
    job = start(LOOP.format(before="", check=""), server.url, str(tmp_path / "resume.json"))
    try:
        server.wait_for(epochs_arrived, 15)
        signalled = time.monotonic()
        job.send_signal(signal.SIGTERM)
        output, _ = job.communicate(timeout=15)
    finally:
        job.kill()
    assert job.returncode == -signal.SIGTERM, output  # as without the monitor: killed by SIGTERM
    assert time.monotonic() - signalled <= 3
    assert "left the block" not in output
    finish = finish_of(server)
    assert finish["status"] == "preempted" and finish["error"] is None
    saved = json.loads((tmp_path / "resume.json").read_text())  # kept for the restarted job
    assert saved == {"run_id": "preempt-run-001", "token": server.received[0].body["run"]["instance"]}
    assert oct((tmp_path / "resume.json").stat().st_mode & 0o777) == "0o600"


def test_a_job_with_a_sigterm_handler_of_its_own_decides_and_its_run_is_preempted(
        server: RecordingServer, tmp_path: Path) -> None:
    before = "asked = []\nsignal.signal(signal.SIGTERM, lambda *_: asked.append(1))"
    job = start(LOOP.format(before=before, check="if asked: break"), server.url, str(tmp_path / "resume.json"))
    try:
        server.wait_for(epochs_arrived, 15)
        job.send_signal(signal.SIGTERM)
        output, _ = job.communicate(timeout=15)
    finally:
        job.kill()
    assert job.returncode == 0 and "left the block" in output, output  # its own handler chose to end cleanly
    assert finish_of(server)["status"] == "preempted"


@pytest.mark.parametrize(("raised", "status", "error"), [
    ("RuntimeError('out of memory')", "failed", "RuntimeError"),
    ("KeyboardInterrupt()", "stopped", None),
])
def test_a_run_left_open_by_an_uncaught_exception_ends_with_it(
        server: RecordingServer, raised: str, status: str, error: str | None) -> None:
    script = f"""
    import sys
    from sloth_monitor import TrainingRun
    run = TrainingRun("open", channel="#ml", url=sys.argv[1], system_interval=None)  # as the Keras callback does
    run.log_epoch(0, loss=1.0)
    raise {raised}
    """
    job = start(script, server.url)
    job.communicate(timeout=30)
    assert job.returncode != 0
    finish = finish_of(server)
    assert finish["status"] == status and (finish["error"] or {}).get("type") == error
    assert finish["interrupted"] is (status == "stopped")


def test_a_resume_file_makes_the_next_run_continue_this_one(server: RecordingServer, tmp_path: Path) -> None:
    resume = tmp_path / "checkpoints" / "sloth-run.json"
    first = TrainingRun("resumable", channel="#ml", url=server.url, resume_file=resume, system_interval=None)
    first.start()
    first.finish(status="preempted")
    assert json.loads(resume.read_text()) == {"run_id": first.run_id, "token": first.resume_token}

    with TrainingRun("resumable", channel="#ml", url=server.url, resume_file=resume, system_interval=None) as second:
        second.log_epoch(0, loss=1.0)
    assert second.run_id == first.run_id and second.resume_token != first.resume_token
    last = server.received[-1].body["run"]
    assert last["resume"] == first.resume_token and last["instance"] == second.resume_token
    assert not resume.exists()  # it completed: the next start is a new run

    third = TrainingRun("resumable", channel="#ml", url=server.url, resume_file=resume, system_interval=None)
    assert third.run_id != first.run_id and third.finish() is True
