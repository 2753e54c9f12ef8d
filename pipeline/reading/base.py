"""What every format reader returns, and the helpers they share."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field

from ..errors import InputError

PAGE_BREAK = "\f"       # between pages in the raw text; cleanup's ``page_layout`` rule removes it


@dataclass
class Extracted:
    """A document's raw text as read from its file.

    ``pages`` holds the raw-text offset where each page starts (``[0]`` for a file without pages);
    pages are separated by a form feed in ``text``. ``encoding`` says how the text was obtained
    ("utf-8", "pdf text layer", "ocr (tesseract vie)", …); ``notes`` what a reader noticed
    (pages OCR'd, a text layer rejected).
    """

    text: str
    encoding: str
    pages: list[int] = field(default_factory=lambda: [0])
    notes: list[str] = field(default_factory=list)
    sha256: str = ""


def join_pages(pages: list[str]) -> tuple[str, list[int]]:
    """Page texts joined by form feeds, and the offset where each page starts."""
    starts, pos = [], 0
    for p in pages:
        starts.append(pos)
        pos += len(p) + len(PAGE_BREAK)
    return PAGE_BREAK.join(pages), starts or [0]


def split_pages(text: str) -> list[int]:
    """Page starts of a text whose pages are separated by form feeds (pdftotext's output, say)."""
    starts = [0]
    i = text.find(PAGE_BREAK)
    while i >= 0:
        starts.append(i + 1)
        i = text.find(PAGE_BREAK, i + 1)
    return starts


def tool(name: str, install: str, what: str) -> str:
    """The path of the program ``name``, or an :class:`InputError` saying which package to install."""
    path = shutil.which(name)
    if path is None:
        raise InputError(f"cannot read {what} on this machine: the program '{name}' is missing; "
                         f"install it (Debian/Ubuntu: sudo apt-get install {install}) and run again")
    return path


def run(cmd: list[str], what: str, timeout: float, env: dict | None = None, stdin: bytes | None = None) -> bytes:
    """Run an external converter; its failure becomes an :class:`InputError` naming it."""
    try:
        res = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             timeout=timeout, env={**os.environ, **(env or {})}, check=False)
    except subprocess.TimeoutExpired:
        raise InputError(f"{what} took longer than {timeout:.0f} s and was stopped") from None
    if res.returncode != 0:
        err = res.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"{what} failed: {err[-1] if err else f'exit status {res.returncode}'}")
    return res.stdout
