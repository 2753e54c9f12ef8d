"""PDF: the text layer page by page (PDFium, through pypdfium2); pages without a usable one are OCR'd.

A page's text layer is used when it reads as Vietnamese. It is not used, and the page is rendered
at 300 dpi and OCR'd, when it is empty on a page that has an image (a scan), or when it is garbage:
fewer than :data:`MIN_SHARE` of its words are Vietnamese syllables (a legacy font encoding such as
TCVN3 gives "Quy ®Þnh", a font without a Unicode map gives symbols). An encrypted PDF that needs a
password is an error that says so.
"""

from __future__ import annotations

import re
import unicodedata

from ..errors import InputError
from ..syllables import vietnamese_share, words
from . import ocr
from .base import Extracted, join_pages

SUFFIXES = (".pdf",)
MIN_SHARE = 0.6          # share of Vietnamese syllables below which a text layer is garbage
MIN_WORDS = 8            # a page with fewer words in its text layer is judged by whether it has images
_CTRL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffe\uffff]")


def _page_text(page) -> str:
    tp = page.get_textpage()
    try:
        text = tp.get_text_range()
    finally:
        tp.close()
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    return unicodedata.normalize("NFC", _CTRL.sub("", text))


def _has_image(page) -> bool:
    import pypdfium2.raw as raw

    return any(True for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2))


def judge(text: str, has_image: bool) -> str:
    """'text' when the layer is usable, 'scan' when the page is an image, 'garbage', or 'blank'."""
    n = len(words(text))
    if n < MIN_WORDS:
        return "scan" if has_image else ("text" if text.strip() else "blank")
    return "text" if vietnamese_share(text) >= MIN_SHARE else "garbage"


def read(data: bytes) -> Extracted:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        msg = str(e)
        if "password" in msg.lower():
            raise InputError("encrypted PDF: it needs a password to open; save an unprotected copy "
                             "(or decrypt it, e.g. qpdf --decrypt --password=… in.pdf out.pdf) and run again") from None
        raise InputError(f"not a readable PDF ({msg})") from None
    try:
        texts: list[str] = []
        to_ocr: list[int] = []
        kinds: dict[str, int] = {}
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                text = _page_text(page)
                kind = judge(text, _has_image(page) if len(words(text)) < MIN_WORDS else False)
                kinds[kind] = kinds.get(kind, 0) + 1
                if kind in ("scan", "garbage"):
                    to_ocr.append(i)
                texts.append(text if kind == "text" else "")
            finally:
                page.close()
        notes = [f"{len(pdf)} pages"]
        if to_ocr:
            try:
                ocr.check()
            except InputError as e:
                raise InputError(f"{len(to_ocr)} of {len(pdf)} pages are scans or have an unreadable text layer: {e}") from None
            step = 4 * ocr.jobs()          # pages rendered at once: a 300 dpi page is 9 MB in memory
            for k in range(0, len(to_ocr), step):
                batch = to_ocr[k:k + step]
                images = []
                for i in batch:
                    page = pdf[i]
                    try:
                        images.append(ocr.prepare(page.render(scale=ocr.DPI / 72, grayscale=True).to_pil(), ocr.DPI))
                    finally:
                        page.close()
                for i, t in zip(batch, ocr.ocr_images(images)):
                    texts[i] = t
            notes.append(f"pages OCR'd: {_ranges([i + 1 for i in to_ocr])}"
                         + (f" ({kinds['garbage']} with a garbage text layer)" if kinds.get("garbage") else ""))
    finally:
        pdf.close()
    text, pages = join_pages(texts)
    if not text.strip():
        raise InputError("the PDF has no text (blank pages)")
    enc = "pdf text layer" if not to_ocr else ("ocr (tesseract vie)" if len(to_ocr) == len(texts)
                                               else "pdf text layer + ocr (tesseract vie)")
    return Extracted(text=text, encoding=enc, pages=pages, notes=notes)


def _ranges(nums: list[int]) -> str:
    out, start = [], None
    for i, n in enumerate(nums):
        if start is None:
            start = n
        if i + 1 == len(nums) or nums[i + 1] != n + 1:
            out.append(str(start) if start == n else f"{start}-{n}")
            start = None
    return ", ".join(out)
