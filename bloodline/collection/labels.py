"""DIN labels: the bag label, sample-tube labels and the donor-record label of one donation, as
a PDF (WeasyPrint, from an HTML template) or as ZPL for thermal printers; and sheets of blank
labels pre-printed with newly reserved DINs (domain/isbt128.md §2–4, §9, §10).

Only DIN labels live here. Blood-group and product labels come with release, and the project
ships no product-code table (§1).

Every label carries the Code 128 symbol of the scanned data ``=`` + DIN + flag, the
eye-readable DIN grouped ``A9999 21 123456`` with the keyboard check character in a box, the
collecting establishment's name and the collection date (blank on pre-printed labels).
The bag label carries the Type 3 flag (60 + checksum), so a scan proves the DIN is whole;
the tubes and the record label carry their Type 1 flag, printed rotated beside the DIN.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from barcode import Code128
from barcode.writer import SVGWriter
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bloodline.accounts.models import User
from bloodline.audit.record import record
from bloodline.collection import dins
from bloodline.drives.models import Drive, DriveStatus, LabelSet
from bloodline.jobs.tasks import Progress
from bloodline.lib.isbt128 import Din, parse, type3_flag
from bloodline.organisations import access
from bloodline.organisations.models import Organisation
from bloodline.organisations.roles import Perm

# Type 1 flags of the DIN label set [S1 §3.1 Table 3].
PILOT_TUBE = "06"
TEST_TUBE = "07"
DONOR_RECORD = "08"
NAT_TUBE = "09"
SAMPLE_FLAGS = frozenset({PILOT_TUBE, TEST_TUBE, NAT_TUBE})
DEFAULT_TUBES = (TEST_TUBE, PILOT_TUBE)
# At most this many DINs are reserved and pre-printed in one go.
MAX_PREPRINT = 500

# Code 128 geometry [S1 §6.1]: X-dimension 0.25 mm, quiet zone 10 X, bars at least 5 mm.
X_MM = 0.25
QUIET_ZONE_MM = 10 * X_MM
BAR_HEIGHT_MM = {"bag": 12.0, "tube": 8.0}
# ZPL at 203 dpi: 8 dots a millimetre, so X = 2 dots.
DOTS_PER_MM = 8
ZPL_PAGE_MM = {"bag": (100, 50), "tube": (50, 25)}

KIND_NAMES = {
    "bag": gettext_lazy("Blood bag"),
    PILOT_TUBE: gettext_lazy("Pilot tube"),
    TEST_TUBE: gettext_lazy("Test tube"),
    NAT_TUBE: gettext_lazy("NAT tube"),
    DONOR_RECORD: gettext_lazy("Donor record"),
}


@dataclass(frozen=True)
class Label:
    """One label of a set: which item it goes on and the DIN with its flag."""

    kind: str  # "bag" (100 × 50 mm) or "tube" (50 × 25 mm, also the record label)
    din: Din

    @property
    def scanned(self) -> str:
        """What the bar code carries: ``=`` + DIN + flag."""
        return self.din.barcode_data()

    @property
    def grouped(self) -> str:
        return f"{self.din.din[:5]} {self.din.din[5:7]} {self.din.din[7:]}"

    @property
    def check(self) -> str:
        return self.din.check

    @property
    def printed_flag(self) -> str:
        """Type 1 flags are printed (rotated); Type 3 flags never are [S1 §7.4.1]."""
        return "" if self.kind == "bag" else self.din.flags

    @property
    def name(self) -> str:
        return str(KIND_NAMES["bag" if self.kind == "bag" else self.din.flags])

    def svg(self) -> str:
        return barcode_svg(self.scanned, height_mm=BAR_HEIGHT_MM[self.kind])


def _din(din: Din | str) -> Din:
    return din if isinstance(din, Din) else parse(din)


def label_set(
    din: Din | str, *, tubes: Sequence[str] = DEFAULT_TUBES, donor_record: bool = True
) -> list[Label]:
    """The labels of one donation: bag, the sample tubes asked for, then the record label."""
    base = _din(din).din
    unknown = [f for f in tubes if f not in SAMPLE_FLAGS]
    if unknown:
        raise ValueError(f"not a sample-tube flag: {unknown}")
    labels = [Label("bag", Din(base, type3_flag(base)))]
    labels += [Label("tube", Din(base, flag)) for flag in tubes]
    if donor_record:
        labels.append(Label("tube", Din(base, DONOR_RECORD)))
    return labels


_SVG_START = re.compile(r"<svg\b")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
# Presentation attributes instead of style="fill:…": the HTML parser reads style attributes
# as CSS, where fill is unknown; and no id, which repeats once per symbol on a sheet.
_FILL_STYLE = re.compile(r'style="fill:\s*(\w+);?"')
_GROUP_ID = re.compile(r' id="barcode_group"')


def barcode_svg(data: str, *, height_mm: float) -> str:
    """Inline SVG of the Code 128 symbol of ``data``: no XML prologue, no DOCTYPE (whose URL
    nothing must fetch), no text under the bars (the label prints its own)."""
    raw = (
        Code128(data, writer=SVGWriter())
        .render(
            {
                "module_width": X_MM,
                "module_height": height_mm,
                "quiet_zone": QUIET_ZONE_MM,
                "write_text": False,
                "margin_top": 0,
                "margin_bottom": 0,
            }
        )
        .decode()
    )
    start = _SVG_START.search(raw)
    assert start is not None
    svg = _COMMENT.sub("", raw[start.start() :])
    svg = _GROUP_ID.sub("", _FILL_STYLE.sub(r'fill="\1"', svg))
    return svg.replace("<svg ", f'<svg role="img" aria-label="{data}" ', 1)


# PDF ----------------------------------------------------------------------------------------


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    """Labels are self-contained: nothing is fetched, not even a file."""
    raise ValueError(f"labels fetch nothing: {url}")


def _sets_html(sets: Iterable[dict[str, Any]]) -> str:
    return render_to_string("collection/labels/labels.html", {"sets": list(sets)})


def _render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy import, only where a PDF is made

    pdf = HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def din_label_set_html(
    din: Din | str,
    *,
    establishment: str,
    collected_on: dt.date | None,
    tubes: Sequence[str] = DEFAULT_TUBES,
    donor_record: bool = True,
) -> str:
    """The HTML the PDF is made from (for tests and previews)."""
    labels = label_set(din, tubes=tubes, donor_record=donor_record)
    return _sets_html(
        [{"labels": labels, "establishment": establishment, "collected_on": collected_on}]
    )


def din_label_set_pdf(
    din: Din | str,
    *,
    establishment: str,
    collected_on: dt.date | None,
    tubes: Sequence[str] = DEFAULT_TUBES,
    donor_record: bool = True,
) -> bytes:
    """One donation's labels, one label a page (100 × 50 mm bag, 50 × 25 mm others)."""
    return _render_pdf(
        din_label_set_html(
            din,
            establishment=establishment,
            collected_on=collected_on,
            tubes=tubes,
            donor_record=donor_record,
        )
    )


def preprinted_sheet_html(
    numbers: Sequence[Din],
    *,
    establishment: str,
    tubes: Sequence[str] = DEFAULT_TUBES,
    donor_record: bool = True,
) -> str:
    """Label sets for reserved DINs, the collection date left blank to write in."""
    return _sets_html(
        {
            "labels": label_set(din, tubes=tubes, donor_record=donor_record),
            "establishment": establishment,
            "collected_on": None,
        }
        for din in numbers
    )


# A sheet is drawn this many label sets at a time, so a task's bar moves between parts
# (decision 0044); the parts' pages are joined into one PDF. An engineering choice.
SHEET_PART = 10
# Stage codes reported to a task's progress; words in ``label_tasks``.
DRAWING, WRITING = "drawing", "writing"


def preprinted_sheet_pdf(
    numbers: Sequence[Din],
    *,
    establishment: str,
    tubes: Sequence[str] = DEFAULT_TUBES,
    donor_record: bool = True,
    progress: Progress | None = None,
) -> bytes:
    """The label sets of ``numbers``, one label a page; ``progress`` counts the sets drawn."""
    from weasyprint import HTML  # heavy import, only where a PDF is made

    if progress is not None:
        progress.phase(DRAWING, len(numbers))
    documents = []
    for start in range(0, len(numbers), SHEET_PART):
        part = numbers[start : start + SHEET_PART]
        html = preprinted_sheet_html(
            part, establishment=establishment, tubes=tubes, donor_record=donor_record
        )
        documents.append(HTML(string=html, url_fetcher=_refuse_fetch).render())
        if progress is not None:
            progress.advance(len(part))
    if progress is not None:
        progress.stage(WRITING)
    pages = [page for document in documents for page in document.pages]
    pdf = documents[0].copy(pages).write_pdf()
    assert pdf is not None
    return bytes(pdf)


# ZPL ----------------------------------------------------------------------------------------


def _zpl_text(value: str) -> str:
    """Field data safe for ^FH: the command prefixes and the hex indicator are escaped, line
    breaks dropped. UTF-8 passes as is under ^CI28 (the printer needs a font that has the
    glyphs, e.g. one downloaded and chosen with ^A@)."""
    value = " ".join(value.split())
    return value.replace("_", "_5F").replace("^", "_5E").replace("~", "_7E")


def _dots(mm: float) -> int:
    return round(mm * DOTS_PER_MM)


def _zpl_label(label: Label, establishment: str, collected_on: dt.date | None) -> str:
    width, height = ZPL_PAGE_MM[label.kind]
    big = label.kind == "bag"
    left = _dots(QUIET_ZONE_MM)
    bar = _dots(BAR_HEIGHT_MM[label.kind])
    text = _dots(5 if big else 3)
    small = _dots(3 if big else 2)
    y_text = _dots(2) + bar + _dots(1.5)
    # Font 0 is proportional; digits run about 0.6 of the height wide.
    x_check = left + round(len(label.grouped) * text * 0.6) + _dots(1)
    lines = [
        "^XA",
        "^CI28",
        f"^PW{_dots(width)}",
        f"^LL{_dots(height)}",
        f"^FO{left},{_dots(2)}^BY2^BCN,{bar},N,N,N,A^FD{label.scanned}^FS",
        f"^FO{left},{y_text}^A0N,{text},{text}^FD{label.grouped}^FS",
        f"^FO{x_check - 4},{y_text - 4}^GB{text},{text + 4},2^FS",
        f"^FO{x_check + 4},{y_text}^A0N,{text},{text}^FD{label.check}^FS",
    ]
    if label.printed_flag:
        lines.append(
            f"^FO{x_check + text + 8},{y_text}^A0R,{small},{small}^FD{label.printed_flag}^FS"
        )
    y = y_text + text + _dots(1)
    lines.append(f"^FO{left},{y}^A0N,{small},{small}^FH^FD{_zpl_text(establishment)}^FS")
    when = collected_on.isoformat() if collected_on else "____-__-__"
    lines.append(
        f"^FO{left},{y + small + 4}^A0N,{small},{small}^FH"
        f"^FD{_zpl_text(_('Collected %(date)s') % {'date': when})}^FS"
    )
    lines.append("^XZ")
    return "\n".join(lines)


def din_label_set_zpl(
    din: Din | str,
    *,
    establishment: str,
    collected_on: dt.date | None,
    tubes: Sequence[str] = DEFAULT_TUBES,
    donor_record: bool = True,
) -> str:
    """One ^XA … ^XZ format per label, in the order of ``label_set``."""
    labels = label_set(din, tubes=tubes, donor_record=donor_record)
    return "\n".join(_zpl_label(lb, establishment, collected_on) for lb in labels) + "\n"


# Pre-printing -------------------------------------------------------------------------------


def local_today(establishment: Organisation) -> dt.date:
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(establishment.effective_time_zone()))


# A label set is printed for a drive that has not ended yet (decision 0021).
PREPRINT_STATUSES = frozenset({DriveStatus.PROPOSED, DriveStatus.CONFIRMED, DriveStatus.RUNNING})


def _runs(numbers: Sequence[Din]) -> list[tuple[int, int]]:
    """Consecutive sequence runs (the allocator may have skipped a number already taken)."""
    runs: list[tuple[int, int]] = []
    for n in (d.sequence for d in numbers):
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


@transaction.atomic
def preprint_dins(*, by: User, drive: Drive, count: int) -> list[Din]:
    """Reserve ``count`` DINs of the drive's establishment for pre-printed labels and record
    them as the drive's label set. The numbers are taken for good: at the drive's
    reconciliation each one is used, voided or listed as printed but unused."""
    access.require(by, Perm.DONATION_RECORD, drive.establishment)
    if drive.status not in PREPRINT_STATUSES:
        raise ValidationError(
            {"drive": [_("Labels are pre-printed for a drive that has not ended.")]}
        )
    if not 1 <= count <= MAX_PREPRINT:
        raise ValidationError(
            {
                "count": [
                    _("Pre-print between 1 and %(max)s donation numbers at a time.")
                    % {"max": MAX_PREPRINT}
                ]
            }
        )
    on = local_today(drive.establishment)
    numbers = [dins.allocate(establishment=drive.establishment, on=on) for _n in range(count)]
    now = timezone.now()
    prefix = numbers[0].din[:7]
    for first, last in _runs(numbers):
        LabelSet.objects.create(
            drive=drive,
            fin=prefix[:5],
            year=int(prefix[5:7]),
            first=first,
            last=last,
            printed_by=by,
            printed_at=now,
        )
    record(
        by=by,
        action="din.preprint",
        obj=drive,
        changes={
            "first": [None, numbers[0].din],
            "last": [None, numbers[-1].din],
            "count": [None, count],
        },
    )
    return numbers
