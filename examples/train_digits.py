"""Train a small CNN on scikit-learn's 8x8 digits and watch it from Slack.

    pip install torch==2.13.0 && pip install ./monitor -e '.[examples]'
    sloth sandbox                      # prints the SLOTH_URL and SLOTH_MONITOR_TOKEN to use
    SLOTH_URL=... SLOTH_MONITOR_TOKEN=... python examples/train_digits.py --owner U01WJK68KS

Keras 3 on the torch backend, on the CPU; well under a second per epoch. The run card shows
progress and metrics, the thread gets the training curves and a grid of test predictions at
the end, and Stop on the card ends training after the current batch; Checkpoint now saves the
model into $SLOTH_CHECKPOINT_DIR (default ./checkpoints) and LR × 0.5 halves the learning rate.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # after choosing the backend above
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sloth_monitor import KerasCallback


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--name", default="digits-cnn", help="the run's name on its card")
    parser.add_argument("--channel", default=os.environ.get("SLOTH_CHANNEL", "#general"),
                        help="where the run card goes (default $SLOTH_CHANNEL or #general)")
    parser.add_argument("--owner", default=os.environ.get("SLOTH_OWNER"),
                        help="your Slack user ID (U…): lets you press Stop (default $SLOTH_OWNER)")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


def build_model(learning_rate: float) -> keras.Model:
    model = keras.Sequential([
        keras.Input(shape=(8, 8, 1)),
        keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    keras.utils.set_random_seed(args.seed)
    digits = load_digits()
    images = (digits.images / 16.0).astype("float32")[..., np.newaxis]  # pixels 0..16 -> 0..1
    x_train, x_test, y_train, y_test = train_test_split(
        images, digits.target, test_size=0.2, random_state=args.seed, stratify=digits.target)
    model = build_model(args.learning_rate)
    monitor = KerasCallback(
        args.name, channel=args.channel, owner=args.owner,
        validation_samples=(x_test[:16], y_test[:16]), class_names=[str(d) for d in range(10)],
        checkpoint_dir=os.environ.get("SLOTH_CHECKPOINT_DIR", "checkpoints"),
        config={"model": "2-conv CNN", "params": model.count_params(), "optimizer": "adam",
                "learning_rate": args.learning_rate, "batch_size": args.batch_size, "backend": keras.backend.backend()},
    )
    model.fit(x_train, y_train, validation_data=(x_test, y_test), epochs=args.epochs,
              batch_size=args.batch_size, callbacks=[monitor], verbose=2)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    stopped = " (stopped from Slack)" if monitor.run.should_stop else ""
    print(f"test accuracy {accuracy:.3f}, loss {loss:.3f}{stopped}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
