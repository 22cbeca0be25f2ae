"""Forms as a team's feature gets them through the test kit: generated from a command's
parameters, or the command's own (`form=`), submitted with `submit_view`, opened from the
"Sloth…" shortcut with `shortcut`."""

from __future__ import annotations

from typing import Any

import pytest

from bot.api import (
    Args,
    Command,
    Context,
    Invocation,
    Param,
    Reply,
    Router,
    escape,
    field_block,
    input_block,
    option,
    section,
    static_select,
)
from bot.testing import Sloth
from sloth_emulator import Emulator

deploys = Router("deploys")
FEATURE = f"{__name__}:deploys"
kit = pytest.mark.sloth(features=[FEATURE], builtins=False)


def deploy_form(command: Command) -> list[dict[str, Any]]:
    """A form of the command's own: a radio-like menu of services and the generated count field."""
    services = static_select([option(name.title(), name) for name in ("api", "web", "worker")], placeholder="Which")
    return [section("Ships the main branch."), input_block("service", "Service", services),
            field_block(command.params[1])]


@deploys.command("deploy", "Deploy a service.", Param("service"),
                 Param("replicas", "int", required=False, default=2, minimum=1, maximum=10),
                 examples=("deploy api 3",), form=deploy_form)
async def deploy(ctx: Context, inv: Invocation, args: Args) -> Reply:
    return Reply(text=f"Deploying {escape(args['service'])} on {args['replicas']} replicas")


@deploys.command("notify", "Tell someone.", Param("who", "user"), Param("message", "text"), examples=("notify @x hi",),
                 mentions="users")  # the member picked is notified, as one typed would be
async def notify(ctx: Context, inv: Invocation, args: Args) -> Reply:
    return Reply(text=f"Told {args['who']}: {escape(args['message'])}")


@kit
async def test_a_command_with_a_form_of_its_own(sloth: Sloth, slack: Emulator) -> None:
    form = await sloth.open_form("deploy")
    assert [b["block_id"] for b in form.view["blocks"] if b["type"] == "input"] == ["service", "replicas"]
    assert form.view["blocks"][0]["text"]["text"] == "Deploy a service."  # the summary, then its own blocks
    bad = await sloth.submit_view(form, {"service": "web", "replicas": "11"})
    assert bad.ack == {"response_action": "errors", "errors": {"replicas": "replicas should be between 1 and 10."}}
    answer = await sloth.submit_view(form, {"service": "worker"})
    assert answer.ack is None and answer.text == "Deploying worker on 2 replicas"


@kit
async def test_a_generated_form_through_the_shortcut(sloth: Sloth, slack: Emulator) -> None:
    menu = await sloth.shortcut(user="amelia")
    form = await sloth.submit_view(menu, {"command": "notify"})
    answer = await sloth.submit_view(form, {"who": "@jonas", "message": "the build is green"})
    assert answer.text == "Told <@U01JBECKER>: the build is green"  # in Amelia's DM with Sloth
    assert answer.posts[0].channel.startswith("D") and answer.posts[0].ephemeral_to is None
