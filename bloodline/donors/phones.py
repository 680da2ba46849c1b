"""Phone numbers in E.164 (+84912345678), from what people write.

A small table of the countries the programme works in, not a full numbering plan: a
national number is read with the default region of the person's establishment, its trunk
prefix (0) dropped and its length checked; an international one (+ or 00) is kept as it is
after checking its length. Anything else cannot be normalised and is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEPARATORS = re.compile(r"[\s\-.()/]")
_DIGITS = re.compile(r"^\d+$")


@dataclass(frozen=True)
class Region:
    country_code: str
    trunk_prefix: str
    lengths: tuple[int, ...]  # national significant number lengths
    bare_lengths: tuple[int, ...]  # lengths accepted when written without the trunk prefix


REGIONS = {
    # Mobile 9 digits (09x, 03x…), landline 10 (02x + 8 digits), without the leading 0.
    "VN": Region("84", "0", (9, 10), (9, 10)),
    # Mobile 11 digits (1xx…, dialled without 0); landline 0 + area code + number, 10 or 11
    # digits without the 0.
    "CN": Region("86", "0", (10, 11), (11,)),
}
_BY_CODE = {r.country_code: r for r in REGIONS.values()}


class InvalidPhone(ValueError):
    pass


def _international(digits: str) -> str:
    # A known country: drop a trunk 0 typed after the country code (+84 0912…) and check length.
    for code, region in _BY_CODE.items():
        if digits.startswith(code):
            national = digits[len(code) :]
            if national.startswith(region.trunk_prefix):
                national = national[len(region.trunk_prefix) :]
            if len(national) not in region.lengths:
                raise InvalidPhone(digits)
            return f"+{code}{national}"
    if not 8 <= len(digits) <= 15 or digits.startswith("0"):
        raise InvalidPhone(digits)
    return f"+{digits}"


def normalise(raw: str, region: str = "") -> str:
    """``raw`` in E.164, reading a national number in ``region`` (ISO 3166 alpha-2).

    Raises ``InvalidPhone`` when the number cannot be read. An empty number stays empty.
    """
    text = _SEPARATORS.sub("", raw.strip())
    if not text:
        return ""
    if text.startswith("+"):
        digits = text[1:]
    elif text.startswith("00"):
        digits = text[2:]
    else:
        digits = ""
    if digits:
        if not _DIGITS.match(digits):
            raise InvalidPhone(raw)
        return _international(digits)
    if not _DIGITS.match(text):
        raise InvalidPhone(raw)
    known = REGIONS.get(region.upper())
    if known is None:
        raise InvalidPhone(raw)
    if text.startswith(known.trunk_prefix):
        national, lengths = text[len(known.trunk_prefix) :], known.lengths
    else:
        national, lengths = text, known.bare_lengths
    if len(national) not in lengths:
        raise InvalidPhone(raw)
    return f"+{known.country_code}{national}"


def index_form(stored: str) -> str:
    """The one form a stored phone is indexed under: E.164. A national number kept from
    before numbers were normalised is read in the one known region that accepts it; one that
    no region (or more than one) reads is indexed as written, without separators."""
    text = _SEPARATORS.sub("", stored.strip())
    if not text:
        return ""
    try:
        return normalise(text)
    except InvalidPhone:
        pass
    readings = set()
    for region in REGIONS:
        try:
            readings.add(normalise(text, region))
        except InvalidPhone:
            continue
    return readings.pop() if len(readings) == 1 else text
