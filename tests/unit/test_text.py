from bot.pure.text import (
    ChannelRef,
    UserRef,
    escape,
    inert,
    parse_channel,
    parse_user,
    readable,
    split_args,
    strip_mention,
)

MASS = ("<!everyone>", "<!channel>", "<!here>")


def test_escape_neutralises_mentions() -> None:
    for raw in (*MASS, "<@U123>", "<#C1>"):
        assert "<" not in escape(raw)


def test_readable_turns_references_into_inert_words() -> None:
    said = readable("hi <@U1|will> in <#C1|general> <!here> & <!subteam^S1|@team>")
    assert said == "hi @will in #general @here &amp; @team"
    assert not any(m in said for m in MASS) and "<@" not in said


def test_inert_resolves_names_and_keeps_text_safe() -> None:
    out = inert("ping <@U1> in <#C9> <!channel> <https://x.io|site> 1 &lt; 2", {"U1": "Will"}.get, {"C9": "gen"}.get)
    assert out == "ping @Will in #gen @channel site 1 &lt; 2"
    assert inert("literal &lt;!everyone&gt;", str, str) == "literal &lt;!everyone&gt;"


def test_parse_user_and_channel_forms() -> None:
    assert parse_user("<@U123|will>") == UserRef(id="U123", name="will")
    assert parse_user("@wjk68") == UserRef(name="wjk68")
    assert parse_user("U0ABC") == UserRef(id="U0ABC")
    assert parse_user("<!here>") is None
    assert parse_channel("<#C1|general>") == ChannelRef(id="C1", name="general")
    assert parse_channel("#Random") == ChannelRef(name="random")
    assert parse_channel("#!!") is None


def test_split_args_keeps_references_whole() -> None:
    assert split_args("whois <@U1|Will K>  now") == ["whois", "<@U1|Will K>", "now"]


def test_strip_mention() -> None:
    assert strip_mention("<@UBOT> users wjk", "UBOT") == "users wjk"
    assert strip_mention("<@UBOT|sloth>   team", "UBOT") == "team"


def test_retry_after_reads_the_whole_header() -> None:
    from bot.slack.client import retry_after_seconds

    assert retry_after_seconds({"Retry-After": "30"}) == 30.0  # not 3, as slack_sdk's own handler reads it
    assert retry_after_seconds({"retry-after": ["12"]}) == 12.0
    assert retry_after_seconds({"Retry-After": "soon"}) == 1.0
    assert retry_after_seconds({}) == 1.0
