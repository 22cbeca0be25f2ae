"""A team's feature keeps to its own context: its settings, its store keys and the shared services,
and nothing of another feature's, nor Sloth's tokens or secret key. Two features declared here
(`vault` with a secret setting and store keys, `nosy` trying to reach them) run in a real Sloth
beside the built-in games and connect."""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping

import pytest
from aiohttp import ClientSession

from bot.api import Args, Context, Invocation, Param, Reply, Router, Setting
from bot.config.settings import Settings
from bot.features.core import Core, CoreContext, core_of
from bot.features.registry import Feature, Registry
from bot.store.health import Watched
from bot.testing import Sloth
from bot.work.supervisor import Supervisor

VAULT_TOKEN = "vault-token-0123456789"
SECRET_KEY = "sloth-secret-key-0123456789abcdef"
vault = Router("vault", settings=[Setting("token", secret=True, required=True)])
nosy = Router("nosy", settings=[Setting("greeting", default="Hi")])
apart = pytest.mark.sloth(features=[f"{__name__}:vault", f"{__name__}:nosy"],
                          builtins=["handlers.games.feature", "bot.connect.feature"],
                          env={"VAULT_TOKEN": VAULT_TOKEN}, secret_key=SECRET_KEY)


@vault.command("stash", "Keep a note in the vault.", Param("note", "text"))
async def stash(ctx: Context, inv: Invocation, args: Args) -> Reply:
    await ctx.store.set("diary", args["note"])
    return Reply(text=f"stashed with {len(ctx.config.token)} characters of token")


@nosy.command("remember", "Keep a note of nosy's own.", Param("note", "text"))
async def remember(ctx: Context, inv: Invocation, args: Args) -> Reply:
    await ctx.store.set("note", args["note"])
    return Reply(text=f"{ctx.config.greeting}: {await ctx.store.get('note')}")


@nosy.command("peek", "Try to read the vault.")
async def peek(ctx: Context, inv: Invocation, args: Args) -> Reply:
    found = [await ctx.store.get(key) for key in ("diary", "vault:diary", ":vault:diary")]
    found.append(await ctx.store.child("").get("diary"))
    return Reply(text=f"found {[f for f in found if f is not None]}")


@nosy.command("borrow", "Run the games' command, then nosy's own, through ctx.run.")
async def borrow(ctx: Context, inv: Invocation, args: Args) -> Reply:
    try:
        await ctx.run(dataclasses.replace(inv, name="play", args="tictactoe"))
        other = "ran play"
    except PermissionError as e:
        other = f"refused: {e}"
    own = await ctx.run(dataclasses.replace(inv, name="remember", args="through run"))
    return Reply(text=f"{other} / own: {own.text}")


@apart
async def test_a_features_own_settings_and_store_still_work(sloth: Sloth) -> None:
    assert (await sloth.command("remember tea at four")).text == "Hi: tea at four"
    assert (await sloth.command("stash the combination")).text == f"stashed with {len(VAULT_TOKEN)} characters of token"
    assert await sloth.context("nosy").store.get("note") == "tea at four"
    assert await sloth.context("vault").store.get("diary") == "the combination"


@apart
async def test_another_features_store_keys_are_out_of_reach(sloth: Sloth) -> None:
    await sloth.command("stash the combination")
    assert (await sloth.command("peek")).text == "found []"
    store = sloth.context("nosy").store
    assert not hasattr(store, "store") and store.prefix == "nosy:"  # the store beneath is not offered


@apart
async def test_the_context_offers_nothing_of_other_features_nor_the_core(sloth: Sloth) -> None:
    ctx = sloth.context("nosy")
    for name in ("backend", "contexts", "of", "registry", "session", "supervisor", "core"):
        assert not hasattr(ctx, name), name
    assert not hasattr(ctx.settings, "secret_key") and not hasattr(ctx.settings, "bot_token")
    assert ctx.settings.command == "/sloth" and ctx.settings.public_url.startswith("http://127.0.0.1:")
    with pytest.raises(AttributeError):
        _ = ctx.config.token  # vault's setting, not nosy's
    with pytest.raises(PermissionError):
        core_of(ctx)


@apart
async def test_no_secret_and_no_core_object_is_reachable_from_a_features_context(sloth: Sloth) -> None:
    settings = sloth.runtime.settings
    secrets = {VAULT_TOKEN, SECRET_KEY, settings.app_token, settings.client_secret}
    forbidden = (Settings, Core, Registry, Feature, Supervisor, Watched, CoreContext)
    found = reachable(sloth.context("nosy"))
    assert not [type(o).__name__ for o in found if isinstance(o, forbidden)]
    assert not [o for o in found if isinstance(o, str) and o in secrets]
    # The check can fail: from Sloth's own connect feature, the core and its secrets are in reach.
    own = reachable(sloth.context("connect"))
    assert any(isinstance(o, Core) for o in own) and SECRET_KEY in own


@apart
async def test_run_is_for_a_features_own_commands(sloth: Sloth) -> None:
    answer = await sloth.command("borrow")
    assert answer.text == ("refused: the nosy feature can run only its own commands, and 'play' is not one / "
                           "own: Hi: through run")
    assert not sloth.calls("chat.postMessage")  # no game was started through nosy


@apart
async def test_sloths_own_features_reach_the_core(sloth: Sloth) -> None:
    core = core_of(sloth.context("connect"))
    assert core is sloth.runtime.ctx and core.settings.secret_key == SECRET_KEY
    assert isinstance(sloth.context("core"), CoreContext) and not isinstance(sloth.context("games"), CoreContext)


def reachable(root: object, depth: int = 5) -> list[object]:
    """Every object reachable from `root` through public attributes and container items."""
    seen: dict[int, object] = {}
    frontier = [root]
    for _ in range(depth):
        following: list[object] = []
        for obj in frontier:
            if id(obj) not in seen:
                seen[id(obj)] = obj
                following.extend(_parts(obj))
        frontier = following
    return [*seen.values(), *frontier]


def _parts(obj: object) -> list[object]:
    if isinstance(obj, str | bytes | int | float | bool | type(None) | type | types.ModuleType | ClientSession):
        return []  # the aiohttp session is the shared HTTP client's; its internals are not Sloth's
    if callable(obj) and not hasattr(obj, "__dict__"):
        return []
    if isinstance(obj, types.FunctionType | types.MethodType | types.BuiltinFunctionType):
        return []
    if isinstance(obj, Mapping):
        return [*obj.keys(), *obj.values()]
    if isinstance(obj, list | tuple | set | frozenset):
        return list(obj)
    names = [n for n in getattr(obj, "__dict__", {}) if not n.startswith("_")]
    names += [n for n in getattr(type(obj), "__slots__", ()) if not n.startswith("_")]
    if dataclasses.is_dataclass(obj):
        names += [f.name for f in dataclasses.fields(obj) if not f.name.startswith("_")]
    return [getattr(obj, n) for n in dict.fromkeys(names) if hasattr(obj, n)]
