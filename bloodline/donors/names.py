"""Comparing people's names as written in Vietnamese, Chinese or any other script.

Names are stored as written. To find the same person typed differently ("Nguyễn Thị Hoa",
"NGUYEN THI HOA", "Nguyen Thihoa") they are compared through a key without case, accents or
spaces. Vietnamese đ is a letter of its own, not d with a mark, so NFKD leaves it alone: it
is mapped to d by hand. Chinese characters pass through unchanged.
"""

from __future__ import annotations

import unicodedata

_LETTERS = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"})


def name_key(name: str) -> str:
    """The comparison key of a name: no case, accents or spaces."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_LETTERS))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(bare.casefold().split())


def similar_names(a: str, b: str) -> bool:
    key = name_key(a)
    return bool(key) and key == name_key(b)
