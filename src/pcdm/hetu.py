"""Finnish personal identity code (henkilötunnus) `DDMMYYCZZZQ`: validation, parsing and generation.

`DDMMYY` is the birth date, `C` the century sign (`+` 1800s; `-` `Y` `X` `W` `V` `U` 1900s;
`A` `B` `C` `D` `E` `F` 2000s), `ZZZ` the individual number (002-899 permanent, odd for men and
even for women; 900-999 a temporary identifier) and `Q` the check character
`0123456789ABCDEFHJKLMNPRSTUVWXY[int(DDMMYYZZZ) mod 31]`; the sign is not part of the checksum.
Since 2023 two people may share `DDMMYYZZZQ` under different signs of one century, so the whole
11-character code is the key and one sign is never mapped to another.

The validators are strict: `is_valid(" 131052-308t ")` is false; callers `normalise` first.
`make_many` builds millions of codes at once with numpy for the synthetic county generator.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np

CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY_BY_SIGN: dict[str, int] = {
    "+": 1800,
    "-": 1900,
    "Y": 1900,
    "X": 1900,
    "W": 1900,
    "V": 1900,
    "U": 1900,
    "A": 2000,
    "B": 2000,
    "C": 2000,
    "D": 2000,
    "E": 2000,
    "F": 2000,
}
SIGNS_BY_CENTURY: dict[int, tuple[str, ...]] = {
    1800: ("+",),
    1900: ("-", "Y", "X", "W", "V", "U"),
    2000: ("A", "B", "C", "D", "E", "F"),
}
DEFAULT_SIGN: dict[int, str] = {1800: "+", 1900: "-", 2000: "A"}
FIRST_PERMANENT = 2
LAST_PERMANENT = 899
FIRST_TEMPORARY = 900
LAST_TEMPORARY = 999

_PATTERN = re.compile(r"[0-9]{6}[-+A-FU-Y][0-9]{3}[0-9A-FHJ-NPR-Y]")


def normalise(code: str) -> str:
    """The code as it should be validated: surrounding whitespace removed, upper case."""
    return code.strip().upper()


def check_char(ddmmyy: str, individual_number: int) -> str:
    """The check character of date part `DDMMYY` and individual number `ZZZ`."""
    return CHECK_CHARS[int(f"{ddmmyy}{individual_number:03d}") % 31]


def _parse_date(code: str) -> date | None:
    century = CENTURY_BY_SIGN.get(code[6])
    if century is None:
        return None
    try:
        return date(century + int(code[4:6]), int(code[2:4]), int(code[0:2]))
    except ValueError:
        return None


def is_valid(code: str) -> bool:
    """True for a well-formed code: real date, known sign, number 002-999, right check char.

    The string is validated as given (no trimming or case folding): normalise first.
    """
    if not isinstance(code, str) or _PATTERN.fullmatch(code) is None:
        return False
    if _parse_date(code) is None:
        return False
    number = int(code[7:10])
    if number < FIRST_PERMANENT:
        return False
    return check_char(code[0:6], number) == code[10]


def _require_valid(code: str) -> None:
    if not is_valid(code):
        raise ValueError(f"not a valid personal identity code: {code!r}")


def birth_date(code: str) -> date:
    """The birth date a valid code encodes (ValueError for an invalid code)."""
    _require_valid(code)
    parsed = _parse_date(code)
    assert parsed is not None
    return parsed


def individual_number(code: str) -> int:
    """The individual number `ZZZ` of a valid code."""
    _require_valid(code)
    return int(code[7:10])


def is_temporary(code: str) -> bool:
    """True for a temporary identifier (individual number 900-999)."""
    return individual_number(code) >= FIRST_TEMPORARY


def sex_code(code: str) -> str:
    """`1` (male, odd individual number) or `2` (female, even) of a valid code."""
    return "1" if individual_number(code) % 2 == 1 else "2"


def make(born: date, number: int, sign: str | None = None) -> str:
    """The code of a birth date, individual number (2-999) and century sign (default: classic)."""
    century = born.year // 100 * 100
    if century not in SIGNS_BY_CENTURY:
        raise ValueError(f"no century sign for year {born.year}")
    sign = DEFAULT_SIGN[century] if sign is None else sign
    if sign not in SIGNS_BY_CENTURY[century]:
        raise ValueError(f"sign {sign!r} does not belong to the {century}s")
    if not FIRST_PERMANENT <= number <= LAST_TEMPORARY:
        raise ValueError(f"individual number {number} is outside 002-999")
    ddmmyy = born.strftime("%d%m") + f"{born.year % 100:02d}"
    return f"{ddmmyy}{sign}{number:03d}{check_char(ddmmyy, number)}"


_CHECK_BYTES = np.frombuffer(CHECK_CHARS.encode("ascii"), dtype=np.uint8)
_ZERO = ord("0")


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """ASCII digit matrix (n, width) of non-negative integers, zero padded."""
    out = np.empty((values.size, width), dtype=np.uint8)
    rest = values.astype(np.int64)
    for position in range(width - 1, -1, -1):
        out[:, position] = _ZERO + rest % 10
        rest //= 10
    return out


def make_many(born: np.ndarray, numbers: np.ndarray, signs: np.ndarray) -> np.ndarray:
    """Vectorised `make`: codes as a numpy `S11` array.

    born: `datetime64[D]` birth dates; numbers: individual numbers 2-999; signs: one-byte century
    signs (`S1`), which the caller chooses consistently with the birth year.
    """
    born = np.asarray(born, dtype="datetime64[D]")
    years = born.astype("datetime64[Y]").astype(np.int64) + 1970
    months = born.astype("datetime64[M]").astype(np.int64) % 12 + 1
    days = (born - born.astype("datetime64[M]")).astype(np.int64) + 1
    ddmmyy = days * 10000 + months * 100 + years % 100
    numbers = np.asarray(numbers, dtype=np.int64)
    out = np.empty((born.size, 11), dtype=np.uint8)
    out[:, 0:6] = _digits(ddmmyy, 6)
    out[:, 6] = np.frombuffer(np.asarray(signs, dtype="S1").tobytes(), dtype=np.uint8)
    out[:, 7:10] = _digits(numbers, 3)
    out[:, 10] = _CHECK_BYTES[(ddmmyy * 1000 + numbers) % 31]
    return out.view("S11").reshape(born.size)


def default_signs(born: np.ndarray) -> np.ndarray:
    """The classic century sign (`+`, `-`, `A`) of each birth date, as an `S1` array."""
    years = np.asarray(born, dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    return np.where(years >= 2000, b"A", np.where(years >= 1900, b"-", b"+")).astype("S1")
