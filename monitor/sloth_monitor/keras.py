"""KerasCallback: a keras.callbacks.Callback built on first use, so the package never imports keras."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._run import TrainingRun
from ._wire import MAX_PREDICTIONS

_log = logging.getLogger(__name__)


class KerasBridge:
    """What KerasCallback does, without Keras: hook arguments in, TrainingRun calls out."""

    def __init__(self, new_run: Callable[[], TrainingRun], validation_samples: tuple[Any, Any] | None = None,
                 class_names: Iterable[Any] | None = None, checkpoint_dir: str = "checkpoints") -> None:
        self.new_run = new_run
        self.run = new_run()
        self.validation_samples = validation_samples
        self.class_names = class_names
        self.checkpoint_dir = checkpoint_dir
        self.epoch = 0
        self.batch = 0

    def train_begin(self, params: Mapping[str, Any] | None) -> None:
        if self.run.finished:  # the same callback passed to a second fit() gets a second run card
            self.run = self.new_run()
        if self.run.total_epochs is None and params and params.get("epochs"):
            self.run.total_epochs = int(params["epochs"])
        self.run.can("checkpoint", "lr")
        self.run.start()

    def epoch_begin(self, epoch: int) -> None:
        self.epoch = epoch

    def batch_end(self, batch: int, logs: Mapping[str, Any] | None, params: Mapping[str, Any] | None,
                  model: Any = None) -> bool:
        """Report progress and apply button presses; True when training should stop."""
        self.batch = batch
        self.run.report_batch(self.epoch, batch, (params or {}).get("steps"), logs or {})
        if model is not None:
            self.run.handle_controls(lambda: self.save(model), lambda factor: self.scale_lr(model, factor))
        return self.run.should_stop

    def epoch_end(self, epoch: int, logs: Mapping[str, Any] | None) -> bool:
        self.run.report_epoch(epoch, logs or {})
        return self.run.should_stop

    def save(self, model: Any) -> str:
        os.makedirs(self.checkpoint_dir, exist_ok=True)
        name = f"{_slug(self.run.name)}-epoch{self.epoch + 1}-batch{self.batch + 1}.keras"
        path = os.path.join(self.checkpoint_dir, name)
        model.save(path)
        return path

    @staticmethod
    def scale_lr(model: Any, factor: float) -> dict[str, Any]:
        import keras

        optimizer = model.optimizer
        rate = float(keras.ops.convert_to_numpy(optimizer.learning_rate)) * factor
        optimizer.learning_rate = rate  # a LearningRateSchedule refuses this with a TypeError
        return {"learning_rate": rate}

    def train_end(self, model: Any) -> None:
        if self.validation_samples is not None and self.run.enabled:
            try:
                x, y = self.validation_samples
                x, y = x[:MAX_PREDICTIONS], y[:MAX_PREDICTIONS]
                self.run.log_predictions(x, y, model.predict(x, verbose=0), class_names=self.class_names)
            except Exception:
                _log.warning("Sloth monitor could not predict on validation_samples", exc_info=True)
        self.run.finish()


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in name)[:60] or "run"


_keras_class: type | None = None


def _keras_callback_class() -> type:
    """Build the keras.callbacks.Callback subclass the first time one is asked for."""
    global _keras_class
    if _keras_class is not None:
        return _keras_class
    import keras

    class SlothKerasCallback(keras.callbacks.Callback):
        def __init__(self, bridge: KerasBridge) -> None:
            super().__init__()
            self.bridge = bridge

        @property
        def run(self) -> TrainingRun:
            return self.bridge.run

        def on_train_begin(self, logs: Any = None) -> None:
            self.bridge.train_begin(self.params)

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self.bridge.epoch_begin(epoch)

        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            if self.bridge.batch_end(batch, logs, self.params, self.model):
                self.model.stop_training = True

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            if self.bridge.epoch_end(epoch, logs):
                self.model.stop_training = True

        def on_train_end(self, logs: Any = None) -> None:
            self.bridge.train_end(self.model)

    _keras_class = SlothKerasCallback
    return _keras_class


class KerasCallback:
    """``callbacks=[KerasCallback("mnist", channel="#ml")]``: a keras.callbacks.Callback reporting
    batch progress, epoch metrics, an optional predictions grid and the end of the run, and doing
    what the card's buttons ask: Stop, Checkpoint now (``model.save`` into `checkpoint_dir`) and
    LR × 0.5 (the optimizer's learning rate).

    Constructing one imports keras (3, any backend); the module itself never does. Extra keyword
    arguments (owner, config, url, token, watch, patience, ...) go to TrainingRun; ``batch_every``
    is the minimum number of seconds between batch progress reports.
    """

    def __new__(cls, name: str, channel: str, total_epochs: int | None = None,
                validation_samples: tuple[Any, Any] | None = None, batch_every: float = 0.5,
                class_names: Iterable[Any] | None = None, checkpoint_dir: str = "checkpoints",
                **run_options: Any) -> Any:
        callback_class = _keras_callback_class()
        import keras

        def new_run() -> TrainingRun:
            return TrainingRun(name, channel, total_epochs, progress_interval=batch_every,
                               framework=f"keras {keras.__version__}", controls=("checkpoint", "lr"), **run_options)

        return callback_class(KerasBridge(new_run, validation_samples, class_names, checkpoint_dir))
