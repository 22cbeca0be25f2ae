"""Slack's rules for what people name and type, checked before asking Slack: pure functions.

Channel names, emoji names and text lengths each get a helpful answer (with a suggestion where
there is one) instead of Slack's terse error code after the fact.
"""

from __future__ import annotations

import re
import unicodedata

from bot.pure.errors import UserError
from bot.pure.text import escape, truncate

MAX_CHANNEL_NAME = 80
MAX_PURPOSE = 250
MAX_STATUS_TEXT = 100
MAX_USERNAME = 80
# Slack truncates message text over 40,000 characters and advises staying under 4,000.
MAX_MESSAGE = 4000

_CHANNEL_NAME = re.compile(r"^[a-z0-9_-]+$")
_EMOJI = re.compile(r"^:([a-z0-9_+'\-]+):(?::skin-tone-[2-6]:)?$")


def suggest_channel_name(text: str) -> str:
    """The nearest valid channel name: lowercase, odd characters turned into hyphens."""
    name = re.sub(r"[^a-z0-9_-]+", "-", text.strip().lstrip("#").lower())
    return re.sub(r"-{2,}", "-", name).strip("-")[:MAX_CHANNEL_NAME]


def check_channel_name(typed: str) -> str:
    """The channel name to create, or UserError explaining Slack's rules with a suggestion."""
    name = typed.strip().lstrip("#")
    shown = escape(truncate(name, 90))
    suggestion = suggest_channel_name(name)
    hint = f" Try `{suggestion}`." if suggestion and suggestion != name else ""
    if not name:
        raise UserError("The new channel needs a name, e.g. `data-team`.")
    if len(name) > MAX_CHANNEL_NAME:
        raise UserError(f"`{shown}` is {len(name)} characters long; Slack allows at most {MAX_CHANNEL_NAME}.{hint}")
    if name != name.lower() and _CHANNEL_NAME.match(name.lower()):
        raise UserError(f"Channel names are all lowercase.{hint}")
    if not _CHANNEL_NAME.match(name):
        raise UserError(
            f"`{shown}` can't be a channel name: only lowercase letters, numbers, hyphens and underscores, "
            f"no spaces or other punctuation.{hint}"
        )
    if not re.search(r"[a-z0-9]", name):
        raise UserError("A channel name needs at least one letter or number.")
    return name


def parse_emoji(token: str) -> str | None:
    """`:palm_tree:` as is; None when the token is not meant as an emoji; UserError when it is a broken one."""
    if _EMOJI.match(token):
        return token
    if token.startswith(":"):
        raise UserError(
            f"`{escape(truncate(token, 40))}` is not an emoji name. Use one like `:palm_tree:` "
            "(lowercase letters, numbers, `_`, `-` and `+` between two colons)."
        )
    if token and all(unicodedata.category(c) in ("So", "Sk", "Mn", "Cf") for c in token):
        raise UserError("Slack wants emoji by name here, like `:palm_tree:` or `:coffee:`.")
    return None


def check_length(what: str, text: str, limit: int) -> str:
    if len(text) > limit:
        raise UserError(f"{what} is {len(text):,} characters long; Slack allows at most {limit:,}.")
    return text


MASS_MENTION = re.compile(r"<!(?:everyone|channel|here|subteam\^[^>|]*)(?:\|[^>]*)?>")


def has_mass_mention(text: str) -> bool:
    """`<!here>`, `<!channel>`, `<!everyone>` or a user-group mention, as Slack encodes them."""
    return bool(MASS_MENTION.search(text))
