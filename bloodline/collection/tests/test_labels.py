"""DIN labels: bar-code data, flags, eye-readable text, PDF pages and ZPL for one donation."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from barcode.charsets.code128 import CODES, STOP
from weasyprint import HTML

from bloodline.collection import labels
from bloodline.lib.isbt128 import Din

DIN = "A999921123456"  # ST-001 Fig. 2: check character 3, Type 3 flag 63
CENTRE = "Trung tâm Huyết học — 血液中心"
DAY = dt.date(2025, 6, 14)


def _modules(svg: str) -> str:
    """The bar pattern of an SVG symbol, one character per 0.25 mm module."""
    width = float(re.search(r'<svg[^>]*width="([\d.]+)mm"', svg).group(1))
    bits = ["0"] * round(width / labels.X_MM)
    bars = re.findall(r'<rect x="([\d.]+)mm" y="[\d.]+mm" width="([\d.]+)mm"', svg)
    for x, w in bars:
        start = round(float(x) / labels.X_MM)
        for i in range(round(float(w) / labels.X_MM)):
            bits[start + i] = "1"
    return "".join(bits).strip("0")


def decode_code128(modules: str) -> str:
    """Read Code 128 back from its modules: symbol values, checksum, code sets B and C."""
    stop = STOP + "11"  # the stop symbol ends with a two-module termination bar
    assert modules.endswith(stop), "no stop pattern"
    body = modules[: -len(stop)]
    values = [CODES.index(body[i : i + 11]) for i in range(0, len(body), 11)]
    *data, check = values
    assert check == (data[0] + sum(i * v for i, v in enumerate(data[1:], 1))) % 103
    code = {104: "B", 105: "C"}[data[0]]
    text = ""
    for v in data[1:]:
        if code == "C" and v < 100:
            text += f"{v:02d}"
        elif code == "C":
            assert v == 100, "only code set B is expected besides C"
            code = "B"
        elif v == 99:
            code = "C"
        else:
            assert v < 95, "unexpected control value in code set B"
            text += chr(v + 32)
    return text


def test_the_label_set_is_bag_tubes_and_donor_record():
    found = [(lb.kind, lb.din.flags) for lb in labels.label_set(DIN)]
    assert found == [("bag", "63"), ("tube", "07"), ("tube", "06"), ("tube", "08")]


def test_a_nat_tube_can_be_added():
    flags = [lb.din.flags for lb in labels.label_set(DIN, tubes=("07", "06", "09"))]
    assert flags == ["63", "07", "06", "09", "08"]


def test_only_sample_tube_flags_make_tube_labels():
    with pytest.raises(ValueError):
        labels.label_set(DIN, tubes=("01",))


@pytest.mark.parametrize(
    ("din", "flag", "check"),
    [
        ("A999921123456", "63", "3"),
        ("G123417654321", "70", "A"),
        ("W000009123456", "76", "G"),
        ("A999818123456", "83", "N"),
    ],
)
def test_the_bag_label_carries_the_type3_check_flag_of_published_vectors(din, flag, check):
    bag = labels.label_set(din)[0]
    assert bag.scanned == f"={din}{flag}"
    assert bag.check == check


@pytest.mark.parametrize("index", range(4))
def test_each_bar_code_decodes_to_equals_din_and_flag(index):
    label = labels.label_set(DIN)[index]
    assert decode_code128(_modules(label.svg())) == label.scanned
    assert label.scanned == "=" + DIN + ("63", "07", "06", "08")[index]


def test_the_svg_is_inline_and_fetches_nothing():
    svg = labels.barcode_svg("=A99992112345663", height_mm=12)
    assert svg.startswith("<svg ")
    assert "DOCTYPE" not in svg and "<?xml" not in svg and "http://www.w3.org/Graphics" not in svg
    assert 'aria-label="=A99992112345663"' in svg
    assert 'height="12.000mm"' in svg  # bars at least 5 mm high


def test_the_eye_readable_din_is_grouped_with_the_check_character_boxed():
    html = labels.din_label_set_html(DIN, establishment=CENTRE, collected_on=DAY)
    assert (
        html.count('<span class="grouped">A9999 21 123456</span><span class="check">3</span>') == 4
    )
    assert CENTRE in html
    assert html.count("2025-06-14") == 4


def test_tube_flags_are_printed_and_the_type3_flag_is_not():
    html = labels.din_label_set_html(DIN, establishment=CENTRE, collected_on=DAY)
    assert re.findall(r'<span class="flag">(\d\d)</span>', html) == ["07", "06", "08"]
    assert '<span class="flag">63</span>' not in html


def test_the_pdf_has_one_page_per_label_in_label_sizes():
    html = labels.din_label_set_html(
        DIN, establishment=CENTRE, collected_on=DAY, tubes=("07", "06", "09")
    )
    document = HTML(string=html, url_fetcher=labels._refuse_fetch).render()
    sizes = [(round(p.width * 25.4 / 96), round(p.height * 25.4 / 96)) for p in document.pages]
    assert sizes == [(100, 50)] + [(50, 25)] * 4


def test_the_pdf_is_a_real_pdf():
    pdf = labels.din_label_set_pdf(DIN, establishment=CENTRE, collected_on=DAY)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")


def test_zpl_has_one_format_per_label_with_the_scanned_data():
    zpl = labels.din_label_set_zpl(DIN, establishment=CENTRE, collected_on=DAY)
    assert zpl.count("^XA") == zpl.count("^XZ") == 4
    assert "^FD=A99992112345663^FS" in zpl
    for flag in ("07", "06", "08"):
        assert f"^FD=A999921123456{flag}^FS" in zpl
    assert re.findall(r"\^BC[^^]*\^FD(=[^^]+)\^FS", zpl) == [
        "=A99992112345663",
        "=A99992112345607",
        "=A99992112345606",
        "=A99992112345608",
    ]
    assert zpl.count("^FDA9999 21 123456^FS") == 4
    assert zpl.count("^FD3^FS") == 4  # the boxed check character
    assert "2025-06-14" in zpl and "^CI28" in zpl


def test_zpl_escapes_printer_commands_in_names():
    zpl = labels.din_label_set_zpl(Din(DIN), establishment="A^XZ~B_C", collected_on=None)
    assert "^FDA_5EXZ_7EB_5FC^FS" in zpl
    assert zpl.count("^XZ") == 4
