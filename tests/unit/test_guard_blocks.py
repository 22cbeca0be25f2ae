"""The guard reads every field Slack shows: each Block Kit block and element, attachments, views, streams.

The catalogue follows node-slack-sdk's `@slack/types` (blocks.ts, block-elements.ts,
composition-objects.ts, message-attachments.ts, views.ts, chunk.ts). Every shown string holds
`BAD` (a mass mention, a mention and a disguised link the member typed, in Slack's markup and in
Markdown); every machine field holds it too, and must come back untouched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk.models.blocks import SectionBlock

from bot.guard import Scope, clean

BAD = "<!here> <@U0BOSS|boss> <http://evil.example|https://slack.com> [https://slack.com](http://evil.example)"
UNSAFE = re.compile(r"<!here|<@U0BOSS|<http://evil\.example\||\]\(http://evil\.example\)")
MACHINE = ("value", "action_id", "block_id", "url", "image_url", "video_url", "thumbnail_url", "title_url",
           "title_link", "author_link", "private_metadata", "callback_id", "external_id", "initial_value", "task_id",
           "event_type")
SCOPE = Scope(typed=f"say {BAD}", asker="U0ASKER")


def t(kind: str = "mrkdwn") -> dict[str, Any]:
    return {"type": kind, "text": BAD}


def option() -> dict[str, Any]:
    return {"text": t("plain_text"), "description": t("plain_text"), "value": BAD}


def confirm() -> dict[str, Any]:
    return {"title": t("plain_text"), "text": t(), "confirm": t("plain_text"), "deny": t("plain_text")}


def button() -> dict[str, Any]:
    return {"type": "button", "text": t("plain_text"), "action_id": BAD, "value": BAD, "url": BAD,
            "accessibility_label": BAD, "confirm": confirm()}


def rich_text() -> dict[str, Any]:
    section = {"type": "rich_text_section", "elements": [
        {"type": "text", "text": BAD}, {"type": "link", "url": "http://evil.example", "text": "https://slack.com"},
        {"type": "user", "user_id": "U0BOSS"}, {"type": "usergroup", "usergroup_id": "S1"},
        {"type": "broadcast", "range": "channel"},
        {"type": "date", "timestamp": 1, "format": "{date}", "fallback": BAD},
        {"type": "emoji", "name": "wave"}, {"type": "channel", "channel_id": "C1"}]}
    return {"type": "rich_text", "elements": [
        section, {"type": "rich_text_list", "style": "bullet", "elements": [section]},
        {"type": "rich_text_quote", "elements": section["elements"]},
        {"type": "rich_text_preformatted", "elements": [{"type": "text", "text": BAD}]}]}


def image() -> dict[str, Any]:
    return {"type": "image", "image_url": BAD, "alt_text": BAD}


def card() -> dict[str, Any]:
    return {"type": "card", "hero_image": image(), "icon": image(), "title": t(), "subtitle": t(), "body": t(),
            "actions": [button()]}


ELEMENTS = [
    button(), {"type": "checkboxes", "action_id": BAD, "options": [option()], "initial_options": [option()],
               "confirm": confirm()},
    {"type": "datepicker", "placeholder": t("plain_text")}, {"type": "datetimepicker", "action_id": BAD},
    {"type": "overflow", "options": [option()], "confirm": confirm()},
    {"type": "radio_buttons", "options": [option()], "initial_option": option()},
    {"type": "static_select", "placeholder": t("plain_text"), "options": [option()],
     "option_groups": [{"label": t("plain_text"), "options": [option()]}]},
    {"type": "multi_users_select", "placeholder": t("plain_text")},
    {"type": "timepicker", "placeholder": t("plain_text")},
    {"type": "workflow_button", "text": t("plain_text"), "accessibility_label": BAD,
     "workflow": {"trigger": {"url": BAD, "customizable_input_parameters": [{"name": "n", "value": BAD}]}}},
    {"type": "rich_text_input", "placeholder": t("plain_text"), "initial_value": rich_text()},
]
BLOCKS = [
    {"type": "actions", "block_id": BAD, "elements": ELEMENTS},
    {"type": "alert", "text": t(), "level": "warning"},
    card(), {"type": "carousel", "elements": [card(), card()]},
    {"type": "context", "elements": [image(), t(), t("plain_text")]},
    {"type": "context_actions", "elements": [
        {"type": "feedback_buttons", "positive_button": {"text": t("plain_text"), "accessibility_label": BAD,
                                                         "value": BAD},
         "negative_button": {"text": t("plain_text"), "value": BAD}},
        {"type": "icon_button", "icon": "trash", "text": t("plain_text"), "value": BAD, "confirm": confirm()}]},
    {"type": "header", "text": t("plain_text")},
    {"type": "image", "image_url": BAD, "alt_text": BAD, "title": t("plain_text")},
    {"type": "input", "label": t("plain_text"), "hint": t("plain_text"),
     "element": {"type": "plain_text_input", "placeholder": t("plain_text"), "initial_value": BAD}},
    {"type": "markdown", "text": BAD},
    rich_text(),
    {"type": "section", "text": t(), "fields": [t(), t("plain_text")], "accessory": button()},
    {"type": "section", "text": t(), "accessory": {"type": "users_select", "placeholder": t("plain_text")}},
    {"type": "table", "rows": [[t("raw_text"), rich_text()], [t("raw_text"), t("raw_text")]]},
    {"type": "task_card", "task_id": BAD, "title": BAD, "details": rich_text(), "output": rich_text(),
     "sources": [{"type": "url", "url": "http://evil.example", "text": "https://slack.com"}], "status": "complete"},
    {"type": "plan", "title": BAD, "tasks": [{"type": "task_card", "task_id": "t", "title": BAD, "status": "pending"}]},
    {"type": "video", "video_url": BAD, "thumbnail_url": BAD, "alt_text": BAD, "title": t("plain_text"),
     "title_url": BAD, "author_name": BAD, "provider_name": BAD, "description": t("plain_text")},
    {"type": "a_block_slack_adds_later", "caption": t(), "parts": [{"type": "new_element", "text": BAD}]},
]
ATTACHMENT = {
    "fallback": BAD, "pretext": BAD, "author_name": BAD, "author_subname": BAD, "author_link": BAD, "title": BAD,
    "title_link": BAD, "text": BAD, "footer": BAD, "image_url": BAD, "callback_id": BAD, "blocks": BLOCKS[:3],
    "fields": [{"title": BAD, "value": f"{BAD} (shown)", "short": True}],
    "actions": [{"type": "button", "name": "go", "text": BAD, "value": BAD,
                 "confirm": {"title": BAD, "text": BAD, "ok_text": BAD, "dismiss_text": BAD},
                 "options": [{"text": BAD, "value": BAD, "description": BAD}],
                 "option_groups": [{"text": BAD, "options": [{"text": BAD, "value": BAD}]}]}],
    "preview": {"title": t("plain_text"), "subtitle": t("plain_text")},
}
CHUNKS = [
    {"type": "markdown_text", "text": BAD}, {"type": "plan_update", "title": BAD},
    {"type": "task_update", "id": "t1", "title": BAD, "status": "in_progress", "details": BAD, "output": BAD,
     "sources": [{"type": "url", "url": "http://evil.example", "text": "https://slack.com"}]},
    {"type": "blocks", "blocks": BLOCKS[:5]},
]


def strings(value: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, list):
        for item in value:
            yield from strings(item, key)
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from strings(item, name)


def dicts(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, list):
        for item in value:
            yield from dicts(item)
    elif isinstance(value, dict):
        yield value
        for item in value.values():
            yield from dicts(item)


def untouched(value: Any) -> int:
    """How many machine fields hold BAD as it was given."""
    return sum(1 for key, text in strings(value) if key in MACHINE and text == BAD)


def assert_safe(out: Any, given: Any) -> None:
    assert untouched(out) == untouched(given) > 0 or untouched(given) == 0, "a machine field was changed"
    for key, text in strings(out):
        if key not in MACHINE:
            assert not UNSAFE.search(text), f"{key}: {text!r}"
    for element in dicts(out):
        assert element.get("type") not in ("broadcast", "usergroup"), element
        assert element.get("user_id") != "U0BOSS", element
        assert not (element.get("url") == "http://evil.example" and element.get("text") == "https://slack.com"), element


@pytest.mark.parametrize("block", BLOCKS, ids=[b["type"] for b in BLOCKS])
def test_every_shown_string_of_every_block_is_made_safe(block: dict[str, Any]) -> None:
    out = clean({"channel": "C1", "blocks": [block]}, SCOPE)
    assert_safe(out, block)
    # Looked at, and kept readable:
    assert sum(1 for key, text in strings(out) if key not in MACHINE and "@here" in text) >= 1


def test_attachments_with_legacy_actions_and_fields() -> None:
    out = clean({"attachments": [ATTACHMENT]}, SCOPE)
    assert_safe(out, ATTACHMENT)
    assert out["attachments"][0]["fields"][0]["value"].startswith("@here @boss")


@pytest.mark.parametrize("method_args", [
    {"trigger_id": "1.2.3", "view": {"type": "modal", "title": t("plain_text"), "submit": t("plain_text"),
                                     "close": t("plain_text"), "blocks": BLOCKS, "private_metadata": BAD,
                                     "callback_id": BAD, "external_id": BAD}},
    {"user_id": "U1", "view": {"type": "home", "blocks": BLOCKS, "private_metadata": BAD}},
    {"channel": "C1", "thread_ts": "1.1", "markdown_text": BAD, "chunks": CHUNKS},
    {"channel": "C1", "ts": "1.1", "chunks": CHUNKS, "blocks": BLOCKS[:4],
     "metadata": {"event_type": BAD, "event_payload": {"text": BAD}}},
    {"channel": "C1", "ts": "1.1", "unfurls": {"https://x.example": ATTACHMENT}, "user_auth_message": BAD},
    {"channel": "C1", "initial_comment": BAD, "files": [{"id": "F1", "title": BAD}]},
], ids=["views.open", "views.publish", "chat.startStream", "chat.stopStream", "chat.unfurl", "files"])
def test_views_streams_unfurls_and_files(method_args: dict[str, Any]) -> None:
    out = clean(method_args, SCOPE)
    metadata = out.pop("metadata", None)
    assert_safe(out, {k: v for k, v in method_args.items() if k != "metadata"})
    if metadata is not None:
        assert metadata == method_args["metadata"]  # message metadata is data for apps: never touched


def test_form_encoded_arguments_are_read_as_json() -> None:
    args = {"channel": "C1", "view": json.dumps({"type": "home", "blocks": BLOCKS}), "chunks": json.dumps(CHUNKS),
            "attachments": json.dumps([ATTACHMENT]), "blocks": "not json"}
    out = clean(args, SCOPE)
    assert out["blocks"] == "not json"  # Slack refuses it as it is
    decoded = {key: json.loads(out[key]) for key in ("view", "chunks", "attachments")}
    assert_safe(decoded, {"view": {"type": "home", "blocks": BLOCKS}, "chunks": CHUNKS, "attachments": [ATTACHMENT]})


def test_slack_sdk_objects_are_read_through_to_dict() -> None:
    out = clean({"blocks": [SectionBlock(text={"type": "mrkdwn", "text": BAD})]}, SCOPE)
    assert_safe(out, {})
    assert out["blocks"][0]["type"] == "section"


def test_markdown_links_from_input_show_where_they_go() -> None:
    typed = "[https://slack.com](http://evil.example) ![logo](http://evil.example/a.png)\n[docs]: http://evil.example"
    out = clean({"markdown_text": f"see {typed}\n[docs]: http://evil.example",
                 "blocks": [{"type": "markdown", "text": "[ok](https://ok.example) [https://slack.com](http://evil.example)"}]},
                Scope(typed=typed))
    assert out["markdown_text"].startswith("see https://slack.com (http://evil.example) logo (http://evil.example/a.png)")
    assert "[docs]:" not in out["markdown_text"] and "docs: http://evil.example" in out["markdown_text"]
    assert out["blocks"][0]["text"] == "[ok](https://ok.example) https://slack.com (http://evil.example)"


def test_a_typed_slack_link_rebuilt_as_markdown_or_rich_text_is_caught() -> None:
    scope = Scope(typed="<http://evil.example|https://slack.com>")
    link = {"type": "link", "url": "http://evil.example", "text": "https://slack.com", "style": {"bold": True}}
    rich = {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [link]}]}
    out = clean({"markdown_text": "[https://slack.com](http://evil.example)", "blocks": [rich]}, scope)
    assert out["markdown_text"] == "https://slack.com (http://evil.example)"
    assert out["blocks"][0]["elements"][0]["elements"][0] == {"type": "link", "url": "http://evil.example",
                                                              "style": {"bold": True}}


def test_what_the_feature_composes_itself_is_kept() -> None:
    message = {"text": "<@U0OWNER> your run", "blocks": [
        {"type": "markdown", "text": "[report](https://ex.example/r)"},
        {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
            {"type": "user", "user_id": "U0OWNER"},
            {"type": "link", "url": "https://ex.example", "text": "report"}]}]}]}
    assert clean(message, SCOPE) == message
