"""The test kit's connected members: `connected=[...]` in the marker and `sloth.connect(member)`
make the OAuth round trip `connect` makes, so `token="user"` commands act as that member."""

from __future__ import annotations

import json

import pytest

from bot.api import Args, Context, Invocation, Reply, Router, escape
from bot.testing import Sloth, start_sloth
from sloth_emulator import Emulator

away = Router("away")
AWAY = f"{__name__}:away"


@away.command("away", "Set your status to away.", token="user", user_scopes=("users.profile:write",))
async def set_away(ctx: Context, inv: Invocation, args: Args) -> Reply:
    assert ctx.member_client is not None
    await ctx.member_client.users_profile_set(profile={"status_text": "Away", "status_emoji": ":palm_tree:"})
    return Reply(text="You are away.")


@away.command("whoami", "Who Sloth acts as for you.", token="user", user_scopes=("users.profile:write",))
async def whoami(ctx: Context, inv: Invocation, args: Args) -> Reply:
    assert ctx.member_client is not None
    user = (await ctx.member_client.auth_test())["user_id"]
    return Reply(text=f"acting as {escape(str(user))}")


def profile_calls(sloth: Sloth, slack: Emulator) -> list[str | None]:
    return [slack.token_owner(c.token) for c in sloth.calls("users.profile.set")]


@pytest.mark.sloth(features=[AWAY], builtins=False, connected=["amelia"])
async def test_a_connected_member_is_acted_for_with_their_own_token(sloth: Sloth, slack: Emulator) -> None:
    amelia = sloth.user_id("amelia")
    [access] = sloth.calls("oauth.v2.access")  # the real round trip, through Sloth's OAuth pages
    assert access.response["authed_user"]["id"] == amelia
    assert access.response["authed_user"]["scope"] == "users.profile:write"  # what the features declare
    record = await sloth.runtime.store.get(f"user_token:{amelia}")
    token = access.response["authed_user"]["access_token"]
    assert record["user"] == amelia and token not in json.dumps(record)  # stored sealed
    answer = await sloth.command("away", user="amelia")
    assert answer.text == "You are away."
    assert slack.workspace.users[amelia].status_text == "Away"
    assert profile_calls(sloth, slack) == [amelia]
    assert (await sloth.command("whoami", user="amelia")).text == f"acting as {amelia}"


@pytest.mark.sloth(features=[AWAY], builtins=False, connected=["amelia"])
async def test_a_member_who_has_not_connected_gets_the_button_and_nothing_runs(sloth: Sloth,
                                                                              slack: Emulator) -> None:
    answer = await sloth.command("away", user="jonas")
    [post] = answer.posts
    assert post.ephemeral_to == sloth.user_id("jonas") and "Connect to Slack" in post.visible
    assert profile_calls(sloth, slack) == []
    await sloth.connect("jonas")  # during the test, as `connected` does at start
    assert (await sloth.command("away", user="jonas")).text == "You are away."
    assert profile_calls(sloth, slack) == [sloth.user_id("jonas")]


@pytest.mark.sloth(features=[AWAY], builtins=False)
async def test_connecting_needs_the_connect_feature_which_connected_loads(sloth: Sloth) -> None:
    with pytest.raises(RuntimeError, match="needs Sloth's connect feature"):
        await sloth.connect("amelia")
    assert sloth.calls("oauth.v2.access") == []


async def test_connecting_switched_off_fails_at_start_saying_why(slack: Emulator) -> None:
    with pytest.raises(RuntimeError, match="SLOTH_SECRET_KEY is not set"):
        async with start_sloth([AWAY], builtins=False, emulator=slack, connected=["wjk68"], secret_key=None):
            pass
