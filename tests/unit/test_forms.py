"""Forms, pure: what each parameter becomes, how a submission's values are read and parsed, the
sealed metadata, and what a submission means (the function the ack path calls)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from bot.features.grammar import FieldErrors, parse_args, parse_fields
from bot.features.registry import Feature, Registry
from bot.features.router import Command, Param, Router
from bot.handling.ack_answer import ack_answer
from bot.pure.text import ChannelRef, UserRef
from bot.testing import registry_for
from bot.views.fields import submitted_fields
from bot.views.forms import FORM, PICK, Choice, command_form, field_block, picker
from bot.views.metadata import Origin, Sealer, SealError
from bot.views.submissions import Submissions
from sloth_emulator.view_rules import view_problems

NOW = 1_700_000_000.0


async def _noop(ctx, inv, args):  # type: ignore[no-untyped-def]
    raise AssertionError("not called")


PLOT = Command("plot", "Charts.", _noop, params=(
    Param("activity|members"), Param("channel", "channel", required=False),
    Param("days", "int", required=False, minimum=1, maximum=365)), examples=("plot activity #general 7",))
GREET = Command("greet", "Greet someone.", _noop, params=(Param("who", "user"), Param("note", "text", required=False)))
WIPE = Command("wipe", "Wipe a channel.", _noop, params=(Param("channel", "channel"),), admin_only=True)
TEAM = Command("team", "The workspace.", _noop)


def registry(*commands: Command) -> Registry:
    router = Router("demo")
    for command in commands:
        router.add(command)
    return Registry([Feature(router)])


def test_each_kind_of_parameter_becomes_its_input() -> None:
    elements = {p.name: field_block(p)["element"] for p in (*PLOT.params, *GREET.params)}
    assert [o["value"] for o in elements["activity|members"]["options"]] == ["activity", "members"]
    assert elements["channel"]["type"] == "conversations_select" and "default_to_current_conversation" not in \
        elements["channel"]  # optional: it starts empty
    assert elements["days"] == {"type": "number_input", "action_id": "value", "is_decimal_allowed": False,
                                "min_value": "1", "max_value": "365"}
    assert elements["who"]["type"] == "users_select"
    assert elements["note"]["type"] == "plain_text_input" and elements["note"]["multiline"] is True
    block = field_block(PLOT.params[2])
    assert block["optional"] is True and block["hint"]["text"] == "A whole number between 1 and 365."
    assert field_block(Param("where", "channel"))["element"]["default_to_current_conversation"] is True
    assert field_block(Param("where", "channel"), in_channel=False)["element"].get("default_to_current_conversation") \
        is None


def test_every_built_in_form_and_the_menu_are_views_slack_takes() -> None:
    built_in = registry_for()
    for command in built_in.listed():
        assert view_problems(command_form(command, "sealed", "/sloth")) == [], command.name
    menu = picker([Choice(c) for c in built_in.listed()], "sealed", "/sloth")
    assert view_problems(menu) == [] and menu["callback_id"] == PICK
    many = [Choice(Command(f"c{i}", "x" * 200, _noop)) for i in range(150)]
    grouped = picker(many, "sealed", "/sloth")
    element = grouped["blocks"][0]["element"]
    assert [len(g["options"]) for g in element["option_groups"]] == [100, 50] and view_problems(grouped) == []
    assert len(element["option_groups"][0]["options"][0]["description"]["text"]) == 75
    titled = command_form(Command("a-command-with-a-long-name", "s", _noop, params=(Param("x"),)), "m", "/sloth")
    assert titled["title"]["text"] == "/sloth a-command-with-a…" and len(titled["title"]["text"]) == 24


def test_submitted_values_read_as_typed_text() -> None:
    def state(**elements: dict[str, Any]) -> dict[str, Any]:
        return {"state": {"values": {name: {"value": element} for name, element in elements.items()}}}

    view = state(
        who={"type": "users_select", "selected_user": "U01AMHART1"},
        where={"type": "conversations_select", "selected_conversation": "C01RANDOM1"},
        kind={"type": "static_select", "selected_option": {"text": {}, "value": "members"}},
        many={"type": "multi_users_select", "selected_users": ["U1AA", "U2BB"]},
        note={"type": "plain_text_input", "value": "a < b & <!here>"},
        forged={"type": "users_select", "selected_user": "<!channel>"},
        blank={"type": "plain_text_input", "value": None},
    )
    assert submitted_fields(view) == {
        "who": "<@U01AMHART1>", "where": "<#C01RANDOM1>", "kind": "members", "many": "<@U1AA> <@U2BB>",
        "note": "a &lt; b &amp; &lt;!here&gt;", "forged": "&lt;!channel&gt;", "blank": None}


def test_a_form_parses_each_value_as_the_typed_line_would() -> None:
    fields = {"activity|members": "activity", "channel": "<#C01RANDOM1>", "days": "7"}
    assert parse_fields(PLOT, fields) == parse_args(PLOT, "activity <#C01RANDOM1> 7")
    # A blank optional field takes its default, whatever comes after it (no position to keep).
    assert parse_fields(PLOT, {"activity|members": "members", "days": "30"}) == {
        "activity|members": "members", "channel": None, "days": 30}
    assert parse_fields(GREET, {"who": "<@U01AMHART1>", "note": "hi\n  there"}) == {
        "who": UserRef("U01AMHART1"), "note": "hi\n  there"}
    with pytest.raises(FieldErrors) as bad:
        parse_fields(PLOT, {"channel": "two words", "days": "366"})
    assert bad.value.problems == {"activity|members": "Please fill this in.", "channel": "One word, without spaces.",
                                  "days": "days should be between 1 and 365."}
    assert parse_args(PLOT, "activity #general") == {"activity|members": "activity",
                                                     "channel": ChannelRef(name="general"), "days": None}


def test_sealed_metadata_opens_only_as_sealed() -> None:
    sealer = Sealer("a secret of at least sixteen characters")
    origin = Origin(user="U1", channel="C1", purpose="form", command="history", response_url="https://x/y")
    sealed = sealer.seal(origin, NOW)
    assert sealer.open(sealed, NOW + 60, "form") == Origin(**{**origin.__dict__, "expires": NOW + sealer.ttl})
    body, _, mac = sealed.partition(".")
    for broken, why in [(f"{body}x.{mac}", "not Sloth's"), ("", "not Sloth's"), (None, "not Sloth's"),
                        ("é.é", "not Sloth's"), (Sealer("another secret, sixteen+").seal(origin, NOW), "not Sloth's")]:
        with pytest.raises(SealError, match=why):
            sealer.open(broken, NOW, "form")
    with pytest.raises(SealError, match="for a form, not a pick"):
        sealer.open(sealed, NOW, "pick")
    with pytest.raises(SealError, match="expired"):
        sealer.open(sealed, NOW + sealer.ttl + 1, "form")


def submission(view: dict[str, Any], user: str = "U1", **values: dict[str, Any]) -> dict[str, Any]:
    state = {name: {"value": element} for name, element in values.items()}
    return {"type": "view_submission", "user": {"id": user}, "trigger_id": "1.2.3",
            "view": {**view, "state": {"values": state}}}


def test_what_a_submission_means() -> None:
    subs = Submissions(registry(PLOT, WIPE, TEAM), Sealer("a secret of at least sixteen characters"),
                       lambda: NOW, "/sloth")
    menu = picker([Choice(PLOT), Choice(TEAM)], subs.seal(Origin(user="U1", channel="C1", response_url="u")),
                  "/sloth")

    def pick(name: str, user: str = "U1") -> Any:
        chosen = {"type": "static_select", "selected_option": {"value": name}}
        return subs.outcome(submission(menu, user, command=chosen))

    form = pick("plot").ack["view"]
    assert form["callback_id"] == FORM and [b["block_id"] for b in form["blocks"] if b["type"] == "input"] == [
        "activity|members", "channel", "days"]
    assert pick("wipe").ack["errors"]["command"].startswith("Only Sloth's admins")  # the menu was not an admin's
    assert pick("nothing").ack == {"response_action": "errors", "errors": {"command": "Pick a command from the list."}}
    team = pick("team")
    assert team.ack is None and team.run is not None and team.run.name == "team" and team.run.response_url == "u"
    assert pick("plot", user="U2").refused == "submitted by another member than the one it was opened for"

    def fill(**values: Any) -> Any:
        elements = {k: {"type": "plain_text_input", "value": v} for k, v in values.items()}
        return subs.outcome(submission(form, **elements))

    assert fill(**{"activity|members": "activity", "days": "0"}).ack == {
        "response_action": "errors", "errors": {"days": "days should be between 1 and 365."}}
    assert fill(**{"activity|members": "pie"}).ack["errors"] == {"activity|members": "Pick one of the choices."}
    ran = fill(**{"activity|members": "members", "days": "3"})
    assert ran.ack is None and ran.run is not None
    assert (ran.run.args, ran.run.fields, ran.run.source, ran.run.channel, ran.run.user) == (
        "members 3", (("activity|members", "members"), ("channel", ""), ("days", "3")), "slash", "C1", "U1")
    assert subs.outcome({"type": "view_submission", "view": {"callback_id": "someone-else's"}}) is None


def test_the_ack_answer_never_raises(caplog: pytest.LogCaptureFixture) -> None:
    class Broken(Submissions):
        def outcome(self, payload: dict[str, Any]) -> Any:
            raise RuntimeError("a bug")

    answer = ack_answer(Broken(registry(), Sealer("a secret of at least sixteen characters"), lambda: NOW, "/s"))
    with caplog.at_level(logging.ERROR):
        assert answer({"type": "view_submission", "view": {}}) is None
    assert "acking it bare" in caplog.text
    assert answer({"type": "block_actions"}) is None
