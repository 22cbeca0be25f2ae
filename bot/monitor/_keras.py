"""KerasCallback: a keras.callbacks.Callback built on first use, so the package never imports keras."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ._run import TrainingRun
from ._wire import MAX_PREDICTIONS

_log = logging.getLogger(__name__)


class KerasBridge:
    """What KerasCallback does, without Keras: hook arguments in, TrainingRun calls out."""

    def __init__(self, new_run: Callable[[], TrainingRun], validation_samples: tuple[Any, Any] | None = None,
                 class_names: Iterable[Any] | None = None) -> None:
        self.new_run = new_run
        self.run = new_run()
        self.validation_samples = validation_samples
        self.class_names = class_names
        self.epoch = 0

    def train_begin(self, params: Mapping[str, Any] | None) -> None:
        if self.run.finished:  # the same callback passed to a second fit() gets a second run card
            self.run = self.new_run()
        if self.run.total_epochs is None and params and params.get("epochs"):
            self.run.total_epochs = int(params["epochs"])
        self.run.start()

    def epoch_begin(self, epoch: int) -> None:
        self.epoch = epoch

    def batch_end(self, batch: int, logs: Mapping[str, Any] | None, params: Mapping[str, Any] | None) -> bool:
        """Report progress; True when training should stop."""
        self.run.report_batch(self.epoch, batch, (params or {}).get("steps"), logs or {})
        return self.run.should_stop

    def epoch_end(self, epoch: int, logs: Mapping[str, Any] | None) -> bool:
        self.run.report_epoch(epoch, logs or {})
        return self.run.should_stop

    def train_end(self, model: Any) -> None:
        if self.validation_samples is not None and self.run.enabled:
            try:
                x, y = self.validation_samples
                x, y = x[:MAX_PREDICTIONS], y[:MAX_PREDICTIONS]
                self.run.log_predictions(x, y, model.predict(x, verbose=0), class_names=self.class_names)
            except Exception:
                _log.warning("Sloth monitor could not predict on validation_samples", exc_info=True)
        self.run.finish()


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
            if self.bridge.batch_end(batch, logs, self.params):
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
    batch progress, epoch metrics, an optional predictions grid and the end of the run.

    Constructing one imports keras (3, any backend); the module itself never does. Extra keyword
    arguments (owner, config, url, token, flush_timeout) go to TrainingRun; ``batch_every`` is the
    minimum number of seconds between batch progress reports.
    """

    def __new__(cls, name: str, channel: str, total_epochs: int | None = None,
                validation_samples: tuple[Any, Any] | None = None, batch_every: float = 0.5,
                class_names: Iterable[Any] | None = None, **run_options: Any) -> Any:
        callback_class = _keras_callback_class()

        def new_run() -> TrainingRun:
            return TrainingRun(name, channel, total_epochs, progress_interval=batch_every, **run_options)

        return callback_class(KerasBridge(new_run, validation_samples, class_names))
