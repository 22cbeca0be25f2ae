"""A string with every reference its scope does not allow made plain: mass mentions, and member
mentions and labelled links that came from input (see `bot.guard`)."""

from __future__ import annotations

import re

from bot.guard.scope import Scope
from bot.guard.text import MASS, MD_DEFINITION, MD_LINK, SLACK_REF, has_markup


def is_mass(target: str) -> bool:
    head = target.split("^")[0].lower()
    return head in MASS or head == "subteam"


def inert_text(text: str, scope: Scope | None) -> str:
    """`text` with every reference `scope` does not allow made plain (`scope` None: no request)."""
    if not has_markup(text):
        return text
    if "<" in text:
        text = SLACK_REF.sub(lambda match: _slack_ref(match, scope), text)
    if scope is not None and "](" in text:
        text = MD_LINK.sub(lambda match: _markdown_link(match, scope), text)
    if scope is not None and "]:" in text:
        text = MD_DEFINITION.sub(lambda match: _markdown_definition(match, scope), text)
    return text


def _slack_ref(match: re.Match[str], scope: Scope | None) -> str:
    sigil, target, label = match.groups()
    whole = match.group(0)
    if sigil == "!":
        if is_mass(target) and not (scope and scope.everyone):
            return escape("@" + (label or target.split("^")[0]).lstrip("@"))
        return whole
    if scope is None:
        return whole
    if sigil == "@":
        return escape("@" + (label or scope.name(target))) if scope.from_input(target) else whole
    if sigil == "" and label and scope.link_from_input(target, label):
        return escape(whole)  # a link whose label hides where it goes, as it came in
    return whole


def _markdown_link(match: re.Match[str], scope: Scope) -> str:
    label, url = match.group(1), match.group(2)
    if not scope.link_from_input(url, label):
        return match.group(0)
    return f"{label} ({url})" if label else url  # shown with where it goes


def _markdown_definition(match: re.Match[str], scope: Scope) -> str:
    label, url = match.group(1), match.group(2)
    return f"{label}: {url}" if scope.link_from_input(url, label) else match.group(0)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
