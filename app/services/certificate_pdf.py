"""A certificate as a one-page PDF (A4 or US Letter, landscape) with a QR code of its verify link.

fpdf2 writes the PDF and segno the QR code; the font (DejaVu Sans, app/static/fonts/) is embedded,
and nothing is fetched from the network while rendering.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from app.models import Certificate

if TYPE_CHECKING:
    from fpdf import FPDF

FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"
PAPERS = {"a4": "A4", "letter": "Letter"}
INK = (33, 37, 41)
ACCENT = (23, 78, 166)
MUTED = (96, 103, 112)


def _qr_png(url: str) -> io.BytesIO:
    import segno

    image = io.BytesIO()
    segno.make(url, error="m").save(image, kind="png", scale=8, border=0, dark="#212529")
    image.seek(0)
    return image


def _centred(pdf: FPDF, text: str, size: float, bold: bool = False, color: tuple = INK) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", size)
    pdf.set_text_color(*color)
    pdf.multi_cell(0, size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")


def render_certificate(certificate: Certificate, verify_url: str, paper: str = "a4") -> bytes:
    """The certificate's PDF; `paper` is "a4" or "letter"."""
    # Imported on the first PDF, not at start-up: fpdf2 and segno add ~0.3 s and ~15 MB to every
    # worker, most of which never render a certificate.
    from fpdf import FPDF

    pdf = FPDF(orientation="landscape", unit="mm", format=PAPERS[paper])
    pdf.set_title(f"Certificate: {certificate.course_title}")
    pdf.set_author("Rapport")
    pdf.set_creation_date(certificate.issued_at)
    pdf.add_font("DejaVu", "", FONTS / "DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", FONTS / "DejaVuSans-Bold.ttf")
    pdf.set_auto_page_break(False)
    pdf.set_margins(30, 25, 30)
    pdf.add_page()
    width, height = pdf.w, pdf.h
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, width - 20, height - 20)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, width - 26, height - 26)

    pdf.set_y(40)
    _centred(pdf, "CERTIFICATE OF COMPLETION", 13, bold=True, color=ACCENT)
    pdf.ln(10)
    _centred(pdf, "This certifies that", 13, color=MUTED)
    pdf.ln(4)
    _centred(pdf, certificate.learner_name, 30, bold=True)
    pdf.ln(4)
    _centred(pdf, "has completed the course", 13, color=MUTED)
    pdf.ln(4)
    _centred(pdf, certificate.course_title, 20, bold=True, color=ACCENT)
    pdf.ln(4)
    issued = f"{certificate.issued_at:%d %B %Y}".lstrip("0")
    _centred(
        pdf, f"Issued {issued} · course version {certificate.content_version}", 11, color=MUTED
    )

    qr_size = 34
    qr_x, qr_y = width - 30 - qr_size, height - 25 - qr_size
    pdf.image(_qr_png(verify_url), x=qr_x, y=qr_y, w=qr_size, h=qr_size)
    pdf.set_xy(30, qr_y + 6)
    pdf.set_font("DejaVu", "B", 10)
    pdf.set_text_color(*INK)
    pdf.cell(qr_x - 40, 6, "Check this certificate at", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(qr_x - 40, 5, verify_url, link=verify_url, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*MUTED)
    pdf.cell(qr_x - 40, 6, f"Verification code: {certificate.code}")
    return bytes(pdf.output())
