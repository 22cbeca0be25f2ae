"""What the charts are drawn from: plain, picklable data, built on the event loop and sent to a
worker process. No drawing here: the process that builds these never imports matplotlib.

The handlers name each chart by its import path (`Task("handlers.charts:activity_png")`), so
`handlers.charts` and matplotlib are imported only by the worker processes that draw.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from handlers.tally import Row


class Activity(NamedTuple):
    channel: str
    rows: list[Row]  # top-level messages in the period
    first: date  # first and last local day shown
    last: date
    tz_offset: int
    tz_label: str
    names: dict[str, str]  # user ID -> display name, for the top posters
    replies: int  # thread replies in the period's threads (not plotted per day)


class Members(NamedTuple):
    where: str  # "the workspace" or "#channel"
    zones: list[tuple[str, int, int]]  # (label, offset, members), from tally.zones
    viewer_offset: int
    viewer_label: str
    now_hour: float  # the viewer's current local time in hours, for the "now" line
