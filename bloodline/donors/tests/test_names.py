"""Names compared without case, accents or spaces, as written in Vietnamese or Chinese."""

from __future__ import annotations

import pytest

from bloodline.donors.names import name_key, similar_names


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Nguyễn Thị Hoa", "NGUYEN THI HOA", True),
        ("Nguyễn Thị Hoa", "nguyen thihoa", True),
        ("Đặng Quang Tuấn", "dang quang tuan", True),
        ("Đỗ Văn Đức", "DO VAN DUC", True),
        ("王芳", "王 芳", True),
        ("王芳", "王芬", False),
        ("Nguyễn Thị Hoa", "Nguyễn Thị Hòa", True),  # tone marks are not compared
        ("Nguyễn Thị Hoa", "Nguyễn Thị Hoan", False),
        ("", "", False),
    ],
)
def test_it_compares_names_without_case_accents_or_spaces(a, b, same):
    assert similar_names(a, b) is same


def test_the_key_maps_d_with_stroke_to_d():
    assert name_key("Đinh Đạt") == "dinhdat"
