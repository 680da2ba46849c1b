"""ISBT 128 Donation Identification Numbers: parse, validate, check character, format.

Structures and algorithms only (ICCBBA ST-001 [S1]); the project ships no product-code table
(domain/isbt128.md §1). Facility identification numbers are deployment configuration.

A scanned DIN is ``=αppppyynnnnnnff``: the data identifier ``=``, the 13-character DIN
``αppppyynnnnnn`` (FIN ``αpppp``, nominal year ``yy``, sequence ``nnnnnn``) and two flag
characters that are not part of the DIN [S1 §2.4.1].
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"  # values 0–36 [S1 App. A]
MODULUS = 37  # ISO/IEC 7064 MOD 37-2 [S1 App. A; S3]
TYPE3_BASE = 60  # Type 3 flag = 60 + checksum [S1 §3.1 Table 3]

# FIN first character A–N, P–Z, 1–9; then two of A–N, P–Z, 0–9; then two digits [S1 §2.4.1].
FIN_PATTERN = r"^[A-NP-Z1-9][A-NP-Z0-9]{2}[0-9]{2}$"  # [S1 §2.4.1]
DIN_PATTERN = r"^[A-NP-Z1-9][A-NP-Z0-9]{2}[0-9]{10}$"  # FIN + year (2) + sequence (6) [S1 §2.4.1]
_DIN = re.compile(DIN_PATTERN)
_TYPE1 = {f"{n:02d}" for n in [*range(0, 14), *range(15, 20)]}  # [S1 Table 3]
_TYPE2 = {f"{n:02d}" for n in range(20, 60)}  # locally defined per FIN [S1 Table 3]


class DinError(ValueError):
    """A scanned or typed DIN that must not be used, with a reason people can read."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def check_value(data: str) -> int:
    """ISO/IEC 7064 MOD 37-2 checksum (0–36) of ``data`` (the 13 DIN characters)."""
    s = 0
    for char in data:
        position = ALPHABET.find(char)
        if position < 0 or char == "*":
            raise DinError("character", str(_("A DIN contains only digits and capital letters.")))
        s = ((s + position) * 2) % MODULUS
    return (MODULUS + 1 - s) % MODULUS


def check_character(din13: str) -> str:
    """The keyboard check character K printed in a box after the DIN."""
    return ALPHABET[check_value(din13)]


def type3_flag(din13: str) -> str:
    """The Type 3 flag carrying the checksum in the bar code (60–96)."""
    return f"{TYPE3_BASE + check_value(din13):02d}"


@dataclass(frozen=True)
class Din:
    din: str  # the 13 characters
    flags: str = "00"

    @property
    def facility(self) -> str:
        return self.din[:5]

    @property
    def year(self) -> str:
        return self.din[5:7]

    @property
    def sequence(self) -> int:
        return int(self.din[7:])

    @property
    def check(self) -> str:
        return check_character(self.din)

    def eye_readable(self) -> str:
        """``A9999 21 123456`` and the check character, as printed under the bar code."""
        return f"{self.din[:5]} {self.din[5:7]} {self.din[7:]} {self.check}"

    def barcode_data(self, flags: str | None = None) -> str:
        return f"={self.din}{flags if flags is not None else self.flags}"


def validate_din(din13: str) -> str:
    din13 = din13.strip().upper()
    if len(din13) != 13 or not _DIN.match(din13):
        raise DinError(
            "shape",
            str(_("A DIN has 13 characters: facility code (5), year (2) and sequence (6).")),
        )
    return din13


def _check_flags(din13: str, flags: str) -> None:
    if flags in _TYPE1 or flags in _TYPE2:
        return
    if flags.isdigit() and 60 <= int(flags) <= 96:
        if flags != type3_flag(din13):
            raise DinError(
                "check", str(_("The DIN's check flag does not match: mis-scan or typo."))
            )
        return
    raise DinError("flags", str(_("The DIN's flag characters are not valid.")))


def parse(text: str) -> Din:
    """Read a DIN as scanned (``=`` + 13 + 2 flags), typed with its check character
    (13 + K), or bare (13). A check character or Type 3 flag that does not match is refused."""
    raw = text.strip().upper().replace(" ", "")
    if raw.startswith("="):
        if len(raw) != 16:
            raise DinError("shape", str(_("A scanned DIN has 16 characters including “=”.")))
        din13, flags = validate_din(raw[1:14]), raw[14:16]
        _check_flags(din13, flags)
        return Din(din13, flags)
    if len(raw) == 14:
        din13 = validate_din(raw[:13])
        if raw[13] != check_character(din13):
            raise DinError("check", str(_("The check character does not match: mis-scan or typo.")))
        return Din(din13)
    return Din(validate_din(raw))


def parse_entered(text: str) -> Din:
    """Read a DIN entered at collection or voiding: scanned, or typed by hand *with* its
    check character. A bare 13-character DIN is refused: without K a single mistyped digit
    gives another valid-looking number; on manual entry K is compared [S1 §7.5, App. A]."""
    raw = text.strip().upper().replace(" ", "")
    if not raw.startswith("=") and len(raw) == 13:
        validate_din(raw)
        raise DinError(
            "no_check",
            str(
                _(
                    "Type the DIN with its check character (the boxed character after the "
                    "number), or scan the label."
                )
            ),
        )
    return parse(raw)


# --- Blood groups (DS002 ``=%ggre``) and product codes (DS003 ``=<αooootds``) [S1] ---

# ``gg`` for "intended use not specified" [S1 Tables 4–6; isbt128.md §7].
GROUP_CODES = {
    ("O", "neg"): "95",
    ("O", "pos"): "51",
    ("A", "neg"): "06",
    ("A", "pos"): "62",
    ("B", "neg"): "17",
    ("B", "pos"): "73",
    ("AB", "neg"): "28",
    ("AB", "pos"): "84",
}
_GROUPS_BY_CODE = {code: group for group, code in GROUP_CODES.items()}
_PRODUCT = re.compile(r"^=<([A-Z][A-Z0-9]{4})([A-Z0-9])([A-Z0-9][a-z0-9])$")  # [S1 §2.4.3]


def blood_group_data(abo: str, rhd: str) -> str:
    """The DS002 bar-code data for a group, no phenotype: O RhD positive is ``=%5100``."""
    return f"=%{GROUP_CODES[(abo, rhd)]}00"


def parse_blood_group(text: str) -> tuple[str, str]:
    """``(abo, rhd)`` from a scanned DS002; refuses anything but a plain ABO/RhD group."""
    raw = text.strip()
    if len(raw) != 6 or not raw.startswith("=%"):
        raise DinError("group", str(_("This is not a blood-group bar code (=% and 4 characters).")))
    group = _GROUPS_BY_CODE.get(raw[2:4])
    if group is None:
        raise DinError("group", str(_("This blood-group code does not name an ABO/RhD group.")))
    return group


def product_code_data(code: str, division: str = "00", collection_type: str = "V") -> str:
    """The DS003 bar-code data: ``=<`` + product code + type of collection + division."""
    return f"=<{code}{collection_type}{division}"


def parse_product_code(text: str) -> tuple[str, str]:
    """``(product code, division)`` from a scanned DS003 (10 characters with ``=<``)."""
    match = _PRODUCT.match(text.strip())
    if match is None:
        raise DinError(
            "product", str(_("This is not a product-code bar code (=< and 8 characters)."))
        )
    return match.group(1), match.group(3)
