"""Sealed user tokens and signed OAuth states."""

from __future__ import annotations

import pytest

from bot.connect.sealing import SealError, StateSigner, TokenBox, derive_key

SECRET = "correct horse battery staple"


def test_a_sealed_token_opens_only_for_its_user_and_key() -> None:
    box = TokenBox(SECRET)
    sealed = box.seal("U1", "xoxp-123")
    assert "xoxp-123" not in sealed and box.open("U1", sealed) == "xoxp-123"
    assert box.seal("U1", "xoxp-123") != sealed  # fresh IV each time
    with pytest.raises(SealError, match="another user"):
        box.open("U2", sealed)
    with pytest.raises(SealError, match="does not open"):
        TokenBox("another secret of enough length").open("U1", sealed)
    with pytest.raises(SealError):
        box.open("U1", sealed[:-4] + "AAAA")


def test_keys_differ_by_purpose() -> None:
    assert derive_key(SECRET, "a") != derive_key(SECRET, "b") and len(derive_key(SECRET, "a")) == 32


def test_states_name_the_user_expire_and_resist_tampering() -> None:
    signer = StateSigner(SECRET, ttl=600)
    state = signer.sign("U1", "T1", now=1000)
    read = signer.read(state, now=1599)
    assert (read.user, read.team, read.expires) == ("U1", "T1", 1600) and read.nonce
    assert signer.read(signer.sign("U1", "T1", 1000), 1000).nonce != read.nonce
    with pytest.raises(SealError, match="expired"):
        signer.read(state, now=1601)
    body, _, mac = state.partition(".")
    forged = body.replace(body[5], "A" if body[5] != "A" else "B") + "." + mac
    for bad in (forged, body, "", "x.y", state + "x"):
        with pytest.raises(SealError, match="not one Sloth made"):
            signer.read(bad, now=1000)
    with pytest.raises(SealError):
        StateSigner("another secret of enough length").read(state, now=1000)


@pytest.mark.parametrize("state", ["é.é", "abc.déf", "\x00.\x00", "ab\ud800.x"])
def test_a_state_of_any_characters_is_refused_not_an_error(state: str) -> None:
    with pytest.raises(SealError, match="not one Sloth made"):
        StateSigner(SECRET).read(state, 0)
