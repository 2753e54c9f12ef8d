"""Stage 2, OCR-noise cleanup: raw text -> clean text, an edit log and an offset map.

Cleanup is a fixed sequence of rules. Each rule proposes replacements
``(start, end, new_text)`` on the current text; applying them is one *pass*.
Passes compose into an :class:`OffsetMap`, so every clean offset maps back to
the raw file, and every change is logged as an :class:`~pipeline.document.Edit`
with raw offsets and the rule's name.

Tone marks follow the "hóa, thủy, khỏe" style (mark on the first vowel of a
syllable-final oa/oe/uy), the style of underthesea's ``text_normalize`` and
of the Ministry of Education's 1984 rules that most agencies type today, so
that the segmenter sees the spelling its model was trained on.

>>> r = clean("Phân đấu đạt 80%  chỉ tiêu của\\n\\nHội chữ thập đỏ. *Tiến*")
>>> r.text
'Phấn đấu đạt 80% chỉ tiêu của Hội chữ thập đỏ.'
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from . import diacritics, layout
from .paragraphs import ParagraphRule
from .document import Edit
from .metadata import NUMBER_CODE
from .structure import BASIS
from .tables import ROW_SEP, rule_table

Replacement = tuple[int, int, str]


# --------------------------------------------------------------------------- offsets

class OffsetMap:
    """Maps offsets in the clean text back to offsets in the raw text.

    Holds one record per pass: the replaced ranges in the pass's output and
    input. A position inside a replaced range maps to the start of the range's
    input (``to_raw``), or its end (``to_raw(end=True)``) for span ends.
    """

    def __init__(self) -> None:
        self._passes: list[tuple[list[int], list[int], list[int], list[int]]] = []

    def add(self, repls: list[Replacement]) -> None:
        if not repls:
            return
        new_starts, new_ends, old_starts, old_ends = [], [], [], []
        delta = 0
        for s, e, new in repls:
            ns = s + delta
            new_starts.append(ns)
            new_ends.append(ns + len(new))
            old_starts.append(s)
            old_ends.append(e)
            delta += len(new) - (e - s)
        self._passes.append((new_starts, new_ends, old_starts, old_ends))

    @staticmethod
    def _back(p: tuple, pos: int, end: bool) -> int:
        new_starts, new_ends, old_starts, old_ends = p
        i = bisect.bisect_right(new_starts, pos) - 1
        if i < 0:
            return pos
        if pos == new_starts[i]:
            # a span ending here ends before the replacement; one starting here starts at its
            # input, or after it when it was a deletion
            return old_starts[i] if end or new_ends[i] > pos else old_ends[i]
        if pos < new_ends[i]:
            return old_ends[i] if end else old_starts[i]
        return old_ends[i] + (pos - new_ends[i])

    def to_raw(self, pos: int, end: bool = False) -> int:
        for p in reversed(self._passes):
            pos = self._back(p, pos, end)
        return pos

    def to_clean(self, raw_pos: int, length: int, end: bool = False) -> int:
        """The clean offset of a raw offset: the first clean position (of ``length``) that maps at or after
        it (for a span end: the last that maps at or before it). Binary search: ``to_raw`` is monotone."""
        lo, hi = 0, length
        if end:
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if self.to_raw(mid, end=True) <= raw_pos:
                    lo = mid
                else:
                    hi = mid - 1
            return lo
        while lo < hi:
            mid = (lo + hi) // 2
            if self.to_raw(mid) >= raw_pos:
                hi = mid
            else:
                lo = mid + 1
        return lo

    def __len__(self) -> int:
        return len(self._passes)


def apply_replacements(text: str, repls: list[Replacement]) -> str:
    out, pos = [], 0
    for s, e, new in repls:
        out.append(text[pos:s])
        out.append(new)
        pos = e
    out.append(text[pos:])
    return "".join(out)


# --------------------------------------------------------------------------- data

def _data_lines(name: str) -> list[str]:
    text = resources.files("pipeline").joinpath("data", name).read_text(encoding="utf-8")
    return [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=1)
def _chrome_re() -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in _data_lines("chrome.txt")), re.IGNORECASE)


@lru_cache(maxsize=1)
def _stamp_res() -> tuple[re.Pattern, re.Pattern]:
    starts, bodies = [], []
    for ln in _data_lines("stamps.txt"):
        kind, _, pat = ln.partition("\t")
        (starts if kind == "start" else bodies).append(f"(?:{pat})")
    return re.compile("|".join(starts), re.I), re.compile("|".join(bodies), re.I)


@lru_cache(maxsize=1)
def _confusions() -> tuple[re.Pattern, re.Pattern, dict[str, str]]:
    """The misreadings of ocr_confusions.tsv: a pattern for lower-cased text (the engine skips ahead to a
    first letter, which it cannot do ignoring case), the same ignoring case, and wrong -> right."""
    table = {}
    for ln in _data_lines("ocr_confusions.tsv"):
        wrong, _, right = ln.partition("\t")
        table[wrong.strip().lower()] = right.strip()
    alts = r"(?<!\w)(" + "|".join(re.escape(a) for a in sorted(table, key=len, reverse=True)) + r")(?!\w)"
    return re.compile(alts), re.compile(alts, re.IGNORECASE), table


# --------------------------------------------------------------------------- rules

_SPACE_CHARS = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\f\v"
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_UNICODE_RE = re.compile(
    r"\r\n?|[" + _SPACE_CHARS + "]|[" + _ZERO_WIDTH + r"]|[\x00-\x08\x0e-\x1f\x7f-\x9f\u2028\u2029]"
    r"|.[\u0300-\u036f]+")


def rule_unicode(text: str) -> list[Replacement]:
    out = []
    for m in _UNICODE_RE.finditer(text):
        g = m.group()
        if g.startswith("\r") or g in "\u2028\u2029":
            new = "\n"
        elif g in _SPACE_CHARS:
            new = " "
        elif len(g) > 1:
            new = unicodedata.normalize("NFC", g)
        else:
            new = ""
        if new != g:
            out.append((m.start(), m.end(), new))
    return out


_ENTITIES = {"&nbsp;": " ", "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&apos;": "'"}
# tags by name: "<ghi rõ địa chỉ …>" in a template is a blank to fill in, not markup
_HTML_TAGS = ("a|abbr|address|article|aside|b|base|big|blockquote|body|br|button|caption|center|cite|code|col|"
              "colgroup|dd|del|details|dfn|div|dl|dt|em|embed|fieldset|figcaption|figure|font|footer|form|h[1-6]|"
              "head|header|hr|html|i|iframe|img|input|ins|kbd|label|legend|li|link|main|mark|meta|nav|noscript|"
              "object|ol|optgroup|option|p|param|picture|pre|q|s|samp|script|section|select|small|source|span|"
              "strike|strong|style|sub|summary|sup|svg|table|tbody|td|textarea|tfoot|th|thead|time|title|tr|u|ul|"
              "var|video|wbr|[a-z]+:[a-z]+")                       # "o:p", "w:sdt": Word's own tags
_HTML_RE = re.compile(r"<!--[^<>]{0,500}?-->|</?(?:" + _HTML_TAGS + r")(?:\s[^<>\n]{0,200})?/?>"
                      r"|&(?:nbsp|amp|lt|gt|quot|apos|#39);", re.I)


def rule_html(text: str) -> list[Replacement]:
    out = []
    for m in _HTML_RE.finditer(text):
        g = m.group()
        new = _ENTITIES.get(g, "")
        if g.lower().startswith(("<br", "<p", "</p", "<div", "</div")):
            new = "\n"
        out.append((m.start(), m.end(), new))
    return out


_MARKUP_STRIP = re.compile(r"^[\s*#_|>\\-]+|[\s*#_|\\]+$")   # what _plain removes (as _plain does it)
_MARKUP_LEAD = re.compile(r"^[\s*#_|>\\-]+")
_MARKUP_TAIL = re.compile(r"[\s*#_|\\]+")      # matched on the reversed line


def _lines(text: str):
    """(start, end_without_newline, end_with_newline, line) for each line."""
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        yield pos, end, min(end + 1, len(text)), line
        pos = end + 1


def _plain(line: str) -> str:
    """The line without markup at its edges: ``_MARKUP_STRIP.sub("", line).strip()`` in linear time (the
    regex's ``[…]+$`` retries at every position of a long run of spaces: quadratic)."""
    m = _MARKUP_LEAD.match(line)
    rest = line[m.end():] if m else line
    t = _MARKUP_TAIL.match(rest[::-1])
    if t:
        rest = rest[:len(rest) - t.end()]
    return rest.strip()


def _is_prose(line: str) -> bool:
    """A sentence of the document's own text: ten words or more ending in a full stop (or ; ! ?). Web
    chrome, stamps, letterheads, titles and signature blocks are short lines."""
    plain = _plain(line)
    return plain[-1:] in ".;!?…" and len(plain.split()) >= 10


def _prose_bounds(lines: list) -> tuple[int, int]:
    """Indexes of the first and last prose line (``len(lines)``, -1 without one): what stands before the
    first is the document's top edge (its header zone), what stands after the last its bottom edge."""
    prose = [i for i, ln in enumerate(lines) if _is_prose(ln[3])]
    return (prose[0], prose[-1]) if prose else (len(lines), -1)


def rule_chrome(text: str) -> list[Replacement]:
    """Lines of a web page's chrome, at the document's edges only: a sentence of the body that reads like
    chrome ("Cổng thông tin điện tử tỉnh đăng tải …") and anything between two sentences of it stays."""
    chrome = _chrome_re()
    lines = list(_lines(text))
    first, last = _prose_bounds(lines)
    return [(s, full, "") for i, (s, e, full, line) in enumerate(lines)
            if (i < first or i > last) and line.strip() and chrome.search(_plain(line))]


def _is_caps_line(line: str, min_letters: int = 4) -> bool:
    """A line in capitals (letterheads, titles, headings): over 80 % of at least ``min_letters`` letters."""
    letters = list(filter(str.isalpha, line))
    return len(letters) >= min_letters and sum(map(str.isupper, letters)) / len(letters) > 0.8


def rule_stamp(text: str) -> list[Replacement]:
    """An incoming-document stamp, in the header zone only (before the first sentence of the text: a
    sentence of the body starting "Đến ngày …" or "Chuyển: …" is not a stamp)."""
    start_re, body_re = _stamp_res()
    lines = list(_lines(text))
    header, _ = _prose_bounds(lines)
    out: list[Replacement] = []
    i = 0
    while i < header:
        s, e, full, line = lines[i]
        if len(_plain(line)) <= 40 and start_re.search(_plain(line)):
            first = i
            if i > 0 and _is_caps_line(_plain(lines[i - 1][3])) and len(_plain(lines[i - 1][3])) < 80:
                first = i - 1          # the receiving organisation's name printed in the stamp
            j = i + 1
            while j < header and (body_re.search(_plain(lines[j][3])) or not lines[j][3].strip()) \
                    and j - i < 8:
                j += 1
            while j - 1 > i and not lines[j - 1][3].strip():
                j -= 1                   # keep trailing blank lines
            if out and out[-1][1] > lines[first][0]:
                first = i
            out.append((lines[first][0], lines[j - 1][2], ""))
            i = j
            continue
        i += 1
    return out


_HANDWRITTEN_RE = re.compile(r"(?<=[.;,)])[ \t]*(\*{1,2})([^*\n\d]{1,24}?)\1[ \t]*(?=\n|$)")


def rule_handwritten(text: str) -> list[Replacement]:
    """Short italic fragments after the end of a sentence: OCR'd margin notes."""
    out = []
    for m in _HANDWRITTEN_RE.finditer(text):
        if 1 <= len(m.group(2).split()) <= 3:
            out.append((m.start(), m.end(), ""))
    return out


_MD_RULES = [     # (pattern, replacement, the characters one of which every match holds)
    (re.compile(r"^[ \t]*[|\\*#\-=_][|\\*#\-=_ \t]*$", re.M), "line", "|\\*#-=_"),   # rules, pipes, lone stars
    (re.compile(r"^[ \t]*#{1,6}[ \t]+", re.M), "", "#"),                  # heading hashes
    (re.compile(r"^(?:[ \t]*\|)+[ \t]*|(?<![ \t|])(?:[ \t]*\|)+[ \t]*$|\|[ \t]*$", re.M), "", "|"),   # table pipes
    # at line edges, every empty cell at once (a match starts where its run of spaces and pipes does, or at
    # its last pipe: no retry from each space of a long run)
    (re.compile(r"^([ \t]*)\*[ \t]+(?=\S)", re.M), "- ", "*"),            # "* item" bullets
    (re.compile(r"\\([*_#|\-\\])"), "", "\\"),                             # escaped markup: "\*"
    (re.compile(r"\*{2,}|_(?:_+(?=\S)|(?<=\S_)_+)"), "", "*_"),             # bold markers: "**", "__" by a word
    (re.compile(r"\*(?:(?<![\w*]\*)(?=[^\s*])|(?<=[^\s*]\*)(?![\w*]))"), "", "*"),  # italic markers: a "*" by a word
]
# Patterns here open with the character they match first and test what stands before it after it
# ("[ ](?<![ ]{2})" for "(?<![ ])[ ]"): the regex engine then skips ahead to that character instead of
# trying the pattern at every position of the text.


def _first_wins(repls: list[tuple[int, int, int, str]]) -> list[Replacement]:
    """Drop replacements overlapping one proposed earlier (by rule order, then position)."""
    out: list[Replacement] = []
    ends: list[tuple[int, int]] = []
    for s, e, _, new in sorted(repls, key=lambda r: (r[2], r[0])):
        i = bisect.bisect_right(ends, (s, float("inf")))
        if (i and ends[i - 1][1] > s) or (i < len(ends) and ends[i][0] < e):
            continue
        bisect.insort(ends, (s, e))
        out.append((s, e, new))
    out.sort()
    return out


def rule_markup_join(text: str) -> list[Replacement]:
    """A line break inside a bold or italic span ("**I. MỤC" / "ĐÍCH, YÊU CẦU**") is a converter's wrap:
    join the lines (before the markdown rule removes the markers that show it)."""
    out: list[Replacement] = []
    lines = list(_lines(text))
    for i in range(len(lines) - 1):
        s, e, _, line = lines[i]
        nxt = lines[i + 1][3]
        if line.count("**") % 2 == 1 and nxt.strip() and "**" in nxt and nxt.count("**") % 2 == 1 \
                and not nxt.lstrip().startswith("**"):
            out.append((e, lines[i + 1][0], " "))
    return out


def rule_markdown(text: str) -> list[Replacement]:
    repls: list[tuple[int, int, int, str]] = []
    for order, (rx, kind, chars) in enumerate(_MD_RULES):
        if not any(c in text for c in chars):
            continue
        for m in rx.finditer(text):
            s, e = m.start(), m.end()
            if kind == "line":
                if s == e or "\n" in m.group():
                    continue
                if not re.search(r"[|*#=_\\]|-{3,}", m.group()):
                    continue   # a bare "-" bullet marker is structure, not markup
                e = min(e + 1, len(text)) if e < len(text) and text[e] == "\n" else e
                new = ""
            elif kind == "- ":
                new = m.group(1) + "- "
            else:
                if kind == "" and rx.pattern.startswith(r"\\("):
                    new = ""
                else:
                    new = kind
            if s == e:
                continue
            repls.append((s, e, order, new))
    return _first_wins(repls)


_SPACING_RULES = [
    (re.compile(r"[ ]{2,}"), " "),
    (re.compile(r"^[ ]+|[ ](?<![ ]{2})[ ]*$", re.M), ""),      # a match starts where its run of spaces does
    (re.compile(r"[ ](?<![ ]{2})[ ]*(?=[,.;:!?)\]”])(?!\.\.)"), ""),
    (re.compile(r"[ ](?<=[(\[“][ ])[ ]*"), ""),
    (re.compile(r"[ ](?<=\d[ ])[ ]*-[ ]*(?=[A-ZĐ]{1,6}/)|-(?<=\d-)[ ]*(?=[A-ZĐ]{1,6}/)"   # "22 - KH/TU" after a digit
                r"|[ ](?<=\d[ ])[ ]*-(?=[A-ZĐ])|-(?<=\d-)[ ]+(?=[A-ZĐ]{1,6}/)"), "-"),
    (re.compile(r"[ /](?:(?<=[A-ZĐ]/)[ ]*|(?<=[A-ZĐ] )[ ]*/[ ]*)(?=[A-ZĐ]{1,6}\b)"), "/"),   # "KH / UBND"
]


def _spacing(text: str) -> list[Replacement]:
    repls: list[tuple[int, int, int, str]] = []
    for order, (rx, new) in enumerate(_SPACING_RULES):
        for m in rx.finditer(text):
            s, e = m.span()
            if m.group() != new and s != e:
                repls.append((s, e, order, new))
    return _first_wins(repls)


def _ocr_confusions(text: str) -> list[Replacement]:
    lower, ignore_case, table = _confusions()
    low = text.lower()
    matches = lower.finditer(low) if len(low) == len(text) else ignore_case.finditer(text)   # "İ" lowers to 2
    out = []
    for m in matches:
        g = text[m.start():m.end()]
        right = table.get(g.lower())
        if right is None:             # ignoring case matched a form whose lower case is no key ("TRİÊN")
            continue
        if g.isupper():
            right = right.upper()
        elif g[0].isupper():
            right = right[0].upper() + right[1:]
        if right != g:
            out.append((m.start(), m.end(), right))
    return out


def _tone_table() -> dict[str, str]:
    """Old-style -> new-style for syllable-final oa, oe, uy ("hoá" -> "hóa")."""
    marks = ["\u0301", "\u0300", "\u0309", "\u0303", "\u0323"]
    table = {}
    for first, second in (("o", "a"), ("o", "e"), ("u", "y")):
        for mark in marks:
            for f, s in ((first, second), (first.upper(), second), (first.upper(), second.upper())):
                old = f + unicodedata.normalize("NFC", s + mark)
                new = unicodedata.normalize("NFC", f + mark) + s
                table[old] = new
    return table


_TONE = _tone_table()
_TONE_RE = re.compile("(" + "|".join(map(re.escape, _TONE)) + r")(?<![qQ]..)(?!\w)")   # every key is 2 characters


def _tone_styles(text: str) -> list[Replacement]:
    return [(m.start(), m.end(), _TONE[m.group()]) for m in _TONE_RE.finditer(text)]


# spaces are put right line by line (no pattern reads a line break), and word rules never look past a
# blank line: they run paragraph by paragraph, cached (pipeline.paragraphs)
rule_spacing = ParagraphRule(_spacing, gaps=True)
rule_ocr_confusion = ParagraphRule(_ocr_confusions)
rule_tone_style = ParagraphRule(_tone_styles)


_MARKER_ONLY = re.compile(r"^(?:[IVXLC]+\.|\d+(?:\.\d+)*\.?|[a-zđ]\)|[-+•–]|Điều \d+[a-z]?\.?)$")
_STRUCTURE = re.compile(
    r"^(?:[IVXLC]+\.\s|\d+(?:\.\d+)+\.?\s|\d+[.)]\s|\d+(?:\.\d+)*[.)]?$|[a-zđ]\)\s?|[a-zđ]\.\s|[-+•–—]\s?|điều\s+\d|nơi nhận|kính gửi"
    r"|số\s*[:\d]|t/m\b|tm\.|kt\.|q\.|chương\s+[ivx\d]|phần\s+[ivx\d]|phụ lục)", re.I)
_NUMBERED = re.compile(r"^(?:[IVXLC]+\.|\d+(?:\.\d+)*[.)]?|[a-zđ]\))\s")
_CONNECTORS = {"của", "và", "các", "với", "cho", "về", "trong", "đến", "là", "để", "những", "tại", "theo",
               "từ", "trên", "đối", "việc", "hoặc", "nhằm", "gắn", "như", "ở", "Ban", "Hội", "Sở", "Ủy"}
# "ở" ends a line inside a sentence ("thường trú ở / Việt Nam"), except in the nouns that end with it
_NOUNS_IN_O = {"nhà", "nơi", "chỗ", "ăn"}


def _connector_at_end(cur: str, blank: bool = True) -> bool:
    """Does ``cur`` end on a word no sentence ends on? "thuộc" counts only before a line with no blank line
    between (a table cell may end "… trực thuộc")."""
    words = cur.split()
    if words[-1] == "ở":
        return len(words) > 1 and words[-2].lower() not in _NOUNS_IN_O
    return words[-1] in _CONNECTORS or (not blank and words[-1] == "thuộc")


# "… quy định tại" / "Điều 10 của Nghị định …": a reference wrapped to a line's start, not an article ("Điều 4.
# Thời hạn …", "Chương V" alone are headings)
_REFERENCE = re.compile(r"(?:Điều|Khoản|Mục|Phần|Chương|Phụ lục)\s+(?:\d+[a-z]?|[IVXLC]+)(?![\w.:])(?=\s*[,;]?\s*\S)", re.I)
_REFERENCE_LEADS = {"tại", "theo", "của", "và", "hoặc", "với", "thuộc", "trong"}
_DATE_CONT = re.compile(r"^[A-ZĐÀ-Ỹ][\w]*(?: [A-ZĐÀ-Ỹ][\w]*)*, ngày \d")
_NUMBER_LINE = re.compile(r"số\s*:", re.I)   # "Số: 22/2013/QĐ-TTg": the letterhead's left column ends there


# words that a number or code goes on ("Kế hoạch số" / "13-KH/TU", "trước ngày 31 tháng 12 năm" / "2025.")
_NUMBER_LEADS = {"số", "ngày", "tháng", "khoản", "điểm", "điều", "mục", "Khoản", "Điều", "Mục", "Điểm"}
_YEAR = re.compile(r"(?:19|20)\d\d(?!\d)")
_ITEM_NUMBER = re.compile(r"\d+(?:\.\d+)*[.)](?:\s|$)")
# a line opening with these words in lower case goes on a sentence ("theo Văn bản" / "số 43-CV/TU"); in capitals
# they open a structure line ("Số: 12/KH-UBND", "Điều 5.", "Nơi nhận:")
_LOWER_WORD = re.compile(r"(?:số|điều|nơi nhận|kính gửi|chương|phần|phụ lục)\b")


def _number_goes_on(cur: str, nxt: str) -> bool:
    """Does ``nxt`` open with the number that the last word of ``cur`` asks for: a year after "năm", a number
    or code after "số", "ngày", "Khoản"… (not an item's "2." or "3)")?"""
    last = cur.split()[-1]
    if last == "năm":
        return bool(_YEAR.match(nxt))
    return last in _NUMBER_LEADS and nxt[0].isdigit() and not _ITEM_NUMBER.match(nxt)


def _closes_parenthesis(cur: str, nxt: str) -> bool:
    """Does ``cur`` leave a parenthesis open that ``nxt`` closes ("Phối hợp Sở Nội vụ (Ban" / "Thi đua - Khen
    thưởng) tiến hành …")?"""
    close = nxt.find(")")
    if close < 0:
        return False
    depth = 0
    for ch in cur:                       # a ")" that closes nothing, the list marker "c)", opens nothing either
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
    if not depth:
        return False
    opening = nxt.find("(")
    return opening < 0 or close < opening


# the level word that ends an agency's name, then what the agency does ("Tham mưu UBND" / "Thành phố phối hợp …"):
# a sentence does not open so ("Thành phố Hà Nội", "Tỉnh ủy" open one)
_LEVEL_GOES_ON = re.compile(r"(?:Thành phố|Tỉnh|Trung ương|Thủ đô)\s+(?!ủy\b|uỷ\b)[a-zà-ỹđ]")
_LETTER_MARKER = re.compile(r"[a-zđ][.)]")


def _opens_lower(line: str) -> bool:
    """Does ``line`` open with a lower-case word (not a list marker "a)", "b.", nor a table's tick "x")?"""
    word = line.split(None, 1)[0]
    return line[0].islower() and len(word) > 1 and not _LETTER_MARKER.match(word)


@lru_cache(maxsize=1)
def _names():
    from .lexicon import AgencyMatcher

    return AgencyMatcher.default()


def _name_across(cur: str, nxt: str, words: int = 6) -> bool:
    """Does a name or term of the lexicon run over the break between ``cur`` and ``nxt``?"""
    head = " ".join(cur.split()[-words:])
    window = head + " " + " ".join(nxt.split()[:words])
    return any(s < len(head) < e for s, e in _names().term_spans(window))


def _first_wrap(cur: str, nxt: str, width: tuple[int, int] | None) -> bool:
    """Is a paragraph's first line ``cur`` one its converter wrapped short (of the document's first-line
    ``width``, :func:`_first_line_width`), going on with a capital in ``nxt`` (no final stop, no structure or
    capitals line next)?"""
    cur, nxt = cur.strip(), nxt.strip()
    return bool(width and cur and nxt) and width[0] <= len(cur) <= width[1] and nxt[0].isupper() \
        and cur[-1] not in ".!?;:" and not _STRUCTURE.match(nxt) and not _MARKER_ONLY.match(nxt) \
        and not _is_caps_line(nxt) and not _MARKER_ONLY.match(cur) and ROW_SEP not in nxt


def _should_join(cur: str, nxt: str, blank: bool, wrapped: float = 0, after: str = "") -> bool:
    """Does the break between ``cur`` and ``nxt`` fall inside a sentence? ``wrapped`` is the width the
    text was hard-wrapped at (0 when it was not)."""
    cur, nxt = cur.strip(), nxt.strip()
    if not cur or not nxt or ROW_SEP in cur or ROW_SEP in nxt:
        return False                  # a table row is one line
    if _MARKER_ONLY.match(cur):
        return not blank
    if not blank and _REFERENCE.match(nxt) and cur.split()[-1] in _REFERENCE_LEADS:
        return True                   # "quy định tại" / "Điều 10 của Nghị định …": a reference, not an article
    if not blank and (_number_goes_on(cur, nxt) or NUMBER_CODE.match(nxt)):
        return True                   # "… vào năm" / "2025.", "Nghị quyết số" / "48/NQ-CP", a document's number
                                      # ("Thông tư" / "13/2023/TT-BNV."): not an item "2025."
    if (_STRUCTURE.match(nxt) and not _LOWER_WORD.match(nxt)) or _MARKER_ONLY.match(nxt):
        return False                  # (a line opening "số 43-CV/TU" or "điều 5" in lower case goes on a sentence)
    if not blank and _closes_parenthesis(cur, nxt):
        return True                   # "Sở Y tế (Chi cục Dân số" / "Xã hội) kiểm tra …": inside a parenthesis
    if not blank and (cur[-1] in ";:" or cur.endswith(("...", "…"))) and _opens_lower(nxt):
        return True                   # a converter's wrap after a ";" inside an item: the next line opens in lower
                                      # case with no marker (an item of a list has one)
    if cur[-1] in ".!?;:" or cur.endswith("./."):
        return False
    if _is_caps_line(cur) or (_is_caps_line(nxt) and not nxt[0].islower()):
        return False
    first = nxt[0]
    if first.islower() or (not blank and _DATE_CONT.match(nxt) and not _NUMBER_LINE.match(cur)):
        return True
    if _connector_at_end(cur, blank):
        return True           # "… phối hợp với" / "Bộ Nông nghiệp …": a line does not end on "với"
    if wrapped and not blank and len(cur) >= 40 and (not _STRUCTURE.match(cur) or len(cur) >= 0.85 * wrapped) \
            and not re.match(r"(?:v/v|về việc)\b", cur, re.I) and not _DATE_CONT.match(after.strip()) \
            and not BASIS.match(nxt):
        return True           # a converter's hard wrap before a capitalised word (a structure line, an item
                              # or "Điều N.", only when it fills the width: a short heading does not; nor a
                              # "Thực hiện Kết luận số …" or "Căn cứ …" line, which opens a paragraph)
    if not blank and cur[-1] == ",":
        return True           # no heading ends on a comma ("… Sở Nông nghiệp và Môi trường," / "Ban quản lý …")
    if not blank and first.isupper() and (_name_across(cur, nxt) or _LEVEL_GOES_ON.match(nxt)):
        return True           # an agency name the wrap cut ("Thủ tướng" / "Chính phủ", "Bộ" / "Nông nghiệp …",
                              # "Ủy ban nhân dân" / "Thành phố chủ trì …")
    if _NUMBERED.match(cur) and len(cur.split()) > 3:
        return False          # a numbered line without final punctuation is a heading
                              # (a short one, "5. Cục", is a name the converter wrapped)
    if blank:
        return False          # (a connector at the line's end was joined above)
    return cur[-1] == "," or first in "(“\"'" or first.isdigit()


_FOOTNOTE = re.compile(r"^\[\d+\]|^\d+(?:\.\d+)*\.\s+\[\d+\]")     # "[3] …", "7. [5] …": a footnote's line
_FORM_BLANK = re.compile(r"…{2}|\.{4}|…\.|\.…")                        # "……", "....": a form's blank to fill in


def _single_break_wraps(cur: str, nxt: str, after: str = "") -> bool:
    """In a text whose paragraphs are set apart by blank lines (:func:`_blank_separated`), is a single break
    between ``cur`` and ``nxt`` a wrap? ``cur`` (two words or more, or a connector) ends on a word or a number;
    ``nxt`` opens with a capital or a digit and is no structure line, no line in capitals, no basis line ("Căn
    cứ …", "Thực hiện Kết luận …") and not followed by a date line; ``cur`` is not the letterhead's "Số: …", a
    footnote's line, nor a numbered heading that is an agency's whole name ("2. Sở Y tế"); neither is a form's
    line to fill in. It is asked after :func:`_should_join`, which has joined a marker's own line and a place's
    name wrapped before its date line ("… Hồ Chí" / "Minh, ngày …") already. ``cur`` may be a structure line:
    "Điều 3. Chánh" / "Văn phòng …" is the wrap this rule is for, so a numbered heading set directly over its
    text, with no blank line, in such a text would be joined to it (none of the rule's 98 joins on the 185 real
    files is one: their headings have a blank line under them, as their paragraphs do)."""
    cur, nxt = cur.strip(), nxt.strip()
    if not cur or not nxt or ROW_SEP in cur or ROW_SEP in nxt or not (cur[-1].isalnum() or cur[-1] == "%"):
        return False          # (a form's "ngày … tháng … năm …", "(chữ ký, đóng dấu)" end otherwise)
    if (len(cur.split()) < 2 and cur.lower() not in _CONNECTORS) or _FORM_BLANK.search(cur) or _FORM_BLANK.search(nxt):
        return False          # a table's header cut into lines ("STT" / "Địa chỉ"; "Các" / "Bộ trưởng …" is a wrap),
                              # a form to fill in ("Tên tiếng" / "Anh: ………")
    if not (nxt[0].isupper() or nxt[0].isdigit()) or _STRUCTURE.match(nxt) or _MARKER_ONLY.match(nxt):
        return False
    if _is_caps_line(cur) or _is_caps_line(nxt) or BASIS.match(nxt) or _DATE_CONT.match(after.strip()) \
            or _NUMBER_LINE.match(cur) or _FOOTNOTE.match(cur):
        return False
    marker = _NUMBERED.match(cur)
    if marker:                # "2. Sở Y tế" / "Chủ trì …": a heading that is an agency's name, whole
        rest = cur[marker.end():].strip()
        if len(rest.split()) <= NAME_MAX_WORDS and \
                any(s == 0 and e == len(rest) for s, e in _names().term_spans(rest)):
            return False
    return True


def _hard_wrapped(lines: list[str]) -> float:
    """The typical length of the lines of a text wrapped at a fixed width (web and PDF converters, OCR), or
    0 when it was not. Many unpunctuated lines of similar, medium length say so (the median of their lengths,
    a little under the wrap width, is returned); a document with a paragraph per line has few. The share is
    taken among the lines of prose length, so that a document's tables and lists of short lines do not hide
    its wrapped paragraphs. Once joined, the text no longer looks wrapped, so the rule does not fire again
    (cleanup stays idempotent)."""
    body = [ln.strip() for ln in lines if len(ln.strip()) >= 45]
    cut = sorted(len(ln) for ln in body if len(ln) <= 100 and ln[-1] not in ".;:!?")
    return float(cut[len(cut) // 2]) if len(cut) >= 8 and len(cut) >= 0.3 * len(body) else 0.0


# A document whose blank lines often fall inside a sentence (an OCR engine that sets a blank line between
# the lines of a paragraph) says nothing by its blank lines: a break over a blank line there is joined as a
# single line break would be (a marker alone, a lower-case start, a connector, a comma), though never by the
# hard-wrap width alone, which would glue a title to the paragraph under it. Clean documents have almost
# no such breaks (the most of 185 real ones: 14 %); OCR'd pages 30–55 %.
BLANK_WRAP_SHARE = 0.25
BLANK_WRAP_MIN = 5
BLANK_WRAP_LINE = 30       # lines shorter than this (table cells, headings) are not counted
# A text that sets a blank line after nearly every paragraph's last line (BLANK_SEPARATED_SHARE of at least
# BLANK_SEPARATED_MIN): its single line breaks after a line with no final stop are wraps
BLANK_SEPARATED_SHARE = 0.9
BLANK_SEPARATED_MIN = 10
NAME_MAX_WORDS = 12        # an agency's name is no longer than this ("Sở Văn hóa, Thể thao và Du lịch")


# A converter that wraps paragraphs' first lines short: at least FIRST_WRAP_MIN such lines, a FIRST_WRAP_SHARE of the
# paragraphs' unpunctuated first lines, their lengths within FIRST_WRAP_SPREAD characters of each other
FIRST_WRAP_MIN = 5
FIRST_WRAP_SHARE = 0.3
FIRST_WRAP_SPREAD = 15


def _first_line_width(lines: list[str]) -> tuple[int, int] | None:
    """The lengths (least, most) of the first lines of paragraphs that a converter wrapped short, or None. Some
    converters wrap a paragraph's first line well before the others (its indent took the width): such a first
    line, unpunctuated, goes on in lower case on the next line often, at a steady length. Measured on the
    paragraphs that surely go on (the next line opens in lower case), so that a first line of that length
    going on with a capital ("- Chủ trì phối hợp với BHXH" / "Thành phố …") is taken as wrapped too; a
    heading is shorter ("2. Sở Y tế")."""
    sizes, firsts = [], 0
    prev = ""
    for i, line in enumerate(lines[:-1]):
        cur, nxt = line.strip(), lines[i + 1].strip()
        first = not prev
        prev = cur
        if not first or not cur or not nxt or cur[-1] in ".;:!?" or ROW_SEP in cur or _is_caps_line(cur):
            continue
        firsts += 1
        if _opens_lower(nxt) and not _STRUCTURE.match(nxt):
            sizes.append(len(cur))
    if len(sizes) < FIRST_WRAP_MIN or len(sizes) < FIRST_WRAP_SHARE * firsts:
        return None
    sizes.sort()
    lo, hi = sizes[len(sizes) // 4], sizes[-1 - len(sizes) // 10]     # (a few short ones are headings cut short)
    return (lo, hi) if hi - lo <= FIRST_WRAP_SPREAD else None


def _blank_lines_wrap(lines: list[str]) -> bool:
    """Do this text's blank lines fall inside sentences (at least ``BLANK_WRAP_SHARE`` of the breaks over a
    blank line after a line of prose go from a line without a final stop to a line that opens in lower case)?"""
    pairs = inside = 0
    prev, blank = "", False
    for line in lines:
        line = line.strip()
        if not line:
            blank = bool(prev)
            continue
        if blank and len(prev) >= BLANK_WRAP_LINE and ROW_SEP not in prev and ROW_SEP not in line:
            pairs += 1
            # ("x" alone is a table's tick, not a word)
            inside += prev[-1] not in ".!?;:" and line[0].islower() and len(line.split(None, 1)[0]) > 1 \
                and not _STRUCTURE.match(line)
        prev, blank = line, False
    return inside >= BLANK_WRAP_MIN and inside >= BLANK_WRAP_SHARE * pairs


def _blank_separated(lines: list[str]) -> bool:
    """Does this text set a blank line after (nearly) every paragraph: of the lines of prose that end a
    sentence and have a line after them, at least ``BLANK_SEPARATED_SHARE`` are followed by a blank one (at
    least ``BLANK_SEPARATED_MIN`` of them)? In such a text a single line break after a line with no final stop
    is a converter's wrap, whatever the lines' lengths ("Điều 3. Chánh" / "Văn phòng UBND tỉnh, …")."""
    ends = blanks = 0
    for i, line in enumerate(lines[:-1]):
        cur = line.strip()
        if len(cur) < BLANK_WRAP_LINE or cur[-1] not in ".;!?" or ROW_SEP in cur:
            continue
        ends += 1
        blanks += not lines[i + 1].strip()
    return ends >= BLANK_SEPARATED_MIN and blanks >= BLANK_SEPARATED_SHARE * ends


def rule_line_join(text: str) -> list[Replacement]:
    """Join a line to the next non-blank one when the break falls inside a sentence.

    A plain walk over lines (linear time: a regex here backtracks quadratically on a 1 MB line).
    """
    out: list[Replacement] = []
    lines = list(_lines(text))
    texts = [ln[3] for ln in lines]
    wrapped, blank_wraps = _hard_wrapped(texts), _blank_lines_wrap(texts)
    separated = _blank_separated(texts)
    first_width = _first_line_width(texts)
    i = 0
    while i < len(lines):
        if not lines[i][3].strip():
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not lines[j][3].strip():
            j += 1
        if j >= len(lines):
            break
        cur, nxt = lines[i][3], lines[j][3]
        k = j + 1
        while k < len(lines) and not lines[k][3].strip():
            k += 1
        after = lines[k][3] if k < len(lines) else ""   # "…Hồ Chí" / "Minh, ngày…": the date line starts
        blank = j - i > 1
        first = i == 0 or not texts[i - 1].strip()      # (a line joined to the one before is no first line)
        if (first and not blank and _first_wrap(cur, nxt, first_width)) or \
                _should_join(cur, nxt, blank=blank, wrapped=wrapped, after=after) or (
                blank and blank_wraps and _should_join(cur, nxt, blank=False, wrapped=0, after=after)) or (
                not blank and separated and _single_break_wraps(cur, nxt, after)):
            s = lines[i][1]
            while s > lines[i][0] and text[s - 1] in " \t":
                s -= 1
            e = lines[j][0]
            while e < lines[j][1] and text[e] in " \t":
                e += 1
            out.append((s, e, " "))
        i = j
    return out


# (?<![^.!?;\n]): a sentence starts after a stop (or at the line's start), as finditer would find it anyway;
# without it a line with no stop is rescanned from every position (quadratic: 85 s on a 76 KB line)
_SENT_RE = re.compile(r"(?<![^.!?;\n])[^.!?;\n]{60,}?[.!?;](?=\s|$)")


_AFTER_REFERENCE = re.compile(r"(?<!\w)(?:\w|\d+|[IVXLC]+)\.\s*$")     # "Phần C.", "Điều 5.", "Mục II." before it


def rule_duplicate(text: str) -> list[Replacement]:
    """Text the converter repeated on the spot: a line right after itself, a sentence again in its own
    line. Keep the first.

    A sentence repeated farther away is kept: real regulations, procedures and plans repeat items, clauses and
    recommendations on purpose (one procedure's "Kiến nghị thực thi" under each of fifty procedures), and
    removing them lost labelled tasks in 20 of 185 real documents."""
    out: list[Replacement] = []
    prev_par = ""
    for s, e, full, line in _lines(text):
        key = " ".join(line.split())
        if not key:
            continue
        if len(key) >= 80 and key == prev_par:
            out.append((s, full, ""))
            continue
        prev_par = key
        seen: set[str] = set()
        for m in _SENT_RE.finditer(line):
            if _AFTER_REFERENCE.search(line, max(0, m.start() - 24), m.start()):   # a window: linear time
                continue                 # after "d.", "Bước 1.", "Phần C.": an item's text or a reference's tail
            skey = " ".join(m.group().split())
            if skey in seen:
                a, b = s + m.start(), s + m.end()
                while a > s and text[a - 1] == " ":
                    a -= 1
                out.append((a, b, ""))
            else:
                seen.add(skey)
    return out


_BLANKS_RE = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+|\n[ \t]+\n|^\s+|\s+$")
_BLANKS_INNER = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+|\n[ \t]+\n|^\s+")


def _blank_spans(text: str) -> list[tuple[int, int]]:
    """The matches of ``_BLANKS_RE.finditer(text)`` in linear time: its ``\\s+$`` can only match in the
    text's trailing whitespace, but the regex tries it at every position of every run of spaces."""
    tail = len(text.rstrip())
    out, pos = [], 0
    for m in _BLANKS_INNER.finditer(text):
        if m.start() >= tail:
            break
        out.append(m.span())
        pos = m.end()
    q = max(tail, pos)
    while q < len(text):
        m = _BLANKS_INNER.match(text, q)
        if m is None:
            out.append((q, len(text)))
            break
        out.append(m.span())
        q = m.end()
    return out


def rule_blank_lines(text: str) -> list[Replacement]:
    """At most one blank line between paragraphs (it marks a page or paragraph break)."""
    out = []
    for s, e in _blank_spans(text):
        g = text[s:e]
        if s == 0 or e == len(text):
            new = ""
        else:
            new = "\n\n"
        if g != new:
            out.append((s, e, new))
    return out


RULES = [
    ("letterhead_columns", layout.rule_letterhead_columns),
    ("page_layout", layout.rule_page_layout),
    ("unicode", rule_unicode),
    ("html", rule_html),
    ("table", rule_table),
    ("chrome", rule_chrome),
    ("stamp", rule_stamp),
    ("handwritten", rule_handwritten),
    ("markup_join", rule_markup_join),
    ("markdown", rule_markdown),
    ("ocr_junk", layout.rule_ocr_junk),
    ("ocr_marks", layout.rule_ocr_marks),
    ("recipients", layout.rule_recipients),
    ("spacing", rule_spacing),
    ("ocr_confusion", rule_ocr_confusion),
    ("tone_style", rule_tone_style),
    ("line_join", rule_line_join),
    ("word_split", diacritics.rule_word_split),
    ("diacritics", diacritics.rule_diacritics),
    ("spacing", rule_spacing),
    ("duplicate", rule_duplicate),
    ("blank_lines", rule_blank_lines),
]


@dataclass
class CleanResult:
    text: str
    edits: list[Edit] = field(default_factory=list)
    offset_map: OffsetMap = field(default_factory=OffsetMap)


def clean(raw: str, max_rounds: int = 5) -> CleanResult:
    """Clean ``raw``; rules run in order, repeated until nothing changes (at most ``max_rounds``)."""
    text = raw
    omap = OffsetMap()
    edits: list[Edit] = []
    for _ in range(max_rounds):
        changed = False
        for name, rule in RULES:
            repls = rule(text)
            if not repls:
                continue
            changed = True
            for s, e, new in repls:
                edits.append(Edit(rule=name, start=omap.to_raw(s), end=omap.to_raw(e, end=True),
                                  before=text[s:e], after=new))
            text = apply_replacements(text, repls)
            omap.add(repls)
        if not changed:
            break
    return CleanResult(text=text, edits=edits, offset_map=omap)
