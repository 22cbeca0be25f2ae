"""users.*, dnd.* and reminders.add: people and their own settings."""

from __future__ import annotations

import re
from typing import Any

from sloth_emulator.emoji import is_known
from sloth_emulator.ids import new_id
from sloth_emulator.model import DndState
from sloth_emulator.shapes import profile_dict, user_dict
from sloth_emulator.webapi.context import USER_ONLY, Answer, ApiError, Call, Method

SETTABLE_PROFILE = ("status_text", "status_emoji", "status_expiration", "display_name", "title", "real_name",
                    "phone")
EMOJI = re.compile(r"^:[a-z0-9_+\-']+:(?::skin-tone-[2-6]:)?$")
RELATIVE = re.compile(r"^in (\d+) (second|minute|hour|day|week)s?$")
UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}


# users.list's reference: "Providing no limit value will result in Slack attempting to deliver
# you the entire result set. If the collection is too large you may experience limit_required or
# HTTP 500 errors." Where "too large" starts is not published: 1,000 members is an estimate.
UNPAGED_USERS_MAX = 1000


def users_list(call: Call) -> Answer:
    everyone = list(call.ws.users.values())
    limit = call.number("limit", 0)
    if limit <= 0 and not call.text("cursor"):
        if len(everyone) > UNPAGED_USERS_MAX:
            raise ApiError("limit_required")
        limit = len(everyone)
    users, cursor = call.page(everyone, limit=limit or 100)
    return {"members": [user_dict(u, call.ws) for u in users], "cache_ts": call.ws.now(),
            "response_metadata": {"next_cursor": cursor}}


def users_info(call: Call) -> Answer:
    return {"user": user_dict(call.user(), call.ws)}


def users_lookup_by_email(call: Call) -> Answer:
    user = call.ws.user_by_email(call.text("email"))
    if user is None:
        raise ApiError("users_not_found")
    return {"user": user_dict(user, call.ws)}


def profile_get(call: Call) -> Answer:
    return {"profile": profile_dict(call.user(default_to_me=True), call.ws)}


def profile_set(call: Call) -> Answer:
    target = call.text("user") or call.me
    if target != call.me:
        # Only admins on paid plans may edit someone else's profile; the bot's user tokens may not.
        raise ApiError("not_admin")
    changes: dict[str, Any] = call.structured("profile", "invalid_profile") or {}
    if not isinstance(changes, dict):
        raise ApiError("invalid_profile")
    if call.text("name"):
        changes[call.text("name")] = call.args.get("value", "")
    user = call.ws.users[call.me]
    for key, value in changes.items():
        if key not in SETTABLE_PROFILE:
            continue
        if key == "status_expiration":
            try:
                user.status_expiration = int(value or 0)
            except (TypeError, ValueError):
                raise ApiError("invalid_profile") from None
        elif key == "status_emoji" and value and not (
                EMOJI.match(str(value)) and is_known(str(value), call.ws.custom_emoji)):
            raise ApiError("profile_status_set_failed_not_valid_emoji")
        elif key == "status_text" and len(str(value)) > 100:
            raise ApiError("too_long")
        else:
            setattr(user, key, str(value))
    user.updated = call.ws.now()
    return {"profile": profile_dict(user, call.ws)}


def get_presence(call: Call) -> Answer:
    user = call.user(default_to_me=True)
    answer: Answer = {"presence": user.presence}
    if user.id == call.me:
        answer.update({"online": user.presence == "active", "auto_away": False,
                       "manual_away": user.presence == "away", "connection_count": 1,
                       "last_activity": call.ws.now()})
    return answer


def _dnd_fields(dnd: DndState, now: int) -> Answer:
    # The schedule repeats daily; roll it forward so "next" is never in the past.
    while dnd.next_dnd_end_ts and dnd.next_dnd_end_ts <= now:
        dnd.next_dnd_start_ts += 86400
        dnd.next_dnd_end_ts += 86400
    answer: Answer = {"dnd_enabled": dnd.dnd_enabled, "next_dnd_start_ts": dnd.next_dnd_start_ts,
                      "next_dnd_end_ts": dnd.next_dnd_end_ts, "snooze_enabled": dnd.snooze_endtime > now}
    if dnd.snooze_endtime > now:
        answer.update({"snooze_endtime": dnd.snooze_endtime, "snooze_remaining": dnd.snooze_endtime - now,
                       "snooze_is_indefinite": False})
    return answer


def dnd_info(call: Call) -> Answer:
    user = call.user(default_to_me=True)
    return _dnd_fields(call.ws.dnd_of(user.id), call.ws.now())


def dnd_set_snooze(call: Call) -> Answer:
    minutes = call.number("num_minutes", 0)
    if minutes <= 0:
        raise ApiError("invalid_arguments")
    now = call.ws.now()
    dnd = call.ws.dnd_of(call.me)
    dnd.snooze_endtime = now + minutes * 60
    return {"snooze_enabled": True, "snooze_endtime": dnd.snooze_endtime, "snooze_remaining": minutes * 60,
            "snooze_is_indefinite": False}


def dnd_end_snooze(call: Call) -> Answer:
    now = call.ws.now()
    dnd = call.ws.dnd_of(call.me)
    if dnd.snooze_endtime <= now:
        raise ApiError("snooze_not_active")
    dnd.snooze_endtime = 0
    return _dnd_fields(dnd, now)


def parse_reminder_time(value: str, now: int) -> int | None:
    """Slack's `time`: a unix time, seconds from now (within a day), or "in 5 minutes"-style text."""
    value = value.strip().lower()
    if value.isdigit():
        number = int(value)
        return now + number if number <= 86400 else number
    if value == "tomorrow":
        return now + 86400
    match = RELATIVE.match(value)
    if match:
        return now + int(match.group(1)) * UNIT_SECONDS[match.group(2)]
    return None


def reminders_add(call: Call) -> Answer:
    text = call.text("text")
    if not text:
        raise ApiError("no_text")
    user = call.text("user") or call.me
    if user != call.me:
        raise ApiError("cannot_add_others")
    when = parse_reminder_time(call.text("time"), call.ws.now())
    if when is None:
        raise ApiError("cannot_parse")
    if when <= call.ws.now():
        raise ApiError("time_in_past")
    reminder = {"id": new_id("Rm", 9), "creator": call.me, "user": user, "text": text, "recurring": False,
                "time": when, "complete_ts": 0}
    call.ws.reminders.append(reminder)
    return {"reminder": dict(reminder)}


METHODS: dict[str, Method] = {
    "users.list": Method(users_list),
    "users.info": Method(users_info),
    "users.lookupByEmail": Method(users_lookup_by_email),
    "users.profile.get": Method(profile_get),
    "users.profile.set": Method(profile_set, USER_ONLY),
    "users.getPresence": Method(get_presence),
    "dnd.info": Method(dnd_info),
    "dnd.setSnooze": Method(dnd_set_snooze, USER_ONLY),
    "dnd.endSnooze": Method(dnd_end_snooze, USER_ONLY),
    "reminders.add": Method(reminders_add, USER_ONLY),
}
