"""The guard every outgoing message passes (bot.guard): pure functions, plain cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.guard import MARKS_LIMIT, Scope, body_values, checked, clean, current, handling, inert_text, record
from bot.guard.text import json_has_markup
from bot.store import Namespaced, decode, encode, open_store
from bot.work.supervisor import Supervisor

TYPED = "runs <!everyone> <@U0BOSS|boss> <http://evil.example|https://slack.com> <#C1|general> <https://ok.example>"
ASKER = "U0ASKER"


def echo_scope(**options: bool) -> Scope:
    return Scope(typed=TYPED, asker=ASKER, **options)


@pytest.mark.parametrize("mass", ["<!everyone>", "<!channel>", "<!here>", "<!here|here>", "<!subteam^S012AB|@devs>"])
def test_mass_mentions_never_pass_without_leave(mass: str) -> None:
    for scope in (None, echo_scope(), echo_scope(users=True)):
        out = inert_text(f"hello {mass}", scope)
        assert "<!" not in out and out.startswith("hello @")


def test_mass_mentions_pass_when_the_command_may_and_the_asker_is_an_admin() -> None:
    assert inert_text("<!here> lunch", echo_scope(users=True, everyone=True)) == "<!here> lunch"


def test_what_the_input_named_is_made_inert() -> None:
    out = inert_text(f"Usage: unexpected {TYPED.removeprefix('runs ')}", echo_scope())
    assert "<@U0BOSS" not in out and "@boss" in out
    assert "<http://evil.example|" not in out and "&lt;http://evil.example|https://slack.com&gt;" in out
    assert "<#C1|general>" in out and "<https://ok.example>" in out  # channels and plain links harm no one


def test_a_mention_rebuilt_from_the_input_is_caught_too() -> None:
    scope = Scope(typed="invite <@U0BOSS|boss>", asker=ASKER, name_of=lambda user: {"U0BOSS": "Big Boss"}[user])
    assert inert_text("Invited <@U0BOSS> to the channel", scope) == "Invited @Big Boss to the channel"


def test_mentions_the_input_did_not_name_and_the_askers_own_are_kept() -> None:
    scope = Scope(typed=f"status <@{ASKER}|me>", asker=ASKER)
    assert inert_text(f"<@{ASKER}> your card, owner <@U0OWNER>", scope) == f"<@{ASKER}> your card, owner <@U0OWNER>"


def test_a_command_that_means_to_mention_keeps_the_members_it_names() -> None:
    assert inert_text("Challenge for <@U0BOSS>", echo_scope(users=True)) == "Challenge for <@U0BOSS>"
    disguised = "<http://evil.example|https://slack.com>"
    assert disguised not in inert_text(f"no game {disguised}", echo_scope(users=True))
    assert inert_text(f"posted {disguised}", echo_scope(users=True, links=True)) == f"posted {disguised}"


def test_clean_covers_text_blocks_attachments_and_comments_but_not_button_values() -> None:
    value = json.dumps({"c": TYPED})
    message = {
        "text": "<!channel> hi", "initial_comment": "<@U0BOSS|boss>", "link_names": True, "parse": "full",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "<!here>"},
                    "accessory": {"type": "button", "action_id": "x", "value": value,
                                  "text": {"type": "plain_text", "text": "Go"}}},
                   {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
                       {"type": "broadcast", "range": "channel"}, {"type": "user", "user_id": "U0BOSS"}]}]}],
        "attachments": [{"pretext": "<!everyone>", "fields": [{"title": "t", "value": "<!here>"}],
                         "blocks": [{"type": "context", "elements": [{"type": "mrkdwn", "text": "<!here>"}]}]}],
    }
    out = clean(message, echo_scope())
    assert out["blocks"][0]["accessory"]["value"] == value  # machine fields are left alone
    out["blocks"][0]["accessory"]["value"] = ""
    shown = json.dumps(out)
    assert "<!" not in shown and "<@U0BOSS" not in shown
    assert "link_names" not in out and "parse" not in out
    assert {"type": "text", "text": "@channel"} in out["blocks"][1]["elements"][0]["elements"]


def test_clean_reads_form_encoded_blocks() -> None:
    out = clean({"blocks": json.dumps([{"type": "section", "text": {"type": "mrkdwn", "text": "<!here>"}}])})
    assert "<!here>" not in out["blocks"] and "@here" in json.loads(out["blocks"])[0]["text"]["text"]


def test_the_scope_in_progress_comes_from_the_context() -> None:
    with handling(echo_scope()):
        assert "<@U0BOSS" not in inert_text("hi <@U0BOSS>")
    assert inert_text("hi <@U0BOSS>") == "hi <@U0BOSS>"  # no request in progress, nothing from input


async def test_what_a_scope_reads_from_the_store_is_input_and_ids_it_holds_are_not(tmp_path: Path) -> None:
    backend = await open_store(f"sqlite:///{tmp_path / 'store.db'}")
    store = Namespaced(backend, "relay")
    await store.set("alert", {"owner": "U0OWNER", "title": "deploy <@U0BOSS|boss> <http://evil.example|docs> <!here>"})
    await store.set("stats", {"owner": "U0BOSS", "loss": [0.5, 0.25]})
    with handling(Scope(name_of={"U0BOSS": "Big Boss"}.get)) as scope:
        stats = await store.get("stats")
        assert scope.seen.unscanned == 0  # nothing in it can be a reference: not even kept
        alert = await store.get("alert")
        out = inert_text(f"<@{alert['owner']}>: {alert['title']} (ask <@{stats['owner']}>)")
    assert out == "<@U0OWNER>: deploy @boss &lt;http://evil.example|docs&gt; @here (ask @Big Boss)"
    assert inert_text("<@U0BOSS>", Scope()) == "<@U0BOSS>"  # another scope read nothing
    assert scope.from_input("U0BOSS") and not scope.from_input("U0OWNER")
    with handling(Scope()) as other:
        await backend.get("relay:alert")  # Sloth's core reads the store whole: the same
        assert decode(r'"\u003c@U0ESCAPED\u003e"') == "<@U0ESCAPED>"  # `<` as other JSON writers escape it
    await backend.close()
    assert other.from_input("U0BOSS") and other.from_input("U0ESCAPED")


def test_stored_values_are_scanned_only_when_a_message_could_repeat_them() -> None:
    scope = Scope()
    with handling(scope):
        record({"history": [{"epoch": n, "loss": 1 / (n + 1)} for n in range(2000)], "note": "<@U0BOSS>"})
        card = clean({"text": "epoch 2000/2000 <!date^1700000000^{date_short}|Nov 14> <#C1> <https://ex.example>",
                      "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*epoch 3*: done"}}]})
        assert scope.seen.unscanned == 1  # a card's redraw names nobody: nothing read was scanned
        assert clean({"text": "<@U0BOSS> <@U0OWNER>"}) == {"text": "@U0BOSS <@U0OWNER>"}
        assert scope.seen.unscanned == 0
    assert card["text"].startswith("epoch 2000/2000 <!date^")


def test_many_records_are_all_remembered_and_too_many_references_fail_closed() -> None:
    scope = Scope()
    with handling(scope):
        for n in range(1000):
            record({"text": f"<@U{n:07d}>"})
    assert all(scope.from_input(f"U{n:07d}") for n in range(1000)) and not scope.from_input("U0OWNER")
    with handling(scope):
        record(" ".join(f"<@W{n:07d}>" for n in range(MARKS_LIMIT + 1)))
    assert scope.from_input("U0OWNER")  # past the limit every mention counts as input
    assert inert_text("<http://ok.example|ok>", scope) == "&lt;http://ok.example|ok&gt;"


def test_a_value_too_big_to_read_whole_fails_closed() -> None:
    loop: list[Any] = ["<!here>"]
    loop.append(loop)
    scope = Scope()
    with handling(scope):
        record(loop)
    assert scope.from_input("U0ANYONE") and scope.link_from_input("https://ok.example", "ok")
    raw = Scope()
    with handling(raw):
        record(b"<@U0BYTES>")
        record(ValueError("<@U0ERROR> was not found"))
    assert raw.from_input("U0BYTES") and raw.from_input("U0ERROR") and not raw.from_input("U0ANYONE")


def test_recording_outside_any_scope_does_nothing() -> None:
    record("<@U0BOSS>")
    assert current() is None and inert_text("<@U0BOSS>") == "<@U0BOSS>"


async def test_background_tasks_get_a_scope_of_their_own() -> None:
    supervisor = Supervisor()
    with handling(echo_scope()) as request:
        inside = await supervisor.spawn(_scope_inside(), name="probe")
    assert inside is not None and inside is not request and inside.typed == ""
    await supervisor.close()


async def _scope_inside() -> Scope | None:
    record("<@U0BOSS>")
    found = current()
    assert found is not None and found.from_input("U0BOSS")
    return found


async def test_checked_cleans_every_argument_part_and_refuses_what_it_cannot_read() -> None:
    with handling(echo_scope()):
        out = await checked({"json": {"text": "<!here>"}, "data": {"text": "<!channel>", "link_names": "1"},
                             "params": {"text": "<@U0BOSS>"}, "headers": {"x": "<!here>"}})
    assert out == {"json": {"text": "@here"}, "data": {"text": "@channel"}, "params": {"text": "@U0BOSS"},
                   "headers": {"x": "<!here>"}}
    with pytest.raises(TypeError, match="must be a dict"):
        await checked({"data": aiohttp.FormData({"text": "<!here>"})})


def test_a_request_body_is_read_as_its_handler_reads_it() -> None:
    assert body_values(b'{"text": "\\u003c@U0BOSS\\u003e"}', "application/json") == {"text": "<@U0BOSS>"}
    assert body_values(b"text=%3C%21here%3E&x=1", "application/x-www-form-urlencoded") == [("text", "<!here>"),
                                                                                         ("x", "1")]
    assert body_values(b"plain <!here>", "text/plain") == "plain <!here>"


@pytest.mark.parametrize(("value", "may"), [
    ({"loss": [0.5, 0.25], "name": "resnet (v2)", "tags": ["a", "b"]}, False),
    ({"note": "<@U1>"}, True), ({"note": "[docs](https://x.example)"}, True),
    ({"note": "[1]: https://x.example"}, True),
])
def test_a_stored_json_text_is_checked_for_anything_like_a_reference(value: Any, may: bool) -> None:
    raw = encode(value)
    assert json_has_markup(raw) is may
    assert json_has_markup(raw.replace("<", "\\u003c")) is may
