"""Tests of the personal identity code module against hand-checked examples.

Check characters worked out by hand (CHECK = 0123456789ABCDEFHJKLMNPRSTUVWXY, index 0-30):
- 131052-308T: 131052308 = 31 * 4227493 + 25 (31 * 4227493 = 131052283); CHECK[25] = T.
- 010594Y9032: 010594903 = 31 * 341771 + 2 (31 * 341771 = 10594901); CHECK[2] = 2 (temporary id).
- 010101A123N: 010101123 = 31 * 325842 + 21 (31 * 325842 = 10101102); CHECK[21] = N.
- 311299-999E: 311299999 = 31 * 10041935 + 14 (31 * 10041935 = 311299985); CHECK[14] = E.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pcdm import hetu


@pytest.mark.parametrize(
    ("code", "born", "sex", "temporary"),
    [
        ("131052-308T", date(1952, 10, 13), "2", False),
        ("010594Y9032", date(1994, 5, 1), "1", True),
        ("010101A123N", date(2001, 1, 1), "1", False),
        ("311299-999E", date(1999, 12, 31), "1", True),
    ],
)
def test_hand_checked_examples(code: str, born: date, sex: str, temporary: bool) -> None:
    assert hetu.is_valid(code)
    assert hetu.birth_date(code) == born
    assert hetu.sex_code(code) == sex
    assert hetu.is_temporary(code) is temporary
    assert hetu.make(born, int(code[7:10]), code[6]) == code


def test_wrong_check_character_is_invalid() -> None:
    assert not hetu.is_valid("131052-308U")
    assert not hetu.is_valid("131052-3080")
    with pytest.raises(ValueError):
        hetu.birth_date("131052-308U")


@pytest.mark.parametrize(
    "code",
    [
        "310223-1234",  # 31 February does not exist (check char would not rescue it)
        "290200-1010",  # 1900 was not a leap year
        "001052-308T",  # day zero
        "131352-308T",  # month 13
        "131052Z308T",  # unknown century sign
        "131052-308",  # too short
        "131052-308TT",  # too long
        "131052-000H",  # individual number 000 is not issued
        "131052-001J",  # neither is 001
        "131052-308I",  # I is never a check character
    ],
)
def test_malformed_codes_are_invalid(code: str) -> None:
    assert not hetu.is_valid(code)


def test_leap_day_of_2000_is_valid_but_not_of_1900() -> None:
    code = hetu.make(date(2000, 2, 29), 101)
    assert code.startswith("290200A101")
    assert hetu.is_valid(code)
    assert not hetu.is_valid("290200-101" + code[-1])


def test_validation_is_strict_and_normalise_fixes_case_and_padding() -> None:
    assert not hetu.is_valid(" 131052-308T")
    assert not hetu.is_valid("131052-308t")
    assert hetu.normalise("  131052-308t ") == "131052-308T"
    assert hetu.is_valid(hetu.normalise(" 010101a123n "))


@pytest.mark.parametrize("sign", sorted(hetu.CENTURY_BY_SIGN))
def test_every_century_sign(sign: str) -> None:
    century = hetu.CENTURY_BY_SIGN[sign]
    born = date(century + 52, 10, 13)
    code = hetu.make(born, 308, sign)
    assert code == f"131052{sign}308T"  # the sign is not in the checksum
    assert hetu.is_valid(code)
    assert hetu.birth_date(code) == born


def test_sign_must_belong_to_the_century() -> None:
    with pytest.raises(ValueError):
        hetu.make(date(1952, 10, 13), 308, "A")
    with pytest.raises(ValueError):
        hetu.make(date(2001, 1, 1), 123, "-")
    with pytest.raises(ValueError):
        hetu.make(date(2001, 1, 1), 1)


def test_codes_sharing_ddmmyyzzzq_under_two_signs_are_different_people() -> None:
    classic = hetu.make(date(1994, 5, 1), 903, "-")
    new_sign = hetu.make(date(1994, 5, 1), 903, "Y")
    assert classic == "010594-9032"
    assert new_sign == "010594Y9032"
    assert classic != new_sign
    assert classic[:6] + classic[7:] == new_sign[:6] + new_sign[7:]
    assert len({classic, new_sign}) == 2
    assert hetu.birth_date(classic) == hetu.birth_date(new_sign)


def test_temporary_identifiers() -> None:
    assert hetu.is_temporary(hetu.make(date(2024, 3, 5), 900, "A"))
    assert hetu.is_temporary(hetu.make(date(2024, 3, 5), 999, "B"))
    assert not hetu.is_temporary(hetu.make(date(2024, 3, 5), 899, "A"))
    assert not hetu.is_temporary(hetu.make(date(2024, 3, 5), 2, "A"))


def test_sex_from_parity() -> None:
    assert hetu.sex_code(hetu.make(date(1980, 1, 1), 3)) == "1"
    assert hetu.sex_code(hetu.make(date(1980, 1, 1), 898)) == "2"


def test_make_many_matches_make() -> None:
    born = np.array(["1952-10-13", "1994-05-01", "2001-01-01", "1999-12-31", "1899-01-02"])
    born = born.astype("datetime64[D]")
    numbers = np.array([308, 903, 123, 999, 2])
    signs = np.array([b"-", b"Y", b"A", b"-", b"+"], dtype="S1")
    codes = hetu.make_many(born, numbers, signs)
    assert codes.dtype == np.dtype("S11")
    expected = [
        hetu.make(b.astype(date), int(n), s.decode())
        for b, n, s in zip(born, numbers, signs, strict=True)
    ]
    assert [c.decode() for c in codes] == expected


def test_default_signs() -> None:
    born = np.array(["1899-12-31", "1900-01-01", "1999-12-31", "2000-01-01"], dtype="datetime64[D]")
    assert hetu.default_signs(born).tolist() == [b"+", b"-", b"-", b"A"]


@given(
    st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31)),
    st.integers(min_value=2, max_value=999),
    st.data(),
)
def test_made_codes_round_trip(born: date, number: int, data: st.DataObject) -> None:
    sign = data.draw(st.sampled_from(hetu.SIGNS_BY_CENTURY[born.year // 100 * 100]))
    code = hetu.make(born, number, sign)
    assert hetu.is_valid(code)
    assert hetu.birth_date(code) == born
    assert hetu.individual_number(code) == number
    assert hetu.is_temporary(code) is (number >= 900)
    wrong = hetu.CHECK_CHARS[(hetu.CHECK_CHARS.index(code[-1]) + 1) % 31]
    assert not hetu.is_valid(code[:-1] + wrong)
