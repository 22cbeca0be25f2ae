"""The charts: real PNGs of the size Slack previews well, for ordinary and awkward data."""

from __future__ import annotations

import io
import warnings
from datetime import date

from PIL import Image

from handlers.charts import Activity, Members, activity_png, members_png
from handlers.tally import Post

SIZE = (1120, 630)


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()  # decode every pixel, not just the header
    return image


def colours(image: Image.Image) -> int:
    return len(image.convert("RGB").resize((280, 158)).getcolors(280 * 158) or [])


def posts(count: int, start: float = 1_710_000_000.0, users: tuple[str, ...] = ("U1", "U2", "U3")) -> list[Post]:
    return [Post(f"{start + i * 3600:.6f}", users[i % len(users)], "", "hi", "", 0, ()) for i in range(count)]


def test_activity_chart() -> None:
    data = Activity("general", posts(200), date(2024, 3, 9), date(2024, 3, 20), -18000, "Eastern Standard Time",
                    {"U1": "Will Koehrsen", "U2": "Amelia Hart"}, replies=12)
    image = decoded(activity_png(data))
    assert image.format == "PNG" and image.size == SIZE
    assert colours(image) > 20  # drawn, not blank


def test_activity_of_one_day_with_bots_odd_names_and_many_posters() -> None:
    many = tuple(f"U{i}" for i in range(30))
    data = Activity("$x$ & <b>", [*posts(90, users=many), Post("1710000000.5", "", "deploy $bot$", "x", "", 0, ())],
                    date(2024, 3, 9), date(2024, 3, 9), 0, "UTC",
                    {"U0": "Zoë 🦥 $\\frac{1}{2}$", "U1": "a" * 80}, replies=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no glyph or layout warnings leak out
        image = decoded(activity_png(data))
    assert image.size == SIZE


def test_members_chart_with_one_zone_and_with_many() -> None:
    one = Members("#duo", [("London", 0, 2)], 0, "Greenwich Mean Time", 9.5)
    assert decoded(members_png(one)).size == SIZE
    many = [(f"Zone {i}", (i - 12) * 3600, i + 1) for i in range(25)] + [("Kolkata", 19800, 3)]
    chart = decoded(members_png(Members("the workspace", many, 19800, "India Standard Time", 23.9)))
    assert chart.size == SIZE and colours(chart) > 20
