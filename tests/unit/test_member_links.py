"""Signed member links: a token opens only for its feature, its kind and before it expires, and the
`enter` answer sets a session cookie that a browser keeps to itself (HttpOnly, SameSite)."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import make_mocked_request

from bot.features.member_links import LinkRefused, MemberLinks, team_of

SECRET = "a-secret-key-of-32-characters-xx"


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


def links(feature: str = "training", clock: Clock | None = None, url: str = "https://sloth.example") -> MemberLinks:
    return MemberLinks(SECRET, feature, lambda: url, clock or Clock())


def test_a_token_names_its_member_and_page() -> None:
    opened = links().open(links().token("U1", "/training/runs/abc"))
    assert (opened.member, opened.path) == ("U1", "/training/runs/abc")


def test_a_link_expires() -> None:
    clock = Clock()
    made = links(clock=clock)
    token = made.token("U1", "/training/runs", ttl=60)
    clock.now += 61
    with pytest.raises(LinkRefused, match="expired"):
        made.open(token)


def test_another_feature_or_another_secret_does_not_open_it() -> None:
    token = links().token("U1", "/training/runs")
    with pytest.raises(LinkRefused, match="not one of Sloth's"):
        links("games").open(token)
    with pytest.raises(LinkRefused):
        MemberLinks("another-secret-key-of-32-chars-x", "training", lambda: "").open(token)


def test_a_changed_member_breaks_the_signature() -> None:
    mac = links().token("U1", "/training/runs").partition(".")[2]
    forged = links().token("U2", "/training/runs").partition(".")[0] + "." + mac  # U1's signature on U2's pass
    with pytest.raises(LinkRefused):
        links().open(forged)


def test_a_link_is_not_a_session_nor_the_other_way_round() -> None:
    made = links()
    with pytest.raises(LinkRefused, match="another kind"):
        made.open(made.token("U1", "/training", kind="session"))
    request = make_mocked_request("GET", "/training/runs",
                                  headers={"Cookie": f"sloth_training={made.token('U1', '/training')}"})
    assert made.member(request) is None


@pytest.mark.parametrize("path", ["https://evil.example/", "//evil.example/x", "training"])
def test_a_link_leads_only_to_sloths_own_paths(path: str) -> None:
    with pytest.raises(ValueError):
        links().token("U1", path)


def test_entering_sets_a_private_session_and_leaves_the_token_behind() -> None:
    made = links()
    url = made.url("U1", "/training/runs/abc", enter="/training/enter")
    assert url.startswith("https://sloth.example/training/enter?t=")
    request = make_mocked_request("GET", url.removeprefix("https://sloth.example"))
    answer = made.enter(request, "/training")
    assert answer.status == 303 and answer.headers["Location"] == "/training/runs/abc"
    cookie = answer.cookies["sloth_training"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["secure"] and cookie["path"] == "/training"
    back = make_mocked_request("GET", "/training/runs/abc", headers={"Cookie": f"sloth_training={cookie.value}"})
    assert made.member(back) == "U1"


def test_a_bad_link_gets_a_plain_403() -> None:
    answer = links().enter(make_mocked_request("GET", "/training/enter?t=nonsense.abc"), "/training")
    assert answer.status == 403 and "fresh link" in (answer.text or "") and not answer.cookies


def test_no_secure_cookie_over_plain_http() -> None:
    made = links(url="http://127.0.0.1:8080")
    request = make_mocked_request("GET", "/training/enter?t=" + made.token("U1", "/training/runs"))
    assert not made.enter(request, "/training").cookies["sloth_training"]["secure"]


def test_a_token_names_its_workspace_in_clear_and_opens_only_with_that_workspace_s_key() -> None:
    def of(team: str) -> MemberLinks:
        return MemberLinks(SECRET, "training", lambda: "", Clock(), team=team)

    token = of("T024DATAAN").token("U1", "/training/runs")
    assert team_of(token) == "T024DATAAN" and team_of(of("T03FIELDNT").token("U1", "/")) == "T03FIELDNT"
    assert of("T024DATAAN").open(token).member == "U1"
    with pytest.raises(LinkRefused, match="not one of Sloth's"):
        of("T03FIELDNT").open(token)  # another workspace's key: the same member ID is someone else there
    for garbage in ("", "not-a-token", "e30.x", "W10.x", "!!.x", "x" * 5000):
        assert team_of(garbage) is None
