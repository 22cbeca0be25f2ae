"""Checks of what the training code passes in: each problem is counted and said once, never raised."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from ._wire import Problems, to_float, wire_number

OWNER = re.compile(r"^[UW][A-Z0-9]{2,20}$")
CHANNEL = re.compile(r"^(#?[a-z0-9][a-z0-9._\-]{0,79}|[CGD][A-Z0-9]{2,20})$")
RUN_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def checked_owner(owner: Any, problems: Problems) -> str | None:
    if owner is None or (isinstance(owner, str) and OWNER.match(owner)):
        return owner
    problems.add("bad_owner", f"owner {str(owner)[:40]!r} is not a Slack user ID like U012AB3CD; "
                 "the run has no owner (only Sloth's admins can press its buttons)")
    return None


def checked_run_id(run_id: str | None, problems: Problems) -> str:
    if run_id is None:
        return uuid.uuid4().hex
    if isinstance(run_id, str) and RUN_ID.match(run_id):
        return run_id
    problems.add("bad_run_id", f"run_id {str(run_id)[:70]!r} must be 8-64 letters, digits, '-' or '_'; "
                 "a new one was made")
    return uuid.uuid4().hex


def check_channel(channel: Any, problems: Problems) -> None:
    if not isinstance(channel, str) or not CHANNEL.match(channel):
        problems.add("bad_channel", f"channel {str(channel)[:90]!r} is not a channel name like #ml or an "
                     "ID like C0123ABC; Sloth will refuse this run's reports")


TAG = re.compile(r"[A-Za-z0-9._:/-]{1,40}")
MAX_TAGS = 10


def checked_tags(tags: Any, problems: Problems) -> list[str]:
    """The tags Sloth takes (at most 10, each 1-40 letters, digits or . _ - : /); the rest left out, said once."""
    given = [tags] if isinstance(tags, str) else list(tags)
    kept = list(dict.fromkeys(t for t in given if isinstance(t, str) and TAG.fullmatch(t)))[:MAX_TAGS]
    if len(kept) < len(set(map(str, given))):
        problems.add("bad_tags", f"tags must be at most {MAX_TAGS} words of 1-40 letters, digits or . _ - : /; "
                     "the others were left out")
    return kept

def bad_loss(metrics: Mapping[str, Any]) -> bool:
    """A plain-float loss that is NaN or infinite (tensors are not looked at: that would wait for the GPU).

    Called on every log_batch, so it is a plain loop: `v - v` is 0.0 for finite floats only.
    """
    for name, value in metrics.items():
        if type(value) is float and value - value != 0.0 and "loss" in name:
            return True
    return False


def score_value(value: Any) -> float | str | None:
    number = to_float(value)
    return None if number is None else wire_number(number)
