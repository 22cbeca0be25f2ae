"""The payloads Slack sends to an app: slash commands, block_actions (from a message or a view),
global and message shortcuts, event callbacks and the Home tab's `app_home_opened`.

Shapes follow the Socket Mode samples from python-slack-sdk and bolt-python's fixtures, Slack's
interaction payload references and @slack/bolt's `MessageShortcut` and `BlockAction` types.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from sloth_emulator.ids import new_id
from sloth_emulator.model import Channel, Message, User
from sloth_emulator.workspace import Workspace

VERIFICATION_TOKEN = "emulator-verification-token"


def channel_name(channel: Channel) -> str:
    """What slash commands report as channel_name: Slack hides the names of DMs and private groups."""
    if channel.is_im:
        return "directmessage"
    if channel.is_mpim or channel.is_private:
        return "privategroup"
    return channel.name


def slash_payload(ws: Workspace, *, command: str, text: str, user: User, channel: Channel,
                  response_url: str, trigger_id: str) -> dict[str, Any]:
    return {
        "token": VERIFICATION_TOKEN, "team_id": ws.team.id, "team_domain": ws.team.domain,
        "channel_id": channel.id, "channel_name": channel_name(channel), "user_id": user.id,
        "user_name": user.name, "command": command, "text": text, "api_app_id": ws.app_id,
        "is_enterprise_install": "false", "response_url": response_url, "trigger_id": trigger_id,
    }


def find_action(message: Message, action_id: str) -> tuple[dict[str, Any], str, int | None]:
    """(element, block_id, attachment_id) of the interactive element with that action_id.

    Looks in the message's blocks and in each attachment's blocks; raises ValueError if absent.
    """
    sources: list[tuple[list[dict[str, Any]], int | None]] = [(message.get("blocks") or [], None)]
    sources += [(a.get("blocks") or [], a.get("id")) for a in message.get("attachments") or []]
    for blocks, attachment_id in sources:
        for block in blocks:
            elements = list(block.get("elements") or [])
            for key in ("accessory", "element"):
                if isinstance(block.get(key), dict):
                    elements.append(block[key])
            for element in elements:
                if isinstance(element, dict) and element.get("action_id") == action_id:
                    return element, str(block.get("block_id", "")), attachment_id
    raise ValueError(f"no element with action_id {action_id!r} in message {message.get('ts')}")


def action_from(element: dict[str, Any], block_id: str, value: str | None) -> dict[str, Any]:
    """One entry of block_actions `actions`, as Slack builds it from the clicked element."""
    action: dict[str, Any] = {"action_id": element["action_id"], "block_id": block_id, "type": element["type"],
                              "action_ts": f"{time.time():.6f}"}
    if element["type"] == "button":
        action["text"] = element.get("text", {"type": "plain_text", "text": ""})
        chosen = value if value is not None else element.get("value")
        if chosen is not None:
            action["value"] = chosen
        if "style" in element:
            action["style"] = element["style"]
    elif element["type"] == "feedback_buttons":
        # Bolt's FeedbackButtonsAction: the pressed button's value and text; `value` picks which.
        buttons = [element["positive_button"], element["negative_button"]]
        pressed = next((b for b in buttons if value is None or b.get("value") == value), None)
        if pressed is None:
            raise ValueError(f"{element['action_id']} has no button with value {value!r}")
        action.update({"value": pressed["value"], "text": pressed["text"]})
    elif element["type"] in ("static_select", "overflow", "radio_buttons"):
        options = [o for group in element.get("option_groups", []) for o in group.get("options", [])]
        options += element.get("options", [])
        picked = next((o for o in options if value is None or o.get("value") == value), None)
        if picked is None:
            raise ValueError(f"no option with value {value!r} in {element['action_id']}")
        action["selected_option"] = picked
    elif value is not None:
        action["value"] = value
    return action


def block_actions_payload(ws: Workspace, *, user: User, channel: Channel, message: Message, is_ephemeral: bool,
                          action: dict[str, Any], attachment_id: int | None, response_url: str,
                          trigger_id: str) -> dict[str, Any]:
    # A button in a top-level block arrives with container.type "message"; one inside an
    # attachment's blocks with "message_attachment", the attachment's id and is_app_unfurl, as in
    # @slack/bolt's BlockAction container and Slack's block_actions payload reference.
    container: dict[str, Any] = {"type": "message", "message_ts": message["ts"], "channel_id": channel.id,
                                 "is_ephemeral": is_ephemeral}
    if attachment_id is not None:
        container = {"type": "message_attachment", "message_ts": message["ts"], "attachment_id": attachment_id,
                     "channel_id": channel.id, "is_ephemeral": is_ephemeral, "is_app_unfurl": False}
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user.id, "username": user.name, "name": user.name, "team_id": ws.team.id},
        "api_app_id": ws.app_id, "token": VERIFICATION_TOKEN, "container": container, "trigger_id": trigger_id,
        "team": {"id": ws.team.id, "domain": ws.team.domain}, "enterprise": None,
        "is_enterprise_install": False, "channel": {"id": channel.id, "name": channel_name(channel)},
        "state": {"values": {}}, "response_url": response_url, "actions": [action],
    }
    if not is_ephemeral:
        # Slack leaves the message out for ephemeral ones; the app only gets the container.
        payload["message"] = message
    return payload


def shortcut_payload(ws: Workspace, *, callback_id: str, user: User, trigger_id: str) -> dict[str, Any]:
    """A global shortcut run from the shortcuts menu or search, as Slack's shortcut payload reference
    shows it: no channel and no response_url, a trigger_id to open a modal with."""
    return {
        "type": "shortcut", "token": VERIFICATION_TOKEN, "action_ts": f"{time.time():.6f}",
        "team": {"id": ws.team.id, "domain": ws.team.domain},
        "user": {"id": user.id, "username": user.name, "team_id": ws.team.id},
        "is_enterprise_install": False, "enterprise": None, "callback_id": callback_id, "trigger_id": trigger_id,
    }


def view_actions_payload(ws: Workspace, *, user: User, view: dict[str, Any], action: dict[str, Any],
                         trigger_id: str) -> dict[str, Any]:
    """A press inside a view (a Home tab or a modal): the container is the view, which comes whole
    (as views.* answer it); there is no channel, message or response_url to answer through."""
    return {
        "type": "block_actions",
        "user": {"id": user.id, "username": user.name, "name": user.name, "team_id": ws.team.id},
        "api_app_id": ws.app_id, "token": VERIFICATION_TOKEN, "trigger_id": trigger_id,
        "container": {"type": "view", "view_id": view["id"]}, "team": {"id": ws.team.id, "domain": ws.team.domain},
        "enterprise": None, "is_enterprise_install": False, "view": view, "actions": [action],
    }


def message_action_payload(ws: Workspace, *, callback_id: str, user: User, channel: Channel, message: Message,
                           response_url: str, trigger_id: str) -> dict[str, Any]:
    """A message shortcut used on `message`: the message whole, its channel, a response_url and
    a trigger_id (the shortcut payload reference; @slack/bolt `MessageShortcut`)."""
    return {
        "type": "message_action", "token": VERIFICATION_TOKEN, "action_ts": f"{time.time():.6f}",
        "team": {"id": ws.team.id, "domain": ws.team.domain},
        "user": {"id": user.id, "username": user.name, "name": user.name, "team_id": ws.team.id},
        "channel": {"id": channel.id, "name": channel_name(channel)}, "is_enterprise_install": False,
        "enterprise": None, "callback_id": callback_id, "trigger_id": trigger_id, "message_ts": message["ts"],
        "message": message, "response_url": response_url,
    }


def home_opened_event(ws: Workspace, user: User, channel: Channel, tab: str,
                      home: dict[str, Any] | None) -> dict[str, Any]:
    """`app_home_opened`: the member's DM with the app, which tab, and the Home tab's view when one
    has been published for them (the event's reference)."""
    event: dict[str, Any] = {"type": "app_home_opened", "user": user.id, "channel": channel.id, "tab": tab}
    if tab == "home" and home is not None:
        event["view"] = {**home, "app_installed_team_id": ws.team.id}
    return event


def assistant_thread_event(ws: Workspace, kind: str, user: User, dm: Channel, thread_ts: str,
                           context_channel: str | None) -> dict[str, Any]:
    """`assistant_thread_started` / `assistant_thread_context_changed`: the member's agent thread
    (in their DM with the app) and the channel they are looking at, as the events' references and
    @slack/types `AssistantThreadStartedEvent` show them (context fields are optional)."""
    context: dict[str, Any] = {"team_id": ws.team.id, "enterprise_id": None}
    if context_channel:
        context["channel_id"] = context_channel
    return {"type": kind, "assistant_thread": {"user_id": user.id, "context": context, "channel_id": dm.id,
                                               "thread_ts": thread_ts}}


def event_callback(ws: Workspace, event: dict[str, Any]) -> dict[str, Any]:
    now = time.time()
    event.setdefault("event_ts", f"{now:.6f}")
    channel = event.get("channel") or (event.get("item") or {}).get("channel") or ""
    return {
        "token": VERIFICATION_TOKEN, "team_id": ws.team.id, "api_app_id": ws.app_id, "event": event,
        "type": "event_callback", "event_id": new_id("Ev", 9), "event_time": int(now),
        "authorizations": [{"enterprise_id": None, "team_id": ws.team.id, "user_id": ws.bot_user_id,
                            "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
        "event_context": f"4-{event.get('type', 'event')}-{ws.team.id}-{channel}",
    }


def user_message(ws: Workspace, user: User, text: str) -> Message:
    """A message typed by a person, as stored: with client_msg_id and the rich_text block Slack adds."""
    return {"client_msg_id": str(uuid.uuid4()), "type": "message", "text": text, "user": user.id,
            "team": ws.team.id,
            "blocks": [{"type": "rich_text", "block_id": new_id("", 4),
                        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}]}


def message_event(message: Message, channel: Channel, kind: str = "message") -> dict[str, Any]:
    keys = ("client_msg_id", "text", "user", "ts", "team", "blocks", "thread_ts", "parent_user_id")
    event = {"type": kind, **{k: message[k] for k in keys if k in message}, "channel": channel.id,
             "event_ts": message["ts"]}
    if kind == "message":
        event["channel_type"] = channel.type_name
    return event
