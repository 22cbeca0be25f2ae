"""Workspace records rendered in the shapes Slack's Web API answers with (see fixtures/)."""

from __future__ import annotations

import hashlib
import mimetypes
import pickle
from typing import Any

from sloth_emulator.model import Channel, FileRecord, Message, User
from sloth_emulator.workspace import Workspace

IMAGE_SIZES = (24, 32, 48, 72, 192, 512)
# Slack's own names for common file types (files.info "filetype" / "pretty_type").
FILETYPES = {"py": ("python", "Python"), "txt": ("text", "Plain Text"), "csv": ("csv", "CSV"),
             "json": ("json", "JSON"), "md": ("markdown", "Markdown"), "png": ("png", "PNG"),
             "jpg": ("jpg", "JPEG"), "jpeg": ("jpg", "JPEG"), "gif": ("gif", "GIF"), "pdf": ("pdf", "PDF"),
             "html": ("html", "HTML"), "yaml": ("yaml", "YAML"), "yml": ("yaml", "YAML")}


def avatar_hash(user_id: str) -> str:
    return hashlib.md5(user_id.encode(), usedforsecurity=False).hexdigest()[:12]


def current_status(user: User, now: int) -> tuple[str, str, int]:
    """Slack clears a status by itself once its expiration passes."""
    if user.status_expiration and user.status_expiration <= now:
        return "", "", 0
    return user.status_text, user.status_emoji, user.status_expiration


def profile_dict(user: User, ws: Workspace) -> dict[str, Any]:
    status_text, status_emoji, status_expiration = current_status(user, ws.now())
    first, _, last = user.real_name.partition(" ")
    digest = avatar_hash(user.id)
    profile: dict[str, Any] = {
        "title": user.title, "phone": user.phone, "skype": "",
        "real_name": user.real_name, "real_name_normalized": user.real_name,
        "display_name": user.display_name, "display_name_normalized": user.display_name,
        "fields": {}, "status_text": status_text, "status_emoji": status_emoji,
        "status_emoji_display_info": [], "status_expiration": status_expiration,
        "avatar_hash": digest, "email": user.email, "first_name": first, "last_name": last,
        "huddle_state": "default_unset", "huddle_state_expiration_ts": 0, "start_date": "", "pronouns": "",
        "team": ws.team.id,
    }
    for size in IMAGE_SIZES:
        profile[f"image_{size}"] = f"https://avatars.slack-edge.com/emulator/{digest}_{size}.png"
    profile["image_original"] = profile["image_512"]
    if user.is_bot:
        profile.update({"bot_id": user.bot_id, "api_app_id": user.app_id, "always_active": True})
        profile.pop("email")
    return profile


def user_dict(user: User, ws: Workspace) -> dict[str, Any]:
    return {
        "id": user.id, "team_id": ws.team.id, "name": user.name, "deleted": user.deleted,
        "color": user.color, "real_name": user.real_name, "tz": user.tz, "tz_label": user.tz_label,
        "tz_offset": user.tz_offset, "profile": profile_dict(user, ws), "is_admin": user.is_admin,
        "is_owner": user.is_owner, "is_primary_owner": user.is_primary_owner, "is_restricted": user.is_restricted,
        "is_ultra_restricted": user.is_ultra_restricted, "is_bot": user.is_bot, "is_app_user": False,
        "updated": user.updated, "has_2fa": False,
    }


def channel_dict(channel: Channel, ws: Workspace, viewer: str, *, num_members: bool = False) -> dict[str, Any]:
    if channel.is_im:
        other = next((m for m in channel.members if m != viewer), channel.im_user)
        im: dict[str, Any] = {
            "id": channel.id, "created": channel.created, "is_im": True, "is_org_shared": False,
            "user": other, "is_user_deleted": bool(ws.users.get(other) and ws.users[other].deleted),
            "is_open": True, "priority": 0,
        }
        if num_members:
            im["num_members"] = len(channel.members)
        return im
    shape: dict[str, Any] = {
        "id": channel.id, "name": channel.name, "is_channel": not channel.is_private,
        "is_group": channel.is_private and not channel.is_mpim, "is_im": False, "is_mpim": channel.is_mpim,
        "is_private": channel.is_private, "created": channel.created, "is_archived": channel.is_archived,
        "is_general": channel.is_general, "unlinked": 0, "name_normalized": channel.name, "is_shared": False,
        "is_org_shared": False, "is_ext_shared": False, "is_pending_ext_shared": False, "pending_shared": [],
        "context_team_id": ws.team.id, "updated": channel.created * 1000, "parent_conversation": None,
        "creator": channel.creator, "shared_team_ids": [ws.team.id], "pending_connected_team_ids": [],
        "is_member": viewer in channel.members, "is_read_only": False, "is_frozen": False, "properties": {},
        "topic": {"value": channel.topic, "creator": "", "last_set": 0},
        "purpose": {"value": channel.purpose, "creator": channel.purpose_set_by,
                    "last_set": channel.purpose_set_at},
        "previous_names": [],
    }
    if num_members:
        shape["num_members"] = len(channel.members)
    return shape


def file_kind(name: str) -> tuple[str, str, str]:
    """(mimetype, filetype, pretty_type) from the file name, like Slack guesses them."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    filetype, pretty = FILETYPES.get(extension, (extension or "binary", extension.upper() or "Binary"))
    mimetype = mimetypes.guess_type(name)[0] or ("text/plain" if filetype == "text" else "application/octet-stream")
    return mimetype, filetype, pretty


def file_dict(record: FileRecord, ws: Workspace, base_url: str) -> dict[str, Any]:
    mimetype, filetype, pretty = file_kind(record.name)
    download = f"{base_url}files-pri/{ws.team.id}-{record.id}/{record.name}"
    by_kind: dict[str, list[str]] = {"channels": [], "groups": [], "ims": []}
    shares: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for channel_id, stamps in record.shares.items():
        channel = ws.channels.get(channel_id)
        if channel is None:
            continue
        kind = "ims" if channel.is_im else "groups" if channel.is_private else "channels"
        by_kind[kind].append(channel_id)
        visibility = "private" if channel.is_private else "public"
        shares.setdefault(visibility, {})[channel_id] = [
            {"ts": ts, "channel_name": channel.name, "team_id": ws.team.id, "share_user_id": record.user,
             "reply_users": [], "reply_users_count": 0, "reply_count": 0} for ts in stamps]
    return {
        "id": record.id, "created": record.created, "timestamp": record.created, "name": record.name,
        "title": record.title or record.name, "mimetype": mimetype, "filetype": filetype,
        "pretty_type": pretty, "user": record.user, "user_team": ws.team.id, "editable": False,
        "size": len(record.content) if record.content is not None else record.length,
        "mode": "hosted", "is_external": False, "external_type": "", "is_public": bool(by_kind["channels"]),
        "public_url_shared": False, "display_as_bot": False, "username": "",
        "url_private": download,
        "url_private_download": f"{base_url}files-pri/{ws.team.id}-{record.id}/download/{record.name}",
        "permalink": f"https://{ws.team.domain}.slack.com/files/{record.user}/{record.id}/{record.name}",
        "permalink_public": f"https://slack-files.com/{ws.team.id}-{record.id}",
        "comments_count": 0, "is_starred": False, "shares": shares, **by_kind,
        "has_rich_preview": False, "file_access": "visible", "alt_txt": record.alt_txt or record.name,
    }


def message_out(message: Message, ws: Workspace, base_url: str) -> Message:
    """A copy of a stored message for the wire, with shared files expanded (tombstones if deleted)."""
    out = _copy(message)
    if "files" in out:
        out["files"] = [file_dict(ws.files[f["id"]], ws, base_url) if f["id"] in ws.files
                        else {"id": f["id"], "mode": "tombstone"} for f in out["files"]]
    return out


def _copy(value: Any) -> Any:
    """A deep copy of JSON-shaped data. A pickle round trip runs in C and is about three times
    quicker than copy.deepcopy; it counts when each conversations.history page copies a thousand
    messages of a 10,000-message channel."""
    return pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


def bot_profile(ws: Workspace) -> dict[str, Any]:
    digest = avatar_hash(ws.bot_user_id)
    return {"id": ws.bot_id, "deleted": False, "name": ws.bot_user.name, "updated": ws.bot_user.updated,
            "app_id": ws.app_id, "team_id": ws.team.id,
            "icons": {f"image_{s}": f"https://avatars.slack-edge.com/emulator/{digest}_{s}.png"
                      for s in (36, 48, 72)}}


def team_dict(ws: Workspace) -> dict[str, Any]:
    team = ws.team
    return {"id": team.id, "name": team.name, "url": f"https://{team.domain}.slack.com/",
            "domain": team.domain, "email_domain": team.email_domain, "icon": dict(team.icon),
            "avatar_base_url": "https://ca.slack-edge.com/", "is_verified": False,
            "enterprise_id": None, "enterprise_name": None}
