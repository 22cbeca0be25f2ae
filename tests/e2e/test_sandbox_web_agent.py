"""`sloth sandbox --web` with a model (SLOTH_MODEL* pointing at the scripted model server): a question
in the app's DM is answered by the agent, and the page draws the streamed answer as it grows, then
its whole text with the feedback buttons under it, as Slack shows a stopped stream."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.testing.model_server import ScriptedModel, Step, pieces
from tests.e2e.web_page import browser, chromium_missing, colours, ink, web_sandbox

pytestmark = [pytest.mark.skipif(bool(chromium_missing()), reason=chromium_missing() or "-"),
              pytest.mark.timeout(300)]
WAIT = 30_000  # ms
ANSWER = Step(text="Kenji Sato works on the data team in Tokyo, mostly on the **nightly** loads.", chunks=4, gap=0.7)
# Every text the streamed answer's body shows, recorded in the page as the DOM changes: what a member saw.
WATCH = """([first]) => {
    window.seen = [];
    new MutationObserver(() => {
        for (const body of document.querySelectorAll('#messages .streamed')) {
            const text = body.innerText;
            if (text.includes(first) && window.seen[window.seen.length - 1] !== text) window.seen.push(text);
        }
    }).observe(document.querySelector('#messages'), {childList: true, subtree: true, characterData: true});
}"""


@contextmanager
def scripted_model(steps: list[Step]) -> Iterator[ScriptedModel]:
    """The scripted model served from a thread of its own (the browser test drives Playwright synchronously)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    model = ScriptedModel(steps)
    asyncio.run_coroutine_threadsafe(model.__aenter__(), loop).result(timeout=30)
    try:
        yield model
    finally:
        asyncio.run_coroutine_threadsafe(model.__aexit__(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
        loop.close()


@pytest.fixture
def page(tmp_path: Path) -> Iterator[tuple[Any, ScriptedModel]]:
    with scripted_model([ANSWER]) as model, \
            web_sandbox(tmp_path, {"SLOTH_MODEL": "scripted", "SLOTH_MODEL_URL": model.openai_url,
                                   "SLOTH_MODEL_KEY": "test-key"}) as address, \
            browser(tmp_path / "profile") as context:
        tab = context.new_page()
        tab.set_default_timeout(WAIT)
        errors: list[str] = []
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.goto(address)
        tab.wait_for_selector(".conversation.active")
        yield tab, model
        assert not errors, f"the page's script failed: {errors}"


def test_a_streamed_answer_grows_on_the_page_then_ends_with_its_feedback_buttons(
        page: tuple[Any, ScriptedModel], tmp_path: Path) -> None:
    tab, model = page
    first, *_, last = pieces(ANSWER.text, ANSWER.chunks)
    tab.click("#apps .conversation")
    tab.click(".tab[data-tab=messages]")
    tab.wait_for_selector(".tab.active[data-tab=messages]")
    tab.evaluate(WATCH, [first.strip()])
    tab.fill("#text", "who is kenji?")
    tab.press("#text", "Enter")

    answer = tab.locator(".message", has=tab.locator(".streamed")).last
    buttons = answer.locator(".context-actions button[data-action-id='sloth_agent:feedback']")
    buttons.first.wait_for()
    seen: list[str] = tab.evaluate("window.seen")
    # The member saw the first piece before the model had written the last one: it grew on the page.
    assert any(last.strip() not in text and text.endswith("…") for text in seen), seen
    body = answer.locator(".streamed")
    assert "Kenji Sato works on the data team in Tokyo, mostly on the nightly loads." in body.inner_text()
    assert body.locator(".markdown b").inner_text() == "nightly"  # the streamed Markdown, drawn as Markdown
    assert buttons.all_inner_texts() == ["👍 Good answer", "👎 Bad answer"]
    assert answer.locator(".writing").count() == 0 and "(a context_actions block)" not in answer.inner_text()
    text_box, buttons_box = body.locator(".markdown").bounding_box(), buttons.first.bounding_box()
    assert text_box and buttons_box and buttons_box["y"] >= text_box["y"] + text_box["height"]  # under the text
    assert len(model.requests) == 1 and model.requests[0]["messages"][-1]["content"] == "who is kenji?"

    with tab.expect_response(lambda r: r.url.endswith("/api/press")) as pressed:
        buttons.first.click()
    assert pressed.value.ok and pressed.value.json() == {"ok": True}  # Sloth acknowledged the 👍

    shot = tmp_path / "answer.png"
    answer.scroll_into_view_if_needed()
    tab.screenshot(path=str(shot))
    box = answer.bounding_box()
    assert colours(shot) > 50 and box is not None and ink(shot, box) > 1500  # the answer's text and buttons
