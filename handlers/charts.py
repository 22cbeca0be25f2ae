"""PNG charts drawn with matplotlib (Agg, no display): pure functions from data to bytes.

These run in worker processes only (see `bot.work.cpu`): callers name them with a `Task`, so the
process that holds the socket never imports matplotlib. Each takes one picklable argument from
`handlers.chart_data` and returns the PNG. Sizes and fonts are chosen for Slack's preview,
which shows an image about 360–480 pixels wide: titles, axis labels and legends stay readable
at half size.
"""

from __future__ import annotations

import io
import warnings
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import dates as mdates
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from handlers.chart_data import Activity, Members
from handlers.tally import Post, awake_by_hour, per_day, posts_of, rolling_mean, top_posters, utc_label

SIZE = (11.2, 6.3)  # inches; at DPI, 1120×630 (16:9)
DPI = 100
INK = "#1d1c1d"
MUTED = "#616061"
AUBERGINE = "#4a154b"
LIGHT = "#c7b3c8"
TEAL = "#1a9fc4"
GREEN = "#2eb67d"
GREY = "#b8b8b8"
STYLE: dict[str, Any] = {
    # Names and channel names are user text: a "$" must never switch on math parsing.
    "text.parse_math": False,
    "font.size": 15, "axes.titlesize": 18, "axes.titleweight": "bold", "axes.labelsize": 16,
    "xtick.labelsize": 14, "ytick.labelsize": 14, "legend.fontsize": 14, "text.color": INK,
    "axes.labelcolor": INK, "xtick.color": MUTED, "ytick.color": MUTED, "axes.edgecolor": GREY,
    "axes.spines.top": False, "axes.spines.right": False,
}
TOP = 8


def activity_png(data: Activity) -> bytes:
    posts = posts_of(data.rows)
    days = per_day(posts, data.tz_offset, data.first, data.last)
    counts = [n for _, n in days]
    with rc_context(STYLE):  # type: ignore[arg-type]
        figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
        left, right = figure.subplots(1, 2, width_ratios=[2.2, 1])
        _per_day(left, days, counts)
        _posters(right, posts, data.names)
        period = "today" if len(days) == 1 else f"in the last {len(days)} days"
        figure.suptitle(f"#{data.channel} · {sum(counts):,} messages {period}",
                        fontsize=24, fontweight="bold", x=0.02, ha="left")
        left.set_title(f"Messages per day, {data.tz_label}", loc="left", fontsize=16, color=MUTED,
                       fontweight="normal")
        if data.replies:
            left.set_xlabel(f"+ {data.replies:,} thread replies, not counted per day", color=MUTED, fontsize=14,
                            loc="left")
        return _png(figure)


def _per_day(axes: Axes, days: list[tuple[date, int]], counts: list[int]) -> None:
    when = [d for d, _ in days]
    weekend = [d.weekday() >= 5 for d in when]
    colours = [LIGHT if w else AUBERGINE for w in weekend]
    x: Any = when  # matplotlib's date converter handles dates; its type hints say numbers
    axes.bar(x, counts, color=colours, width=0.8)
    handles: list[Any] = [Patch(color=AUBERGINE, label="weekday"), Patch(color=LIGHT, label="weekend")]
    if len(days) >= 7:
        (line,) = axes.plot(x, rolling_mean(counts), color=TEAL, linewidth=3.5, label="7-day average")
        handles.append(line)
    axes.set_ylabel("messages")
    axes.set_ylim(0, max([*counts, 1]) * 1.18)
    axes.grid(axis="y", color="#e8e8e8", linewidth=1)
    axes.set_axisbelow(True)
    axes.set_xlim(mdates.date2num(when[0]) - 0.7, mdates.date2num(when[-1]) + 0.7)
    if len(days) <= 7:  # a tick per day, named; the automatic locator would show hours
        axes.xaxis.set_major_locator(mdates.DayLocator())
        axes.xaxis.set_major_formatter(mdates.DateFormatter("%a %d"))
    else:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))
    axes.legend(handles=handles, loc="upper left", ncols=3, frameon=False)


def _posters(axes: Axes, posts: list[Post], names: dict[str, str]) -> None:
    ranked = top_posters(posts, TOP)
    rest = ranked.pop()[1] if ranked and not ranked[-1][0] else 0
    labels = [_short(_author_name(key, names)) for key, _ in ranked]
    values = [n for _, n in ranked]
    positions = list(range(len(ranked)))
    axes.barh(positions, values, color=GREEN, height=0.7)
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    axes.set_title("Top posters", loc="left")
    if rest:
        axes.set_xlabel(f"+ {rest:,} by everyone else", color=MUTED, fontsize=14, loc="left")
    axes.spines["bottom"].set_visible(False)
    axes.set_xticks([])
    top = max([*values, 1])
    axes.set_xlim(0, top * 1.3)
    for y, value in zip(positions, values, strict=True):
        axes.text(value + top * 0.02, y, f"{value:,}", va="center", fontsize=14, color=INK)
    axes.tick_params(axis="y", length=0)


def _author_name(key: str, names: dict[str, str]) -> str:
    if key.startswith("bot:"):
        return key[4:] + " (bot)"
    return names.get(key, key)


def _short(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def members_png(data: Members) -> bytes:
    offsets = [offset for _, offset, n in data.zones for _ in range(n)]
    hours = awake_by_hour(offsets, data.viewer_offset)
    with rc_context(STYLE):  # type: ignore[arg-type]
        figure = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
        left, right = figure.subplots(1, 2, width_ratios=[1.9, 1])
        _day_curve(left, hours, data)
        _zone_bars(right, data.zones)
        count = "1 time zone" if len(data.zones) == 1 else f"{len(data.zones)} time zones"
        figure.suptitle(f"Who is awake when in {data.where}", fontsize=24, fontweight="bold", x=0.02, ha="left")
        left.set_title(f"{len(offsets):,} members in {count}, hour by hour", loc="left", fontsize=16,
                       color=MUTED, fontweight="normal")
        return _png(figure)


def _day_curve(axes: Axes, hours: list, data: Members) -> None:
    x = [h.hour for h in hours] + [24]
    awake = [h.awake for h in hours] + [hours[0].awake]
    working = [h.working for h in hours] + [hours[0].working]
    axes.fill_between(x, awake, step="post", color=LIGHT, label="awake (7:00–23:00 their time)")
    axes.fill_between(x, working, step="post", color=AUBERGINE, label="working (9:00–17:00 their time)")
    axes.axvline(data.now_hour, color=TEAL, linewidth=3, label="now")
    axes.set_xlim(0, 24)
    axes.set_xticks(range(0, 25, 3), [f"{h % 24:02d}:00" for h in range(0, 25, 3)])
    axes.set_ylim(0, max([*awake, 1]) * 1.3)
    axes.set_xlabel(f"your time ({data.viewer_label})")
    axes.set_ylabel("members")
    axes.grid(axis="y", color="#e8e8e8", linewidth=1)
    axes.set_axisbelow(True)
    axes.legend(loc="upper left", frameon=False)


def _zone_bars(axes: Axes, zones: list[tuple[str, int, int]]) -> None:
    shown = sorted(zones, key=lambda z: -z[2])[:TOP]
    rest = sum(n for _, _, n in zones) - sum(n for _, _, n in shown)
    shown.sort(key=lambda z: z[1])  # west to east
    labels = [_short(f"{label} ({utc_label(offset)})", 24) for label, offset, _ in shown]
    values = [n for _, _, n in shown]
    positions = list(range(len(values)))
    axes.barh(positions, values, color=GREEN, height=0.7)
    axes.set_yticks(positions, labels, fontsize=13)
    axes.invert_yaxis()
    axes.set_title("Time zones", loc="left")
    if rest:
        others = len(zones) - len(shown)
        axes.set_xlabel(f"+ {rest:,} in {others} other zone{'s' * (others > 1)}", color=MUTED, fontsize=14,
                        loc="left")
    axes.spines["bottom"].set_visible(False)
    axes.set_xticks([])
    top = max([*values, 1])
    axes.set_xlim(0, top * 1.3)
    for y, value in zip(positions, values, strict=True):
        axes.text(value + top * 0.02, y, f"{value:,}", va="center", fontsize=14, color=INK)
    axes.tick_params(axis="y", length=0)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # Emoji in names have no glyph in the default font; a box is drawn, no need to warn.
        warnings.filterwarnings("ignore", message="Glyph .* missing")
        figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()
