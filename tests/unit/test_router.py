from datetime import time

import pytest

from bot.config.problems import Problems
from bot.features.grammar import parse_args
from bot.features.invocation import Invocation
from bot.features.registry import Feature, Registry
from bot.features.rerun import nav_blocks, page_of
from bot.features.router import Command, Param, Router
from bot.pure.errors import UsageError
from bot.pure.text import ChannelRef, UserRef, split_line


async def _noop(ctx, inv, args):  # type: ignore[no-untyped-def]
    raise AssertionError("not called")


HISTORY = Command(
    "history", "Last messages", _noop,
    params=(Param("channel", "channel"), Param("count", "int", required=False, default=10, minimum=1, maximum=200)),
    examples=("history #general",),
)
SAY = Command("say", "Post", _noop, params=(Param("channel", "channel"), Param("text", "text")))


def test_parse_typed_arguments() -> None:
    assert parse_args(HISTORY, "<#C1|general> 5") == {"channel": ChannelRef("C1", "general"), "count": 5}
    assert parse_args(HISTORY, "#random") == {"channel": ChannelRef(name="random"), "count": 10}
    assert parse_args(SAY, "#x hello   there <@U1>") == {"channel": ChannelRef(name="x"), "text": "hello   there <@U1>"}


def test_text_keeps_newlines_and_spacing_as_typed() -> None:
    typed = "#general Release:\n- fixed A\n-  fixed   B\n\n```code```"
    assert parse_args(SAY, typed)["text"] == "Release:\n- fixed A\n-  fixed   B\n\n```code```"
    assert split_line("  say #general Release:\n- fixed A ") == ("say", "#general Release:\n- fixed A")
    assert split_line("<@U1|x> hi") == ("<@u1|x>", "hi")


@pytest.mark.parametrize("typed", ["<!channel>", "<@U0BOSS|boss>", "<http://evil.example|https://slack.com>",
                                   "<!subteam^S1|@devs>"])
def test_usage_answers_quote_what_was_typed_inertly(typed: str) -> None:
    team = Command("team", "Team", _noop)
    with pytest.raises(UsageError) as caught:
        parse_args(team, typed)
    text = str(caught.value)
    assert "<" not in text.replace("Usage: `team`", "") and "unexpected" in text


@pytest.mark.parametrize("text", ["", "#general five", "#general 0", "#general 201", "#general 5 extra", "!!"])
def test_bad_arguments_give_usage(text: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_args(HISTORY, text)
    assert str(caught.value).startswith("Usage: `history #channel [count]`")


def test_user_param() -> None:
    whois = Command("whois", "w", _noop, params=(Param("user", "user"),))
    assert parse_args(whois, "<@U9|will>") == {"user": UserRef("U9", "will")}
    with pytest.raises(UsageError):
        parse_args(whois, "<!everyone>")


def test_registry_combines_features_and_suggests() -> None:
    one, two = Router("reading"), Router("posting")
    one.add(HISTORY)
    two.add(SAY)
    registry = Registry([Feature(one), Feature(two)])
    assert [c.name for c in registry.listed()] == ["history", "say"]
    assert registry.feature_of(SAY).name == "posting"
    assert registry.closest("histroy") == "history"
    assert registry.closest("zzzzzz") is None
    with pytest.raises(ValueError):
        two.add(SAY)


def test_a_command_declared_by_two_features_names_both() -> None:
    one, two = Router("reading"), Router("ops")
    one.add(HISTORY)
    two.add(Command("history", "Deploy history", _noop))
    with pytest.raises(Problems) as caught:
        Registry([Feature(one, "built-in", "handlers.history"), Feature(two, "SLOTH_FEATURES", "ops_feature")])
    message = str(caught.value)
    assert "'history'" in message and "'reading' (built-in: handlers.history)" in message
    assert "'ops' (SLOTH_FEATURES: ops_feature)" in message


def test_every_clash_between_features_is_reported_at_once() -> None:
    async def press(ctx, click):  # type: ignore[no-untyped-def]
        return None

    one, two, again = Router("deploy"), Router("release"), Router("deploy")
    for router in (one, two):
        router.add(Command("ship", "Ship it", _noop))
        router.action("ship")(press)
    with pytest.raises(Problems) as caught:
        Registry([Feature(one, "SLOTH_FEATURES", "deploy"), Feature(two, "SLOTH_FEATURES", "release"),
                  Feature(again, "entry point", "deploy_again")])
    assert caught.value.problems == [
        "The command 'ship' is declared by two features: 'deploy' (SLOTH_FEATURES: deploy) and "
        "'release' (SLOTH_FEATURES: release).",
        "The button action 'ship' is declared by two features: 'deploy' (SLOTH_FEATURES: deploy) and "
        "'release' (SLOTH_FEATURES: release).",
        "Two features are called 'deploy': 'deploy' (SLOTH_FEATURES: deploy) and 'deploy' (entry point: deploy_again).",
    ]


def test_pages_clamp_and_buttons_carry_the_command_line() -> None:
    items = list(range(25))
    shown, page, pages = page_of(items, 7, 10)
    assert (list(shown), page, pages) == ([20, 21, 22, 23, 24], 2, 3)
    inv = Invocation(name="users", args="wjk", user="U1", channel="C1", source="slash", page=1)
    blocks = nav_blocks(inv, 1, 3, 25, "members")
    buttons = blocks[1]["elements"]
    assert [b["action_id"] for b in buttons] == ["sloth_page_prev", "sloth_page_next"]
    assert buttons[1]["value"] == '{"c":"users wjk","p":2}'
    assert len(nav_blocks(inv, 0, 1, 3, "members")) == 1  # one page: no buttons


def test_daily_times_are_read_as_a_member_types_them() -> None:
    router = Router("clocks")
    for at, clock in (("09:30", time(9, 30)), ("5pm", time(17)), ("noon", time(12)), (time(17, 5), time(17, 5))):
        router.daily(at)(_hook)
        assert router.jobs[-1].at == clock
    for bad in ("25:00", "9:5", "nine", "9", ""):  # a bare 9: in the morning or the evening?
        with pytest.raises(ValueError, match="is not a time of day"):
            router.daily(bad)


def test_daily_refuses_a_bad_time_or_zone_when_declared_and_defers_a_setting() -> None:
    router = Router("standup")
    with pytest.raises(ValueError):
        router.daily("24:00")
    with pytest.raises(ValueError, match="not a time zone"):  # at import, not when Sloth starts
        router.daily("09:00", tz="Europe/Londn")
    router.daily(lambda ctx: ctx.config.at, tz=lambda ctx: ctx.config.tz)(_hook)
    [job] = router.jobs
    assert callable(job.at) and callable(job.tz) and job.period is None


async def _hook(ctx):  # type: ignore[no-untyped-def]
    raise AssertionError("not called")


@pytest.mark.parametrize(("minimum", "maximum", "typed", "says"), [
    (1, 5, "9", "points should be between 1 and 5."),
    (1, None, "0", "points should be at least 1."),
    (None, 5, "6", "points should be at most 5."),
])
def test_a_number_out_of_bounds_names_the_bounds_it_has(minimum: int | None, maximum: int | None, typed: str,
                                                        says: str) -> None:
    give = Command("give", "Points", _noop, params=(Param("points", "int", minimum=minimum, maximum=maximum),))
    with pytest.raises(UsageError, match=says):
        parse_args(give, typed)
    assert parse_args(give, "5" if maximum else "1") == {"points": 5 if maximum else 1}
