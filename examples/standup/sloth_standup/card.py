"""What a stand-up looks like in Slack: a pure function of the entry, no Slack calls.

Members are shown by name, never mentioned: a stand-up channel should not ping its readers.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo

from bot.api import Reply, actions, button, context_block, escape, section
from sloth_standup.entries import Day, Entry, button_value, shown_day

STATUS = {"open": "⚪ Open", "done": "✅ Done", "blocked": "🚧 Blocked"}
Names = Callable[[str], str]


def card(day: str, user: str, entry: Entry, name_of: Names, zone: tzinfo) -> Reply:
    """The message of `user`'s stand-up, with its buttons (their value names the day and author)."""
    quoted = "\n".join(f">{line}" if line.strip() else ">" for line in entry["text"].splitlines())
    title = f"*Stand-up of {escape(name_of(user))}* · {shown_day(day, zone)}"
    status = STATUS.get(entry.get("status", "open"), STATUS["open"])
    helpers = entry.get("helpers", [])
    notes = [status] + ([f"Can help: {', '.join(escape(name_of(h)) for h in helpers)}"] if helpers else [])
    value = button_value(day, user)
    blocks = [
        section(f"{title}\n{quoted}"),
        context_block(" · ".join(notes)),
        actions(
            button("Done", "standup:done", value, style="primary"),
            button("Blocked", "standup:blocked", value, style="danger"),
            button("I can help", "standup:help", value),
        ),
    ]
    plain_title = f"Stand-up of {name_of(user)} ({status})"
    return Reply(text=escape(plain_title), blocks=blocks)


def board(day: str, entries: Day, name_of: Names, zone: tzinfo) -> Reply:
    """Today's stand-ups so far, one line each."""
    if not entries:
        text = f"No stand-ups yet for {shown_day(day, zone)}."
        return Reply(text=text, blocks=[section(text)])
    lines = [f"• {escape(name_of(user))}: {STATUS.get(entry.get('status', 'open'), STATUS['open'])}"
             for user, entry in sorted(entries.items(), key=lambda item: name_of(item[0]).lower())]
    heading = f"*Stand-ups for {shown_day(day, zone)}* ({len(entries)})"
    text = f"{len(entries)} stand-ups for {shown_day(day, zone)}"
    return Reply(text=text, blocks=[section(heading + "\n" + "\n".join(lines))])


def reminder(command: str, still_blocked: list[str]) -> Reply:
    """The daily nudge, with yesterday's stand-ups that ended blocked."""
    text = f"Time for stand-up! `{command} <what you did, what's next, anything in your way>`"
    blocks = [section(text)]
    if still_blocked:
        names = ", ".join(escape(n) for n in still_blocked)
        blocks.append(context_block(f"Blocked at the end of yesterday: {names}"))
    return Reply(text=text, blocks=blocks)
