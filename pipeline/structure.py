"""The document's structure: numbered lines, zones, headings, lead-ins, field lines and task-table rows.

:func:`parse` reads the clean text line by line. Each :class:`~pipeline.document.Line`
gets its numbering marker (I., 1., 1.1., a), -, +, Điều 1, Chương I), its zone
(header, addressees "Kính gửi" or a công điện's "… điện:", body, closing "Nơi
nhận" and signature; a document attached after the signature — "KẾ HOẠCH (Kèm
theo Quyết định…)" — opens a new header and body), whether it is a heading or a
lead-in, its section path ("II.1.a"), and, for plans written as item title +
field lines, which field it is ("Cơ quan chủ trì:" → ``lead``). Rows of a task
table (rendered by cleanup as ``cell | cell | …``) become lines of kind ``row``
with their task, lead and support cells.

>>> lines, info = parse("Kính gửi: Các sở, ngành\\n1. Tập huấn cán bộ\\n- Cơ quan chủ trì: Sở Nội vụ.")
>>> [(ln.marker, ln.zone, ln.field) for ln in lines]
[('', 'addressees', ''), ('1', 'body', ''), ('-', 'body', 'lead')]
>>> info.addressees
'Các sở, ngành\\n'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .document import Line
from .tables import ROW_SEP

# --------------------------------------------------------------------------- line patterns

_ROMAN = re.compile(r"^(?P<m>[IVXL]{1,6})[.)]\s*(?=\S)")
# "1." "1)" "1.2" "1.2." — a bare number ("05 bộ dữ liệu", a wrapped line) is not numbering
_ARABIC = re.compile(r"^(?P<m>\d{1,2}(?:\.\d{1,2}){1,3}|\d{1,2}(?=[.)]))[.)]?\s+(?=\S)")
_PAREN = re.compile(r"^\((?P<m>\d{1,2}|[a-zđ])\)\s+(?=\S)")
_LETTER = re.compile(r"^(?P<m>[a-zđ])(?:\)\s*|\.\s+)(?=\S)")      # "a)", "a. "
BULLET_MARKS = "-+•–—"          # a list's bullets (and "*" at a line's start, markdown's)
_BULLET = re.compile(r"^(?P<m>[" + BULLET_MARKS + r"*])\s*(?=\S)")
_ARTICLE = re.compile(r"^Điều\s+(?P<m>\d+[a-z]?)\s*[.:]?\s*", re.I)
_CHAPTER = re.compile(r"^(?:Chương|Mục|Phần)\s+(?P<m>[IVXLC]+|\d+)\b[.:]?\s*", re.I)
# "A. MỤC ĐÍCH, YÊU CẦU", "B. NỘI DUNG, NHIỆM VỤ": a part of a plan above its "I.", "II." (a title in capitals)
_PART = re.compile(r"^(?P<m>[A-EĐ])\.\s+(?=\S)")
_MARKERS = (("article", _ARTICLE), ("chapter", _CHAPTER), ("chapter", _PART), ("roman", _ROMAN), ("arabic", _ARABIC),
            ("paren", _PAREN), ("letter", _LETTER), ("bullet", _BULLET))
DEPTH = {"chapter": -1, "roman": 0, "article": 0.5, "arabic": 1, "paren": 4, "letter": 5, "bullet": 6, "plain": 7,
         "row": 6}
_BULLET_DEPTH = {"-": 6.0, "–": 6.0, "—": 6.0, "•": 6.0, "+": 6.5, "*": 6.7}

_CLOSING = re.compile(r"^(?:nơi nhận|nơi gửi)\b|^(?:t/m|tm\.|kt\.|q\.|tl\.|tuq\.)\s", re.I)   # see _closing
_ADDRESSEES = re.compile(r"^(?:-\s*)?kính gửi\s*:?|^[^\n]{0,80}\bđiện\s*:\s*$", re.I)
_HEADER_LINE = re.compile(
    r"^(?:số\s*[:\d]|v/v\b|về việc\b|độc lập\b|cộng hòa xã hội|đảng cộng sản việt nam|\*+$)"
    r"|ngày\s+\d{0,2}\s+tháng\s+\d{0,2}\s+năm\s+\d{4}\s*\)?$", re.I)
# the title of a document attached after the signature, and its "(Kèm theo …)" line
_ATTACHED_TITLE = re.compile(r"^(?:KẾ HOẠCH|QUY CHẾ|QUY ĐỊNH|PHỤ LỤC|ĐỀ ÁN|CHƯƠNG TRÌNH|HƯỚNG DẪN|DANH MỤC|PHƯƠNG ÁN"
                             r"|ĐIỀU LỆ|NỘI QUY|BẢNG|BIỂU)\b")
_ATTACHED_NOTE = re.compile(r"^\(?\s*(?:ban hành\s+)?kèm theo\b", re.I)
_TYPE_TITLE = re.compile(r"^(?:CÔNG ĐIỆN|CÔNG VĂN|CHỈ THỊ|KẾ HOẠCH|THÔNG BÁO|KẾT LUẬN|HƯỚNG DẪN|QUYẾT ĐỊNH|NGHỊ QUYẾT"
                         r"|NGHỊ ĐỊNH|THÔNG TƯ|CHƯƠNG TRÌNH|ĐỀ ÁN|QUY CHẾ|QUY ĐỊNH|BÁO CÁO|TỜ TRÌNH|LUẬT)$")
# a line that gives the document's basis or what it carries out ("Căn cứ Luật …", "Thực hiện Kết luận số …", "Xét đề
# nghị của …"): no task, no addressee, and no line a sentence wrapped onto
BASIS = re.compile(r"^(?:căn cứ|theo đề nghị|theo chỉ đạo|được sự|xét (?:đề nghị|đề xuất|báo cáo|tờ trình)|"
                   r"thực hiện (?:ý kiến|sự chỉ đạo|chỉ đạo|kết luận|chỉ thị|nghị quyết|kế hoạch|công văn|quyết định|"
                   r"thông báo|hướng dẫn|công điện|luật|nghị định)(?: số| của)?)\b", re.I)
# the kinds of document that are plans: their issuer owns their tasks (inheritance step 5), and their "đối
# tượng" are whom they serve, not addressees
PLAN_KINDS = re.compile(r"kế hoạch|chương trình|phương án|đề án", re.I)
_LEAD_IN_VERBS = re.compile(r"\b(?:yêu cầu|đề nghị|giao|chỉ đạo|phân công|như sau|sau đây|sau|gồm|bao gồm)\b", re.I)

# field lines of a plan item: "Cơ quan chủ trì: Bộ Công an."
_FIELDS = [
    ("lead", re.compile(r"^(?:(?:cơ quan|đơn vị|bộ phận)\s+(?:(?:chủ trì|trực tiếp)\s+)?(?:chủ trì|thực hiện|tham mưu"
                        r"|chịu trách nhiệm)(?:\s+thực hiện)?|chủ trì(?:\s+thực hiện)?|trách nhiệm(?:\s+thực hiện)?|thực hiện"
                        r"|đơn vị chủ trì|người thực hiện)\s*:\s*", re.I)),
    ("support", re.compile(r"^(?:(?:cơ quan|đơn vị)\s+phối hợp(?:\s+thực hiện)?|phối hợp(?:\s+thực hiện)?)\s*:\s*",
                           re.I)),
    ("time", re.compile(r"^(?:thời gian|thời hạn|tiến độ|thời điểm)(?:\s+[\wà-ỹ]+){0,3}\s*:\s*", re.I)),
    ("product", re.compile(r"^(?:sản phẩm|kết quả)(?:\s+[\wà-ỹ]+){0,2}\s*:\s*", re.I)),
    ("funding", re.compile(r"^(?:kinh phí|nguồn kinh phí|nguồn vốn|dự toán)(?:\s+[\wà-ỹ]+){0,2}\s*:\s*", re.I)),
    ("content", re.compile(r"^(?:nội dung|nhiệm vụ|giải pháp|yêu cầu)\s*:\s*", re.I)),
]
# columns of a task table
_COL_TASK = re.compile(r"nội dung|nhiệm vụ|tên (?:nhiệm vụ|đề án|dự án|chương trình)|hoạt động|công việc|giải pháp"
                       r"|chỉ tiêu|đề xuất", re.I)
_COL_LEAD = re.compile(r"chủ trì|thực hiện|trách nhiệm|đơn vị|cơ quan|phụ trách", re.I)
_COL_SUPPORT = re.compile(r"phối hợp", re.I)


def _closing(line: str) -> bool:
    """Whether ``line`` opens the closing block: "Nơi nhận" as a label ("Nơi nhận:", "Nơi nhận" alone or before
    the signature's "TM. …" on the same line), or the signature's "TM.", "KT." …; a sentence that opens with the
    words, "Nơi nhận kết quả.", goes on in lower case and is the body's."""
    m = _CLOSING.match(line)
    return bool(m) and not line[m.end():].lstrip()[:1].islower()


def _is_caps(text: str, min_letters: int = 3) -> bool:
    letters = "".join(filter(str.isalpha, text))
    return len(letters) >= min_letters and sum(map(str.isupper, letters)) / len(letters) > 0.8


def marker(line: str) -> tuple[str, str, int]:
    """(kind, marker, length of the marker) of a stripped line; ("plain", "", 0) without one."""
    for kind, rx in _MARKERS:
        m = rx.match(line)
        if m:
            if kind == "roman" and not re.match(r"^[IVXL]+[.)]", line):
                continue
            if rx is _PART and not _is_caps(line[m.end():]):
                continue                  # "A. Vi sinh vật": an item of a list, not a part
            return kind, m.group("m"), m.end()
    return "plain", "", 0


_FIELD_LABEL = re.compile(r"^(?:(?:cơ quan|đơn vị)\s+)?(?:(?P<group>chủ trì(?:,| và)\s+phối hợp)|(?P<lead>chủ trì|thực hiện)"
                          r"|(?P<support>phối hợp))(?:\s+thực hiện)?\s*[:.]?$", re.I)


def field_of(text: str) -> tuple[str, int]:
    """("lead" | "support" | "time" | "product" | "funding" | "content", length of the label) of a field
    line, ("", 0) otherwise."""
    for name, rx in _FIELDS:
        m = rx.match(text)
        if m:
            return name, m.end()
    return "", 0


@dataclass
class DocInfo:
    """What the structure says about the whole document."""

    addressees: str = ""      # the "Kính gửi" list; in a normative text without one, its "Đối tượng áp dụng"
    recipients: str = ""
    lead_in: str = ""
    title: str = ""
    table_roles: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- parsing

# "2. Sửa đổi, bổ sung Điều 3 như sau:": the "Điều 3." line after it is the amended article's text, quoted
_AMENDS = re.compile(r"như sau\s*:\s*$", re.I)
_ARTICLE_REF = re.compile(r"\bĐi\w{1,2}u\s+(\d+[a-z]?)\b", re.I)


def _quoted_article(prev: str, mark: str) -> bool:
    """An article line that an amendment ("… bổ sung Điều 3 như sau:") introduces: the text it quotes, whose
    opening quote a scan may have lost, not an article of this document."""
    return bool(_AMENDS.search(prev)) and mark.lower() in {m.lower() for m in _ARTICLE_REF.findall(prev)}


def _split_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    pos = 0
    prev = ""
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        stripped = raw.strip()
        if not stripped:
            continue
        before, prev = prev, stripped
        lead = len(raw) - len(raw.lstrip())
        s0, e0 = start + lead, start + lead + len(stripped)
        if ROW_SEP in stripped:
            lines.append(Line(start=s0, end=e0, text=stripped, kind="row"))
            continue
        kind, mark, cut = marker(stripped)
        if kind == "article" and _quoted_article(before, mark):
            kind, mark, cut = "plain", "", 0
        body = s0 + cut
        while body < e0 and text[body].isspace():
            body += 1
        lines.append(Line(start=body, end=e0, text=text[body:e0], marker=mark, kind=kind))
    return lines


def _zones(lines: list[Line], info: DocInfo) -> None:
    zone = "header"
    seen_body = False
    attached = False        # past the document's own signature block: what follows is attached to it (forms…)
    for i, ln in enumerate(lines):
        t = ln.text
        full = (ln.marker + " " + t) if ln.marker else t
        if zone == "closing" and (_ATTACHED_NOTE.match(t) or (_ATTACHED_TITLE.match(t) and _is_caps(t))):
            zone, seen_body = "header", False          # a document attached after the signature
            attached = True
        if _closing(full) or _closing(t):
            zone = "closing"
        if zone == "closing":
            ln.zone = "closing"
            if not _closing(t) and (ln.kind == "bullet" or t.endswith((";", ","))) and not attached:
                info.recipients += t + "\n"
            continue
        if _ADDRESSEES.match(full) or _ADDRESSEES.match(t):
            zone = "addressees"
            ln.zone = "addressees"
            rest = _ADDRESSEES.sub("", t).strip(" -:")
            if rest and not attached:
                info.addressees += rest + "\n"
            continue
        if zone == "addressees":
            if (ln.kind == "bullet" or (ln.kind == "plain" and t.endswith((";", ",")))) and len(t) < 300 \
                    and not BASIS.match(t):      # "Căn cứ Luật …;" under the list opens the body
                ln.zone = "addressees"
                if not attached:        # what is attached after the signature (a form, a plan) has its own lists
                    info.addressees += t + "\n"
                continue
            zone = "body"
        if zone == "header" and not seen_body:
            is_header = (_HEADER_LINE.search(full) or _ATTACHED_NOTE.match(t)
                         or (_is_caps(t) and ln.kind in ("plain", "roman") and len(t) < 250 and not ln.marker)
                         or (len(t) < 60 and ln.kind == "plain" and not t.endswith((".", ":", ";"))))
            if is_header and ln.kind == "plain":
                ln.zone = "header"
                if _TYPE_TITLE.match(t) or _ATTACHED_TITLE.match(t) or re.match(r"^(?:v/v|về việc)\b", t, re.I) \
                        or (info.title and _is_caps(t) and len(info.title) < 300):
                    info.title += t + "\n"
                continue
            zone = "body"
        ln.zone = "body"
        seen_body = True


def _next_is_deeper(lines: list[Line], i: int) -> bool:
    for nxt in lines[i + 1:i + 2]:
        return (DEPTH.get(nxt.kind, 7) > DEPTH.get(lines[i].kind, 7)) or \
            (nxt.kind == "arabic" and lines[i].kind == "arabic" and nxt.marker.count(".") > lines[i].marker.count("."))
    return False


def _table_roles(header: list[str]) -> dict:
    roles = {}
    for k, cell in enumerate(header):
        if "task" not in roles and _COL_TASK.search(cell):
            roles["task"] = k
        elif "support" not in roles and _COL_SUPPORT.search(cell):
            roles["support"] = k
        elif "lead" not in roles and _COL_LEAD.search(cell):
            roles["lead"] = k
    return roles if "task" in roles else {}


_INDEX_CELL = re.compile(r"^(?:\d{1,3}|[IVXLC]{1,6}|[a-zđ])[.)]?$")
_INDEX_HEADER = re.compile(r"^(?:s?tt|số tt|số thứ tự)$", re.I)


def _rows(lines: list[Line]) -> None:
    """Task-table rows: the header row names the columns; each later row gets (task, lead, support) cells.

    A row whose first cell is not a number under a "TT" header continues the numbered row above it (a
    merged cell): its cells are read one column to the right. A caps line between rows (a section
    title) keeps the table open."""
    roles: dict = {}
    indexed = False
    for i, ln in enumerate(lines):
        if ln.kind != "row":
            nxt = lines[i + 1] if i + 1 < len(lines) else None
            if not (nxt is not None and nxt.kind == "row" and (_is_caps(ln.text) or len(ln.text) < 120)):
                roles = {}
            continue
        cells = [c.strip() for c in ln.text.split(ROW_SEP)]
        r = _table_roles(cells)
        if len(r) >= 2 and all(len(c) < 60 and not c.endswith(".") for c in cells):
            roles = r
            indexed = bool(_INDEX_HEADER.match(cells[0]))
            ln.heading = True
            continue
        if not roles:
            continue
        if indexed and not _INDEX_CELL.match(cells[0]):
            cells = [""] + cells
        task, lead, support = (cells[roles[k]] if k in roles and roles[k] < len(cells) else ""
                               for k in ("task", "lead", "support"))
        if (_is_caps(task) and not lead) or not task:
            ln.heading = True              # a section row: "II | TRIỂN KHAI ĐỒNG BỘ …"
            continue
        ln.cells = (task, lead, support)


# an attached regulation, charter or annex: its type line, then its title in capitals
_PART_TYPE = re.compile(r"^(?:QUY ĐỊNH|QUY CHẾ|ĐIỀU LỆ|PHỤ LỤC(?:\s+[IVXLC\d]+)?)$")


def _part_titles(lines: list[Line]) -> None:
    """Give each body line of a regulation attached after the signature ("QUY ĐỊNH / CHỨC NĂNG, NHIỆM VỤ …
    CỦA SỞ NỘI VỤ / (Ban hành kèm theo …)") the title of its part: the outermost heading of its articles."""
    title, seen_body, in_title, parts, prev = "", False, False, [], ""
    for ln in lines:
        t = ln.text.strip().strip("*").strip()
        if ln.zone == "header" and prev in ("body", "closing"):
            title, in_title, parts = "", False, []     # another document begins: its own title or none
        prev = ln.zone
        if ln.zone == "body":
            if in_title:
                title, in_title = " ".join(parts), False
            seen_body = True
            ln.part_title = title
        elif ln.zone == "header" and seen_body:
            if _PART_TYPE.match(t):
                title, in_title, parts = "", True, []
            elif in_title and _is_caps(t) and not t.startswith("("):
                parts.append(t)
            elif in_title and parts:
                title, in_title = " ".join(parts), False


def parse(text: str) -> tuple[list[Line], DocInfo]:
    """Lines with markers, zones, headings, lead-ins, fields and section paths; plus document info."""
    lines = _split_lines(text)
    info = DocInfo()
    _zones(lines, info)
    _rows(lines)
    _part_titles(lines)
    roman, arabic, letter, article = "", [], "", ""
    for i, ln in enumerate(lines):
        if ln.zone == "header":
            roman, arabic, letter, article = "", [], "", ""     # a document attached after the signature
        if ln.zone != "body":
            continue
        t = ln.text.rstrip()
        if ln.kind == "chapter":
            roman, arabic, letter, article = "", [], "", ""
        elif ln.kind == "roman":
            roman, arabic, letter = ln.marker, [], ""
        elif ln.kind == "article":
            article, arabic, letter = "Điều " + ln.marker, [], ""
        elif ln.kind == "arabic":
            arabic, letter = ln.marker.split("."), ""
        elif ln.kind in ("letter", "paren"):
            letter = ln.marker
        ln.section = ".".join(p for p in [roman, article, *arabic, letter] if p)
        ln.depth = DEPTH[ln.kind] if ln.kind != "bullet" else _BULLET_DEPTH.get(ln.marker, 6.0)
        if ln.kind == "arabic":
            ln.depth = 1 + ln.marker.count(".") * 0.5
        if ln.field:
            continue                       # an agency listed under a field label (set below, at its label)
        name, cut = field_of(t)
        if name and ln.kind in ("bullet", "plain", "letter", "paren", "arabic"):
            ln.field, ln.field_value = name, t[cut:].strip()
            if not ln.field_value:
                ln.lead_in = True          # "- Thời gian thực hiện:" followed by bullets
            continue
        label = _FIELD_LABEL.match(t)
        if label and _next_is_deeper(lines, i):
            # "2. Chủ trì thực hiện" with the agencies in the bullets under it
            ln.field = "group" if label.group("group") else "lead" if label.group("lead") else "support"
            ln.lead_in = True
            if ln.field != "group":
                for kid in lines[i + 1:]:
                    if kid.zone != "body" or DEPTH.get(kid.kind, 7) <= DEPTH.get(ln.kind, 7) and kid.kind != "plain":
                        break
                    kid.field, kid.field_value = ln.field, kid.text      # the agencies it lists
            continue
        ends_sentence = t.endswith((".", ";", "!", "?", "…"))
        if t.endswith(":"):
            ln.lead_in = True
        elif ln.kind == "row":
            continue
        elif not ends_sentence and (ln.kind in ("roman", "article", "chapter") or (_is_caps(t) and len(t) < 250)
                                    or (ln.kind in ("arabic", "letter", "paren") and len(t) < 200
                                        and _next_is_deeper(lines, i))):
            ln.heading = True
        if ln.lead_in and not info.lead_in and ln.kind == "plain" and _LEAD_IN_VERBS.search(t):
            info.lead_in = t
    if not info.addressees and not PLAN_KINDS.search(info.title):
        info.addressees = subjects(lines)
    info.recipients = referred_articles(info.recipients, lines)
    return lines, info


_AS_IN_ARTICLE = re.compile(r"^\W*như\s+(?:các\s+)?điều\s+(\d+(?:\s*(?:,|và)\s*(?:điều\s+)?\d+)*)", re.I)
ARTICLE_MAX_LINES = 12       # lines under the article line that a "Như Điều 3" in the Nơi nhận stands for


def _article_key(number: str) -> str:
    return number.lstrip("0") or "0"


def referred_articles(recipients: str, lines: list[Line]) -> str:
    """The Nơi nhận with each "Như Điều N" ("as Article N"; also "Như Điều 2, Điều 3", "Như các Điều 2, 3")
    replaced by whom the document's own articles name, one clause (cut at ";") a line: the article's line
    (its title, or "Chánh Văn phòng UBND tỉnh; Thủ trưởng các sở, ban, ngành; Chủ tịch UBND các xã … chịu trách
    nhiệm thi hành Quyết định này") and the lines under it up to the next article or chapter, at most
    :data:`ARTICLE_MAX_LINES`. These are the bodies a decision is sent to for carrying it out, and so part of
    every group its Nơi nhận gives (taxonomy step 6; corpus/GUIDELINE.md §8.7, §8.8). The article is the last
    "Điều N" before the Nơi nhận: an attached regulation's articles come after it, and an article an amending
    decision quotes comes before the decision's own. A reference to no such article stays as it is."""
    if not any(_AS_IN_ARTICLE.match(entry) for entry in recipients.splitlines()):
        return recipients
    end = next((i for i, ln in enumerate(lines) if ln.zone == "closing"), len(lines))
    articles: dict[str, int] = {}
    for i in range(end):
        if lines[i].kind == "article":
            articles[_article_key(lines[i].marker)] = i
    out = []
    for entry in recipients.splitlines():
        m = _AS_IN_ARTICLE.match(entry)
        starts = [articles.get(_article_key(n)) for n in re.findall(r"\d+", m.group(1))] if m else []
        if not starts or None in starts:
            out.append(entry)
            continue
        for start in starts:
            texts = [lines[start].text]
            for ln in lines[start + 1:min(end, start + 1 + ARTICLE_MAX_LINES)]:
                if ln.kind in ("article", "chapter"):
                    break
                texts.append(ln.text)
            out += [c.strip(" .;/") for t in texts for c in t.split(";") if c.strip(" .;/")]
    return "\n".join(out) + "\n"


_SUBJECTS = re.compile(r"đối tượng áp dụng", re.I)
_SUBJECTS_AT_START = re.compile(r"^\W*(?:phạm vi điều chỉnh\W+(?:và\s+)?)?đối tượng áp dụng\W*", re.I)
_SUBJECTS_ONLY = re.compile(r"^\W*đối tượng áp dụng\W*", re.I)
SUBJECTS_MAX_LINES = 12      # lines of a "Đối tượng áp dụng" provision read as the addressees
SUBJECTS_MAX_CHARS = 1500


def subjects(lines: list[Line]) -> str:
    """The text of a normative document's "Đối tượng áp dụng" (who its rules apply to: "Quy định này áp dụng
    đối với cơ quan, tổ chức, cá nhân…"), read as the addressee list a letter has: the rest of the line that
    names it and the lines under it, up to the next article (or, for a numbered "2. Đối tượng áp dụng", the
    next item of its level), at most :data:`SUBJECTS_MAX_LINES` lines. A line that begins with the words is
    preferred to an article title that also names the scope; "" without one (and the caller leaves plans
    alone: a plan's "đối tượng" are whom it serves).

    The labels take such a provision's lead from the Nơi nhận instead (corpus/GUIDELINE.md §8.8); this
    fallback is kept because a parser without it measured worse on them."""
    body = [i for i, ln in enumerate(lines) if ln.zone == "body" and _SUBJECTS.search(ln.text)]
    if not body:
        return ""
    start = next((i for i in body if _SUBJECTS_ONLY.match(lines[i].text)),
                 next((i for i in body if _SUBJECTS_AT_START.match(lines[i].text)), body[0]))
    head = lines[start]
    m = _SUBJECTS_AT_START.match(head.text)
    out = [head.text[m.end():].strip()] if m else []
    level = DEPTH.get(head.kind, 7) if head.kind in ("arabic", "letter", "paren") else DEPTH["article"]
    for ln in lines[start + 1:start + 1 + SUBJECTS_MAX_LINES]:
        if ln.zone != "body" or ln.kind in ("chapter", "roman", "article") or \
                (ln.kind != "plain" and DEPTH.get(ln.kind, 7) <= level and ln.kind not in ("bullet", "row")):
            break
        out.append(ln.text.strip())
    text = "\n".join(t for t in out if t)
    return text[:SUBJECTS_MAX_CHARS] + ("\n" if text else "")
