"""LightningCallback: a PyTorch Lightning Callback, built on first use so this module imports no Lightning.

    trainer = L.Trainer(max_epochs=10, callbacks=[LightningCallback("bert-tiny", channel="#ml")])

Only the global-zero process reports. Epoch metrics are the trainer's logged metrics at the end
of each training epoch (validation included); batch progress comes from every training batch.
Stop sets ``trainer.should_stop``; checkpoints that ``ModelCheckpoint`` saves are reported with
its best path and score; "Checkpoint now" saves through ``trainer.save_checkpoint``; "LR × 0.5"
scales every optimizer's param groups (and the schedulers' base rates). Under several processes
only Stop is offered: the other two would have to run on every rank at once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import Any

from . import _lifetime
from ._controls import rates_changed, scale_param_groups
from ._run import TrainingRun
from ._wire import MAX_PREDICTIONS, to_float


def epoch_metrics(logged: Mapping[str, Any]) -> dict[str, Any]:
    """`loss_epoch` as `loss`; `*_step` values left out (they are one batch's, not the epoch's)."""
    found: dict[str, Any] = {}
    for name, value in logged.items():
        if name.endswith("_step"):
            continue
        found[name.removesuffix("_epoch")] = value
    return found


def batch_metrics(outputs: Any, logged: Mapping[str, Any]) -> dict[str, Any]:
    """The `*_step` values the trainer logged, and what training_step returned as `loss` unless the
    module logs a training loss of its own (`train_loss`, say: a second row would only repeat it)."""
    found = {name.removesuffix("_step"): value for name, value in logged.items() if name.endswith("_step")}
    own_loss = any("loss" in name and not name.startswith(("val", "test", "eval")) for name in logged)
    loss = outputs.get("loss") if isinstance(outputs, Mapping) else outputs
    if loss is not None and not own_loss and to_float(loss) is not None:
        found["loss"] = loss
    return found


class LightningBridge:
    """What the callback does, without Lightning: trainer in, TrainingRun calls out."""

    def __init__(self, run: TrainingRun, validation_samples: tuple[Any, Any] | None = None,
                 class_names: Any = None) -> None:
        self.run = run
        self.validation_samples = validation_samples
        self.class_names = class_names
        self.reported: set[str] = set()  # checkpoint paths already reported
        self.saved_since_scan = False

    def fit_start(self, trainer: Any) -> None:
        if not trainer.is_global_zero:
            self.run.enabled = False
            return
        if self.run.total_epochs is None and (trainer.max_epochs or 0) > 0:
            self.run.total_epochs = int(trainer.max_epochs)
        if trainer.world_size == 1:
            self.run.can("checkpoint", "lr")
        self.run.start()

    def batch_end(self, trainer: Any, outputs: Any, batch_idx: int) -> None:
        if not self.run.enabled:
            return
        total = trainer.num_training_batches
        total = int(total) if isinstance(total, int) or (isinstance(total, float) and total != float("inf")) else None
        self.run.report_batch(trainer.current_epoch, batch_idx, total, batch_metrics(outputs, trainer.logged_metrics))
        self.after_step(trainer)

    def after_step(self, trainer: Any) -> None:
        if self.saved_since_scan:
            self.scan_checkpoints(trainer)
        if self.run.should_stop:
            trainer.should_stop = True
        self.run.handle_controls(lambda: self.save_now(trainer), lambda factor: self.scale_lr(trainer, factor))

    def epoch_end(self, trainer: Any) -> None:
        if self.run.enabled and not trainer.sanity_checking:
            self.run.report_epoch(trainer.current_epoch, epoch_metrics(trainer.callback_metrics))
            self.after_step(trainer)

    def scan_checkpoints(self, trainer: Any) -> None:
        """Report the files ModelCheckpoint wrote since the last look (it saves after our hooks run)."""
        self.saved_since_scan = False
        for callback in getattr(trainer, "checkpoint_callbacks", []):
            best_path = getattr(callback, "best_model_path", "") or None
            best_score = getattr(callback, "best_model_score", None)
            scores = dict(getattr(callback, "best_k_models", {}) or {})
            paths = [*scores, getattr(callback, "last_model_path", ""), getattr(callback, "_last_checkpoint_saved", "")]
            for path in dict.fromkeys(p for p in paths if p):
                if path in self.reported or not os.path.exists(path):
                    continue
                self.reported.add(path)
                self.run.log_checkpoint(path, scores.get(path), best=path == best_path,
                                        monitor=getattr(callback, "monitor", None), best_path=best_path,
                                        best_score=best_score, epoch=trainer.current_epoch, step=trainer.global_step)

    def save_now(self, trainer: Any) -> str:
        folder = _checkpoint_dir(trainer)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"sloth-epoch={trainer.current_epoch}-step={trainer.global_step}.ckpt")
        trainer.save_checkpoint(path)
        self.reported.add(path)
        return path

    @staticmethod
    def scale_lr(trainer: Any, factor: float) -> dict[str, Any]:
        schedulers = [config.scheduler for config in getattr(trainer, "lr_scheduler_configs", [])]
        return rates_changed(scale_param_groups(trainer.optimizers, factor, schedulers))

    def predict(self, pl_module: Any) -> None:
        """The predictions grid: the module's outputs on `validation_samples`, before the run ends."""
        if self.validation_samples is None or not self.run.enabled:
            return
        import torch

        x, y = self.validation_samples
        x, y = x[:MAX_PREDICTIONS], y[:MAX_PREDICTIONS]
        was_training = pl_module.training
        pl_module.eval()
        try:
            with torch.no_grad():
                outputs = pl_module(x.to(pl_module.device))
        except Exception as exc:
            self.run.problems.add("predict_failed", f"predicting on validation_samples failed: {exc!r}"[:300])
            return
        finally:
            pl_module.train(was_training)
        self.run.log_predictions(x.cpu(), y, outputs.cpu(), class_names=self.class_names)

    def finish(self, error: BaseException | None = None) -> None:
        if self.run.enabled:
            self.run.finish(error=error)


def _checkpoint_dir(trainer: Any) -> str:
    callback = getattr(trainer, "checkpoint_callback", None)
    folder = getattr(callback, "dirpath", None)
    return str(folder) if folder else os.path.join(trainer.default_root_dir, "checkpoints")


def _lightning() -> Any:
    """lightning.pytorch, or the older pytorch_lightning when that is the one in use."""
    if "pytorch_lightning" in sys.modules and "lightning.pytorch" not in sys.modules:
        import pytorch_lightning
        return pytorch_lightning
    try:
        import lightning.pytorch
        return lightning.pytorch
    except ImportError:
        import pytorch_lightning
        return pytorch_lightning


_classes: dict[str, type] = {}


def _callback_class() -> type:
    framework = _lightning()
    found = _classes.get(framework.__name__)
    if found is not None:
        return found

    class SlothLightningCallback(framework.Callback):  # type: ignore[name-defined]
        def __init__(self, bridge: LightningBridge) -> None:
            super().__init__()
            self.bridge = bridge

        @property
        def run(self) -> TrainingRun:
            return self.bridge.run

        def on_fit_start(self, trainer: Any, pl_module: Any) -> None:
            self.bridge.fit_start(trainer)

        def on_train_start(self, trainer: Any, pl_module: Any) -> None:
            _lifetime.watch_signals_again()  # Lightning's SIGTERM handler is in place by now

        def on_train_batch_end(self, trainer: Any, pl_module: Any, outputs: Any, batch: Any, batch_idx: int) -> None:
            self.bridge.batch_end(trainer, outputs, batch_idx)

        def on_train_epoch_end(self, trainer: Any, pl_module: Any) -> None:
            self.bridge.epoch_end(trainer)

        def on_save_checkpoint(self, trainer: Any, pl_module: Any, checkpoint: Any) -> None:
            self.bridge.saved_since_scan = True  # the file is written after this hook

        def on_train_epoch_start(self, trainer: Any, pl_module: Any) -> None:
            if self.bridge.saved_since_scan and self.bridge.run.enabled:
                self.bridge.scan_checkpoints(trainer)

        def on_exception(self, trainer: Any, pl_module: Any, exception: BaseException) -> None:
            self.bridge.finish(exception)

        def on_fit_end(self, trainer: Any, pl_module: Any) -> None:
            if self.bridge.run.enabled:
                self.bridge.scan_checkpoints(trainer)
                self.bridge.predict(pl_module)
            self.bridge.finish()

    _classes[framework.__name__] = SlothLightningCallback
    return SlothLightningCallback


class LightningCallback:
    """``callbacks=[LightningCallback("name", channel="#ml", owner="U…")]``; keyword arguments go to
    TrainingRun. `validation_samples` (x, y tensors): a grid of the module's predictions on up to
    16 of them when fit ends. Constructing one imports Lightning; importing this module does not."""

    def __new__(cls, name: str, channel: str, total_epochs: int | None = None,
                validation_samples: tuple[Any, Any] | None = None, class_names: Any = None,
                batch_every: float = 0.5, **run_options: Any) -> Any:
        callback_class = _callback_class()
        framework = _lightning()
        run = TrainingRun(name, channel, total_epochs, framework=f"lightning {framework.__version__}",
                          progress_interval=batch_every, **run_options)
        return callback_class(LightningBridge(run, validation_samples, class_names))
