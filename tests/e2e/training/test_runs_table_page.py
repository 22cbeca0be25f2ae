"""The runs table in a real headless Chromium: filtered by owner, status and tag with its own form,
and three runs chosen and compared (their differing settings, one chart per metric with a line
per run), on a desktop and on a phone."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.testing import Sloth
from sloth_emulator import Emulator
from sloth_monitor import TrainingRun
from tests.e2e.training.browser import chromium, inked, saved
from tests.e2e.training.training_harness import AMELIA, TOKEN, WILL, ingest_url, monitoring_bot

SECRET = "a-secret-key-for-the-run-page-tests"
RUNS = (("alpha-base", WILL, ["baseline"], 0.1, False), ("beta-sweep", WILL, ["sweep"], 0.01, False),
        ("gamma-sweep", AMELIA, ["sweep", "big"], 0.001, True), ("delta-other", AMELIA, [], 0.5, False))


def job(url: str, name: str, owner: str, tags: list[str], lr: float, fails: bool) -> None:
    run = TrainingRun(name, channel="#testing_exp", total_epochs=3, owner=owner, url=url, token=TOKEN,
                      config={"lr": lr, "batch_size": 32}, tags=tags, progress_interval=0.0, send_interval=0.1)
    try:
        with run:
            for epoch in range(3):
                run.log_epoch(epoch, loss=lr + 1.0 / (1 + epoch), val_loss=lr + 1.2 / (1 + epoch))
            if fails:
                raise RuntimeError("out of memory")
    except RuntimeError:
        pass


async def rows(page: object) -> list[str]:
    return [text.split("\t")[1].strip() for text in await page.locator("#runs tbody tr").all_inner_texts()]  # type: ignore[attr-defined]


async def test_the_runs_table_filters_and_compares_three_runs(emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path / "sloth", secret_key=SECRET) as runtime:
        base = ingest_url(runtime)
        for name, owner, tags, lr, fails in RUNS:
            await asyncio.to_thread(job, base, name, owner, tags, lr, fails)
        link = (await Sloth(emulator, runtime, runtime.clock).command("runs page", user=WILL)).buttons[
            "training:page-opened"]["url"]

        async with chromium(tmp_path / "profile") as browser:
            page = await browser.new_page()
            await page.goto(link)
            assert page.url == f"{base}/training/runs"
            assert sorted(await rows(page)) == ["alpha-base", "beta-sweep", "delta-other", "gamma-sweep"]

            for field, value, expected in (("owner", AMELIA, ["delta-other", "gamma-sweep"]),
                                           ("status", "failed", ["gamma-sweep"]),
                                           ("tag", "sweep", ["beta-sweep", "gamma-sweep"])):
                await page.goto(f"{base}/training/runs")
                await page.select_option(f"select[name={field}]", value)
                async with page.expect_navigation():
                    await page.click("form.filters button")
                assert sorted(await rows(page)) == expected, field
                assert await page.input_value(f"select[name={field}]") == value  # the form says what is chosen

            await page.goto(f"{base}/training/runs")
            for name in ("alpha-base", "beta-sweep", "gamma-sweep"):
                await page.check(f'input[aria-label="compare {name}"]')
            async with page.expect_navigation():
                await page.click("#compare")
            assert "3 runs compared" in await page.inner_text("h1")
            table = await page.inner_text("#compared")
            assert "lr" in table and "0.1" in table and "0.01" in table and "0.001" in table
            assert "batch_size" not in table  # the same in all three: not a difference
            await page.wait_for_selector('figure.chart[data-title="val_loss"] canvas')
            legend = await page.inner_text('figure.chart[data-title="val_loss"] .u-legend')
            assert all(name in legend for name in ("alpha-base", "beta-sweep", "gamma-sweep"))
            shot = saved(tmp_path / "compare.png",
                         await page.locator('figure.chart[data-title="val_loss"] canvas').screenshot())
            ink, colours = inked(shot)
            assert ink > 500 and colours > 4  # axes and three lines of their own colours

            await page.set_viewport_size({"width": 390, "height": 844})
            for url in (f"{base}/training/runs", page.url):
                await page.goto(url)
                assert await page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, url
            saved(tmp_path / "compare-phone.png", await page.screenshot(full_page=True))
