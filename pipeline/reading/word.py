"""Word files: .docx read directly (python-docx), .doc/.rtf/.odt converted to .docx by LibreOffice first.

A .docx is read in reading order: body paragraphs and tables as they come, a table row by row and
cell by cell (a two-column letterhead gives its left cell, then its right one), nested tables and
content controls inside out; automatic list numbers ("1.", "a)", "-") are written before their
items as Word shows them. Text boxes are read once (not also from their VML fallback); deleted
revisions, field codes, headers and footers are left out. A page starts where Word last laid one
out (``lastRenderedPageBreak``) or at a manual page break.

Legacy formats are converted by ``soffice --headless --convert-to docx`` (Debian:
``libreoffice-writer-nogui``) with a profile of its own per process, so parallel workers do not
share LibreOffice's lock.
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

from ..errors import InputError
from .base import Extracted, run, tool

DOCX_SUFFIXES = (".docx",)
LEGACY_SUFFIXES = (".doc", ".rtf", ".odt")
SUFFIXES = DOCX_SUFFIXES + LEGACY_SUFFIXES
CONVERT_TIMEOUT = 180
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _q(tag: str) -> str:
    return _W + tag


class _Numbering:
    """Automatic list labels from numbering.xml: counters per list and level, as Word counts them."""

    FORMATS = {"decimal", "lowerLetter", "upperLetter", "lowerRoman", "upperRoman", "bullet", "decimalZero"}

    def __init__(self, doc) -> None:
        self.levels: dict[tuple[str, int], tuple[str, str, int]] = {}
        self.counters: dict[str, list[int]] = {}
        self.styles: dict[str, tuple[str | None, int]] = {}     # style id -> (numId, ilvl) of a list style
        try:
            based: dict[str, str] = {}
            for st in doc.styles.element.iterchildren(_q("style")):
                sid = st.get(_q("styleId"))
                ppr = st.find(_q("pPr"))
                npr = ppr.find(_q("numPr")) if ppr is not None else None
                if npr is not None:
                    self.styles[sid] = (_val(npr.find(_q("numId"))), int(_val(npr.find(_q("ilvl"))) or 0))
                b = st.find(_q("basedOn"))
                if b is not None:
                    based[sid] = _val(b)
            for sid, parent in based.items():       # a style based on a list style is one too
                seen = {sid}
                while sid not in self.styles and parent in based and parent not in seen:
                    seen.add(parent)
                    parent = based[parent]
                if sid not in self.styles and parent in self.styles:
                    self.styles[sid] = self.styles[parent]
        except (AttributeError, KeyError, ValueError):
            pass
        try:
            root = doc.part.numbering_part.element
        except (NotImplementedError, KeyError, AttributeError):
            return
        abstract = {}
        for an in root.iterchildren(_q("abstractNum")):
            lv = {}
            for lvl in an.iterchildren(_q("lvl")):
                ilvl = int(lvl.get(_q("ilvl"), 0))
                fmt = _val(lvl.find(_q("numFmt"))) or "decimal"
                text = _val(lvl.find(_q("lvlText")))
                start = int(_val(lvl.find(_q("start"))) or 1)
                lv[ilvl] = (fmt, text if text is not None else "", start)
            abstract[an.get(_q("abstractNumId"))] = lv
        for num in root.iterchildren(_q("num")):
            aid = _val(num.find(_q("abstractNumId")))
            for ilvl, spec in abstract.get(aid, {}).items():
                self.levels[(num.get(_q("numId")), ilvl)] = spec
            for ov in num.iterchildren(_q("lvlOverride")):
                so = ov.find(_q("startOverride"))
                key = (num.get(_q("numId")), int(ov.get(_q("ilvl"), 0)))
                if so is not None and key in self.levels:
                    fmt, text, _ = self.levels[key]
                    self.levels[key] = (fmt, text, int(_val(so) or 1))

    def label(self, p) -> str:
        ppr = p.find(_q("pPr"))
        npr = ppr.find(_q("numPr")) if ppr is not None else None
        style = _val(ppr.find(_q("pStyle"))) if ppr is not None else None
        num_id, ilvl = self.styles.get(style, (None, 0))
        if npr is not None:
            num_id = _val(npr.find(_q("numId"))) or num_id
            ilvl = int(_val(npr.find(_q("ilvl"))) or ilvl)
        if num_id is None:
            return ""
        if num_id in (None, "0") or (num_id, ilvl) not in self.levels:
            return ""
        counts = self.counters.setdefault(num_id, [0] * 10)
        ilvl = min(ilvl, 9)
        counts[ilvl] += 1
        for deeper in range(ilvl + 1, 10):
            counts[deeper] = 0
        text = self.levels[(num_id, ilvl)][1]
        if self.levels[(num_id, ilvl)][0] == "bullet":
            return "- "
        for lvl in range(ilvl + 1):
            fmt, _, start = self.levels.get((num_id, lvl), ("decimal", "", 1))
            n = counts[lvl] + start - 1 if counts[lvl] else start
            text = text.replace(f"%{lvl + 1}", _format(n, fmt))
        return text.strip() + " " if text.strip() else ""


def _val(el) -> str | None:
    return None if el is None else el.get(_q("val"))


def _format(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        s = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return s.upper() if fmt == "upperLetter" else s
    if fmt in ("lowerRoman", "upperRoman"):
        vals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
                (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
        out, m = "", n
        for v, r in vals:
            while m >= v:
                out, m = out + r, m - v
        return out.lower() if fmt == "lowerRoman" else out
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


class _Writer:
    def __init__(self, numbering: _Numbering) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.pages = [0]
        self.numbering = numbering

    def _page_break(self, at: int) -> None:
        if at > self.pages[-1]:
            self.pages.append(at)

    def paragraph(self, p) -> None:
        if self.parts:
            self.parts.append("\n")
            self.length += 1
        buf: list[str] = [self.numbering.label(p)]
        pos = self.length + len(buf[0])

        def walk(el) -> None:
            nonlocal pos
            for child in el:
                tag = child.tag
                if tag == _MC_FALLBACK or tag in (_q("pPr"), _q("rPr"), _q("del"), _q("instrText")):
                    continue
                s = ""
                if tag == _q("t"):
                    s = child.text or ""
                elif tag == _q("tab"):
                    s = "\t"
                elif tag in (_q("br"), _q("cr")):
                    if child.get(_q("type")) == "page":
                        self._page_break(pos)
                    else:
                        s = "\n"
                elif tag == _q("noBreakHyphen"):
                    s = "-"
                elif tag == _q("lastRenderedPageBreak"):
                    self._page_break(pos)
                elif tag == _q("txbxContent"):
                    inner = [("".join(t.text or "" for t in q.iter(_q("t")))) for q in child.iter(_q("p"))]
                    s = " ".join(x for x in inner if x)
                    if s:
                        s = f" {s} "
                else:
                    walk(child)
                if s:
                    buf.append(s)
                    pos += len(s)
        walk(p)
        text = "".join(buf)
        self.parts.append(text)
        self.length += len(text)

    def block(self, el) -> None:
        for child in el.iterchildren():
            if child.tag == _q("p"):
                self.paragraph(child)
            elif child.tag == _q("tbl"):
                for tr in child.iterchildren(_q("tr")):
                    before = len(self.pages)
                    for tc in tr.iterchildren(_q("tc")):
                        self.block(tc)
                    del self.pages[before + 1:]      # each cell of a row marks the same page break
            elif child.tag == _q("sdt"):
                content = child.find(_q("sdtContent"))
                if content is not None:
                    self.block(content)
            elif child.tag in (_q("customXml"), _q("smartTag")):
                self.block(child)


def read_docx(data: bytes) -> Extracted:
    import docx

    if data.startswith(_OLE):
        raise InputError("password-protected (encrypted) Word file: save an unprotected copy and run again")
    try:
        doc = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise InputError(f"not a readable .docx file (damaged, or another format named .docx): {e}") from None
    w = _Writer(_Numbering(doc))
    w.block(doc.element.body)
    text = "".join(w.parts)
    if not text.strip():
        raise InputError("the Word file has no text")
    pages = [0]
    for start in w.pages[1:]:
        if text[pages[-1]:start].strip():     # a page with text before it (cells and paragraphs repeat the mark)
            pages.append(start)
    return Extracted(text=text, encoding="docx", pages=pages, notes=[f"{len(pages)} page(s) as last laid out by Word"])


def convert_to_docx(data: bytes, suffix: str) -> bytes:
    """A legacy Word/RTF/ODT file converted to .docx by LibreOffice."""
    exe = tool("soffice", "libreoffice-writer-nogui", f"{suffix} files")
    profile = Path(tempfile.gettempdir()) / f"vanban-libreoffice-{os.getuid()}-{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="vanban-doc-") as tmp:
        src = Path(tmp) / f"in{suffix}"
        src.write_bytes(data)
        run([exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--nolockcheck",
             "--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp, str(src)],
            f"converting the {suffix} file with LibreOffice", CONVERT_TIMEOUT, env={"HOME": tmp})
        out = Path(tmp) / "in.docx"
        if not out.exists():
            raise InputError(f"LibreOffice could not convert the {suffix} file (damaged, password-protected, "
                             "or not a Word document)")
        return out.read_bytes()


def read(data: bytes, suffix: str) -> Extracted:
    if suffix in DOCX_SUFFIXES:
        return read_docx(data)
    if not data:
        raise InputError("empty file")
    ext = read_docx(convert_to_docx(data, suffix))
    ext.encoding = f"{suffix.lstrip('.')} via LibreOffice"
    return ext
