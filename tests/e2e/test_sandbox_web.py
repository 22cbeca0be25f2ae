"""`sloth sandbox --web` as a newcomer meets it: a real process serving the page, a real headless
Chromium typing, pressing and filling in forms, and screenshots that show it drew something."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sloth_emulator import Emulator
from tests.e2e.web_page import browser, chromium_missing, colours, crop, ink, pixels, web_sandbox

pytestmark = [pytest.mark.skipif(bool(chromium_missing()), reason=chromium_missing() or "-"),
              pytest.mark.timeout(300)]
WAIT = 30_000  # ms; Sloth answers in well under a second, but the machine may be busy


@pytest.fixture(scope="module")
def address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with web_sandbox(tmp_path_factory.mktemp("sandbox")) as url:
        yield url


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with browser(tmp_path_factory.mktemp("profile")) as context:
        yield context


@pytest.fixture
def page(chromium: Any, address: str) -> Iterator[Any]:
    tab = chromium.new_page()
    tab.set_default_timeout(WAIT)
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto(address)
    tab.wait_for_selector(".conversation.active")
    yield tab
    tab.close()
    assert not errors, f"the page's script failed: {errors}"


def send(page: Any, text: str) -> None:
    page.fill("#text", text)
    page.press("#text", "Enter")


def open_channel(page: Any, name: str) -> None:
    page.click(f"#channels .conversation:has-text('{name}')")
    page.wait_for_selector(f"#header h1:has-text('# {name}')")


def test_a_slash_command_is_answered_on_the_page(page: Any, tmp_path: Path) -> None:
    open_channel(page, "testing_exp")
    send(page, "/sloth team")
    answer = page.locator(".message.ephemeral", has_text="data-analysis.slack.com")
    answer.wait_for()
    assert "Only visible to you" in answer.inner_text() and "Members" in answer.inner_text()
    assert answer.locator(".badge").inner_text() == "APP"

    shot = tmp_path / "team.png"
    page.screenshot(path=str(shot))
    assert colours(shot) > 50  # the sidebar, the text, the buttons: not a blank or one-colour frame
    messages = page.locator("#messages").bounding_box()
    assert messages is not None and ink(shot, messages) > 2000  # the answer's text is drawn in the message area
    sidebar = page.locator("#sidebar").bounding_box()
    assert sidebar is not None and ink(shot, sidebar) > 0.9 * sidebar["width"] * sidebar["height"]  # its dark colour


def test_what_a_member_types_is_shown_as_text_with_mentions_resolved(page: Any) -> None:
    open_channel(page, "random")
    send(page, "hi @amelia, see #general <img src=x onerror=window.owned=1> *done*")
    said = page.locator(".message", has_text="see #general")
    said.wait_for()
    assert said.locator(".message-body .mention").all_inner_texts() == ["@amelia", "#general"]
    assert said.locator(".message-body b").inner_text() == "done"
    assert "<img src=x onerror=window.owned=1>" in said.inner_text()  # shown, never run
    assert said.locator("img").count() == 0 and page.evaluate("window.owned") is None


def test_a_game_button_is_pressed_and_the_message_updates(page: Any, tmp_path: Path) -> None:
    open_channel(page, "python_content")
    send(page, "/sloth play tictactoe")
    board = page.locator(".message", has=page.locator("[data-action-id='game:move:4']")).last
    board.wait_for()
    assert board.locator("[data-action-id^='game:move:']").count() == 9
    centre = board.locator("[data-action-id='game:move:4']")
    before = centre.inner_text()
    centre.click()
    page.wait_for_function(  # the same message (by its ts), redrawn once Sloth's chat.update lands
        "([ts, before]) => { const b = document.querySelector("
        "`.message[data-ts='${ts}'] [data-action-id='game:move:4']`); return !b || b.textContent !== before; }",
        arg=[board.get_attribute("data-ts"), before])
    assert board.locator("[data-action-id='game:move:4']").count() == 0 or centre.inner_text() != before
    assert "Moves" in board.inner_text()
    shot = tmp_path / "game.png"
    page.screenshot(path=str(shot))
    box = board.bounding_box()
    assert box is not None and ink(shot, box) > 1500


def test_the_command_form_shows_a_bad_value_under_its_field(page: Any, tmp_path: Path) -> None:
    open_channel(page, "general")
    send(page, "/sloth")
    modal = page.locator(".modal")
    modal.wait_for()
    modal.locator("select").first.select_option("history")
    modal.locator("button[type=submit]").click()
    page.locator(".modal h2", has_text="history").wait_for()  # the command's own form replaced the menu
    form = page.locator(".modal")
    form.locator("button[type=submit]").click()  # nothing filled in: refused here, as Slack's client does
    assert "required" in form.locator(".field-error:visible").first.inner_text()

    fields = form.locator(".input-block")
    fields.nth(0).locator("select").select_option(label="#random")
    fields.nth(1).locator("input").fill("0")
    form.locator("button[type=submit]").click()
    error = form.locator(".input-block", has=page.locator("input")).locator(".field-error:visible")
    error.wait_for()
    assert error.inner_text() and form.is_visible()  # Sloth's own words, under the field; the form stays open
    shot = tmp_path / "form.png"
    page.screenshot(path=str(shot))
    box = form.bounding_box()
    assert box is not None and ink(shot, box) > 1000
    red = sum(1 for r, g, b in pixels(crop(shot, error.bounding_box())) if r > 180 and g < 100 and b < 140)
    assert red > 20  # the error is drawn in Slack's red

    fields.nth(1).locator("input").fill("2")
    form.locator("button[type=submit]").click()
    page.locator(".modal").wait_for(state="detached")
    page.locator(".message", has_text="#random").last.wait_for()


def test_a_phone_gets_no_sideways_scrolling(chromium: Any, address: str, tmp_path: Path) -> None:
    phone = chromium.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.set_default_timeout(WAIT)
    phone.goto(address)
    phone.wait_for_selector(".conversation.active")
    phone.click("#channels .conversation:has-text('ml')")
    phone.wait_for_selector("#header h1:has-text('# ml')")
    phone.fill("#text", "/sloth channels")
    phone.press("#text", "Enter")
    phone.locator(".message", has_text="Page 1 of").wait_for()
    wide = phone.evaluate("""() => {
        const root = document.documentElement, list = document.querySelector('#messages');
        return [root.scrollWidth - root.clientWidth, list.scrollWidth - list.clientWidth];
    }""")
    assert wide == [0, 0], f"wider than the phone by {wide} px"
    shot = tmp_path / "phone.png"
    phone.screenshot(path=str(shot))
    box = phone.locator("#messages").bounding_box()
    assert colours(shot) > 50 and box is not None and ink(shot, box) > 1500
    phone.close()


def test_block_kit_is_laid_out_from_its_json(page: Any, tmp_path: Path) -> None:
    """The newer blocks and legacy attachments, drawn by the page's renderer in the browser."""
    message = {
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "Runs"}},
            {"type": "table", "column_settings": [{"align": "left"}, {"align": "right"}],
             "rows": [[{"type": "raw_text", "text": "run"}, {"type": "raw_text", "text": "loss"}],
                      [{"type": "raw_text", "text": "digits-3"}, {"type": "raw_text", "text": "0.042"}]]},
            {"type": "markdown", "text": "## Help\n- **bold** item\n- [a link](https://example.com)\n"},
            {"type": "alert", "level": "warning", "text": {"type": "mrkdwn", "text": "Careful: <@U01WJK68KS>"}},
            {"type": "card", "title": {"type": "mrkdwn", "text": "*digits-3*"},
             "body": {"type": "mrkdwn", "text": "done"},
             "actions": [{"type": "button", "action_id": "open", "text": {"type": "plain_text", "text": "Open"}}]},
            {"type": "section", "text": {"type": "mrkdwn", "text": "<javascript:alert(1)|click> &lt;b&gt;x&lt;/b&gt;"}},
            {"type": "image", "image_url": "https://example.com/cat.png", "alt_text": "a cat"},
        ],
        "attachments": [{"color": "danger", "title": "Failed",
                         "fields": [{"title": "Step", "value": "12", "short": True}]}],
    }
    drawn = page.evaluate("""(m) => {
        const ctx = {names: {U01WJK68KS: 'wjk68'}, emoji: {}, members: [], conversations: [], press: () => {}};
        const box = document.createElement('div');
        box.id = 'specimen';
        box.style.cssText = 'position:fixed;inset:0;background:#fff;padding:20px;overflow:auto;z-index:99';
        box.append(Blocks.blocks(m.blocks, ctx), ...m.attachments.map((a) => Blocks.attachment(a, ctx)));
        document.body.append(box);
        return box.innerHTML.length;
    }""", message)
    assert drawn > 0
    specimen = page.locator("#specimen")
    assert specimen.locator("table th").all_inner_texts() == ["run", "loss"]
    assert specimen.locator("table td.align-right").inner_text() == "0.042"
    assert specimen.locator(".markdown h4").inner_text() == "Help"
    assert specimen.locator(".markdown li b").inner_text() == "bold"
    assert specimen.locator(".markdown a").get_attribute("href") == "https://example.com"
    assert specimen.locator(".alert-warning .mention").inner_text() == "@wjk68"
    assert specimen.locator(".card button[data-action-id=open]").inner_text() == "Open"
    assert specimen.locator("a[href^=javascript]").count() == 0 and specimen.locator("b", has_text="x").count() == 0
    assert "<b>x</b>" in specimen.inner_text()
    assert specimen.locator("img").count() == 0 and "a cat" in specimen.inner_text()  # nothing fetched from outside
    bar = specimen.locator(".attachment-bar").evaluate("(e) => getComputedStyle(e).backgroundColor")
    assert bar == "rgb(224, 30, 90)"  # Slack's "danger" red
    shot = tmp_path / "blocks.png"
    page.screenshot(path=str(shot))
    assert colours(shot) > 50 and ink(shot) > 3000
    page.evaluate("document.getElementById('specimen').remove()")


def test_the_page_loads_nothing_from_elsewhere_and_refuses_other_sites(page: Any, address: str) -> None:
    loaded: list[str] = []
    page.on("request", lambda r: loaded.append(r.url))
    page.reload()
    page.wait_for_selector(".conversation.active")
    assert loaded and all(url.startswith(address) or url.startswith("data:") for url in loaded), loaded
    refused = page.evaluate("""async ([url]) => (await fetch(url + 'api/send', {method: 'POST',
        headers: {'Content-Type': 'text/plain'}, body: '{}'})).status""", [address])
    assert refused == 415  # JSON only: a form on another site cannot post to the sandbox
    sneaky = page.request.post(address + "api/send", headers={"Origin": "http://evil.example"},
                               data=json.dumps({"user": "U01WJK68KS", "channel": "C01GENERAL", "text": "hi"}))
    assert sneaky.status == 403



def test_a_chart_in_the_apps_messages_is_shown_from_the_page_itself(page: Any, tmp_path: Path) -> None:
    page.click("#apps .conversation")
    page.click(".tab[data-tab=messages]")
    page.wait_for_selector(".tab.active[data-tab=messages]")
    send(page, "plot activity #chatter")
    chart = page.locator(".file.picture img").last
    chart.wait_for()
    assert chart.get_attribute("src", timeout=WAIT).startswith("/files/")
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 100", arg=chart.element_handle())
    shot = tmp_path / "chart.png"
    chart.scroll_into_view_if_needed()
    page.screenshot(path=str(shot))
    assert colours(shot) > 100 and ink(shot, chart.bounding_box()) > 1000  # the chart's lines and labels


@pytest.mark.skipif(not hasattr(Emulator, "open_home"), reason="this emulator has no Home tab to open")
def test_the_home_tab_is_drawn_when_opened(page: Any) -> None:
    page.click("#apps .conversation")
    page.wait_for_selector(".tab.active[data-tab=home]")
    home = page.locator(".home .blocks > *").first
    home.wait_for()  # Sloth answered app_home_opened with views.publish, and the page drew it
    assert page.locator(".home").inner_text().strip()
