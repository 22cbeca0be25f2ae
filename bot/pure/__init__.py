"""Sloth's pure layer: what a feature needs that talks to nobody. No Slack client, no aiohttp.

Renderers that run in worker processes (charts, training pictures) and game boards import it
without bringing the runtime along; `bot.api` hands on all of it too.

- `blocks`: a `Reply` and Block Kit's blocks (`section`, `fields`, `context_block`, `button`, …),
  the newer `table`, `markdown` and `alert` among them;
- `views`: modals and their inputs (`modal`, `input_block`, `text_input`, `static_select`, …);
- `text`: escaping what members typed, reading `<@U…>` and `<#C…>`, making stored text inert;
- `names`: Slack's rules for channel names, emoji and lengths; `lookalike`: names that read alike;
- `durations`, `times`, `when`: `2h`, "09:30", zones, `tomorrow 9am`, and `slack_date` (`<!date^…>`);
- `kinds`: setting kinds (a channel, a time of day, a time zone, a positive number);
- `errors`: `UserError` and its kin; `tasks`: `Task`, work named for the worker processes, and `made`, a file one makes.
"""

from __future__ import annotations

from bot.pure import kinds
from bot.pure.blocks import (
    Reply,
    actions,
    alert,
    button,
    cell,
    context_block,
    divider,
    fields,
    header,
    image,
    markdown,
    notice,
    section,
    table,
)
from bot.pure.durations import describe_duration, looks_like_duration, parse_duration
from bot.pure.errors import Expected, ReplyError, UsageError, UserError, WhenError, slack_error_text
from bot.pure.kinds import positive
from bot.pure.lookalike import reads_as
from bot.pure.names import (
    MASS_MENTION,
    MAX_CHANNEL_NAME,
    MAX_MESSAGE,
    MAX_PURPOSE,
    MAX_STATUS_TEXT,
    MAX_USERNAME,
    check_channel_name,
    check_length,
    has_mass_mention,
    parse_emoji,
)
from bot.pure.tasks import Made, Task, made, same_types
from bot.pure.text import (
    ChannelRef,
    UserRef,
    channel_not_found,
    escape,
    inert,
    parse_channel,
    parse_user,
    plain,
    readable,
    shown,
    split_args,
    split_line,
    truncate,
    unescape,
)
from bot.pure.times import next_at, parse_time_of_day, slack_date, time_zone, zone_of
from bot.pure.views import (
    conversations_select,
    input_block,
    modal,
    number_input,
    option,
    plain_text,
    static_select,
    text_input,
    users_select,
)
from bot.pure.when import WEEKDAYS, Moment, check_ahead, parse_moment

__all__ = [
    "MASS_MENTION",
    "MAX_CHANNEL_NAME",
    "MAX_MESSAGE",
    "MAX_PURPOSE",
    "MAX_STATUS_TEXT",
    "MAX_USERNAME",
    "WEEKDAYS",
    "ChannelRef",
    "Expected",
    "Made",
    "Moment",
    "Reply",
    "ReplyError",
    "Task",
    "UsageError",
    "UserError",
    "UserRef",
    "WhenError",
    "actions",
    "alert",
    "button",
    "cell",
    "channel_not_found",
    "check_ahead",
    "check_channel_name",
    "check_length",
    "context_block",
    "conversations_select",
    "describe_duration",
    "divider",
    "escape",
    "fields",
    "has_mass_mention",
    "header",
    "image",
    "inert",
    "input_block",
    "kinds",
    "looks_like_duration",
    "made",
    "markdown",
    "modal",
    "next_at",
    "notice",
    "number_input",
    "option",
    "parse_channel",
    "parse_duration",
    "parse_emoji",
    "parse_moment",
    "parse_time_of_day",
    "parse_user",
    "plain",
    "plain_text",
    "positive",
    "readable",
    "reads_as",
    "same_types",
    "section",
    "shown",
    "slack_date",
    "slack_error_text",
    "split_args",
    "split_line",
    "static_select",
    "table",
    "text_input",
    "time_zone",
    "truncate",
    "unescape",
    "users_select",
    "zone_of",
]
