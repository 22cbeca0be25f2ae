"""Pure text work: the references in some input, and a string with the unsafe ones made plain.

Two markups can ping or mislead. Slack's own (`<@U1>`, `<!here>`, `<!subteam^S1>`,
`<https://x|label>`), read in message text, mrkdwn text objects and attachments. Standard
Markdown (`[label](https://x)`, `![alt](https://x)`, `[ref]: https://x`), read in `markdown`
blocks, `markdown_text` and streamed chunks. Both are looked for in every string, so a feature
cannot slip input past the guard by moving it from one field to another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.guard.scope import Scope

SLACK_REF = re.compile(r"<([@#!]?)([^<>|]*)(?:\|([^<>]*))?>")
MD_LINK = re.compile(r"!?\[([^\[\]\n]*)\]\(\s*<?([^\s()<>]+)>?(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?\s*\)")
MD_DEFINITION = re.compile(r"^[ \t]{0,3}\[([^\[\]\n]+)\]:[ \t]*<?([^\s<>]+)>?", re.MULTILINE)
MASS = frozenset({"here", "channel", "everyone", "group"})  # `group`: the old name of @channel in private channels


_MARKDOWN_MARK = re.compile(r"\][(:]")  # `](` or `]:`: SRE finds it faster than `in` does on long text


def has_markup(text: str) -> bool:
    """Whether `text` may hold a reference at all: most strings do not, and cost nothing more."""
    return "<" in text or "](" in text or "]:" in text


def json_has_markup(raw: str) -> bool:
    """Whether a JSON text may hold a reference, `<` written as \\u003c by some writers included:
    checked in C (memchr and SRE), some 50 µs for a 180 KB record, which decoding takes 2 ms."""
    if "<" in raw or _MARKDOWN_MARK.search(raw) is not None:
        return True
    return "\\" in raw and ("\\u003c" in raw or "\\u003C" in raw)


@dataclass
class Marks:
    """The references in some input that would ping or mislead if Sloth repeated them."""

    users: set[str] = field(default_factory=set)  # members mentioned
    links: set[tuple[str, str]] = field(default_factory=set)  # (where a labelled link goes, what it shows)

    def take(self, text: str) -> None:
        if "<" in text:
            for match in SLACK_REF.finditer(text):
                sigil, target, label = match.groups()
                if sigil == "@":
                    self.users.add(target)
                elif sigil == "" and label:
                    self.links.add((target, label))
        if "](" in text:
            self.links.update((m.group(2), m.group(1)) for m in MD_LINK.finditer(text))
        if "]:" in text:
            self.links.update((m.group(2), m.group(1)) for m in MD_DEFINITION.finditer(text))

    def __len__(self) -> int:
        return len(self.users) + len(self.links)


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
