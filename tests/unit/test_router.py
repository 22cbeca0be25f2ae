import pytest

from bot.errors import UsageError
from bot.pages import nav_blocks, page_of
from bot.router import Command, Invocation, Param, Router, combine, parse_args
from bot.text import ChannelRef, UserRef


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
    assert parse_args(SAY, "#x hello   there <@U1>") == {"channel": ChannelRef(name="x"), "text": "hello there <@U1>"}


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


def test_registry_rejects_duplicates_and_suggests() -> None:
    one, two = Router(), Router()
    one.add(HISTORY)
    two.add(SAY)
    registry = combine([one, two])
    assert [c.name for c in registry.listed()] == ["history", "say"]
    assert registry.closest("histroy") == "history"
    assert registry.closest("zzzzzz") is None
    with pytest.raises(ValueError):
        registry.add(SAY)


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
