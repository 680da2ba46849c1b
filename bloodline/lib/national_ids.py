"""National identity numbers named by the rule sets' ``national_id.scheme``.

Both schemes are flagged unverified in the rule data: their defining texts (GB 11643-1999 for
China; the Vietnamese decree on citizen identity numbers) are not yet in the shared sources.

- ``cn_resident_identity_card``: 18 characters — a 6-digit address code, the date of birth
  YYYYMMDD, a 3-digit order code (odd for men, even for women) and an ISO 7064 MOD 11-2 check
  character (0–9 or X).
- ``vn_citizen_identity_card``: 12 digits — a 3-digit province code, one digit for century
  and sex (0/1: 1900s man/woman, 2/3: 2000s, 4/5: 2100s, 6/7: 2200s, 8/9: 1800s), the last two
  digits of the year of birth, and 6 digits.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_CN = re.compile(r"^[1-9][0-9]{5}(1[89]|20)[0-9]{2}(0[1-9]|1[0-2])[0-9]{2}[0-9]{3}[0-9X]$")
_VN = re.compile(r"^[0-9]{12}$")
_CN_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]  # 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
_CN_CHECK = "10X98765432"
_VN_CENTURY = {
    0: 1900,
    1: 1900,
    2: 2000,
    3: 2000,
    4: 2100,
    5: 2100,
    6: 2200,
    7: 2200,
    8: 1800,
    9: 1800,
}


class InvalidNationalId(ValueError):
    pass


@dataclass(frozen=True)
class IdentityFacts:
    """What the number itself says about its holder, to compare with what was entered."""

    date_of_birth: dt.date | None = None
    birth_year: int | None = None
    sex: str = ""


def cn_check_character(first17: str) -> str:
    return _CN_CHECK[sum(int(c) * w for c, w in zip(first17, _CN_WEIGHTS, strict=True)) % 11]


def _cn(number: str) -> IdentityFacts:
    if not _CN.match(number):
        raise InvalidNationalId(
            _("A resident identity number has 17 digits and a final digit or X.")
        )
    if cn_check_character(number[:17]) != number[17]:
        raise InvalidNationalId(
            _("The check character of this identity number is wrong: check for a mistyped digit.")
        )
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise InvalidNationalId(
            _("The date of birth inside this identity number does not exist.")
        ) from exc
    return IdentityFacts(
        date_of_birth=born, birth_year=born.year, sex="M" if int(number[16]) % 2 else "F"
    )


def _vn(number: str) -> IdentityFacts:
    if not _VN.match(number):
        raise InvalidNationalId(_("A citizen identity number has 12 digits."))
    province = int(number[:3])
    if not 1 <= province <= 96:
        raise InvalidNationalId(_("The first three digits are not a province code."))
    code = int(number[3])
    return IdentityFacts(
        birth_year=_VN_CENTURY[code] + int(number[4:6]), sex="M" if code % 2 == 0 else "F"
    )


def read(scheme: str, number: str) -> IdentityFacts:
    """Validate ``number`` under ``scheme`` and return what it encodes."""
    number = number.strip().upper().replace(" ", "")
    if scheme == "cn_resident_identity_card":
        return _cn(number)
    if scheme == "vn_citizen_identity_card":
        return _vn(number)
    return IdentityFacts()


def check_consistent(facts: IdentityFacts, date_of_birth: dt.date | None, sex: str) -> list[str]:
    """Problems between the number and the date of birth and sex entered beside it."""
    problems = []
    if facts.date_of_birth and date_of_birth and facts.date_of_birth != date_of_birth:
        problems.append(_("The date of birth does not match the identity number."))
    elif facts.birth_year and date_of_birth and facts.birth_year != date_of_birth.year:
        problems.append(_("The year of birth does not match the identity number."))
    if facts.sex and sex and facts.sex != sex:
        problems.append(_("The sex does not match the identity number."))
    return problems
