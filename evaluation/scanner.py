"""Typeset a text as an administrative document, and make page images look scanned.

Used by ``corpus/tools/make_samples.py`` (the sample .docx, text PDF and scanned page) and by
``evaluation/ocr_benchmark.py`` (pages of real documents). Typesetting: python-docx writes a .docx
in the usual layout (a two-column letterhead table, Liberation Serif 13 pt, justified body),
LibreOffice turns it into a PDF with a text layer, PDFium renders the pages. Scanning: a page image
is rendered at 150-300 dpi, turned slightly, blurred, given speckle and JPEG artefacts, and on some
pages a round red stamp over the signature block or a handwritten-looking note in the margin.
"""

from __future__ import annotations

import io
import math
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

FONT = "Liberation Serif"      # Debian: fonts-liberation2 (version 1 lacks some Vietnamese letters)
_FONT_FILES = {
    "serif": ["/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
              "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"],
    "bold": ["/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
             "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"],
    "hand": ["/usr/share/fonts/truetype/liberation2/LiberationSans-Italic.ttf",
             "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf",
             "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"],
}
# Notes an official writes in the margin of an incoming document (written for this project).
NOTES = ["Chuyển VP xử lý", "Đ/c Hùng theo dõi", "Kính chuyển Ban Dân vận", "Đã báo cáo", "Lưu hồ sơ",
         "Gấp - trình ngay", "Đ/c Lan tham mưu"]
_MOTTO = ("CỘNG HÒA", "CỘNG HOÀ", "ĐẢNG CỘNG SẢN VIỆT NAM")


def _caps(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) / len(letters) > 0.8


def _font(kind: str, size: int):
    from PIL import ImageFont

    for f in _FONT_FILES[kind]:
        if Path(f).exists():
            return ImageFont.truetype(f, size)
    return ImageFont.load_default()


# --------------------------------------------------------------------------- typesetting

def split_letterhead(lines: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(left column, right column, body) of a document whose first lines are its letterhead."""
    head = lines[:10]
    motto = next((i for i, ln in enumerate(head) if ln.upper().startswith(_MOTTO)), None)
    if motto is None:
        return [], [], lines
    left, right = [], []
    end = motto
    for j in range(motto, min(len(lines), motto + 4)):
        if re.search(r", ngày \d|Độc lập", lines[j]) or j == motto:
            end = j + 1
    for ln in lines[:end]:
        if ln.upper().startswith(_MOTTO) or ln.startswith("Độc lập") or re.search(r", ngày \d", ln):
            right.append(ln)
        elif ln.strip():
            left.append(ln)
    return left, right, lines[end:]


def typeset_docx(text: str, path: str | Path, size: float = 13) -> Path:
    """Write ``text`` as a .docx laid out like an administrative document."""
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = docx.Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.left_margin, sec.right_margin, sec.top_margin, sec.bottom_margin = Cm(3), Cm(2), Cm(2), Cm(2)
    st = doc.styles["Normal"]
    st.font.name, st.font.size = FONT, Pt(size)
    st.paragraph_format.space_after = Pt(3)
    lines = [ln.rstrip() for ln in text.split("\n")]
    left, right, body = split_letterhead(lines)
    if left or right:
        table = doc.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, col in zip(table.rows[0].cells, (left, right)):
            cell.paragraphs[0].text = ""
            for k, ln in enumerate(col):
                p = cell.paragraphs[0] if k == 0 else cell.add_paragraph()
                run = p.add_run(ln)
                run.bold = _caps(ln) or ln.startswith("Độc lập")
                run.font.size = Pt(size - 1)
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for ln in body:
        if not ln.strip():
            continue
        p = doc.add_paragraph()
        run = p.add_run(ln.strip())
        if _caps(ln) and len(ln) < 90:
            run.bold = True
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            p.paragraph_format.first_line_indent = Cm(1)
    path = Path(path)
    doc.save(path)
    return path


def docx_to_pdf(docx_path: str | Path, out_dir: str | Path) -> Path:
    """LibreOffice's PDF of a .docx (with a text layer)."""
    out_dir = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="vanban-lo-") as profile:
        subprocess.run(["soffice", f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                        "--convert-to", "pdf", "--outdir", str(out_dir), str(docx_path)],
                       check=True, capture_output=True, timeout=300)
    return out_dir / (Path(docx_path).stem + ".pdf")


def render(pdf: str | Path | bytes, dpi: int, pages: list[int] | None = None) -> list:
    """RGB images of the PDF's pages (0-based ``pages``, default all) at ``dpi``."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        idx = range(len(doc)) if pages is None else pages
        return [doc[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in idx]
    finally:
        doc.close()


def page_texts(pdf: str | Path | bytes) -> list[str]:
    """The text layer of each page, as the reading stage extracts it."""
    from pipeline.reading import pdf as pdf_reader

    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return [pdf_reader._page_text(doc[i]) for i in range(len(doc))]
    finally:
        doc.close()


# --------------------------------------------------------------------------- scanning

@dataclass
class ScanSettings:
    dpi: int = 200
    angle: float = 0.0          # degrees, counter-clockwise
    blur: float = 0.0           # Gaussian radius in pixels at 300 dpi
    jpeg: int = 0               # JPEG quality, 0 = lossless PNG
    speckle: float = 0.0        # share of pixels flipped to dark specks
    stamp: bool = False
    note: str = ""

    def describe(self) -> dict:
        return {"dpi": self.dpi, "angle": round(self.angle, 2), "blur": round(self.blur, 2), "jpeg": self.jpeg,
                "speckle": self.speckle, "stamp": self.stamp, "note": bool(self.note)}


def random_settings(rng, stamp: bool = False, note: bool = False) -> ScanSettings:
    return ScanSettings(dpi=int(rng.choice([150, 200, 240, 300])), angle=float(rng.uniform(-1.2, 1.2)),
                        blur=float(rng.uniform(0.0, 0.9)), jpeg=int(rng.choice([0, 60, 75, 90])),
                        speckle=float(rng.choice([0.0, 0.0001, 0.0002])), stamp=stamp,
                        note=str(rng.choice(NOTES)) if note else "")


def draw_stamp(img, center: tuple[int, int], radius: int, label: str = "ỦY BAN NHÂN DÂN * XÃ HÒA BÌNH *") -> None:
    """A round red seal: two rings, a star and a label around the rim, drawn over the page."""
    from PIL import Image, ImageDraw

    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    red = (200, 30, 40, 170)
    cx, cy = center
    w = max(2, radius // 30)
    d.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], outline=red, width=w)
    r2 = int(radius * 0.62)
    d.ellipse([cx - r2, cy - r2, cx + r2, cy + r2], outline=red, width=max(1, w // 2))
    star = [(cx + r2 * 0.5 * math.cos(math.pi / 2 + k * 4 * math.pi / 5), cy - r2 * 0.5 * math.sin(math.pi / 2 + k * 4 * math.pi / 5))
            for k in range(5)]
    d.polygon(star, fill=red)
    font = _font("bold", max(10, radius // 6))
    n = len(label)
    for k, ch in enumerate(label):
        a = math.pi / 2 + 2 * math.pi * k / n
        x, y = cx + radius * 0.81 * math.cos(a), cy - radius * 0.81 * math.sin(a)
        glyph = Image.new("RGBA", (radius // 3, radius // 3), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((radius // 12, 0), ch, font=font, fill=red)
        glyph = glyph.rotate(math.degrees(a) - 90, expand=True)
        layer.alpha_composite(glyph, (int(x - glyph.width / 2), int(y - glyph.height / 2)))
    img.paste(Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB"))


def draw_note(img, text: str, at: tuple[int, int], size: int, angle: float = 8.0) -> None:
    """A handwritten-looking note in blue ink, slanted, e.g. in the top margin."""
    from PIL import Image, ImageDraw

    font = _font("hand", size)
    box = ImageDraw.Draw(img).textbbox((0, 0), text, font=font)
    layer = Image.new("RGBA", (box[2] + size, box[3] + size), (0, 0, 0, 0))
    ImageDraw.Draw(layer).text((size // 2, size // 4), text, font=font, fill=(20, 40, 160, 230))
    layer = layer.rotate(angle, expand=True, resample=Image.BICUBIC)
    base = img.convert("RGBA")
    base.alpha_composite(layer, (max(0, at[0]), max(0, at[1])))
    img.paste(base.convert("RGB"))


def scan(page, settings: ScanSettings, rng, rendered_dpi: int) -> bytes:
    """A rendered page (RGB image at ``rendered_dpi``) as a scanner would deliver it: image file bytes."""
    from PIL import Image, ImageFilter

    img = page.copy()
    W, H = img.size
    if settings.note:
        draw_note(img, settings.note, (int(W * 0.55), int(H * 0.012)), size=int(rendered_dpi * 0.22))
    if settings.stamp:                  # over the signature block: the right half of the last lines of text
        import numpy as np

        rows = np.where((np.asarray(img.convert("L")) < 128).sum(axis=1) > 2)[0]
        bottom = int(rows[-1]) if len(rows) else int(H * 0.7)
        r = int(rendered_dpi * 0.75)
        draw_stamp(img, (int(W * rng.uniform(0.58, 0.72)), max(r, bottom - int(r * rng.uniform(0.4, 0.9)))), radius=r)
    if settings.dpi != rendered_dpi:
        f = settings.dpi / rendered_dpi
        img = img.resize((round(W * f), round(H * f)), Image.LANCZOS)
    if settings.angle:
        img = img.rotate(settings.angle, resample=Image.BICUBIC, expand=False, fillcolor=(255, 255, 255))
    if settings.blur:
        img = img.filter(ImageFilter.GaussianBlur(settings.blur * settings.dpi / 300))
    if settings.speckle:
        import numpy as np

        a = np.asarray(img).copy()
        mask = rng.random(a.shape[:2]) < settings.speckle
        a[mask] = rng.integers(0, 90)
        img = Image.fromarray(a)
    buf = io.BytesIO()
    if settings.jpeg:
        img.save(buf, "JPEG", quality=settings.jpeg, dpi=(settings.dpi, settings.dpi))
    else:
        img.convert("L").save(buf, "PNG", dpi=(settings.dpi, settings.dpi))
    return buf.getvalue()
