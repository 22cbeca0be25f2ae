"""Fine-tune a tiny BERT (built from a config: nothing is downloaded) with the Hugging Face Trainer
and watch it from Slack.

    pip install torch==2.13.0 && pip install ./monitor transformers accelerate
    SLOTH_URL=... SLOTH_MONITOR_TOKEN=... python examples/train_transformers.py --owner U01WJK68KS

The task is made up: does token 7 occur more often than token 8 in a sequence of 16 random
tokens? Two layers, hidden size 32, CPU only. Stop, Checkpoint now and LR × 0.5 on the card
reach the Trainer; the card shows its checkpoints and the best one.
"""

from __future__ import annotations

import argparse
import os
import sys

import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

from sloth_monitor.huggingface import HuggingFaceCallback

VOCAB, LENGTH = 50, 16


class CountingTask(torch.utils.data.Dataset):
    def __init__(self, size: int, seed: int) -> None:
        generator = torch.Generator().manual_seed(seed)
        self.tokens = torch.randint(5, VOCAB, (size, LENGTH), generator=generator)
        self.labels = ((self.tokens == 7).sum(1) > (self.tokens == 8).sum(1)).long()

    def __len__(self) -> int:
        return len(self.tokens)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        return {"input_ids": self.tokens[index], "attention_mask": torch.ones(LENGTH, dtype=torch.long),
                "labels": self.labels[index]}


def accuracy(prediction: object) -> dict[str, float]:
    logits, labels = prediction.predictions, prediction.label_ids  # type: ignore[attr-defined]
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--name", default="bert-tiny")
    parser.add_argument("--channel", default=os.environ.get("SLOTH_CHANNEL", "#general"))
    parser.add_argument("--owner", default=os.environ.get("SLOTH_OWNER"))
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--samples", type=int, default=512)
    parser.add_argument("--output", default="hf_runs")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(7)
    config = BertConfig(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=LENGTH, num_labels=2)
    model = BertForSequenceClassification(config)
    training = TrainingArguments(
        output_dir=args.output, num_train_epochs=args.epochs, per_device_train_batch_size=16,
        per_device_eval_batch_size=64, learning_rate=2e-3, eval_strategy="epoch", save_strategy="epoch",
        logging_steps=4, metric_for_best_model="eval_loss", report_to="none", use_cpu=True,
        disable_tqdm=True, seed=7)
    monitor = HuggingFaceCallback(args.name, channel=args.channel, owner=args.owner, watch="val_loss", patience=3,
                                  config={"model": "BERT 2x32", "learning_rate": training.learning_rate,
                                          "batch_size": 16})
    trainer = Trainer(model=model, args=training, train_dataset=CountingTask(args.samples, 1),
                      eval_dataset=CountingTask(128, 2), compute_metrics=accuracy, callbacks=[monitor])
    with monitor.run:  # the Trainer has no exception hook: a crash is reported as one
        trainer.train()
    stopped = " (stopped from Slack)" if monitor.run.should_stop else ""
    print(f"best {trainer.state.best_model_checkpoint} eval_loss {trainer.state.best_metric}{stopped}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
