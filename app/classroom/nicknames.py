"""The one nickname rule (docs/classroom.md): what a student types becomes a name that is safe in
any page and unique in the class whatever its case or Unicode form."""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 24
# Markup and attribute delimiters go: a page only ever sets a nickname as textContent, and this
# makes even a careless innerHTML harmless.
_MARKUP = str.maketrans("", "", "<>&\"'")
_SPACES = re.compile(r"\s+")


class NicknameError(ValueError):
    """A nickname refused; the message names the field ("nickname: ...")."""

    def __init__(self, message: str) -> None:
        super().__init__(f"nickname: {message}")


def clean(raw: str) -> str:
    """The nickname as stored and shown: NFKC, no control or format characters, no markup
    characters, whitespace collapsed; NicknameError if nothing (or too much) is left."""
    if not isinstance(raw, str):
        raise NicknameError("a nickname is text")
    text = raw
    # Until nothing changes (twice at most in practice): removing characters can bring together
    # a pair that NFKC composes.
    for _ in range(4):
        before = text
        text = unicodedata.normalize("NFKC", text)
        # Cc control, Cf format (zero-width joiners, bidi overrides), Cs/Co/Cn: nothing to show.
        text = "".join(" " if ch.isspace() else ch for ch in text
                       if ch.isspace() or not unicodedata.category(ch).startswith("C"))
        text = _SPACES.sub(" ", text.translate(_MARKUP)).strip()
        if text == before:
            break
    if not text:
        raise NicknameError("choose a nickname (letters, digits, spaces)")
    if len(text) > MAX_LENGTH:
        raise NicknameError(f"at most {MAX_LENGTH} characters")
    return text


def key(nickname: str) -> str:
    """What two nicknames must not share in one class: the same name in any case."""
    return unicodedata.normalize("NFKC", nickname.casefold())
