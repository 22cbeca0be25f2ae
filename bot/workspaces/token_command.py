"""`token <feature> [revoke]`: a workspace's admin issues (or revokes) the token its programs send
to a feature's own routes (training jobs to training ingest), with many workspaces.

Answered only to the admin who asked (ephemeral), never offered to a model (the answer is a secret).
Issuing again replaces the workspace's token; the old one stops working at once. With one
workspace, the route's token is the feature's setting, and the answer says which variable.
"""

from __future__ import annotations

from bot.features.context import Context
from bot.features.core import core_of
from bot.features.invocation import Invocation
from bot.features.registry import Feature, Registry
from bot.features.router import Args, Param, Router
from bot.pure.blocks import Reply, section
from bot.pure.errors import UserError

router = Router()


@router.command(
    "token", "Issue (or revoke) this workspace's token for a feature's own routes, such as training ingest (admins).",
    Param("feature", required=False, help="the feature whose routes the token opens, e.g. training"),
    Param("action", required=False, choices=("new", "revoke"), help="revoke stops the token"),
    examples=("token training", "token training revoke"), admin_only=True, changes=True, tool=False,
)
async def token_command(ctx: Context, inv: Invocation, args: Args) -> Reply:
    core = core_of(ctx)
    feature, setting = pick(bearer_features(core.registry), args.get("feature"), ctx.slash("token"))
    action = str(args.get("action") or "new").lower()
    if action not in ("new", "revoke"):
        raise UserError(f"`{action}` is not something `token` does: use `{ctx.slash(f'token {feature.name}')}` "
                        "for a new token, or add `revoke` to stop it.")
    variable = next((s.variable(feature.name) for s in feature.router.settings if s.name == setting), setting)
    if core.route_tokens is None:
        return private(f"With one workspace, the {feature.name} routes take the token set in `{variable}` on "
                       "Sloth; give your programs the same value.")
    team = core.identity.team_id
    if action == "revoke":
        gone = await core.route_tokens.revoke(team, feature.name)
        return private(f"Revoked: the {feature.name} token of this workspace no longer works." if gone else
                       f"This workspace had no {feature.name} token, so nothing changed.")
    token = await core.route_tokens.issue(team, feature.name, inv.user)
    return private(
        f"A new {feature.name} token for this workspace (any token issued before stops working now). Give it "
        f"to your programs as `{variable}`, with `SLOTH_URL={core.settings.public_url}`:\n```{token}```\n"
        "Keep it secret: whoever has it can report into this workspace. "
        f"`{ctx.slash(f'token {feature.name} revoke')}` stops it.")


def bearer_features(registry: Registry) -> dict[str, tuple[Feature, str]]:
    """Features with routes that take a bearer token: {name: (feature, its token's setting)}."""
    found: dict[str, tuple[Feature, str]] = {}
    for key, (_, owner) in registry.routes.items():
        setting = owner.router.bearers.get(key)
        if setting is not None:
            found.setdefault(owner.name, (owner, setting))
    return found


def pick(owners: dict[str, tuple[Feature, str]], asked: object, usage: str) -> tuple[Feature, str]:
    if not owners:
        raise UserError("No feature loaded here has routes that take a token.")
    if asked:
        found = owners.get(str(asked).lower())
        if found is None:
            raise UserError(f"`{asked}` has no routes that take a token; these do: {', '.join(sorted(owners))}.")
        return found
    if len(owners) == 1:
        return next(iter(owners.values()))
    raise UserError(f"Which feature? `{usage} <feature>`, one of: {', '.join(sorted(owners))}.")


def private(text: str) -> Reply:
    return Reply(text=text, blocks=[section(text)], ephemeral=True)
