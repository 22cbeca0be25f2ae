"""Views checked as Slack checks them (sloth_emulator.view_rules names the source of each rule),
trigger_ids good for 3 seconds, modals closed by members (`view_closed`), global shortcuts and
forged submissions, driven by the real AsyncWebClient and a Bolt app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from emulator_kit import AMELIA, WJK68, bot_client, failure
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from sloth_emulator import Emulator, FakeClock, Workspace


def text(value: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": value}


def field(block_id: str, element: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": text(block_id), "element": element, **extra}


def modal(*blocks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": text("Form"), "submit": text("Send"),
            "blocks": list(blocks) or [{"type": "section", "text": text("hi")}], **extra}


def select(*values: str, **extra: Any) -> dict[str, Any]:
    return {"type": "static_select", "action_id": "value", "options": [
        {"text": text(v[:75]), "value": v} for v in values], **extra}


TEXT = {"type": "plain_text_input", "action_id": "value"}


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(Workspace.default(), clock=FakeClock()) as emulator:
        yield emulator


async def refusal(emu: Emulator, view: dict[str, Any]) -> list[str]:
    response = await failure(bot_client(emu).views_open(trigger_id=emu.triggers.issue(WJK68), view=view))
    assert response["error"] == "invalid_arguments"
    messages: list[str] = response["response_metadata"]["messages"]
    return messages


@pytest.mark.parametrize(("view", "message"), [
    (modal(title=text("A title that is too long")),  # 24 characters
     None),
    (modal(title=text("A title that is too long!")),
     "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"),
    (modal(title={"type": "mrkdwn", "text": "*Form*"}),
     "[ERROR] failed to match all allowed schemas [json-pointer:/view/title]"),
    (modal(submit=text("Send it to everyone, now!")),
     "[ERROR] must be less than 25 characters [json-pointer:/view/submit/text]"),
    (modal(submit_disabled=True),
     "[ERROR] invalid additional property: submit_disabled [json-pointer:/view]"),
    ({"type": "modal", "blocks": [field("a", TEXT)], "title": text("Form")},
     "[ERROR] must define `submit` to use an `input` block in modals [json-pointer:/view/blocks/0/input]"),
    (modal(private_metadata="x" * 3001),
     "[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]"),
    (modal(callback_id="c" * 256),
     "[ERROR] must be less than 256 characters [json-pointer:/view/callback_id]"),
    (modal(field("a", TEXT), field("a", TEXT)),
     "[ERROR] duplicate block_id: a [json-pointer:/view/blocks/1/block_id]"),
    (modal({"type": "actions", "elements": [{"type": "button", "text": text("1"), "action_id": "go"},
                                            {"type": "button", "text": text("2"), "action_id": "go"}]}),
     "[ERROR] duplicate action_id: go [json-pointer:/view/blocks/0/elements/1/action_id]"),
    (modal(field("a", TEXT), field("b", TEXT)),  # action_ids are unique per block, not per view
     None),
    (modal({"type": "input", "block_id": "a", "label": text("L" * 2001), "element": TEXT}),
     "[ERROR] must be less than 2001 characters [json-pointer:/view/blocks/0/label/text]"),
    (modal(field("a", TEXT, hint=text("h" * 2001))),
     "[ERROR] must be less than 2001 characters [json-pointer:/view/blocks/0/hint/text]"),
    (modal(field("a", {"type": "button", "text": text("No"), "action_id": "value"})),
     "[ERROR] unsupported type: button [json-pointer:/view/blocks/0/element/type]"),
    (modal(field("a", {**TEXT, "placeholder": text("p" * 151)})),
     "[ERROR] must be less than 151 characters [json-pointer:/view/blocks/0/element/placeholder/text]"),
    (modal(field("a", select())),
     "[ERROR] must provide at least 1 items [json-pointer:/view/blocks/0/element/options]"),
    (modal(field("a", select(*(str(i) for i in range(101))))),
     "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks/0/element/options]"),
    (modal(field("a", {**select("x"), "options": [{"text": text("t" * 76), "value": "x"}]})),
     "[ERROR] must be less than 76 characters [json-pointer:/view/blocks/0/element/options/0/text/text]"),
    (modal(field("a", select("v" * 150))),
     None),
    (modal(field("a", select("v" * 151))),
     "[ERROR] must be less than 151 characters [json-pointer:/view/blocks/0/element/options/0/value]"),
    (modal(field("a", {"type": "number_input", "action_id": "value"})),
     "[ERROR] missing required field: is_decimal_allowed [json-pointer:/view/blocks/0/element]"),
    (modal(*[{"type": "divider"}] * 101),
     "[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]"),
])
async def test_a_view_slack_refuses_is_refused_with_the_failing_path(emu: Emulator, view: dict[str, Any],
                                                                     message: str | None) -> None:
    if message is None:
        opened = await bot_client(emu).views_open(trigger_id=emu.triggers.issue(WJK68), view=view)
        assert opened["ok"]
    else:
        assert message in await refusal(emu, view)


async def test_every_problem_is_named_at_once_and_updates_are_checked_too(emu: Emulator) -> None:
    view = modal(field("a", TEXT), field("a", select()), title=text("x" * 30))
    assert len(await refusal(emu, view)) == 3
    client = bot_client(emu)
    opened = (await client.views_open(trigger_id=emu.triggers.issue(WJK68), view=modal()))["view"]
    response = await failure(client.views_update(view_id=opened["id"], view=modal(title=text("y" * 25))))
    assert response["error"] == "invalid_arguments"
    response = await failure(client.views_publish(user_id=WJK68, view={"type": "home", "blocks": [],
                                                                       "title": text("Home")}))
    messages = response["response_metadata"]["messages"]
    assert "[ERROR] invalid additional property: title [json-pointer:/view]" in messages


async def test_a_trigger_id_is_good_for_three_seconds(emu: Emulator) -> None:
    client = bot_client(emu)
    fresh, stale = emu.triggers.issue(WJK68), emu.triggers.issue(WJK68)
    emu.advance(2.99)
    assert (await client.views_open(trigger_id=fresh, view=modal()))["ok"]
    emu.advance(0.02)  # 3.01 s after it was issued
    assert (await failure(client.views_open(trigger_id=stale, view=modal())))["error"] == "expired_trigger_id"


@pytest.fixture
async def app(emu: Emulator) -> AsyncIterator[tuple[AsyncApp, list[dict[str, Any]]]]:
    app, heard = AsyncApp(client=AsyncWebClient(token=emu.bot_token, base_url=emu.api_url)), []
    gate = asyncio.Event()
    gate.set()

    @app.shortcut("new-note")
    async def shortcut(ack: Any, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        heard.append(body)
        await client.views_open(trigger_id=body["trigger_id"], view=modal(
            field("note", TEXT), callback_id="note", notify_on_close=True))

    @app.view("note")
    async def submitted(ack: Any, body: dict[str, Any]) -> None:
        heard.append(body)
        await gate.wait()
        await ack(response_action="errors", errors={"note": "Too short"})

    @app.view_closed("note")
    async def closed(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        heard.append(body)

    app.gate = gate  # type: ignore[attr-defined]
    handler = AsyncSocketModeHandler(app, emu.app_token)
    await handler.connect_async()
    await emu.wait_connected()
    yield app, heard
    await handler.close_async()


async def test_a_global_shortcut_must_be_declared_and_opens_a_modal(emu: Emulator, app: Any) -> None:
    _, heard = app
    with pytest.raises(ValueError, match="declares no global shortcut 'new-note'"):
        await emu.global_shortcut("new-note")
    emu.app_manifest["features"]["shortcuts"] = [{"name": "New note", "type": "global", "callback_id": "new-note",
                                                  "description": "Write a note"}]
    answer = await emu.shortcut("new-note", user="amelia")
    payload = heard[0]
    assert payload["type"] == "shortcut" and payload["callback_id"] == "new-note"
    assert payload["user"]["id"] == AMELIA and "channel" not in payload and "response_url" not in payload
    assert answer.view["callback_id"] == "note" and emu.views(AMELIA)[0]["id"] == answer.view["id"]


async def test_closing_a_modal_tells_the_app_only_when_it_asked(emu: Emulator, app: Any) -> None:
    _, heard = app
    client = bot_client(emu)
    quiet = (await client.views_open(trigger_id=emu.triggers.issue(WJK68), view=modal()))["view"]
    assert await emu.close_view(quiet["id"]) is None and emu.views(WJK68) == []
    told = (await client.views_open(trigger_id=emu.triggers.issue(WJK68), view=modal(
        callback_id="note", notify_on_close=True, clear_on_close=True)))["view"]
    await client.views_push(trigger_id=emu.triggers.issue(WJK68), view=modal(callback_id="second"))
    delivery = await emu.close_view(told["id"])
    assert delivery is not None
    await delivery.acked()
    assert heard[-1]["type"] == "view_closed" and heard[-1]["is_cleared"] is True
    assert heard[-1]["view"]["id"] == told["id"] and emu.views(WJK68) == []  # the whole stack went


async def test_a_late_ack_or_a_bad_view_in_it_is_refused(emu: Emulator, app: Any) -> None:
    bolt, _ = app
    view = (await bot_client(emu).views_open(trigger_id=emu.triggers.issue(WJK68), view=modal(
        field("note", TEXT), callback_id="note")))["view"]
    bolt.gate.clear()
    delivery = await emu.submit_view(view["id"], {"note": "hi"})
    delivery.sent_at[delivery.envelope_id] -= 3.5  # as if the app had taken 3.5 s to answer
    bolt.gate.set()
    await delivery.acked()
    await emu.wait_for(lambda: emu.refused_view_responses)
    assert emu.refused_view_responses == [(view["id"], "the ack came after Slack's 3 seconds")]
    assert emu.views(WJK68)[0]["state"] == {"values": {}}  # the ack's errors were not applied


async def test_a_forged_submission_carries_what_slack_never_would(emu: Emulator, app: Any) -> None:
    _, heard = app
    view = (await bot_client(emu).views_open(trigger_id=emu.triggers.issue(WJK68), view=modal(
        field("note", TEXT), field("level", select("low", "high")), callback_id="note",
        private_metadata="sealed")))["view"]
    with pytest.raises(ValueError, match="no option"):
        await emu.submit_view(view["id"], {"note": "hi", "level": "urgent"})
    delivery = await emu.forge_submission(view["id"], {"level": "urgent"}, user="amelia", private_metadata="forged")
    await delivery.acked()
    forged = heard[-1]
    assert forged["user"]["id"] == AMELIA and forged["view"]["private_metadata"] == "forged"
    values = forged["view"]["state"]["values"]
    assert values["note"]["value"]["value"] is None and values["level"]["value"]["selected_option"]["value"] == "urgent"


async def test_an_input_left_alone_is_submitted_as_it_was_filled_in(emu: Emulator, app: Any) -> None:
    _, heard = app
    level = select("low", "high", initial_option={"text": text("high"), "value": "high"})
    view = (await bot_client(emu).views_open(trigger_id=emu.triggers.issue(WJK68), view=modal(
        field("note", {**TEXT, "initial_value": "draft"}), field("level", level),
        field("count", {"type": "number_input", "action_id": "value", "is_decimal_allowed": False,
                        "initial_value": "10"}), callback_id="note")))["view"]
    await (await emu.submit_view(view["id"], {"level": "low"})).acked()
    values = heard[-1]["view"]["state"]["values"]
    assert values["note"]["value"]["value"] == "draft" and values["count"]["value"]["value"] == "10"
    assert values["level"]["value"]["selected_option"]["value"] == "low"  # what the member changed
