"""Stage 5, document metadata: number, type, issuer, place, date (ISO), signer.

Rules over the clean text's header and signature block; a field that cannot
be found is ``None``.

>>> m = extract("TỈNH ỦY HÀ TĨNH\\nSố 12-CT/TU\\nHà Tĩnh, ngày 5 tháng 3 năm 2024\\nCHỈ THỊ\\nT/M BAN THƯỜNG VỤ\\nBÍ THƯ\\nNguyễn Văn An")
>>> m["number"], m["type"], m["date"], m["place"], m["signer"], m["issuer"]
('12-CT/TU', 'chỉ thị', '2024-03-05', 'Hà Tĩnh', 'Nguyễn Văn An', 'Ban Thường vụ Tỉnh ủy Hà Tĩnh')
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"\bSố\s*[:.]?\s*(\d+[\w/.\-&]*[-/][\w/.\-&Đđ]+)", re.I)
_DATE = re.compile(r"(?:^|\n)\s*([^\n,]{2,40}?),\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.I)
_DATE_ANY = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.I)
_TYPES = ["công văn", "chỉ thị", "kế hoạch", "thông báo", "kết luận", "hướng dẫn", "quyết định", "nghị quyết",
          "công điện", "báo cáo", "chương trình", "tờ trình", "đề án", "quy chế", "quy định", "thông tri"]
_CODE_TYPES = {"CV": "công văn", "CT": "chỉ thị", "KH": "kế hoạch", "TB": "thông báo", "KL": "kết luận",
               "HD": "hướng dẫn", "QĐ": "quyết định", "NQ": "nghị quyết", "CĐ": "công điện", "BC": "báo cáo",
               "CTR": "chương trình", "TTR": "tờ trình", "ĐA": "đề án", "QC": "quy chế", "TT": "thông tri"}
_SIGN_ROLE = re.compile(r"^(?:T/M|TM\.?|KT\.?|Q\.|TL\.|TUQ\.)\s*(.*)$", re.I)
_TITLES = re.compile(r"^(?:PHÓ\s+)?(?:BÍ THƯ|CHỦ TỊCH|GIÁM ĐỐC|TRƯỞNG BAN|CHÁNH VĂN PHÒNG|PHÓ BÍ THƯ|THƯỜNG TRỰC|"
                     r"TRƯỞNG|PHÓ TRƯỞNG BAN|CHỦ NHIỆM|TỔNG BIÊN TẬP|BỘ TRƯỞNG|THỦ TƯỚNG|CHÁNH|PHÓ)", re.I)
_NAME = re.compile(r"^(?:[A-ZĐÀ-Ỹ][a-zđà-ỹ]+|[A-ZĐÀ-Ỹ]{2,})(?:\s+(?:[A-ZĐÀ-Ỹ][a-zđà-ỹ]+|[A-ZĐÀ-Ỹ]{2,})){1,5}$")
_ISSUER_BODY = re.compile(r"((?:Ban Thường vụ|Thường trực|Ban Chấp hành|Ban Chỉ đạo|Ủy ban nhân dân|UBND|Ban Thường trực)"
                          r"[^,.;:\n]{0,60}?)\s+(?:đã\s+)?(?:ban hành|yêu cầu|chỉ đạo|đề nghị|thông báo|hướng dẫn|xây dựng)", re.I)
_PARTY_HEAD = re.compile(r"^(TỈNH ỦY|THÀNH ỦY|HUYỆN ỦY|QUẬN ỦY|THỊ ỦY|ĐẢNG ỦY)\s+(.+)$")
_GOV_HEAD = re.compile(r"^(?:ỦY BAN NHÂN DÂN|UBND)\s*(.*)$")


def _title_case(s: str) -> str:
    return " ".join(w.capitalize() for w in s.split())


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.split("\n") if ln.strip()]


def extract(text: str) -> dict:
    lines = _lines(text)
    head = "\n".join(lines[:25])
    meta: dict = {"number": None, "type": None, "issuer": None, "place": None, "date": None, "signer": None}

    m = _NUMBER.search(head)
    if m:
        meta["number"] = m.group(1).strip(" .,")
    m = _DATE.search("\n" + head)
    if m:
        place = m.group(1).strip(" *-")
        if len(place.split()) <= 5 and not any(ch.isdigit() for ch in place):
            meta["place"] = place
        d, mo, y = int(m.group(2)), int(m.group(3)), int(m.group(4))
        meta["date"] = _iso(y, mo, d)
    else:
        m = _DATE_ANY.search(head)
        if m:
            d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
            meta["date"] = _iso(y, mo, d)

    # type: a title line in capitals, else the number's code
    for ln in lines[:25]:
        low = ln.lower()
        if ln.isupper() and low in _TYPES:
            meta["type"] = low
            break
    if meta["type"] is None and meta["number"]:
        codes = re.split(r"[-/]", meta["number"].upper())
        for code in codes[1:]:
            if code in _CODE_TYPES:
                meta["type"] = _CODE_TYPES[code]
                break
        else:
            if re.search(r"/(UBND|[A-ZĐ]+)-", meta["number"]) or "CV" in meta["number"].upper():
                meta["type"] = "công văn"

    # signer and the signing body
    sign_body = None
    for i, ln in enumerate(lines):
        sm = _SIGN_ROLE.match(ln)
        if sm and i > len(lines) // 3:
            sign_body = sm.group(1).strip() or None
            for cand in lines[i + 1:i + 6]:
                c = cand.strip("* ")
                if _TITLES.match(c) or c.isupper() and len(c.split()) <= 6 and not _NAME.match(_title_case(c)):
                    continue
                if _NAME.match(c):
                    meta["signer"] = c
                    break
            break
    if meta["signer"] is None and lines:
        last = lines[-1].strip("* ")
        if _NAME.match(last) and not last.isupper() and len(last.split()) >= 2:
            meta["signer"] = last

    # issuer: the letterhead's issuing unit (+ the parent's place), else the body text's own words
    meta["issuer"] = _letterhead_issuer(lines, sign_body)
    if meta["issuer"] is None:
        bm = _ISSUER_BODY.search(text[:4000])
        if bm:
            meta["issuer"] = " ".join(bm.group(1).split())
    if meta["issuer"] and meta["place"] and re.search(r"(?:\b(?:tỉnh|huyện|xã|phường|quận)|(?:Tỉnh|Thành|Huyện|Quận|Thị) ủy)$",
                                                     meta["issuer"]):
        meta["issuer"] += " " + meta["place"]
    return meta


_LEVEL = r"(?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn)"
_NOT_LETTERHEAD = re.compile(r"^(?:cộng hòa|đảng cộng sản|độc lập|số\b|v/v|\*+$)", re.I)
_MOTTOS = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "ĐẢNG CỘNG SẢN VIỆT NAM", "ĐỘC LẬP - TỰ DO - HẠNH PHÚC")
_PARTY_UNIT = re.compile(r"^(tỉnh|thành|huyện|quận|thị|đảng) ủy\b\s*(.*)$")


def _cased_unit(caps: str) -> str:
    """'BAN TỔ CHỨC' -> 'Ban Tổ chức', 'HỘI KHUYẾN HỌC TỈNH NAM ĐỊNH' -> 'Hội Khuyến học tỉnh Nam Định'.

    The name's own casing comes from the agency lexicon when a lexicon name starts it; place names
    after a level word are title-cased."""
    from .lexicon import default_entries

    low = " ".join(caps.lower().split())
    pm = _PARTY_UNIT.match(low)
    if pm:
        return f"{pm.group(1).capitalize()} ủy {_title_case(pm.group(2))}".strip()
    m = re.search(rf"\b({_LEVEL})\s+(?!ủy\b)(\S.*)$", low)
    head, place = (low[:m.start()].strip(), f"{m.group(1)} {_title_case(m.group(2))}") if m else (low, "")
    best = max((a for _, a, _ in default_entries() if head.startswith(a.lower())
                and (len(head) == len(a) or head[len(a)] == " ")), key=len, default="")
    head = (best + head[len(best):]) if best else head[:1].upper() + head[1:]
    # abbreviations (no vowel: LHPN, CCB, LĐLĐ, MTTQ) keep their capitals
    abbrev = {w.lower(): w for w in caps.split() if not re.search(r"[aeiouyàáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵ]", w.lower())}
    head = " ".join(abbrev.get(w, w) for w in head.split())
    return f"{head} {place}".strip()


def _letterhead_issuer(lines: list[str], sign_body: str | None) -> str | None:
    """The issuing body from the capitalised letterhead lines above the number and the title."""
    head: list[str] = []
    for ln in lines[:8]:
        t = ln.strip("* ")
        # the national motto and the Party's name, also in the pieces a converter wrapped them into
        if not t or set(t) <= {"*"} or any(" ".join(t.upper().split()) in m for m in _MOTTOS) \
                or re.match(r"^(?:cộng hòa|đảng cộng sản|độc lập)", t, re.I):
            continue
        if not t.isupper() or t.lower() in _TYPES or _NOT_LETTERHEAD.match(t):
            break                     # the letterhead ends at the number, the date or the title
        if head and (len(t.split()) == 1 or len(head[-1].split()) == 1):
            head[-1] += " " + t          # "THỦ TƯỚNG CHÍNH" / "PHỦ", "BAN" / "CHẤP HÀNH TRUNG ƯƠNG"
        else:
            head.append(t)
    if not head:
        return None
    if len(head) >= 2 and re.match(rf"^{_LEVEL}\b", head[-1].lower()) and not _PARTY_UNIT.match(head[-1].lower()):
        head = head[:-2] + [head[-2] + " " + head[-1]]      # "ỦY BAN NHÂN DÂN" / "TỈNH ĐẮK LẮK"
    unit = head[-1]
    gm = _GOV_HEAD.match(unit)
    if gm:
        return "Ủy ban nhân dân " + _gov_place(gm.group(1)) if gm.group(1) else None
    issuer = _cased_unit(unit)
    if len(head) >= 2 and re.match(r"^ban (?:thường trực|thường vụ|đại diện|chấp hành)$", issuer.lower()):
        return issuer + " " + _cased_unit(head[-2])        # "ỦY BAN MTTQ … TỈNH KON TUM" / "BAN THƯỜNG TRỰC"
    if not re.search(rf"\b{_LEVEL}\b|\b(?:tỉnh|thành|huyện|quận|thị|đảng) ủy\b", issuer.lower()) and len(head) >= 2:
        parent = head[-2]
        pm = _PARTY_UNIT.match(" ".join(parent.lower().split()))
        gp = _GOV_HEAD.match(parent)
        if pm:
            issuer += " " + _cased_unit(parent)
        elif gp and gp.group(1):
            issuer += " " + _gov_place(gp.group(1))
    if sign_body and "THƯỜNG VỤ" in sign_body.upper() and not issuer.startswith("Ban"):
        issuer = "Ban Thường vụ " + issuer
    return issuer


def _iso(y: int, mo: int, d: int) -> str | None:
    import datetime

    try:
        return datetime.date(y, mo, d).isoformat()
    except ValueError:
        return None


def _gov_place(s: str) -> str:
    words = s.split()
    if not words:
        return ""
    level = words[0].lower()
    rest = " ".join(words[1:])
    if level == "thành" and len(words) > 1 and words[1].lower() == "phố":
        level, rest = "thành phố", " ".join(words[2:])
    return f"{level} {_title_case(rest)}".strip()
