"""Each feature's context, built by the runtime from the core: the shared services, bound to the feature.

What a feature's `run`, `say` and `spawn` do is bound here, so the feature holds the calls and
not what is behind them (dispatch, the whole registry, the supervisor). Sloth's own features
(`Feature.core`) get a `CoreContext`, which also holds the core.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from bot.features.catalogue import Catalogue
from bot.features.context import Context, FormOpener, PublicSettings, Runner, Sayer, Spawner
from bot.features.core import Core, CoreContext
from bot.features.invocation import Invocation
from bot.features.member_links import MemberLinks
from bot.features.registry import Feature
from bot.handling.dispatch import run_own
from bot.handling.respond import deliver
from bot.pure.blocks import Reply
from bot.slack.uploads import Uploads
from bot.store import Namespaced
from bot.work.blocking import labelled


def fill_contexts(core: Core, features: list[Feature]) -> None:
    """One context per feature in `core.contexts`, all sharing the core's services."""
    catalogue = Catalogue(core.registry.commands, core.registry.unavailable)
    uploads = Uploads(Namespaced(core.store, "upload"))
    say = _sayer(core)
    for feature in features:
        parts: dict[str, Any] = dict(
            feature=feature.name, settings=PublicSettings.of(core.settings), identity=core.identity,
            client=core.client, directory=core.directory, access=core.access, metrics=core.metrics,
            clock=core.clock, cpu=core.cpu, edits=core.edits, commands=catalogue, uploads=uploads,
            config=feature.config, store=Namespaced(core.store, feature.name),
            _run=_runner(core, feature.name), _say=say, _spawn=_spawner(core, feature.name),
            _refresh=lambda members: core.home.changed(members), _open_form=_form_opener(core, feature.name),
        )
        ctx = core.contexts[feature.name] = CoreContext(core=core, **parts) if feature.core else Context(**parts)
        if core.settings.secret_key:
            ctx.links = MemberLinks(core.settings.secret_key, feature.name, _public_url(ctx), core.clock,
                                    team=core.identity.team_id)


def _public_url(ctx: Context) -> Callable[[], str]:
    """Where a link points: read when the link is made, since the port may be picked after the contexts."""
    return lambda: ctx.settings.public_url


def share_settings(core: Core) -> None:
    """After the core's settings changed (a port picked at start): what every feature may read of them."""
    public = PublicSettings.of(core.settings)
    for ctx in core.contexts.values():
        ctx.settings = public


def _runner(core: Core, feature: str) -> Runner:
    async def run(inv: Invocation) -> Reply:
        return await run_own(core, feature, inv)

    return run


def _form_opener(core: Core, feature: str) -> FormOpener:
    async def open_form(trigger_id: str, command: str, **where: Any) -> bool:
        found = core.registry.find(command)
        if found is None or core.registry.feature_of(found).name != feature:
            raise PermissionError(f"the {feature} feature can open only its own commands' forms, and {command!r} "
                                  "is not one")
        return await core.forms.open(trigger_id, found.name, **where)

    return open_form


def _sayer(core: Core) -> Sayer:
    async def say(inv: Invocation, reply: Reply) -> None:
        await deliver(core, inv, reply)

    return say


def _spawner(core: Core, feature: str) -> Spawner:
    supervisor = core.supervisor

    def spawn(coro: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        return supervisor.spawn(labelled(feature, f"task {name}", coro), name=f"{feature}:{name}")

    return spawn
