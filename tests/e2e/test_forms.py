"""A form for every command: `/sloth` alone and the "Sloth…" shortcut open the menu of commands,
each command's form is generated from its parameters, and a submission runs through the same
parser, checks and dispatch as the typed command; bad values are shown under their fields in
the ack, and a forged submission is refused. Real Bolt and SDK clients against the emulator.

The tests that stand for each surface run over Socket Mode and over HTTP (Slack's requests signed,
to /slack/events)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.features.grammar import parse_args
from bot.features.manifest import manifest
from bot.features.router import Command
from bot.handling import forms
from bot.pure.blocks import section
from bot.pure.text import split_args, split_line
from bot.pure.views import modal
from bot.slack.views import open_view, update_view
from bot.testing import Sloth, registry_for
from sloth_emulator import Emulator, FakeClock, modals
from tests.e2e.harness import sloth_over_both_transports

WJK68, AMELIA = "U01WJK68KS", "U01AMHART1"  # an admin (the workspace's owner), a member
# Over Socket Mode (the ack frame's payload) and over HTTP (the response's body): the same answers.
BOTH_TRANSPORTS = sloth_over_both_transports()
ADMIN_ONLY = {"create", "purpose", "invite", "archive"}
ELEMENTS = {"user": "users_select", "channel": "conversations_select", "int": "number_input",
            "text": "plain_text_input", "word": "plain_text_input"}


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}


def menu_commands(view: dict[str, Any]) -> list[str]:
    return [o["value"] for o in inputs(view)["command"]["element"]["options"]]


def example_values(command: Command, slack: Emulator) -> dict[str, str]:
    """The command's longest example, as a member would fill the form in to the same effect."""
    example = max(command.examples, key=lambda e: len(split_args(e)))
    args = parse_args(command, split_line(example)[1])
    values = {}
    for param in command.params:
        value = args.get(param.name)
        if value is None:
            continue
        if param.kind == "channel":
            values[param.name] = f"#{value.name}" if slack.workspace.channel(value.name) else "#testing_exp"
        elif param.kind == "user":
            values[param.name] = f"@{value.name}"
        else:
            values[param.name] = str(value)
    return values


def open_views(slack: Emulator, user: str) -> list[dict[str, Any]]:
    return [v for v in slack.views(user) if v["type"] == "modal"]


def counted(sloth: Sloth, event: str) -> float:
    return sloth.runtime.metrics.registry.get_sample_value("sloth_forms_total", {"event": event}) or 0.0


@pytest.mark.sloth(env={"SLOTH_FILES_DIR": "."})
async def test_every_built_in_command_has_a_form_that_opens_and_runs(sloth: Sloth, slack: Emulator) -> None:
    commands = sorted(sloth.runtime.registry.listed(), key=lambda c: c.name == "archive")  # archive last
    assert len(commands) > 20
    for command in commands:
        form = await sloth.open_form(command.name, user=WJK68)
        if not command.params:  # nothing to fill in: picked, it runs at once
            assert form.ack is None and form.posts, command.name
            continue
        assert form.ack is not None and form.ack["response_action"] == "update", command.name
        view = form.view
        fields = inputs(view)
        assert list(fields) == [p.name for p in command.params], command.name
        for param in command.params:
            element = fields[param.name]["element"]
            wanted = "static_select" if param.options else ELEMENTS[param.kind]
            assert element["type"] == wanted, (command.name, param.name)
            assert fields[param.name]["optional"] is (not param.required), (command.name, param.name)
            if param.kind == "text":
                assert element["multiline"] is True
            if param.kind == "int" and param.maximum is not None:
                assert element["max_value"] == str(param.maximum) and element["is_decimal_allowed"] is False
        answer = await sloth.submit_view(form, example_values(command, slack), user=WJK68)
        assert answer.ack is None, (command.name, answer.ack)  # valid: the modal closes
        assert answer.posts, f"{command.name} was not answered"
        assert "went wrong" not in answer.text, (command.name, answer.text)
        assert open_views(slack, WJK68) == []
    assert slack.refused_view_responses == []
    assert not [c for c in slack.calls if c.method.startswith("views.") and not c.ok]


@BOTH_TRANSPORTS
async def test_a_form_runs_as_the_typed_command_answered_where_it_would_be(
        sloth: Sloth, slack: Emulator, transport: str) -> None:
    form = await sloth.open_form("history", user=AMELIA, channel="random")
    channel = inputs(form.view)["channel"]["element"]
    assert channel["default_to_current_conversation"] is True  # opened in #random: it starts there
    assert channel["filter"]["include"] == ["public", "private"]
    answer = await sloth.submit_view(form, {"channel": "#random", "count": "2"})
    typed = await sloth.command("history #random 2", user=AMELIA, channel="random")
    assert answer.ack is None and answer.text == typed.text == "Last 2 messages in #random"
    assert answer.posts[0].ephemeral_to == AMELIA and answer.posts[0].channel == typed.posts[0].channel


@BOTH_TRANSPORTS
async def test_bad_values_are_shown_under_their_fields_in_the_ack(
        sloth: Sloth, slack: Emulator, transport: str) -> None:
    assert (slack.request_url is not None) == (transport == "http")  # over HTTP: in the response's body
    form = await sloth.open_form("history", user=AMELIA)
    answer = await sloth.submit_view(form, {"channel": "#random", "count": "0"})
    assert answer.ack == {"response_action": "errors", "errors": {"count": "count should be between 1 and 200."}}
    assert answer.posts == [] and [v["id"] for v in open_views(slack, AMELIA)] == [form.view["id"]]
    create = await sloth.open_form("create", user=WJK68)
    spaced = await sloth.submit_view(create, {"name": "data team", "purpose": "Numbers"})
    assert spaced.ack == {"response_action": "errors", "errors": {"name": "One word, without spaces."}}
    blank = await slack.forge_submission(form.view["id"], {"count": "5"})  # no member can leave it blank
    assert (await blank.acked())["payload"]["errors"] == {"channel": "Please fill this in."}
    assert blank.ack_latency is not None and blank.ack_latency < modals.ACK_SECONDS  # in time for Slack to show
    if transport == "http":  # each submission (two menus, three forms) answered in its own response, 200
        submitted = [r for r in slack.http_requests if r.kind == "interactive" and b"view_submission" in r.body]
        assert len(submitted) == 5 and {(r.status, r.outcome) for r in submitted} == {(200, "acked")}
    fixed = await sloth.submit_view(form, {"channel": "#random", "count": "2"})
    assert fixed.ack is None and fixed.text == "Last 2 messages in #random"
    assert slack.refused_view_responses == []


@BOTH_TRANSPORTS
async def test_a_forged_submission_is_refused(
        sloth: Sloth, slack: Emulator, transport: str) -> None:
    general = slack.workspace.channel("general").id  # type: ignore[union-attr]
    values = {"channel": general, "message": "hello"}

    async def forged(**how: Any) -> dict[str, Any]:
        form = await sloth.open_form("say", user=AMELIA)
        sealed = how.pop("sealed", lambda s: s)(form.view["private_metadata"])
        delivery = await slack.forge_submission(form.view["id"], values, private_metadata=sealed, **how)
        payload: dict[str, Any] = (await delivery.acked())["payload"]
        return payload

    def tampered(sealed: str) -> str:  # one character of the sealed origin changed
        body, _, mac = sealed.partition(".")
        return f"{body[:-2]}{'A' if body[-2] != 'A' else 'B'}{body[-1]}.{mac}"

    menu = await sloth.open_form(user=AMELIA)
    acks = [await forged(user=WJK68), await forged(sealed=tampered), await forged(sealed=lambda s: ""),
            await forged(sealed=lambda s: menu.view["private_metadata"])]  # a menu's origin runs no form
    for ack in acks:
        assert ack["response_action"] == "update" and "not opened for you" in str(ack["view"]["blocks"])
    await sloth.settle()
    assert not slack.calls_to("chat.postMessage") and not slack.responses
    assert counted(sloth, "refused") == 4


async def test_a_form_expires(sloth: Sloth, slack: Emulator) -> None:
    form = await sloth.open_form("whois", user=AMELIA)
    await sloth.advance(13 * 3600)
    answer = await sloth.submit_view(form, {"user": "@wjk68"})
    assert answer.ack is not None and "expired" in str(answer.ack["view"]["blocks"])
    assert answer.posts == []


async def test_admin_only_commands_are_hidden_from_members_and_refused_if_forced(sloth: Sloth,
                                                                                 slack: Emulator) -> None:
    member = await sloth.open_form(user=AMELIA)
    admin = await sloth.open_form(user=WJK68)
    assert not ADMIN_ONLY & set(menu_commands(member.view)) and ADMIN_ONLY <= set(menu_commands(admin.view))
    forced = await slack.forge_submission(member.view["id"], {"command": "archive"})
    payload = (await forced.acked())["payload"]
    assert payload == {"response_action": "errors", "errors": {
        "command": "Only Sloth's admins (and the workspace's admins and owners) can use archive."}}
    # An admin's form, submitted after they stopped being one: dispatch asks Slack again, and refuses.
    form = await sloth.submit_view(admin, {"command": "archive"})
    slack.workspace.users[WJK68].is_admin = slack.workspace.users[WJK68].is_owner = False
    slack.workspace.users[WJK68].is_primary_owner = False
    answer = await sloth.submit_view(form, {"channel": "#random"})
    assert "Only Sloth's admins" in answer.text and not slack.calls_to("conversations.archive")


async def test_a_private_channel_the_member_is_not_in_is_refused(sloth: Sloth, slack: Emulator) -> None:
    secret = slack.workspace.create_channel("secret-plans", WJK68, is_private=True)
    secret.members.update(dict.fromkeys([slack.bot_user_id]))  # Sloth could read it; Amelia may not
    slack.workspace.post(secret, {"user": WJK68, "text": "the plan"})
    form = await sloth.open_form("history", user=AMELIA)
    # Slack's picker lists only what the member can see: only a forged submission names it.
    delivery = await slack.forge_submission(form.view["id"], {"channel": secret.id})
    assert (await delivery.acked()).get("payload") is None
    await sloth.settle()
    answer = slack.responses[-1].body
    assert "can't find the channel" in answer["text"] and "the plan" not in str(answer)
    assert not slack.calls_to("conversations.history")


@BOTH_TRANSPORTS
async def test_the_shortcut_opens_the_menu_and_answers_in_a_dm(sloth: Sloth, slack: Emulator, transport: str) -> None:
    menu = await sloth.shortcut(user=AMELIA)
    assert menu.view["callback_id"] == "sloth_pick"
    form = await sloth.submit_view(menu, {"command": "history"})
    assert "default_to_current_conversation" not in inputs(form.view)["channel"]["element"]  # no channel here
    answer = await sloth.submit_view(form, {"channel": "#random", "count": "2"})
    im = slack.workspace.open_im(slack.bot_user_id, AMELIA)[0]
    assert answer.ack is None and [(p.channel, p.text) for p in answer.posts] == [(im.id, "Last 2 messages in #random")]
    with pytest.raises(ValueError, match="declares no global shortcut"):
        await slack.global_shortcut("nothing-declared")


async def test_a_command_without_parameters_runs_when_picked(sloth: Sloth, slack: Emulator) -> None:
    answer = await sloth.open_form("team", user=AMELIA)
    assert answer.ack is None and "Data Analysis" in answer.text


@BOTH_TRANSPORTS
async def test_closing_a_form_is_heard(sloth: Sloth, slack: Emulator, transport: str) -> None:
    form = await sloth.open_form("history", user=AMELIA)
    assert form.view["notify_on_close"] is True
    await sloth.close_view(form)
    assert open_views(slack, AMELIA) == [] and counted(sloth, "closed") == 1


@pytest.mark.slack(clock=FakeClock())
async def test_the_menu_cannot_open_once_slack_s_three_seconds_have_passed(sloth: Sloth, slack: Emulator,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forms, "ADMIN_WAIT", 60.0)  # Sloth waits for the answer held here, however slow the test
    held = slack.hold_answers("users.info")  # Slack slow to say whether the member is an admin
    delivery = await slack.slash_command(text="", user=AMELIA)
    await delivery.acked()
    await slack.wait_for(lambda: slack.calls_to("users.info"))
    slack.advance(3.01)  # the trigger_id is 3.01 s old when Sloth asks for the modal
    held.set()
    await sloth.settle()
    assert [c.error for c in slack.calls_to("views.open")] == ["expired_trigger_id"]
    assert open_views(slack, AMELIA) == [] and counted(sloth, "expired") == 1
    told = [p.body for p in slack.responses if p.url == delivery.payload["response_url"]]
    assert len(told) == 1 and "3 seconds" in told[0]["text"] and told[0]["response_type"] == "ephemeral"
    in_time = await sloth.open_form(user=AMELIA)  # within them, it opens
    assert in_time.view["callback_id"] == "sloth_pick"


async def test_a_view_is_updated_only_from_the_version_last_seen(sloth: Sloth, slack: Emulator) -> None:
    client = sloth.runtime.client
    first = await open_view(client, slack.triggers.issue(AMELIA), modal("First", [section("one")]))
    assert first is not None
    second = await update_view(client, first, modal("Second", [section("two")]))
    assert second is not None and second["hash"] != first["hash"]
    assert await update_view(client, first, modal("Stale", [section("old")])) is None  # hash_conflict
    assert [v["title"]["text"] for v in open_views(slack, AMELIA)] == ["Second"]
    trigger = slack.triggers.issue(AMELIA)
    assert await open_view(client, trigger, modal("Once", [section("x")])) is not None
    assert await open_view(client, trigger, modal("Twice", [section("x")])) is None  # a trigger opens one view


WITHOUT_FILES_READ = sorted(set(manifest(registry_for())["oauth_config"]["scopes"]["bot"]) - {"files:read"})


@pytest.mark.slack(bot_scopes=WITHOUT_FILES_READ)
@pytest.mark.sloth(scopes=False)
async def test_the_menu_leaves_out_what_cannot_run_and_marks_what_needs_connecting(sloth: Sloth,
                                                                                   slack: Emulator) -> None:
    menu = await sloth.open_form(user=AMELIA)
    options = {o["value"]: o["description"]["text"] for o in inputs(menu.view)["command"]["element"]["options"]}
    assert "files" not in options and "history" in options  # the app lacks files:read: switched off
    assert options["status"].startswith("Connect first: ") and not options["history"].startswith("Connect")
    forced = await slack.forge_submission(menu.view["id"], {"command": "files"})
    assert (await forced.acked())["payload"]["errors"]["command"].startswith("files is switched off")
