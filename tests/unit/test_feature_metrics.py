"""A feature's own metrics: made once per runtime, the same one for each workspace's start hook."""

from __future__ import annotations

import pytest

from bot.work.metrics import Metrics


def test_a_feature_metric_asked_for_twice_is_the_same_one() -> None:
    metrics = Metrics()
    first = metrics.counter("sloth_demo_total", "Demo.", ["reason"])
    again = metrics.counter("sloth_demo_total", "Demo.", ["reason"])
    assert first is again
    again.labels("x").inc()
    assert metrics.render().decode().count("# TYPE sloth_demo_total counter") == 1
    assert metrics.histogram("sloth_demo_seconds", "Demo.", buckets=(1.0,)) is metrics.histogram(
        "sloth_demo_seconds", "Demo.", buckets=(1.0,))


def test_a_name_made_otherwise_is_refused() -> None:
    metrics = Metrics()
    metrics.counter("sloth_demo_total", "Demo.", ["reason"])
    with pytest.raises(ValueError, match="already made as a Counter with labels"):
        metrics.gauge("sloth_demo_total", "Demo.", ["reason"])
    with pytest.raises(ValueError, match="already made"):
        metrics.counter("sloth_demo_total", "Demo.", ["why"])
