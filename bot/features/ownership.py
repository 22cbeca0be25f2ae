"""What one feature owns, so that no other can take it over: its name, button ids and variables.

- A feature's name is its store namespace (`<name>:…`), its variables' prefix (`<NAME>_…`) and
  its label in logs and metrics. It is letters, digits, `_` and `-` (a `:` would let `a:b`'s keys
  fall among `a`'s), and none of the namespaces Sloth keeps its own records in.
- A button action id `x` owns `x` and every `x:…` (`game` answers `game:move:4`): a click goes
  to the longest declared id its own id starts with, so another feature declaring `game:join`
  beside the games' `game` would silently take over their Join button. That is refused, both ways.
- An environment variable is read by one setting of one feature; Sloth's own (tokens, the
  secret key, `SLOTH_STORE_URL`, …) by none.

`bot.features.registry` applies these when the features load and refuses every clash at once.
"""

from __future__ import annotations

import re

from bot.config.settings import CORE_VARIABLES

# Store namespaces of Sloth's own records: dedupe, job claims, the chat.update budget, uploaded
# files, members' sealed tokens, the owner of SLACK_USER_TOKEN, the store's write probe, members'
# runs counted against command limits, the member and channel directories, the job queue's
# uploads done. A feature called one of these would read and write them
# as its own `ctx.store`.
# "workspace": with many workspaces, each one's records (all of the above) under `workspace:<team ID>:`;
# "install", "install_state": the installations and the single-use states of /slack/install.
CORE_NAMESPACES = ("event", "job", "pace", "upload", "user_token", "env_token_owner", "store", "limit", "directory",
                   "queue", "workspace", "install", "install_state", "agent")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
_ACTION_PART = re.compile(r"[^:\s]+")
MAX_ACTION_ID = 255  # Slack's limit for a block element's action_id

__all__ = ["CORE_NAMESPACES", "CORE_VARIABLES", "action_family", "action_problem", "actions_overlap",
           "name_problem"]


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a feature, or None."""
    if not _NAME.fullmatch(name):
        return ("must be a letter, then letters, digits, '_' or '-' (up to 64): it names the feature's "
                "store namespace and settings")
    if name in CORE_NAMESPACES:
        return f"is the namespace of Sloth's own '{name}' records in the store: choose another name"
    return None


def action_problem(action_id: str) -> str | None:
    """Why `action_id` cannot be a declared button id, or None."""
    if len(action_id) > MAX_ACTION_ID:
        return f"is longer than Slack's {MAX_ACTION_ID} characters"
    if not all(_ACTION_PART.fullmatch(part) for part in action_id.split(":")):
        return "must be parts separated by ':', none of them empty or with spaces"
    return None


def actions_overlap(a: str, b: str) -> bool:
    """True when a click meant for one of the declared ids `a` and `b` could reach the other:
    equal ids, or one is the other's family (`game` and `game:join`)."""
    return a == b or b.startswith(a + ":") or a.startswith(b + ":")


def action_family(action_id: str) -> list[str]:
    """The declared ids that could answer a click on `action_id`, longest first:
    `game:move:4`, `game:move`, `game`."""
    parts = action_id.split(":")
    return [":".join(parts[:n]) for n in range(len(parts), 0, -1)]
