"""Watch a training run from Slack: the client that lives in the training process.

This package imports only the Python standard library (keras only when a KerasCallback is
made), and only relatively within itself, so it can be copied into any training environment
(``cp -r bot/monitor my_project/sloth_monitor``)::

    with TrainingRun("mnist-cnn", channel="#ml", total_epochs=10) as run:
        for epoch in range(10):
            run.log_epoch(epoch, loss=0.31, val_loss=0.35)
            if run.should_stop:            # someone pressed Stop on the run card
                break

    model.fit(x, y, callbacks=[KerasCallback("mnist-cnn", channel="#ml")])   # Keras 3

Every call only puts an event on an in-memory queue; a daemon thread delivers them. The
training loop is never blocked and never sees an exception from this module, and with Sloth
unreachable it runs exactly as without the monitor (one warning through ``logging``).
Under a distributed launcher only rank 0 reports; other ranks get a disabled run whose calls
do nothing (broadcast ``should_stop`` yourself if every rank must stop).

PROTOCOL (version 1)
--------------------
Request: ``POST {url}/monitor/v1/runs/{run_id}/events`` with ``Authorization: Bearer <token>``
and ``Content-Type: application/json``. ``url`` defaults to ``$SLOTH_URL`` or
``http://127.0.0.1:8080``, the token to ``$SLOTH_MONITOR_TOKEN``. ``run_id`` is a uuid4 hex
made by the client. Body::

    {"run": {"name": str, "channel": str, "owner": str | null,
             "total_epochs": int | null, "config": {...}},
     "events": [event, ...],          # empty for a heartbeat
     "dropped": int}                  # events this client discarded so far (queue overflow)

Every POST repeats ``run``, so whichever request arrives first can create the run card.
Each event has ``type``, ``seq`` and ``time`` (Unix seconds, float) plus:

- ``start``: nothing else.
- ``batch``: ``epoch``, ``batch`` (both 0-based), ``total_batches`` (int | null),
  ``metrics`` ({name: float | null}).
- ``epoch``: ``epoch`` (0-based), ``metrics`` ({name: float | null}).
- ``predictions``: ``y_true`` [label], ``y_pred`` [label], ``class_names`` [str], and either
  ``images`` (one 2-D list of floats per sample, at most 64x64, ``[]`` where a sample could
  not be read; draw each image's own min..max as black..white) or ``png_b64`` ([base64 PNG]).
  A label is an int (a class index into ``class_names`` when given) or a str. At most 16.
- ``finish``: ``status`` ("completed" | "stopped" | "failed"), ``error``
  ({"type": str, "message": str} | null).

Non-finite metric values (nan, inf) are sent as null. ``seq`` starts at 1 and increases by
one per event in the order the training code produced them; gaps mean dropped or superseded
events. A request that failed is sent again with the same events (possibly with newer events
appended and an older ``batch`` replaced by a newer one), and requests for one run are sent
one at a time, so the server applies only events whose ``seq`` is greater than the last
``seq`` it applied for the run and ignores the rest (a retry can overlap a request the
client gave up on after 10 s, so the server should apply one run's requests one at a time).
Batch updates are coalesced: only the latest pending one is sent. A ``predictions`` event is
sent in a request of its own, so that a 413 for it drops nothing else. The client POSTs an empty
``events`` list as a heartbeat when it has sent nothing for a few seconds, until it has
delivered ``finish``.

Response: HTTP 200 with ``{"ok": true, "stop": bool, "stopped_by": str | null}``. Once
``stop`` is true the client's ``should_stop`` stays true. The client retries connection
errors, timeouts, 408, 425, 429 and 5xx with capped exponential backoff; it drops the events
of any other 4xx (400 malformed, 413 too large, ...) and stops sending altogether after 401
or 403. Each kind of problem is logged once.
"""

from __future__ import annotations

from ._keras import KerasCallback
from ._run import TrainingRun

__all__ = ["KerasCallback", "TrainingRun"]
