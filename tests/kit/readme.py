"""Reading the README's "Write your own feature" section: its example files and what it documents."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECTION = "## Write your own feature\n"
FENCE = re.compile(r"^```(\w+)([^\n]*)\n(.*?)^```$", re.M | re.S)
FILE_TAG = re.compile(r"\bfile=(\S+)")
SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.S)
LINK = re.compile(r"\]\(#([^)]+)\)")


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def section(text: str | None = None) -> str:
    """The section, up to the next heading of its level."""
    text = readme() if text is None else text
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start:] if end < 0 else text[start:end + 1]


def example_files(text: str) -> dict[str, str]:
    """{path: content}: the fenced blocks tagged `file=path`, each file's blocks joined in order."""
    files: dict[str, list[str]] = {}
    for _, info, body in FENCE.findall(text):
        tag = FILE_TAG.search(info)
        if tag:
            files.setdefault(tag.group(1), []).append(body)
    return {path: "\n\n".join(parts) for path, parts in files.items()}


def prose(text: str) -> str:
    """The text without its fenced blocks."""
    return FENCE.sub("", text)


def spans(text: str) -> list[str]:
    """Every inline code span of the prose and tables."""
    return [body.strip() for _, body in SPAN.findall(prose(text))]


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    found: set[str] = set()
    for heading in re.findall(r"^#+ (.+)$", prose(text), re.M):
        base = slug(heading)
        name, n = base, 0
        while name in found:
            n += 1
            name = f"{base}-{n}"
        found.add(name)
    return found


def links(text: str) -> set[str]:
    return set(LINK.findall(prose(text)))
