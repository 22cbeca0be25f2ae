"""HuggingFaceCallback: a transformers.TrainerCallback, built on first use so this module imports no transformers.

    trainer = Trainer(model, args, ..., callbacks=[HuggingFaceCallback("bert-tiny", channel="#ml")])

Only the main process (``state.is_world_process_zero``) reports. Training logs (``on_log``) feed
the batch bar, evaluation metrics (``eval_loss`` shown as ``val_loss``) join the epoch that has
just ended, and checkpoints (``on_save``) are reported with the trainer's best checkpoint and
metric. Stop sets ``control.should_training_stop``; "Checkpoint now" sets ``control.should_save``
so the Trainer saves at the end of that step; "LR × 0.5" scales the optimizer's param groups and
the scheduler's base rates. The Trainer has no hook for an exception: wrap ``trainer.train()`` in
``with callback.run:`` to report a crash as such rather than at process exit.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

from ._controls import rates_changed, scale_param_groups
from ._run import TrainingRun

SKIPPED = ("epoch", "total_flos", "step")
SKIPPED_SUFFIXES = ("_runtime", "_samples_per_second", "_steps_per_second")


def renamed(logs: Mapping[str, Any]) -> dict[str, Any]:
    """Trainer log names as the card names them: `eval_x` -> `val_x`, `train_loss` -> `loss`; timings dropped."""
    found: dict[str, Any] = {}
    for name, value in logs.items():
        if name in SKIPPED or name.endswith(SKIPPED_SUFFIXES):
            continue
        if name.startswith("eval_"):
            name = "val_" + name.removeprefix("eval_")
        elif name == "train_loss":
            name = "loss"
        found[name] = value
    return found


class HuggingFaceBridge:
    """What the callback does, without transformers: Trainer state in, TrainingRun calls out."""

    def __init__(self, run: TrainingRun) -> None:
        self.run = run
        self.train_logs: dict[str, Any] = {}
        self.eval_logs: dict[str, Any] = {}  # the latest evaluation, also one in the middle of an epoch
        self.pending_epoch: int | None = None  # an epoch that ended and waits for its evaluation
        self.optimizer: Any = None
        self.scheduler: Any = None

    def train_begin(self, args: Any, state: Any, kwargs: Mapping[str, Any]) -> None:
        if not state.is_world_process_zero:
            self.run.enabled = False
            return
        self.optimizer, self.scheduler = kwargs.get("optimizer"), kwargs.get("lr_scheduler")
        if self.run.total_epochs is None and args.num_train_epochs:
            self.run.total_epochs = max(1, math.ceil(args.num_train_epochs))
        if args.world_size == 1:
            self.run.can("checkpoint", "lr")
        self.run.start()

    def step_end(self, args: Any, state: Any, control: Any) -> None:
        if not self.run.enabled:
            return
        self.flush_epoch()
        per_epoch = self.steps_per_epoch(state)
        epoch = int(state.epoch or 0)
        batch = (state.global_step - 1) % per_epoch if per_epoch else state.global_step - 1
        self.run.report_batch(epoch, max(0, batch), per_epoch, self.batch_logs())
        if self.run.should_stop:
            control.should_training_stop = True
        self.run.handle_controls(lambda: self.ask_to_save(control), self.scale_lr)

    def batch_logs(self) -> dict[str, Any]:
        return {k: v for k, v in self.train_logs.items() if k in ("loss", "learning_rate", "grad_norm")}

    @staticmethod
    def steps_per_epoch(state: Any) -> int | None:
        if not state.max_steps or not state.num_train_epochs:
            return None
        return max(1, math.ceil(state.max_steps / state.num_train_epochs))

    def log(self, logs: Mapping[str, Any]) -> None:
        if self.run.enabled and not any(k.startswith("eval_") for k in logs):
            self.train_logs.update(renamed(logs))

    def evaluate(self, metrics: Mapping[str, Any]) -> None:
        if not self.run.enabled:
            return
        self.eval_logs = renamed(metrics)
        if self.pending_epoch is not None:
            self.run.report_epoch(self.pending_epoch, {**self.train_logs, **self.eval_logs})
            self.pending_epoch = None

    def epoch_end(self, state: Any) -> None:
        if self.run.enabled:
            self.flush_epoch()
            self.pending_epoch = max(0, round(state.epoch or 0) - 1)

    def flush_epoch(self) -> None:
        """The ended epoch had no evaluation after it: report it with the training logs alone."""
        if self.pending_epoch is not None:
            self.run.report_epoch(self.pending_epoch, {**self.train_logs, **self.eval_logs})
            self.pending_epoch = None

    def save(self, args: Any, state: Any) -> None:
        if not self.run.enabled:
            return
        path = os.path.join(args.output_dir, f"checkpoint-{state.global_step}")
        best_path = state.best_model_checkpoint
        best = None if best_path is None else os.path.abspath(best_path) == os.path.abspath(path)
        score = state.best_metric if best else None
        monitor = args.metric_for_best_model  # "loss" and "eval_loss" both mean the evaluation loss
        self.run.log_checkpoint(path, score, best=best,
                                monitor=None if monitor is None else "val_" + monitor.removeprefix("eval_"),
                                best_path=best_path, best_score=state.best_metric, epoch=int(state.epoch or 0),
                                step=state.global_step)

    def ask_to_save(self, control: Any) -> None:
        control.should_save = True  # the Trainer saves after this step and calls on_save, which answers
        return None

    def scale_lr(self, factor: float) -> dict[str, Any]:
        if self.optimizer is None:
            raise RuntimeError("the Trainer gave the callback no optimizer")
        schedulers = [self.scheduler] if self.scheduler is not None else []
        return rates_changed(scale_param_groups([self.optimizer], factor, schedulers))

    def train_end(self) -> None:
        if self.run.enabled:
            self.flush_epoch()
            self.run.finish()


_class: type | None = None


def _callback_class() -> type:
    global _class
    if _class is not None:
        return _class
    import transformers

    class SlothTrainerCallback(transformers.TrainerCallback):
        def __init__(self, bridge: HuggingFaceBridge) -> None:
            self.bridge = bridge

        @property
        def run(self) -> TrainingRun:
            return self.bridge.run

        def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.bridge.train_begin(args, state, kwargs)

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.bridge.step_end(args, state, control)

        def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
            self.bridge.log(logs or {})

        def on_evaluate(self, args: Any, state: Any, control: Any, metrics: Any = None, **kwargs: Any) -> None:
            self.bridge.evaluate(metrics or {})

        def on_epoch_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.bridge.epoch_end(state)

        def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.bridge.save(args, state)

        def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            self.bridge.train_end()

    _class = SlothTrainerCallback
    return _class


class HuggingFaceCallback:
    """``callbacks=[HuggingFaceCallback("name", channel="#ml", owner="U…")]``; keyword arguments go
    to TrainingRun. Constructing one imports transformers; importing this module does not."""

    def __new__(cls, name: str, channel: str, total_epochs: int | None = None, **run_options: Any) -> Any:
        callback_class = _callback_class()
        import transformers

        run = TrainingRun(name, channel, total_epochs, framework=f"transformers {transformers.__version__}",
                          **run_options)
        return callback_class(HuggingFaceBridge(run))
