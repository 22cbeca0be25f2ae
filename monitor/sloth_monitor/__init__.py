"""sloth-monitor: watch a training run, or any job, from Slack through Sloth.

Standard library only. Framework integrations import their framework when one is made, never
when this package or their module is imported::

    from sloth_monitor import TrainingRun, tqdm, notify

    with TrainingRun("mnist-cnn", channel="#ml", total_epochs=10, owner="U012AB3CD") as run:
        for epoch in range(10):
            for batch in tqdm(loader, run=run):     # feeds the card's batch bar
                ...
            run.log_epoch(epoch, loss=0.31, val_loss=0.35)
            if run.should_stop:                      # someone pressed Stop on the run card
                break

    from sloth_monitor.lightning import LightningCallback          # PyTorch Lightning
    from sloth_monitor.huggingface import HuggingFaceCallback      # transformers.Trainer
    from sloth_monitor.keras import KerasCallback                  # Keras 3

    @notify(channel="#ml")                                         # any function or script step
    def nightly_export(): ...

Every call only puts an event on an in-memory queue; a daemon thread delivers them, samples the
machine's figures (GPUs through NVML or nvidia-smi, else CPU and RAM) and asks whether a button
was pressed. The job is never blocked and never sees an exception from this package; with Sloth
unreachable it runs as without it, and each kind of problem is logged once through ``logging``.
Leaving a run waits at most one short flush (1 s; ``SLOTH_FLUSH_SECONDS``), none while Sloth is
down. Ctrl-C is reported as stopped, SIGTERM as preempted (the job still ends as it would have),
and ``resume_file=`` lets a restarted job continue its run's card. Under a distributed launcher
only rank 0 reports.

Settings: ``SLOTH_URL`` (default http://127.0.0.1:8080) and ``SLOTH_MONITOR_TOKEN``, both also
constructor arguments.

The wire protocol (version 3; Sloth also accepts what version 1 and 2 clients send) is documented in
PROTOCOL.md beside this package (``monitor/PROTOCOL.md`` in Sloth's repository). In short:
``POST {SLOTH_URL}/monitor/v1/runs/{run_id}/events`` with a bearer token and a JSON body
``{"protocol": 3, "run": {...}, "events": [...], "dropped": n, "problems": {...}}``; the answer
``{"ok": true, "stop": bool, "stopped_by": str | null, "controls": [...], "notices": [...]}``
carries Stop and the card's other buttons back to the job, each control acknowledged by a later
``control`` event.
"""

from __future__ import annotations

from ._controls import Control
from ._delivery import PROTOCOL_VERSION
from ._notify import notify
from ._run import TrainingRun
from ._tqdm import tqdm
from .keras import KerasCallback

__version__ = "3.0.0"
__all__ = ["PROTOCOL_VERSION", "Control", "KerasCallback", "TrainingRun", "notify", "tqdm"]


def __getattr__(name: str) -> object:
    # The other integrations by name too, imported only when asked for (they stay framework-free).
    if name == "LightningCallback":
        from .lightning import LightningCallback
        return LightningCallback
    if name == "HuggingFaceCallback":
        from .huggingface import HuggingFaceCallback
        return HuggingFaceCallback
    raise AttributeError(f"module 'sloth_monitor' has no attribute {name!r}")
