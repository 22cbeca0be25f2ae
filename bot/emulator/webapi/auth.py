"""auth.test, apps.connections.open, oauth.v2.access, team.info."""

from __future__ import annotations

from bot.emulator.shapes import team_dict
from bot.emulator.webapi.context import APP_ONLY, NO_TOKEN, Answer, ApiError, Call, Method


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
    client_id = call.basic_auth[0] if call.basic_auth else call.text("client_id")
    if not client_id:
        raise ApiError("invalid_client_id")
    code = call.text("code")
    if not code:
        raise ApiError("invalid_code")
    user_id = call.emu.tokens.redeem_code(code)
    if user_id is None:
        raise ApiError("invalid_code")
    ws = call.ws
    return {
        "app_id": ws.app_id,
        "access_token": call.emu.bot_token, "token_type": "bot", "scope": "commands,chat:write",
        "bot_user_id": ws.bot_user_id,
        "authed_user": {"id": user_id, "scope": "users.profile:write,dnd:write,search:read,reminders:write",
                        "access_token": call.emu.tokens.issue("user", user_id), "token_type": "user"},
        "team": {"id": ws.team.id, "name": ws.team.name},
        "enterprise": None, "is_enterprise_install": False,
    }


def team_info(call: Call) -> Answer:
    return {"team": team_dict(call.ws)}


METHODS: dict[str, Method] = {
    "auth.test": Method(auth_test),
    "apps.connections.open": Method(connections_open, APP_ONLY),
    "oauth.v2.access": Method(oauth_access, NO_TOKEN),
    "team.info": Method(team_info),
}
