"""Pure text work: finding the references in some input (`bot.guard.inert` makes the unsafe ones plain).

Two markups can ping or mislead. Slack's own (`<@U1>`, `<!here>`, `<!subteam^S1>`,
`<https://x|label>`), read in message text, mrkdwn text objects and attachments. Standard
Markdown (`[label](https://x)`, `![alt](https://x)`, `[ref]: https://x`), read in `markdown`
blocks, `markdown_text` and streamed chunks. Both are looked for in every string, so a feature
cannot slip input past the guard by moving it from one field to another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
