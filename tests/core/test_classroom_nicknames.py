"""The nickname rule (app/classroom/nicknames.py): properties over generated text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.classroom.nicknames import MAX_LENGTH, NicknameError, clean, key

MARKUP = set("<>&\"'")


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60))
def test_no_markup_control_or_unnormalised_text_survives(raw: str) -> None:
    try:
        name = clean(raw)
    except NicknameError as err:
        assert str(err).startswith("nickname: ")
        return
    assert 1 <= len(name) <= MAX_LENGTH
    assert not MARKUP & set(name)
    assert not any(unicodedata.category(ch).startswith("C") for ch in name)
    assert unicodedata.normalize("NFKC", name) == name
    assert name == name.strip() and "  " not in name
    assert clean(name) == name  # idempotent: the stored name is a fixed point


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(categories=("Lu", "Ll", "Nd")), min_size=1, max_size=12))
def test_case_does_not_make_a_new_name(word: str) -> None:
    # Unicode's caseless matching (casefold): a letter whose capital folds to another letter
    # (Turkish dotless ı -> I -> i) is another name there too.
    try:
        names = [clean(word), clean(word.upper()), clean(word.lower())]
    except NicknameError:  # a capital can be longer (ß -> SS): past 24 characters
        assume(False)
    assume(names[1].casefold() == names[0].casefold())
    assert key(names[0]) == key(names[1]) == key(names[2])


@pytest.mark.parametrize("raw, expected", [
    ("  Ada   Lovelace ", "Ada Lovelace"),
    ("<script>alert(1)</script>", "scriptalert(1)/script"),
    ("Ａｄａ", "Ada"),  # fullwidth letters: NFKC
    ("＜b＞bold", "bbold"),  # fullwidth brackets become < > first, then go
    ("a\u200bb\u202ec", "abc"),  # zero-width space, bidi override
    ("tab\there", "tab here"),
    ("O'Brien & \"co\"", "OBrien co"),
])
def test_examples(raw: str, expected: str) -> None:
    assert clean(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "<>&", "\u200b\u200b", "x" * (MAX_LENGTH + 1)])
def test_refusals_name_the_field(raw: str) -> None:
    with pytest.raises(NicknameError, match="^nickname: "):
        clean(raw)


def test_equal_names_share_a_key() -> None:
    assert key("ADA") == key("ada") == key(clean("Ａｄａ"))
    assert key("Straße") == key("STRASSE")
