"""Message metadata (`metadata={"event_type": …, "event_payload": {…}}`) as Slack accepts it.

Sources for each rule:
- event_type: Slack's "Using message metadata" guide says event types "can contain letters,
  numbers, underscores, and hyphens, but not periods or other punctuation. Metadata with an
  invalid `event_type` returns an `invalid_metadata_schema` warning and is ignored": the message
  posts, without its metadata, and the answer carries the warning.
- event_payload: `@slack/types` `MessageMetadata` types each value as
  `string | number | boolean | MessageMetadataEventPayloadObject | MessageMetadataEventPayloadObject[]`
  and `MessageMetadataEventPayloadObject` as `{[key: string]: string | number | boolean}`. So: no
  null, no nested objects below the first level, and the only arrays are arrays of such flat
  objects (no arrays of strings or numbers, no arrays of arrays). The method references list
  `invalid_metadata_format` ("Invalid metadata format provided") for metadata of another shape.
- size: the references list `metadata_too_large` ("Metadata exceeds size limit") without saying
  the limit; MAX_METADATA_BYTES is an estimate.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sloth_emulator.errors import ApiError

# Slack publishes no number for metadata_too_large. 8 KB of compact JSON is an estimate, well
# above any sensible record and well below a message's 40,000 characters of text.
MAX_METADATA_BYTES = 8 * 1024

EVENT_TYPE = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Metadata:
    """What a chat.* call asked for: the metadata to store (None: none) and a warning to answer."""

    value: dict[str, Any] | None
    warning: str | None = None


def _scalar(value: Any) -> bool:
    # bool is an int in Python and both are allowed: only None and containers fail here.
    return isinstance(value, str | int | float)


def _flat_object(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and _scalar(v) for k, v in value.items())


def _payload_value(value: Any) -> bool:
    if _scalar(value) or _flat_object(value):
        return True
    return isinstance(value, list) and all(_flat_object(item) for item in value)


def check_metadata(raw: Any) -> Metadata:
    """The metadata of a chat.postMessage / chat.update / chat.scheduleMessage call.

    Raises ApiError(invalid_metadata_format) for a shape @slack/types does not allow and
    ApiError(metadata_too_large) past the size estimate; an invalid event_type is not an error
    but a warning, and the metadata is dropped.
    """
    # `entities` (work object metadata) is the other shape the references name; it is not stored.
    if not isinstance(raw, dict) or set(raw) - {"event_type", "event_payload", "entities"}:
        raise ApiError("invalid_metadata_format")
    payload = raw.get("event_payload")
    if not isinstance(payload, dict) or not all(isinstance(k, str) and _payload_value(v) for k, v in payload.items()):
        raise ApiError("invalid_metadata_format")
    if len(json.dumps(raw, separators=(",", ":"), ensure_ascii=False).encode()) > MAX_METADATA_BYTES:
        raise ApiError("metadata_too_large")
    event_type = raw.get("event_type")
    if not isinstance(event_type, str) or not EVENT_TYPE.match(event_type):
        return Metadata(None, "invalid_metadata_schema")
    return Metadata({"event_type": event_type, "event_payload": payload})


def metadata_for_reader(metadata: dict[str, Any], include_all: bool) -> dict[str, Any]:
    """What conversations.history / replies show of a message's metadata.

    Their references describe `include_all_metadata` as "Return all metadata associated with
    this message" (default false), and apps report that the flag is needed "for it to return
    the event_payload": without it a reader sees the event_type alone.
    """
    if include_all:
        return metadata
    return {"event_type": metadata["event_type"]}


def with_warning(answer: dict[str, Any], warning: str | None) -> dict[str, Any]:
    """Slack's shape for a call that worked with a warning: `warning` plus response_metadata.warnings."""
    if warning is None:
        return answer
    return {**answer, "warning": warning, "response_metadata": {"warnings": [warning]}}
