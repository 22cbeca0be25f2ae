"""Home sections, message shortcuts and workflow steps as features declare them: the router, the
registry's clashes, the manifest's shortcuts and `functions`, and a step's inputs read as typed text."""

from __future__ import annotations

from typing import Any

import pytest

from bot.config.problems import Problems
from bot.features.functions import RUNNER, definition, runner_of, typed_fields
from bot.features.manifest import manifest
from bot.features.registry import Feature, Registry
from bot.features.router import Command, Param, Router, Step
from bot.features.surfaces import MessageShortcut, step_callback_id


async def handler(*_: Any) -> Any:
    return None


def feature(router: Router) -> Feature:
    return Feature(router)


def test_a_part_brings_its_home_section_and_shortcuts_to_its_feature() -> None:
    part, whole = Router(), Router("kudos")

    @part.home
    async def section(ctx: Any, member: str) -> list[dict[str, Any]]:
        return []

    part.message_shortcut("kudos_message", "Give kudos", "Thank whoever wrote it")(handler)
    whole.include(part)
    assert whole.homes == [section] and whole.shortcuts["kudos_message"].name == "Give kudos"
    with pytest.raises(ValueError, match="declared twice"):
        whole.message_shortcut("kudos_message", "Again")(handler)


def test_shortcuts_are_owned_like_commands() -> None:
    one, two, bad, own = Router("one"), Router("two"), Router("bad"), Router("own")
    one.message_shortcut("quote", "Quote")(handler)
    two.message_shortcut("quote", "Quote too")(handler)
    bad.message_shortcut("with space", "Bad")(handler)
    own.message_shortcut("sloth", "Mine")(handler)
    with pytest.raises(Problems) as raised:
        Registry([feature(r) for r in (one, two, bad, own)])
    text = "\n".join(raised.value.problems)
    assert "The message shortcut 'quote' is declared by two features: 'one'" in text
    assert "'with space' of 'bad' (built-in) is not a callback_id" in text
    assert "'sloth' of 'own' (built-in) is the callback_id of Sloth's own shortcut" in text


def test_a_step_keeps_its_runner_input_and_answer_output_and_one_function_per_name() -> None:
    router = Router("ops")
    router.add(Command("deploy", "Deploy", handler, (Param("interactivity"),), step=True))
    router.add(Command("run-report", "Report", handler, step=True))
    router.add(Command("run_report", "Report again", handler, step=Step(outputs=(Param("text"),))))
    with pytest.raises(Problems) as raised:
        Registry([feature(router)])
    text = "\n".join(raised.value.problems)
    assert "'deploy' of 'ops' (built-in) has a parameter called 'interactivity'" in text
    assert "'run_report' of 'ops' (built-in) declares an output called 'text'" in text
    router = Router("ops")
    router.add(Command("run-report", "Report", handler, step=True))
    router.add(Command("run_report", "Report again", handler, step=True))
    with pytest.raises(Problems, match="would both be the function 'run_report'"):
        Registry([feature(router)])


def test_the_manifest_declares_the_home_tab_the_shortcuts_and_each_step() -> None:
    router = Router("ops")
    router.message_shortcut("page", "Page whoever wrote this", "Calls them")(handler)
    router.add(Command("deploy", "Deploy a service.", handler, (
        Param("service", choices=("api", "web")), Param("count", "int", required=False, minimum=1, maximum=5),
        Param("owner", "user"), Param("where", "channel"), Param("note", "text", required=False, help="Why")),
        step=Step(title="Deploy a service", outputs=(Param("url", "text"),))))
    made = manifest(Registry([feature(router)]))
    assert made["features"]["app_home"]["home_tab_enabled"] is True
    assert {"type": "message", "callback_id": "page", "name": "Page whoever wrote this",
            "description": "Calls them"} in made["features"]["shortcuts"]
    assert {"app_home_opened", "function_executed"} <= set(made["settings"]["event_subscriptions"]["bot_events"])
    assert made["settings"]["org_deploy_enabled"] is True
    deploy = made["functions"]["deploy"]
    assert deploy["title"] == "Deploy a service" and deploy["description"] == "Deploy a service."
    inputs = deploy["input_parameters"]
    assert list(inputs) == [RUNNER, "service", "count", "owner", "where", "note"]
    assert (inputs[RUNNER]["type"], inputs[RUNNER]["is_required"]) == ("slack#/types/interactivity", True)
    assert [inputs[n]["type"] for n in ("service", "count", "owner", "where", "note")] == [
        "string", "integer", "slack#/types/user_id", "slack#/types/channel_id", "string"]
    assert inputs["service"]["description"] == "One of: api, web." and inputs["count"]["is_required"] is False
    assert inputs["count"]["description"] == "A whole number between 1 and 5."
    assert inputs["note"]["description"] == "Why"
    outputs = deploy["output_parameters"]
    assert outputs["text"]["is_required"] is True and outputs["url"]["is_required"] is False
    plain = manifest(Registry([feature(Router("none"))]))
    assert "functions" not in plain and plain["settings"]["org_deploy_enabled"] is False


def test_a_steps_inputs_read_as_what_a_member_would_have_typed() -> None:
    command = Command("deploy", "Deploy", handler, (Param("owner", "user"), Param("where", "channel"),
                                                   Param("count", "int"), Param("note", "text", required=False)))
    inputs = {RUNNER: {"interactor": {"id": "U01AMHART1", "secret": "s"}}, "owner": "U01WJK68KS",
              "where": "C01GENERAL", "count": 3, "note": "<!here> & <b>"}
    assert typed_fields(command, inputs) == (("owner", "<@U01WJK68KS>"), ("where", "<#C01GENERAL>"), ("count", "3"),
                                             ("note", "&lt;!here&gt; &amp; &lt;b&gt;"))
    assert typed_fields(command, {"owner": "amelia <@U1>", "where": None})[:2] == (
        ("owner", "amelia &lt;@U1&gt;"), ("where", ""))
    assert runner_of(inputs) == "U01AMHART1"
    assert runner_of({RUNNER: {"interactor": {}}}) is None and runner_of({}) is None
    assert definition(command, Step())["title"] == "Deploy" and step_callback_id("run-report") == "run_report"


def test_a_message_shortcut_runs_commands_as_the_member_who_used_it() -> None:
    shortcut = MessageShortcut("export_thread", "U01AMHART1", "C01GENERAL", "1.000002",
                               {"ts": "1.000002", "thread_ts": "1.000001", "text": "hi"}, response_url="https://r")
    inv = shortcut.invocation("plot", "activity <#C01GENERAL>")
    assert (inv.user, inv.channel, inv.source, inv.response_url) == ("U01AMHART1", "C01GENERAL", "shortcut", "https://r")
    assert shortcut.thread == "1.000001" and shortcut.text == "hi"
    assert MessageShortcut("x", "U1", "C1", "2.0", {"ts": "2.0"}).thread == "2.0"
