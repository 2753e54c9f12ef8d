"""Scanned pages: images (.png, .jpg, .tif) and image-only PDF pages, read by Tesseract's Vietnamese model.

Tesseract runs as a program (Debian: ``tesseract-ocr`` and ``tesseract-ocr-vie``), one process per
page, one thread each (``OMP_THREAD_LIMIT=1``: on two cores Tesseract's own threads make a page
five times slower), pages in parallel up to the number of cores. A page is OCR'd at 300 dpi:
a smaller scan is enlarged first, which lowers Tesseract's error rate on 150-200 dpi scans.
"""

from __future__ import annotations

import io
import os
import tempfile
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

from ..errors import InputError
from .base import Extracted, join_pages, run, tool

SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
LANG = "vie"
DPI = 300
PAGE_TIMEOUT = 300           # seconds for one page
_INSTALL = "tesseract-ocr tesseract-ocr-vie"
_A4_SHORT_INCHES = 8.27


@lru_cache(maxsize=1)
def _engine() -> str:
    exe = tool("tesseract", _INSTALL, "scanned pages (OCR)")
    langs = run([exe, "--list-langs"], "tesseract --list-langs", 30).decode("utf-8", "replace").split()
    if LANG not in langs:
        raise InputError("cannot read scanned pages on this machine: Tesseract has no Vietnamese model; "
                         "install it (Debian/Ubuntu: sudo apt-get install tesseract-ocr-vie) and run again")
    return exe


def check() -> str:
    """The tesseract program, or an InputError that says what to install."""
    try:
        return _engine()
    except InputError:
        _engine.cache_clear()       # installed later in the same process: look again next time
        raise


def jobs() -> int:
    """Pages OCR'd at once: ``$VANBAN_OCR_JOBS``, else the number of cores."""
    try:
        return max(1, int(os.environ.get("VANBAN_OCR_JOBS", "")))
    except ValueError:
        return max(1, os.cpu_count() or 1)


def prepare(image, dpi: float | None = None):
    """A page image ready for Tesseract: EXIF rotation applied, grey, enlarged to about 300 dpi."""
    from PIL import Image, ImageOps

    image = ImageOps.exif_transpose(image)
    if image.mode != "L":
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            bg = Image.new("RGBA", image.size, "white")
            image = Image.alpha_composite(bg, image)
        image = image.convert("L")
    if not dpi or dpi < 50:
        dpi = min(image.size) / _A4_SHORT_INCHES          # no usable resolution: assume an A4 page
    if dpi < DPI * 0.8:
        f = DPI / dpi
        image = image.resize((round(image.width * f), round(image.height * f)), Image.LANCZOS)
    return image


def ocr_images(images: list) -> list[str]:
    """The text of each page image (PIL images), in order."""
    exe = check()
    if not images:
        return []
    with tempfile.TemporaryDirectory(prefix="vanban-ocr-") as tmp:
        paths = []
        for i, im in enumerate(images):
            p = Path(tmp) / f"page{i:05d}.png"
            im.save(p, dpi=(DPI, DPI))
            paths.append(p)

        def one(p: Path) -> str:
            out = run([exe, str(p), "stdout", "-l", LANG, "--dpi", str(DPI), "--psm", "3"],
                      f"OCR (tesseract) of {p.stem}", PAGE_TIMEOUT, env={"OMP_THREAD_LIMIT": "1"})
            text = out.decode("utf-8", "replace").replace("\f", "").replace("\r\n", "\n")
            return unicodedata.normalize("NFC", text).strip("\n")

        n = min(jobs(), len(paths))
        if n == 1:
            return [one(p) for p in paths]
        with ThreadPoolExecutor(n) as pool:
            return list(pool.map(one, paths))


def read(data: bytes) -> Extracted:
    """OCR an image file; every frame of a multi-page TIFF is a page."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    check()
    try:
        img = Image.open(io.BytesIO(data))
        frames = []
        for frame in ImageSequence.Iterator(img):
            dpi = frame.info.get("dpi", (0, 0))
            frames.append(prepare(frame.copy(), float(dpi[0]) if dpi and dpi[0] else None))
    except (UnidentifiedImageError, OSError, ValueError) as e:
        raise InputError(f"not a readable image: {e}") from None
    texts = ocr_images(frames)
    text, pages = join_pages(texts)
    if not text.strip():
        raise InputError("no text found on the scanned page(s)")
    return Extracted(text=text, encoding=f"ocr (tesseract {LANG})", pages=pages,
                     notes=[f"{len(frames)} page(s) OCR'd"])
