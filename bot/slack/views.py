"""Opening and changing modals the way Slack wants it, for Sloth's forms and any feature's views.

- `open_view`: views.open needs a `trigger_id` used within 3 seconds of the click or command
  that made it, once; past that Slack answers `expired_trigger_id` (an unknown or reused one,
  `invalid_trigger_id`). Call it before anything slow. None then, so the caller can tell the
  member instead of failing.
- `update_view`: views.update with the `hash` of the view as the caller last saw it (every
  interaction payload from a view carries it), so an update made meanwhile (another click, another
  replica) is not overwritten: Slack answers `hash_conflict`, and None here, for the caller to
  redraw from the newer view (or leave it). A view that has closed answers `not_found`: None too.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)
TRIGGER_GONE = ("expired_trigger_id", "invalid_trigger_id")
VIEW_MOVED_ON = ("hash_conflict", "not_found")


async def open_view(client: AsyncWebClient, trigger_id: str, view: dict[str, Any]) -> dict[str, Any] | None:
    """The modal as opened (with its `id` and `hash`), or None when the trigger was spent or expired."""
    try:
        opened = await client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as e:
        if e.response.get("error") in TRIGGER_GONE:
            log.info("a modal could not open: %s", e.response.get("error"))
            return None
        raise
    shown: dict[str, Any] = opened["view"]
    return shown


async def update_view(client: AsyncWebClient, shown: dict[str, Any], view: dict[str, Any]) -> dict[str, Any] | None:
    """Replace the view `shown` (as the latest payload carried it: `id` and `hash`) with `view`; the
    view as updated, or None when it changed meanwhile or has closed."""
    try:
        updated = await client.views_update(view_id=shown["id"], hash=shown["hash"], view=view)
    except SlackApiError as e:
        if e.response.get("error") in VIEW_MOVED_ON:
            log.info("a view was not updated: %s", e.response.get("error"))
            return None
        raise
    result: dict[str, Any] = updated["view"]
    return result
