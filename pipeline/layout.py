"""Cleanup rules for the layout noise of pages: what PDFs and scans add to a document's text.

Three rules, registered in :data:`pipeline.cleanup.RULES` (every change an edit in the log, the
offset map exact):

``page_layout``
    Pages come from the reading stage separated by a form feed. Each form feed becomes a line
    break (the line-joining rule then joins a sentence cut by the page), and the page furniture
    next to it goes: page numbers ("2", "- 2 -", "Trang 2/7") on a page's first or last lines whose
    value follows on from the next or previous page's, and running headers and footers (a line repeated, digits aside, at
    the top or bottom of at least three pages and 40 % of them).
``letterhead_columns``
    A two-column letterhead read line by line puts both columns on one line ("TỈNH ỦY HÒA BÌNH
    ĐẢNG CỘNG SẢN VIỆT NAM", "Số: 12/KH-UBND Hà Nội, ngày 5 tháng 3 năm 2024"). In the first lines
    of a page the right column's national motto, its slogan and the place-and-date line start a
    line of their own.
``ocr_junk``
    Short lines of OCR debris from stamps, signatures and handwriting: symbols no administrative
    text uses (€, ©, ñ, ¥, |, …) among fewer than two Vietnamese syllables, or fewer than half;
    and a short line in lower case just above the letterhead (a handwritten note).
``ocr_marks``
    Marks a scan adds to lines: table rules read as "_" or "|", a dash ending a line, a bullet
    dash before a letterhead line in capitals, a full stop before a word in lower case, « » for “ ”;
    a bullet read with debris ("_- ", "-_ ", "¬ ") becomes "- ", and a line in lower case behind a
    mark goes on with the line above ("kinh tế\n- xã hội" → "kinh tế - xã hội").
``recipients``
    A "Nơi nhận:" header the scan lost (it sits beside the signature and the stamp), put back
    before the list of recipients, so that they are not read as tasks.

>>> from pipeline.cleanup import clean
>>> clean("Ban Dân vận chủ trì, phối hợp với\\n2\\f- 3 -\\ncác cơ quan tuyên truyền.").text
'Ban Dân vận chủ trì, phối hợp với các cơ quan tuyên truyền.'
"""

from __future__ import annotations

import re

from .syllables import is_syllable, words

Replacement = tuple[int, int, str]
PAGE_BREAK = "\f"

_PAGE_NO = re.compile(r"^\s*(?:[-–—]\s*)?(?:trang\s*)?(\d{1,4})(?:\s*/\s*\d{1,4})?(?:\s*[-–—])?\s*$", re.I)
_NUMBERED = re.compile(r"^\s*(?:\d+(?:\.\d+)*|[IVXLC]+|[a-zđ])[.)]")   # an item of a list, not a header
_EDGE = 3                  # lines at the top and at the bottom of a page where furniture is looked for


def _page_lines(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end including its newline, text) of each non-blank line of text[start:end]."""
    out = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl + 1
        line = text[pos:stop].rstrip("\n")
        if line.strip():
            out.append((pos, stop, line))
        pos = stop
    return out


def _key(line: str) -> str:
    """A line as a running header is compared: digits aside when it has four words or more
    ("Công báo số 12 … trang 3"), exactly when shorter (codes such as "QT-09" differ page by page)."""
    key = " ".join(line.split()).lower()
    return re.sub(r"\d+", "#", key) if len(words(key)) >= 4 else key


def rule_page_layout(text: str) -> list[Replacement]:
    if PAGE_BREAK not in text:
        return []
    breaks = [m.start() for m in re.finditer(PAGE_BREAK, text)]
    bounds = [0] + [b + 1 for b in breaks]
    ends = breaks + [len(text)]
    pages = [_page_lines(text, s, e) for s, e in zip(bounds, ends)]
    edges = [p[:_EDGE] + p[max(_EDGE, len(p) - _EDGE):] for p in pages]

    drop: set[tuple[int, int]] = set()
    # page numbers: a number on an edge line that follows on from the number of the page before or after
    found: list[list[tuple[tuple[int, int], int]]] = []
    for i, lines in enumerate(edges):
        found.append([((s, e), int(m.group(1))) for s, e, line in lines if (m := _PAGE_NO.match(line))])
    for i, cands in enumerate(found):
        prev = {v for _, v in found[i - 1]} if i else set()
        nxt = {v for _, v in found[i + 1]} if i + 1 < len(found) else set()
        drop.update(span for span, v in cands if v - 1 in prev or v + 1 in nxt)
    # running headers and footers: the same line (digits aside) on the edges of many pages
    on: dict[str, list[int]] = {}
    for i, lines in enumerate(edges):
        for k in {_key(line) for _, _, line in lines}:
            on.setdefault(k, []).append(i)
    repeated = {k for k, idx in on.items() if len(k) >= 3 and len(idx) >= 3
                and (len(idx) >= 0.4 * len(pages) or any(idx[j + 2] == idx[j] + 2 for j in range(len(idx) - 2)))}
    for lines in edges:
        drop.update((s, e) for s, e, line in lines if _key(line) in repeated and not _NUMBERED.match(line))

    out: list[Replacement] = [(s, e, "") for s, e in drop]
    out += [(b, b + 1, "\n") for b in breaks]
    out.sort()
    merged: list[Replacement] = []
    for r in out:                   # an edge line may end at the form feed: keep the replacements apart
        if merged and r[0] < merged[-1][1]:
            continue
        merged.append(r)
    return merged


_MOTTO = re.compile(r"(?<=\S)(?:[ \t]+[-–—_|.]+)?[ \t]+(?=(?:CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM|CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"
                    r"|ĐẢNG CỘNG SẢN VIỆT NAM|Độc lập\s*[-–]\s*Tự do\s*[-–]\s*Hạnh phúc)\b)")
_DATE = re.compile(r"(?<=\S)[ \t]+(?=(?:[A-ZĐ][^\s,]*[ \t]){0,4}[A-ZĐ][^\s,]*,[ \t]*ngày[ \t]+(?:\d|\.|…))")
_HEAD_LINES = 12


def _caps(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) / len(letters) > 0.8


def rule_letterhead_columns(text: str) -> list[Replacement]:
    """Split the letterhead's two columns in the first lines of the document (its first page)."""
    out: list[Replacement] = []
    pos = 0
    for _ in range(_HEAD_LINES):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        ff = text.find(PAGE_BREAK, pos, end)
        line = text[pos:end if ff < 0 else ff]
        m = _MOTTO.search(line)
        if m and re.search(r"[^\W\d_]", line[:m.start()]):
            out.append((pos + m.start(), pos + m.end(), "\n"))
        else:
            m = _DATE.search(line)
            before = line[:m.start()].strip() if m else ""
            if m and len(before) == 1 and not before.isdigit():
                out.append((pos, pos + m.end(), ""))        # the left column's "*" read as a letter
            elif m and len(before) <= 60 and (re.match(r"\s*số\b", line, re.I) or _caps(before)):
                out.append((pos + m.start(), pos + m.end(), "\n"))
        if nl < 0 or ff >= 0:
            break
        pos = nl + 1
    return out


_JUNK_CHARS = set("€©®ñ¥£¢§¶µ¤¦¨¯´¸¹²³÷|~¬«»@#$^`{}\\_")
_DOMAIN = re.compile(r"[\w-]+\.(?:gov|com|org|net|edu)\b|[\w.-]+@[\w-]+\.\w|\bwww\.|\.vn\b", re.I)
_STRUCTURE = re.compile(r"^\s*(?:[IVXLC]+\.|\d+(?:\.\d+)*[.)]?|[a-zđ]\)|[-+•–])\s")


def _junk(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 60 or _STRUCTURE.match(s) or _DOMAIN.search(s):
        return False
    ws = [w for _, _, w in words(s)]
    good = sum(1 for w in ws if is_syllable(w) and len(w) > 1)
    if any(c in _JUNK_CHARS for c in re.sub(r"(?<=\w)_(?=\w)", "", s)):     # "HP_VP11_QĐ" is a code
        return good < 2 or good < 0.5 * len(ws)
    return False


_NOT_NOTE = re.compile(r"^\s*(?:mẫu|phụ lục|biểu|số|kính gửi|v/v|về việc)\b", re.I)


def rule_ocr_junk(text: str) -> list[Replacement]:
    out = []
    pos = 0
    lines = text.split("\n")
    first = [i for i, ln in enumerate(lines[:6]) if ln.strip()][:3]
    for i, line in enumerate(lines):
        end = pos + len(line)
        note = (i in first[:2] and len(line.strip()) <= 30 and any(c.islower() for c in line)
                and not _NOT_NOTE.match(line)
                and first.index(i) + 1 < len(first) and _caps(lines[first[first.index(i) + 1]]))
        if PAGE_BREAK not in line and (note or _junk(line)):
            out.append((pos, min(end + 1, len(text)), ""))     # OCR debris, or a handwritten note above the letterhead
        pos = end + 1
    return out


_MARKS = [
    re.compile(r"(?m)^[ \t]*[|_]+[ \t]+"),                       # a table rule or pipe read before a line
    re.compile(r"_(?:(?<=[^\W\d_]_)_*(?=[ \t]|$)|(?<![^\s]_)_*(?![^\s.,;:]))", re.M),   # underscores: no letter is one
    re.compile(r"[ \t](?<![ \t]{2})[ \t]*[|_–—-]+[ \t]*(?=\n[ \t]*(?:[^\W\d_]|\n)|\Z)"),   # a stray mark ending a line
    re.compile(r"_(?<=[^\W\d_]\n_|,\n_)_*(?=[a-zđà-ỹ])"),   # glued to a wrapped line's first word: "tối\n_đa"
]   # each opens with the character it matches first, what stands before tested after it (the engine skips ahead)
_STRAY_BULLET = re.compile(r"^[ \t]*[-–—_|.~]+(?:[ \t]+[-–—_|.~]+)*[ \t]+(?=\S)")
_MARK_RUN = re.compile(r"^[ \t]*([-–—_=¬~|]{1,5})[ \t]+(?=[^\W\d_])")     # dashes and what OCR reads them as
_ANY_BULLET = re.compile(r"^[ \t]*[-–—_=¬~|+•*]{1,5}[ \t]+(?=[^\W\d_])")
_DASH = re.compile(r"^[ \t]*[-–][ \t]+")


def _junk_bullet(run: str) -> bool:
    """A bullet read with debris ("_-", "-_", "_=", "¬", "--"): "¬", or two marks or more that are not all
    "=" or "~" (a formula, an approximation)."""
    return run == "¬" or (len(run) >= 2 and bool(set(run) - {"=", "~"}))
_GUILLEMET = re.compile(r"[«»]")              # Tesseract's reading of “ ” (Vietnamese documents quote with “ ”)
_QUOTES = {"«": "“", "»": "”"}
_SLOGAN = re.compile(r"Độc lập\s*[-–]\s*Tự do\s*[-–]\s*Hạnh phúc")
_DOUBLE_STOP = re.compile(r"(?m)^[“\"]?\d{1,2}(\.\.[ \t]*)(?=[A-ZĐÀ-Ỹ])")   # a numbered line's stop read twice: "“6..Hỗ trợ"
_STRAY_STOP = re.compile(r"(?<=[^\W\d_]{2})\.(?=[ \t]*\n[ \t]*[^\W\d_]| [^\W\d_])")


def rule_ocr_marks(text: str) -> list[Replacement]:
    """Marks a scan adds to lines: table rules and pipes read as "_" or "|", a dash left at a line's end,
    a bullet dash before a letterhead or title line in capitals, a full stop before a word in lower case
    ("kế hoạch tổ.\nchức hội nghị", "Ban Thường. trực"): a sentence never starts in lower case."""
    out: list[Replacement] = []
    for rx in _MARKS:
        out += [(m.start(), m.end(), "") for m in rx.finditer(text) if m.end() > m.start()]
    out += [(m.start(), m.end(), _QUOTES[m.group()]) for m in _GUILLEMET.finditer(text)]
    pos = 0
    for n, line in enumerate(text.split("\n")):
        if n >= _HEAD_LINES * 2:
            break
        m = _STRAY_BULLET.match(line)
        if m and (_caps(line[m.end():]) or _SLOGAN.match(line[m.end():])):
            out.append((pos, pos + m.end(), ""))
        pos += len(line) + 1
    lines = text.split("\n")
    pos = 0
    for n, line in enumerate(lines):
        m = _MARK_RUN.match(line)
        if m:
            run = m.group(1)
            dash = _DASH.fullmatch(line[:m.end()]) is not None
            prev = lines[n - 1].rstrip() if n else ""
            nxt = lines[n + 1] if n + 1 < len(lines) else ""
            pm = _ANY_BULLET.match(prev)
            if ((dash or _junk_bullet(run)) and line[m.end()].islower() and prev and prev[-1] not in ".:;!?,"
                    and not _ANY_BULLET.match(nxt) and not (pm and prev[pm.end()].islower())):
                # a wrapped line behind a mark, no bullet (not the last of a list in lower case): "kinh tế\n- xã
                # hội" keeps its dash, debris goes; the span starts where the line above ends
                start = pos - 1 - (len(lines[n - 1]) - len(prev))
                out.append((start, pos + m.end(), " - " if dash else " "))
            elif _junk_bullet(run):
                out.append((pos, pos + m.end(), "- "))        # a bullet read with debris
        pos += len(line) + 1
    if ".." in text:
        out += [(m.start(1), m.end(1), ". ") for m in _DOUBLE_STOP.finditer(text)]
    for m in _STRAY_STOP.finditer(text):
        nxt = text[m.end():m.end() + 40].lstrip()
        word = re.match(r"[^\W\d_]+", nxt)
        if word and word.group().islower() and len(word.group()) >= 2 and text[m.start() - 1].islower():
            out.append((m.start(), m.end(), ""))
    out.sort()
    merged: list[Replacement] = []
    for r in out:
        if merged and r[0] < merged[-1][1]:
            continue
        merged.append(r)
    return merged


_RECIPIENT = re.compile(r"^[ \t]*[-–~_=+•][ \t\-–~_=]*(\S.*)$")
_ARCHIVE = re.compile(r"^\W*lưu\s*[:.]?\s*(?:vt|văn thư)\b", re.I)
_HEADER_SEEN = re.compile(r"n[ơo]i\s*(?:nh[ậaâ]n|gửi)", re.I)
_SIGNED = re.compile(r"^\W*\(?\s*đã ký\s*\)?\W*$|^(?:tm|kt|t/m|tl|q)\.", re.I)


def rule_recipients(text: str) -> list[Replacement]:
    """A "Nơi nhận:" header that the scan lost, put back before the recipients list.

    In a scan the header sits in the left column beside the signature block and the stamp, and OCR
    often garbles it; the list after it then reads as body bullets, and each recipient as a task.
    The list is recognised by its shape: lines opening with a dash, of short items (agency names),
    that end with the archive line ("- Lưu: VT, …") or just before the signature ("(đã ký)", "TM.",
    the end of the text). Only near the end of the document, and only where no such header is seen.
    """
    lines = text.split("\n")
    starts, pos = [], 0
    for ln in lines:
        starts.append(pos)
        pos += len(ln) + 1
    i = len(lines) - 1
    first_body = int(len(lines) * 0.3)
    while i >= first_body:
        if not _RECIPIENT.match(lines[i]):
            i -= 1
            continue
        j = i
        while j - 1 >= 0 and (_RECIPIENT.match(lines[j - 1]) or (lines[j - 1].strip()
                              and not lines[j - 1].rstrip().endswith((":", ".")) and j - 2 >= 0
                              and _RECIPIENT.match(lines[j - 2]))):
            j -= 1                                     # a run of list lines (a wrapped item continues one)
        run = [ln for ln in lines[j:i + 1] if ln.strip()]
        items = [x for ln in run for x in re.split(r";\s*[-–]\s*", ln)]
        short = sum(len(x.split()) for x in items) / max(1, len(items)) <= 12
        archive = any(_ARCHIVE.match(_RECIPIENT.match(ln).group(1) if _RECIPIENT.match(ln) else ln) for ln in run)
        after = [ln for ln in lines[i + 1:i + 6] if ln.strip()]
        ends = not after or _SIGNED.match(after[0].strip()) is not None
        seen = any(_HEADER_SEEN.search(ln) for ln in lines[max(0, j - 12):i + 1])
        if (len(items) >= 3 and short and (archive or ends)) and not seen:
            return [(starts[j], starts[j], "Nơi nhận:\n")]
        i = j - 1
    return []
