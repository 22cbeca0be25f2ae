"""The training loops bench/training_overhead.py times: a plain loop, tqdm, Lightning, Hugging Face, Keras.

Each `segment` runs one short training with the monitor in one mode and returns the mean step
time, measured between consecutive step ends (so start-up and the final flush are not in it),
the time spent inside the monitor's calls (plain loops only) and the sender thread's CPU time.
Frameworks are imported only when their segment first runs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sloth_monitor import TrainingRun, tqdm

EPOCH_EVERY = 50


@dataclass
class Timing:
    step_seconds: float
    in_monitor: float = 0.0  # seconds inside the monitor's own calls, where they can be timed
    sender_cpu: float = 0.0  # CPU seconds of the monitor's sender thread
    steps: int = 0
    cpu_step: float = 0.0  # the process's CPU seconds per step (all threads, the sender's included)


def mean_step(ends: list[float]) -> float:
    return (ends[-1] - ends[0]) / (len(ends) - 1)


def step_end(ends: list[float], cpu: list[float]) -> None:
    """Wall and CPU clocks at the end of a step. CPU time counts only what this process does, so
    other programs on a busy machine move it far less than the wall clock."""
    ends.append(time.perf_counter())
    cpu.append(time.process_time())


class SenderClock:
    """The CPU time of a run's sender thread, read at each step end (a framework's callback may end
    the run, and with it the thread, before the benchmark gets to look)."""

    def __init__(self) -> None:
        self.run: TrainingRun | None = None
        self.seconds = 0.0

    def read(self) -> float:
        thread = None if self.run is None else self.run._sender.thread_id
        if thread is not None:
            try:
                self.seconds = time.clock_gettime(time.pthread_getcpuclockid(thread))
            except (OSError, ProcessLookupError):
                pass  # the thread has ended: keep its last reading
        return self.seconds


def sender_cpu(run: TrainingRun | None, clock: SenderClock | None = None) -> float:
    """CPU seconds the run's sender thread used during the timed loop; then the run is finished."""
    if run is None:
        return 0.0
    clock = clock or SenderClock()
    clock.run = run
    seconds = clock.read()
    run.finish()  # after timing: a job pays this once, at the very end
    return seconds


def new_run(url: str | None, name: str = "bench") -> TrainingRun | None:
    if url is None:
        return None
    return TrainingRun(name, channel="#bench", url=url, token="bench", flush_timeout=0.2)


def make_work(kind: str, step_ms: float) -> Callable[[], None]:
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
    repeats = max(1, round(step_ms / 1000 / ((time.perf_counter() - began) / 200)))

    def work() -> None:
        for _ in range(repeats):
            unit()
    return work


def plain(work: Callable[[], None], steps: int, url: str | None, control: bool) -> Timing:
    run = new_run(url)
    log_batch, log_epoch = (run.log_batch, run.log_epoch) if run is not None else (nothing, nothing)
    monitored = run is not None or control
    if run is not None:
        run.start()
    in_monitor, ends, cpu = 0.0, [], []
    for step in range(steps):
        work()
        if monitored:
            t = time.perf_counter()
            log_batch(step // EPOCH_EVERY, step % EPOCH_EVERY, EPOCH_EVERY, loss=1.0 / (step + 1))
            if step % EPOCH_EVERY == EPOCH_EVERY - 1:
                log_epoch(step // EPOCH_EVERY, loss=1.0 / (step + 1), val_loss=1.1 / (step + 1))
            in_monitor += time.perf_counter() - t
        step_end(ends, cpu)
    return Timing(mean_step(ends), in_monitor, sender_cpu(run), steps, mean_step(cpu))


def with_tqdm(work: Callable[[], None], steps: int, url: str | None, control: bool) -> Timing:
    import tqdm as tqdm_package

    run = new_run(url)
    bar = tqdm(range(steps), run=run, disable=True) if run is not None else tqdm_package.tqdm(range(steps),
                                                                                               disable=True)
    ends: list[float] = []
    cpu: list[float] = []
    for _ in bar:
        work()
        step_end(ends, cpu)
    return Timing(mean_step(ends), 0.0, sender_cpu(run), steps, mean_step(cpu))


def nothing(*args: Any, **kwargs: Any) -> None:
    pass


# ---- frameworks ----------------------------------------------------------------------------

def lightning(steps: int, url: str | None, control: bool) -> Timing:
    import lightning as L

    from examples.train_lightning import DigitsMLP, loaders
    from sloth_monitor.lightning import LightningCallback

    ends: list[float] = []
    steps_cpu: list[float] = []
    cpu = SenderClock()

    class Clock(L.Callback):
        def on_train_batch_end(self, *args: Any) -> None:
            step_end(ends, steps_cpu)
            cpu.read()

    class Nothing(L.Callback):
        def on_train_batch_end(self, *args: Any) -> None:
            pass

    monitor = LightningCallback("bench", channel="#bench", url=url, token="bench", flush_timeout=0.2) if url else None
    cpu.run = monitor.run if monitor else None
    callbacks: list[Any] = [Clock(), *([monitor] if monitor else []), *([Nothing()] if control else [])]
    train, _, _, _ = loaders()
    trainer = L.Trainer(max_steps=steps, accelerator="cpu", devices=1, callbacks=callbacks, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                        limit_val_batches=0, num_sanity_val_steps=0)
    trainer.fit(DigitsMLP(3e-3), train)
    return Timing(mean_step(ends), 0.0, sender_cpu(monitor.run if monitor else None, cpu), len(ends),
                  mean_step(steps_cpu))


def huggingface(steps: int, url: str | None, control: bool) -> Timing:
    import transformers

    from examples.train_transformers import LENGTH, VOCAB, CountingTask
    from sloth_monitor.huggingface import HuggingFaceCallback

    ends: list[float] = []
    steps_cpu: list[float] = []
    cpu = SenderClock()

    class Clock(transformers.TrainerCallback):
        def on_step_end(self, *args: Any, **kwargs: Any) -> None:
            step_end(ends, steps_cpu)
            cpu.read()

    class Nothing(transformers.TrainerCallback):
        def on_step_end(self, *args: Any, **kwargs: Any) -> None:
            pass

    monitor = HuggingFaceCallback("bench", channel="#bench", url=url, token="bench", flush_timeout=0.2) if url else None
    cpu.run = monitor.run if monitor else None
    config = transformers.BertConfig(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                                     intermediate_size=64, max_position_embeddings=LENGTH, num_labels=2)
    args = transformers.TrainingArguments(output_dir="/tmp/sloth-bench-hf", max_steps=steps,
                                          per_device_train_batch_size=16, logging_steps=10, save_strategy="no",
                                          report_to="none", use_cpu=True, disable_tqdm=True)
    callbacks: list[Any] = [Clock(), *([monitor] if monitor else []), *([Nothing()] if control else [])]
    trainer = transformers.Trainer(model=transformers.BertForSequenceClassification(config), args=args,
                                   train_dataset=CountingTask(4096, 1), callbacks=callbacks)
    trainer.remove_callback(transformers.trainer_callback.PrinterCallback)  # it prints every log line
    trainer.train()
    return Timing(mean_step(ends), 0.0, sender_cpu(monitor.run if monitor else None, cpu), len(ends),
                  mean_step(steps_cpu))


def keras_fit(steps: int, url: str | None, control: bool) -> Timing:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    import numpy as np

    from examples.train_digits import build_model
    from sloth_monitor.keras import KerasCallback

    ends: list[float] = []
    steps_cpu: list[float] = []
    cpu = SenderClock()

    class Clock(keras.callbacks.Callback):
        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            step_end(ends, steps_cpu)
            cpu.read()

    class Nothing(keras.callbacks.Callback):
        def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
            pass

    monitor = KerasCallback("bench", channel="#bench", url=url, token="bench", flush_timeout=0.2) if url else None
    cpu.run = monitor.run if monitor else None
    rng = np.random.default_rng(0)
    x, y = rng.random((steps * 32, 8, 8, 1), dtype=np.float32), rng.integers(0, 10, steps * 32)
    callbacks: list[Any] = [Clock(), *([monitor] if monitor else []), *([Nothing()] if control else [])]
    build_model(2e-3).fit(x, y, batch_size=32, epochs=1, callbacks=callbacks, verbose=0)
    return Timing(mean_step(ends), 0.0, sender_cpu(monitor.run if monitor else None, cpu), len(ends),
                  mean_step(steps_cpu))


FRAMEWORKS: dict[str, Callable[[int, str | None, bool], Timing]] = {
    "lightning": lightning, "huggingface": huggingface, "keras": keras_fit}
