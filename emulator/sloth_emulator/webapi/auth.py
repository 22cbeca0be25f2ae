"""auth.test, apps.connections.open, oauth.v2.access, team.info."""

from __future__ import annotations

from sloth_emulator.shapes import team_dict
from sloth_emulator.webapi.context import APP_ONLY, NO_TOKEN, Answer, ApiError, Call, Method

DEFAULT_USER_SCOPES = "users.profile:write,dnd:write,search:read,reminders:write"
ROTATION_SECONDS = 12 * 3600  # an expiring access token lasts 12 hours (Slack's token rotation guide)


def auth_test(call: Call) -> Answer:
    ws = call.ws
    user = ws.users[call.me]
    answer: Answer = {"url": f"https://{ws.team.domain}.slack.com/", "team": ws.team.name, "user": user.name,
                      "team_id": ws.team.id, "user_id": user.id, "is_enterprise_install": False}
    if call.auth and call.auth.kind == "bot":
        answer["bot_id"] = ws.bot_id
    return answer


def connections_open(call: Call) -> Answer:
    hub = call.emu.hub
    if hub.link_disabled:
        # Slack documents no error for "Socket Mode switched off"; we reuse the disconnect reason
        # the app has just been sent, so logs name the cause and the SDK gives up with a clear error.
        raise ApiError("link_disabled")
    return {"url": hub.issue_url()}


def oauth_access(call: Call) -> Answer:
    client_id, secret = call.basic_auth or (call.text("client_id"), call.text("client_secret"))
    if not client_id or client_id != call.emu.client_id:
        raise ApiError("invalid_client_id")
    if secret != call.emu.client_secret:
        raise ApiError("bad_client_secret")
    if call.text("grant_type") == "refresh_token":
        return refreshed(call)
    code = call.text("code")
    grant = call.emu.tokens.redeem_code(code) if code else None
    if grant is None:
        raise ApiError("invalid_code")
    if grant.redirect_uri is not None and call.text("redirect_uri") != grant.redirect_uri:
        raise ApiError("bad_redirect_uri")
    ws = call.ws
    user_scopes = ",".join(sorted(grant.user_scopes)) if grant.user_scopes is not None else DEFAULT_USER_SCOPES
    answer: Answer = {
        "app_id": ws.app_id,
        "authed_user": {"id": grant.user_id},
        "team": {"id": ws.team.id, "name": ws.team.name},
        "enterprise": None, "is_enterprise_install": False,
    }
    if grant.user_scopes is None or grant.user_scopes:
        token = call.emu.tokens.issue("user", grant.user_id, grant.user_scopes)
        answer["authed_user"].update({"scope": user_scopes, "access_token": token, "token_type": "user"})
    if grant.bot_scopes:
        # A bot token only when bot scopes were asked for; user-only approvals carry none.
        token, refresh = call.emu.install_bot(grant.bot_scopes, ROTATION_SECONDS)
        answer.update({"access_token": token, "token_type": "bot",
                       "scope": ",".join(sorted(grant.bot_scopes)), "bot_user_id": ws.bot_user_id})
        if refresh is not None:
            answer.update({"refresh_token": refresh, "expires_in": ROTATION_SECONDS})
    return answer


def refreshed(call: Call) -> Answer:
    """oauth.v2.access with grant_type=refresh_token (Slack's token rotation guide): the next
    access token and a new refresh token; the one given is spent (invalid_refresh_token after)."""
    renews = call.emu.tokens.spend_refresh(call.text("refresh_token") or "")
    if renews is None:
        raise ApiError("invalid_refresh_token")
    token, refresh = call.emu.tokens.issue_rotating(renews.kind, renews.user_id, renews.scopes,
                                                    call.emu.clock() + ROTATION_SECONDS)
    if renews.kind == "bot":
        call.emu.bot_token = token
    ws = call.ws
    return {"app_id": ws.app_id, "team": {"id": ws.team.id, "name": ws.team.name}, "enterprise": None,
            "is_enterprise_install": False, "access_token": token, "refresh_token": refresh,
            "token_type": renews.kind, "expires_in": ROTATION_SECONDS,
            "scope": ",".join(sorted(renews.scopes or ())), "bot_user_id": ws.bot_user_id}


def revoke(call: Call) -> Answer:
    if not call.flag("test") and call.auth is not None:
        call.emu.tokens.revoke(call.auth.token)
    return {"revoked": not call.flag("test")}


def team_info(call: Call) -> Answer:
    return {"team": team_dict(call.ws)}


METHODS: dict[str, Method] = {
    "auth.test": Method(auth_test),
    "apps.connections.open": Method(connections_open, APP_ONLY),
    "oauth.v2.access": Method(oauth_access, NO_TOKEN),
    "auth.revoke": Method(revoke),
    "team.info": Method(team_info),
}
