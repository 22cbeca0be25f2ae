"""The guard every outgoing message passes (bot.guard): pure functions, plain cases."""

from __future__ import annotations

import json

import pytest

from bot.guard import Scope, clean, handling, inert_text

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
