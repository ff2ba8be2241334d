"""Printable forms (IO-4) as PDF: one builder for filing forms, labels, slips and registers.

Chinese text is set in an embedded TrueType font (WenQuanYi Zen Hei from Debian's
fonts-wqy-zenhei, or the file named by KEHU_PDF_FONT), so the PDF reads the same everywhere and
its text can be extracted. Without such a font the built-in CID font STSong-Light is used (not
embedded: the viewer supplies it) and a warning is logged.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

logger = logging.getLogger(__name__)

FONT = "KehuSans"
_FALLBACK_FONT = "STSong-Light"
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
_registered: str | None = None


def register_fonts() -> str:
    """Register the Chinese font once per process and return its name."""
    global _registered
    if _registered:
        return _registered
    configured = getattr(settings, "KEHU_PDF_FONT", "")
    for candidate in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if candidate and Path(candidate).exists():
            index = {"subfontIndex": 0} if candidate.endswith(".ttc") else {}
            pdfmetrics.registerFont(TTFont(FONT, candidate, **index))
            _registered = FONT
            return FONT
    logger.warning("No CJK TrueType font found; PDFs use the non-embedded %s", _FALLBACK_FONT)
    pdfmetrics.registerFont(UnicodeCIDFont(_FALLBACK_FONT))
    _registered = _FALLBACK_FONT
    return _FALLBACK_FONT


def _text(value: Any) -> str:
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\n", "<br/>")


class Document:
    """A simple flowing document: headings, paragraphs, key/value blocks, tables, QR codes."""

    def __init__(self, title: str, author: str = "", subject: str = "") -> None:
        self.font = register_fonts()
        self.title, self.author, self.subject = str(title), str(author), str(subject)
        self.story: list[Flowable] = []
        self.styles = {
            "title": ParagraphStyle(
                "title", fontName=self.font, fontSize=16, leading=22, alignment=1, spaceAfter=4 * mm
            ),
            "heading": ParagraphStyle(
                "heading",
                fontName=self.font,
                fontSize=12,
                leading=16,
                spaceBefore=3 * mm,
                spaceAfter=2 * mm,
            ),
            "body": ParagraphStyle(
                "body", fontName=self.font, fontSize=10, leading=14, wordWrap="CJK"
            ),
            "small": ParagraphStyle(
                "small",
                fontName=self.font,
                fontSize=8,
                leading=11,
                textColor=colors.grey,
                wordWrap="CJK",
            ),
        }
        self.story.append(Paragraph(_text(self.title), self.styles["title"]))

    def heading(self, text: Any) -> None:
        self.story.append(Paragraph(_text(text), self.styles["heading"]))

    def paragraph(self, text: Any, style: str = "body") -> None:
        self.story.append(Paragraph(_text(text), self.styles[style]))

    def spacer(self, height_mm: float = 4) -> None:
        self.story.append(Spacer(1, height_mm * mm))

    def page_break(self) -> None:
        self.story.append(PageBreak())

    def _cell(self, value: Any) -> Paragraph:
        return Paragraph(_text(value), self.styles["body"])

    def table(
        self,
        rows: list[list[Any]],
        col_widths: list[float] | None = None,
        header: bool = True,
    ) -> None:
        """A bordered table; `col_widths` in millimetres (default: equal widths)."""
        if not rows:
            return
        data = [[self._cell(v) for v in row] for row in rows]
        widths = [w * mm for w in col_widths] if col_widths else None
        table = Table(data, colWidths=widths, repeatRows=1 if header else 0)
        style = [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")))
        table.setStyle(TableStyle(style))
        self.story.append(table)

    def key_values(self, pairs: list[tuple[Any, Any]], label_width_mm: float = 40) -> None:
        self.table(
            [[label, value] for label, value in pairs],
            col_widths=[label_width_mm, 170 - label_width_mm],
            header=False,
        )

    def signature_lines(self, rows: list[tuple[Any, Any, Any]]) -> None:
        """(role/step, name or outcome, date) rows, with room to sign."""
        self.table([[a, b, c, ""] for a, b, c in rows], col_widths=[40, 55, 35, 40], header=False)

    def qr(self, data: str, size_mm: float = 25) -> None:
        self.story.append(qr_drawing(data, size_mm))

    def build(self) -> bytes:
        buffer = io.BytesIO()
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        footer = f"{self.title} · {self.author} · {stamp}" if self.author else stamp

        def on_page(canvas: Any, doc: Any) -> None:
            canvas.saveState()
            canvas.setFont(self.font, 8)
            canvas.drawString(15 * mm, 10 * mm, footer)
            canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, str(doc.page))
            canvas.restoreState()

        template = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=20 * mm,
            rightMargin=20 * mm,
            topMargin=18 * mm,
            bottomMargin=18 * mm,
            title=self.title,
            author=self.author,
            subject=self.subject,
            creator="Kehu",
        )
        template.build(self.story, onFirstPage=on_page, onLaterPages=on_page)
        return buffer.getvalue()


def qr_drawing(data: str, size_mm: float = 25) -> Drawing:
    widget = QrCodeWidget(data)
    left, bottom, right, top = widget.getBounds()
    size = size_mm * mm
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    return drawing


def response(pdf_bytes: bytes, filename: str, inline: bool = True) -> HttpResponse:
    """The PDF as a download; the Chinese file name survives (RFC 6266 filename*)."""
    result = HttpResponse(pdf_bytes, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    ascii_name = filename.encode("ascii", "ignore").decode() or "document.pdf"
    result["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return result
