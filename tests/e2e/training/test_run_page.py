"""A run's web page in a real headless Chromium: reached through a link Sloth sends the member who
pressed the card's "Run page", drawn with the charting library Sloth serves itself (train and
validation paired per step, the machine over time), updated live as the job reports, readable
on a phone, and loading nothing from anywhere but Sloth."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from bot.testing import Posted, Sloth
from sloth_emulator import Emulator
from sloth_monitor import TrainingRun
from tests.e2e.training.browser import chromium, inked, picture, saved
from tests.e2e.training.training_harness import TOKEN, WILL, cards, ingest_url, monitoring_bot, payload

RUN_ID = "run-page-live-01"
SECRET = "a-secret-key-for-the-run-page-tests"


class Job:
    """A training loop in a thread of its own, through the real client, one epoch each time it is let go."""

    def __init__(self, url: str) -> None:
        self.run = TrainingRun("page-cnn", channel="#testing_exp", total_epochs=3, owner=WILL, url=url, token=TOKEN,
                               config={"lr": 0.001, "batch_size": 32}, run_id=RUN_ID, tags=["baseline"],
                               poll_interval=0.2, progress_interval=0.0, send_interval=0.2, system_interval=2.0)
        self.go = threading.Semaphore(0)
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def loop(self) -> None:
        with self.run:
            for epoch in range(3):
                self.go.acquire()
                for batch in range(10):
                    self.run.log_batch(epoch, batch, 10, loss=1.0 / (1 + epoch + batch / 10))
                self.run.log_epoch(epoch, loss=1.0 / (1 + epoch), val_loss=1.1 / (1 + epoch),
                                   accuracy=0.5 + epoch / 10, val_accuracy=0.45 + epoch / 10)

    def next_epoch(self) -> None:
        self.go.release()


async def chart_points(page: Any, title: str) -> int:
    return int(await page.get_attribute(f'figure.chart[data-title="{title}"]', "data-points") or 0)


async def test_the_run_page_draws_live_curves_and_the_machine_on_a_desktop_and_a_phone(
        emulator: Emulator, tmp_path: Path) -> None:
    async with monitoring_bot(emulator, tmp_path / "sloth", secret_key=SECRET) as runtime:
        base = ingest_url(runtime)
        job = Job(base)
        job.thread.start()
        job.next_epoch()
        [card] = await emulator.wait_for(
            lambda: [c for c in cards(emulator, "testing_exp") if payload(c)["epoch"] == 1], timeout=15)

        answer = await Sloth(emulator, runtime, runtime.clock).click(
            Posted("testing_exp", card["ts"], card), "training:page", user=WILL)
        [post] = answer.posts
        assert post.ephemeral_to == WILL  # the link is the presser's alone
        link = answer.buttons["training:page-opened"]["url"]
        assert link.startswith(f"{base}/training/enter?t=")

        async with chromium(tmp_path / "profile") as browser:
            asked: list[str] = []
            browser.on("request", lambda request: asked.append(request.url))
            page = browser.pages[0] if browser.pages else await browser.new_page()
            await page.goto(link)
            assert page.url == f"{base}/training/runs/{RUN_ID}"  # the token is left behind
            [cookie] = await browser.cookies()
            assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/training"

            await page.wait_for_selector('figure.chart[data-title="loss"] canvas')
            legend = await page.inner_text('figure.chart[data-title="loss"] .u-legend')
            assert "loss" in legend and "val_loss" in legend  # train and validation in one chart
            before = await chart_points(page, "loss")
            assert before >= 1  # the steps the client sent (it sends the latest batch of each request) and the end
            assert "baseline" in await page.inner_text("#summary")
            assert "batch_size" in await page.inner_text("#config")

            loss = page.locator('figure.chart[data-title="loss"] canvas')
            shot = saved(tmp_path / "loss.png", await loss.screenshot())
            width, height = picture(shot).size
            ink, colours = inked(shot)
            assert width > 400 and height > 150 and ink > 500 and colours > 3  # axes, grid and two curves

            job.next_epoch()  # a new report reaches ingest while the page is open
            await page.wait_for_function(
                f"""() => Number(document.querySelector('figure.chart[data-title="loss"]').dataset.points) > {before}
                          && document.getElementById('summary').textContent.includes('2/3')""", timeout=15_000)
            assert "2/3" in await page.inner_text("#summary")
            await page.wait_for_selector('figure.chart[data-title="use, %"] canvas', timeout=15_000)
            machine = saved(tmp_path / "machine.png",
                            await page.locator('figure.chart[data-title="use, %"] canvas').screenshot())
            assert inked(machine)[0] > 300

            phone = await browser.new_page()
            await phone.set_viewport_size({"width": 390, "height": 844})
            await phone.goto(f"{base}/training/runs/{RUN_ID}")  # the session cookie lets the member back in
            await phone.wait_for_selector('figure.chart[data-title="loss"] canvas')
            overflow = await phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0
            small = saved(tmp_path / "phone.png", await phone.screenshot(full_page=True))
            assert picture(small).size[0] == 390 and inked(small)[0] > 2000
            chart_box = await phone.locator('figure.chart[data-title="loss"]').bounding_box()
            assert chart_box is not None and chart_box["width"] <= 390

            job.next_epoch()
            await asyncio.to_thread(job.thread.join, 20)
            await page.wait_for_function("() => document.getElementById('live').textContent.startsWith('finished')",
                                         timeout=15_000)
            assert "completed" in await page.inner_text("#summary")
        assert asked and all(url.startswith(base + "/") for url in asked)  # nothing from the internet
        assert any(url.endswith("/training/static/uPlot.iife.min.js") for url in asked)
