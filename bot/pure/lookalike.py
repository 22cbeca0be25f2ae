"""Whether a name reads as another: the comparison behind "nobody posts under a member's name".

Two names are the same here when they look the same in Slack: `name_key` folds what a reader
cannot tell apart. Compatibility forms (NFKC: full-width letters, the no-break space), case,
accents, invisible characters (zero-width spaces, joiners, direction marks), every run of spaces
and punctuation (a double space, a trailing dot, an emoji beside the name), and letters of other
scripts that look like Latin ones (the Cyrillic "і" in "Wіll", the Greek "ο"), as Unicode's
confusables table lists them (UTS #39, via confusable_homoglyphs), plus the digits 0 and 1.
Pure functions.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_SEPARATORS = re.compile(r"[\W_]+")
# Within ASCII, the look-alikes Unicode's table leaves to fonts: "W1ll K0ehrsen", "rn" for "m".
_ASCII = str.maketrans({"0": "o", "1": "l", "|": "l"})
_PAIRS = (("rn", "m"), ("vv", "w"))


@functools.cache
def _latin_lookalikes() -> dict[str, str]:
    """Every character Unicode calls confusable with an ASCII letter or digit, mapped to it."""
    from confusable_homoglyphs.confusables import confusables_data

    found: dict[str, str] = {}
    for char, homoglyphs in confusables_data.items():
        if char.isascii():
            continue
        for glyph in homoglyphs:
            shape = glyph["c"]
            if len(shape) == 1 and shape.isascii() and shape.isalnum():
                found[char] = shape
                break
    return found


def name_key(name: str) -> str:
    """What `name` looks like, folded: equal keys read as the same name."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cf", "Cc", "Mn"))
    lookalikes = _latin_lookalikes()
    text = "".join(lookalikes.get(c, c) for c in text)
    # Accents after the look-alikes: "é" is an "e" with a mark, dropped once decomposed.
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = text.translate(_ASCII).casefold()
    for pair, letter in _PAIRS:
        text = text.replace(pair, letter)
    return _SEPARATORS.sub(" ", text).strip()


def reads_as(custom: str, real: str) -> bool:
    """Whether the custom name `custom` passes for `real`: the same name, or (for a name of two
    words or more, a full name) one that contains it as whole words ("Will Koehrsen (deploys)")."""
    mine, theirs = name_key(custom), name_key(real)
    if not theirs:
        return False
    if mine.replace(" ", "") == theirs.replace(" ", ""):
        return True
    return " " in theirs and f" {theirs} " in f" {mine} "
