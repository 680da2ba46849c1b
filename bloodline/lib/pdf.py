"""PDF from HTML with WeasyPrint: self-contained documents, nothing fetched."""

from __future__ import annotations

from typing import Any


def refuse_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    """Documents are self-contained: nothing is fetched, not even a file."""
    raise ValueError(f"documents fetch nothing: {url}")


def render_pdf(html: str) -> bytes:
    """The PDF of ``html`` (fonts from the system: Noto Sans and Noto Sans CJK)."""
    from weasyprint import HTML  # heavy import, only where a PDF is made

    pdf = HTML(string=html, url_fetcher=refuse_fetch).write_pdf()
    assert pdf is not None
    return bytes(pdf)
