"""QR codes drawn as inline SVG on the server (segno: pure Python, nothing fetched)."""

from __future__ import annotations

import segno
from django.utils.html import escape


def qr_svg(data: str, *, scale: int = 4, label: str = "") -> str:
    """The QR code of ``data`` as an inline ``<svg>`` element (no XML prologue), medium error
    correction (a scuffed printed card still scans), labelled for screen readers."""
    svg = str(segno.make(data, error="m").svg_inline(scale=scale, omitsize=True))
    if label:
        svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return svg
