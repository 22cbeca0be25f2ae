"""Commands as tools: each parameter's JSON Schema, and a tool's arguments read back as the fields a
member would have filled in, through the command's own parser."""

from __future__ import annotations

import pytest

from bot.agent.schema import ArgumentError, fields_of, input_schema
from bot.agent.tools import describe_call, tools_for
from bot.features.grammar import FieldErrors, parse_fields
from bot.features.invocation import Invocation
from bot.features.registry import Feature, Registry
from bot.features.router import Args, Command, Param, Router
from bot.pure.blocks import Reply
from bot.pure.text import ChannelRef, UserRef


async def nothing(ctx: object, inv: Invocation, args: Args) -> Reply:
    return Reply(text="")


KUDOS = Command("kudos", "Thank a teammate.", nothing, params=(
    Param("who", "user"), Param("points", "int", minimum=1, maximum=5),
    Param("where", "channel", required=False), Param("style", choices=("plain", "party"), required=False),
    Param("activity|members", required=False), Param("why", "text", required=False, default="for being great",
                                                      help="What for.")))


def test_each_kind_is_a_json_schema_property_and_the_required_ones_are_required() -> None:
    schema = input_schema(KUDOS)
    props = schema["properties"]
    assert schema["required"] == ["who", "points"] and schema["additionalProperties"] is False
    assert props["points"] == {"type": "integer", "minimum": 1, "maximum": 5, "title": "Points",
                               "description": "A whole number between 1 and 5."}
    assert props["who"]["type"] == "string" and "U012AB3CD" in props["who"]["description"]
    assert props["style"]["enum"] == ["plain", "party"]
    assert props["activity_or_members"]["enum"] == ["activity", "members"]  # a name providers accept
    assert props["why"] == {"type": "string", "minLength": 1, "title": "Why", "description": "What for.",
                            "default": "for being great"}


@pytest.mark.parametrize(("kind", "good", "bad"), [
    ("who", ["U01AMHART1", "@amelia", "amelia", "<@U01AMHART1|amelia>"], ["two words", "@", ""]),
    ("where", ["C01RANDOM1", "#random", "<#C01RANDOM1>"], ["#two words", ""]),
])
def test_member_and_channel_patterns_take_what_the_parser_takes(kind: str, good: list[str], bad: list[str]) -> None:
    import re
    pattern = re.compile(input_schema(KUDOS)["properties"][kind]["pattern"])
    assert all(pattern.match(g) for g in good) and not any(pattern.match(b) for b in bad)


def test_arguments_go_through_the_commands_own_parser() -> None:
    fields = fields_of(KUDOS, {"who": "U01AMHART1", "points": 3, "where": "<#C01RANDOM1|random>",
                               "activity_or_members": "members", "why": "for the <b> review"})
    args = parse_fields(KUDOS, dict(fields))
    assert args["who"] == UserRef(id="U01AMHART1") and args["points"] == 3
    assert args["where"] == ChannelRef(id="C01RANDOM1") and args["activity|members"] == "members"
    assert args["why"] == "for the &lt;b&gt; review"  # escaped as Slack escapes what a member types
    with pytest.raises(FieldErrors, match="points should be between 1 and 5"):
        parse_fields(KUDOS, dict(fields_of(KUDOS, {"who": "@amelia", "points": 9})))


def test_an_argument_the_command_does_not_take_is_named() -> None:
    with pytest.raises(ArgumentError, match="does not take colour; it takes who, points"):
        fields_of(KUDOS, {"who": "@amelia", "points": 1, "colour": "red"})


def test_a_call_is_described_as_the_member_would_type_it() -> None:
    registry = Registry([Feature(router_of(KUDOS))])
    assert describe_call(registry, "kudos", {"who": "U01AMHART1", "points": 2, "why": "thanks"}) == \
        "kudos <@U01AMHART1> 2 thanks"


def router_of(*commands: Command) -> Router:
    router = Router("team")
    for command in commands:
        router.add(command)
    return router


def test_tools_leave_out_what_a_feature_leaves_out_and_admin_commands_for_members() -> None:
    router = Router("team")
    router.add(KUDOS)
    router.command("secret", "Hidden.", tool=False)(nothing)
    router.command("wipe", "Wipe the board.", admin_only=True, changes=True)(nothing)
    router.command("board", "The board.", tool="The kudos board, as a table of members and points.")(nothing)
    registry = Registry([Feature(router)])
    member = {t.name: t for t in tools_for(registry, admin=False)}
    admin = {t.name: t for t in tools_for(registry, admin=True)}
    assert set(member) == {"kudos", "board"} and set(admin) == {"kudos", "board", "wipe"}
    assert admin["wipe"].changes and admin["wipe"].admin_only and not member["kudos"].changes
    assert member["board"].description == "The kudos board, as a table of members and points."
    assert member["kudos"].description.startswith("Thank a teammate.\nTyped as: kudos @who points")
    registry.unavailable["board"] = ("team:read",)
    assert "board" not in {t.name for t in tools_for(registry, admin=True)}  # switched off: no tool


def test_built_in_commands_that_change_the_workspace_say_so() -> None:
    from bot.testing import registry_for
    tools = {t.name: t for t in tools_for(registry_for(), admin=True)}
    changing = {name for name, t in tools.items() if t.changes}
    assert {"say", "create", "archive", "invite", "purpose", "status", "snooze", "remind"} <= changing
    assert not {"help", "users", "whois", "channels", "history", "runs", "search"} & changing
    assert "connect" not in tools  # connecting is the member's own step in Slack
