"""Stage 5, document metadata: number, type, issuer, place, date (ISO), signer.

Rules over the clean text's header and signature block; a field that cannot
be found is ``None``.

>>> m = extract("TỈNH ỦY HÀ TĨNH\\nSố 12-CT/TU\\nHà Tĩnh, ngày 5 tháng 3 năm 2024\\nCHỈ THỊ\\nT/M BAN THƯỜNG VỤ\\nBÍ THƯ\\nNguyễn Văn An")
>>> m["number"], m["type"], m["date"], m["place"], m["signer"], m["issuer"]
('12-CT/TU', 'chỉ thị', '2024-03-05', 'Hà Tĩnh', 'Nguyễn Văn An', 'Ban Thường vụ Tỉnh ủy Hà Tĩnh')
"""

from __future__ import annotations

import re

_DATE_LINE = re.compile(r"^(?:(?P<place>[^,\d;:()]{2,40}?)\s*,\s*)?ngày\s*(?P<d>\d{1,2})?[\s.…_]*tháng\s*(?P<m>\d{1,2})?"
                        r"[\s.…_]*năm\s*(?P<y>\d{4})?\s*[.;]?$", re.I)
_NUMBER_LINE = re.compile(r"^S[ốỐ]\s*[:.]?\s*(?P<num>\d[\d.]*)?\s*(?P<code>(?:[-/]\s*[\w&.]+)+(?:\s+-\s+[A-ZĐ][\w&]*)*)",
                          re.U)
_ANNEX = re.compile(r"\(\s*(?:ban hành\s+)?kèm\s+theo\s+(?P<kind>[^\d]{2,30}?)\s+số\s*(?P<number>[\w./&\-–]*[/-][\w./&\-–]+)"
                    r"[\s,]*ngày\s+(?P<date>\d{1,2}\s*(?:/|tháng)\s*\d{1,2}\s*(?:/|năm)\s*\d{4})"
                    r"(?:\s+của\s+(?P<issuer>[^)]+))?", re.I)
_BODY_START = re.compile(r"^(?:kính gửi|căn cứ|thực hiện|theo đề nghị|xét đề nghị|thi hành|để\s|nhằm\s|"
                         r"(?:[IVX]+|\d+|[a-zđ])[.)]\s)", re.I)
_TYPES = ["công văn", "chỉ thị", "kế hoạch", "thông báo", "kết luận", "hướng dẫn", "quyết định", "nghị quyết",
          "công điện", "báo cáo", "chương trình", "tờ trình", "đề án", "quy chế", "quy định", "thông tri",
          "nghị định", "thông tư", "luật", "pháp lệnh"]
_CODE_TYPES = {"CV": "công văn", "CT": "chỉ thị", "KH": "kế hoạch", "TB": "thông báo", "KL": "kết luận",
               "HD": "hướng dẫn", "QĐ": "quyết định", "NQ": "nghị quyết", "CĐ": "công điện", "BC": "báo cáo",
               "CTR": "chương trình", "TTR": "tờ trình", "ĐA": "đề án", "QC": "quy chế", "NĐ": "nghị định"}
# the code of a number (also what cleanup knows a wrapped reference's number by): "12-CT/TU" (a Party
# committee's: number-CODE/ISSUER), "05/CT-TTg", "173/2025/NĐ-CP" (a state body's: number[/year]/CODE-ISSUER);
# a state letter has no code ("35/UBND-VX": ISSUER-UNIT)
NUMBER_CODE = re.compile(r"^\d+[A-Z]*(?:(?P<party>-)|/(?:\d{4}/)?)(?P<code>[A-ZĐ]+)(?P<after>[-/])?")
# a title run together with its subject by the web page: "NGHỊ ĐỊNH Về hợp đồng…"
_TITLE_RUN_ON = re.compile(r"^(?P<type>[A-ZĐÀ-Ỹ]+(?: [A-ZĐÀ-Ỹ]+)*) (?=[A-ZĐÀ-Ỹ][a-zđà-ỹ])")
_SIGN_ROLE = re.compile(r"^(?:T/M|TM\.?|KT\.?|Q\.|TL\.|TUQ\.)\s*(.*)$", re.I)
_TITLES = re.compile(r"^(?:PHÓ\s+)?(?:BÍ THƯ|CHỦ TỊCH|GIÁM ĐỐC|TRƯỞNG BAN|CHÁNH VĂN PHÒNG|PHÓ BÍ THƯ|THƯỜNG TRỰC|"
                     r"TRƯỞNG|PHÓ TRƯỞNG BAN|CHỦ NHIỆM|TỔNG BIÊN TẬP|BỘ TRƯỞNG|THỨ TRƯỞNG|THỦ TƯỚNG|CHÁNH|PHÓ|"
                     r"TỔNG CỤC TRƯỞNG|CỤC TRƯỞNG|VỤ TRƯỞNG|KT\.|TM\.|T/M)", re.I)
_NAME = re.compile(r"^(?:[A-ZĐÀ-Ỹ][a-zđà-ỹ]*|[A-ZĐÀ-Ỹ]{2,})(?:\s+(?:[A-ZĐÀ-Ỹ][a-zđà-ỹ]+|[A-ZĐÀ-Ỹ]{2,})){1,5}$")
# words of bodies and offices, never of a person's name: "NHÂN DÂN" under "TM. ỦY BAN" is not a signer
_NOT_NAME_WORDS = {"nhân", "dân", "ủy", "ban", "bộ", "sở", "hội", "đồng", "thường", "trực", "vụ", "tỉnh", "thành",
                   "phố", "huyện", "xã", "phường", "chính", "phủ", "đảng", "trung", "ương", "quốc", "phòng",
                   "chủ", "tịch", "trưởng", "giám", "đốc", "đã", "ký", "nơi", "nhận", "lưu", "cục", "chi", "mặt",
                   "trận", "tổ", "việt", "nam", "liên", "đoàn", "công", "an", "sự", "quân"}
_SURNAMES = set("""nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý đinh trương lương mai lâm đoàn
tạ hà chu cao lưu tô thái trịnh đào vương quách la tăng kiều đàm châu nông lò thạch kim triệu phùng âu giáp khổng
lại mạc quan tôn từ vi hầu lục ma nghiêm phí tống bạch hứa doãn lã diệp khúc mẫn thân ông y h' ksor rơ nie niê
lầu sùng vàng hờ giàng thào""".split())
_PARTY_HEAD = re.compile(r"^(TỈNH ỦY|THÀNH ỦY|HUYỆN ỦY|QUẬN ỦY|THỊ ỦY|ĐẢNG ỦY)\s+(.+)$")
_GOV_HEAD = re.compile(r"^(?:ỦY BAN NHÂN DÂN|UBND)\s*(.*)$")
_ENACTING = re.compile(r"^(?:CHÍNH PHỦ|THỦ TƯỚNG CHÍNH PHỦ|ỦY BAN THƯỜNG VỤ QUỐC HỘI|QUỐC HỘI|BỘ CHÍNH TRỊ|BAN BÍ THƯ|"
                       r"BỘ TRƯỞNG BỘ .+|CHỦ TỊCH ỦY BAN NHÂN DÂN .+|ỦY BAN NHÂN DÂN .+|HỘI ĐỒNG NHÂN DÂN .+|"
                       r"BAN CHẤP HÀNH .+|BAN THƯỜNG VỤ .+)(?:\s+điện)?\s*:?$")


def _title_case(s: str) -> str:
    return " ".join(w.capitalize() for w in s.split())


def _lines(text: str) -> list[str]:
    """Non-empty lines, with table cells ("a | b") as lines of their own and separator runs dropped; a "Số:"
    line whose number was wrapped onto the next line is joined with it."""
    out: list[str] = []
    for ln in text.split("\n"):
        for cell in ln.split("|"):
            c = re.sub(r"-{3,}|_{3,}|\*+", " ", cell).strip()
            if c:
                out.append(" ".join(c.split()))
    joined: list[str] = []
    for ln in out:
        if joined and re.fullmatch(r"S[ốỐ]\s*[:.]?", joined[-1]) and re.match(r"^[\d/]", ln):
            joined[-1] += " " + ln
        else:
            joined.append(ln)
    return joined


def _header_end(lines: list[str]) -> int:
    """Index of the first line of the body. The header zone above it holds capitalised lines (letterhead,
    motto, title, enacting authority), the number line, the place-date line, "V/v" and the subject line under
    the title; at most 20 lines."""
    after_title = False
    for i, ln in enumerate(lines[:20]):
        if i < 2 and any(_NUMBER_LINE.match(x) or (x.isupper() and len(x.split()) <= 8) for x in lines[i + 1:i + 4]):
            continue                             # a web page's title line above the letterhead
        if _SIGN_ROLE.match(ln) or re.match(r"^nơi nhận", ln, re.I):
            return i
        if _NUMBER_LINE.match(ln) or _DATE_LINE.match(ln) or re.match(r"^(?:V/v\b|độc lập\b|cộng hòa\b)", ln, re.I) \
                or (ln.isupper() and not _BODY_START.match(ln)):
            after_title = ln.lower() in _TYPES or (after_title and ln.isupper())
            continue
        if after_title and not _BODY_START.match(ln):
            after_title = False                  # the subject line under the title ("Về tăng cường …")
            continue
        return i
    return min(len(lines), 20)


def _is_name(c: str) -> bool:
    if not _NAME.match(c) or len(c.split()) < 2:
        return False
    words = c.lower().split()
    if c.isupper():
        return words[0] in _SURNAMES and not _NOT_NAME_WORDS & set(words[1:])
    return words[0] in _SURNAMES or not _NOT_NAME_WORDS & set(words)


def _signer(lines: list[str], start: int) -> tuple[str | None, str | None]:
    """(signer, signing body) from the signature block: the name under a role or title line, after the header."""
    recips = next((i for i, ln in enumerate(lines) if i >= start and re.match(r"^nơi nhận", ln, re.I)), None)
    if recips is None:
        start = max(start, len(lines) // 3)
    roles = [i for i, ln in enumerate(lines) if i >= start and (_SIGN_ROLE.match(ln) or (ln.isupper() and _TITLES.match(ln)
                                                                                         and len(ln.split()) <= 12))]
    if recips is not None:          # the signature stands beside the "Nơi nhận" list: the closest block first
        roles.sort(key=lambda i: abs(i - recips))
    first_body = None
    for i in roles:
        sm = _SIGN_ROLE.match(lines[i])
        body = (sm.group(1).strip() or None) if sm else None
        first_body = first_body or body
        for cand in lines[i + 1:i + 7]:
            c = cand.strip("* ()[]")
            if re.match(r"^nơi nhận|^-\s", c, re.I):
                break
            if _is_name(c):
                return c, body
    return None, first_body


def extract(text: str) -> dict:
    """The document's own metadata, each from its zone (None where the original leaves it blank or has none):
    number from the header's "Số" line, date and place from the place-date line, type from the title (or the
    number's code), issuer from the letterhead (else the enacting authority above "Căn cứ"), signer from the
    signature block; for a document whose header was lost, number, date and issuer from an annex's
    "(Kèm theo Công văn số … ngày … của …)" line. Numbers, dates and bodies the text cites are never taken."""
    lines = _lines(text)
    end = _header_end(lines)
    head = lines[:end]
    meta: dict = {"number": None, "type": None, "issuer": None, "place": None, "date": None, "signer": None}

    for ln in head:
        m = _NUMBER_LINE.match(ln)
        if m:
            meta["number"] = ((m.group("num") or "") + m.group("code")).strip(" .,;:")
            break
    for ln in head + lines[end:40]:
        nm = _NUMBER_LINE.match(ln)
        m = _DATE_LINE.match(ln[nm.end():].strip() if nm else ln)
        if m:
            place = (m.group("place") or "").strip(" *-")
            if place and len(place.split()) <= 5 and not _NUMBER_LINE.match(place):
                meta["place"] = place
            if m.group("d") and m.group("m") and m.group("y"):
                meta["date"] = _iso(int(m.group("y")), int(m.group("m")), int(m.group("d")))
            break

    # type: a title line in capitals, else the number's code, else a letter's "Kính gửi"
    meta["type"] = _title_type(lines[:25])
    if meta["type"] is None and meta["number"]:
        meta["type"] = _type_of_number(meta["number"])
    if meta["type"] is None and any(_KINH_GUI.match(ln) for ln in lines[:15]):
        meta["type"] = "công văn"

    meta["signer"], sign_body = _signer(lines, end)
    if meta["signer"] is None and len(lines) > end and _is_name(lines[-1]) and not lines[-1].isupper():
        meta["signer"] = lines[-1]              # a name alone on the last line: the signature without its title

    # issuer: the letterhead's issuing unit (+ the parent's place), else the enacting authority
    top = next((i for i, ln in enumerate(lines[:3]) if ln.isupper() or _NUMBER_LINE.match(ln)), 0)  # below a web title
    meta["issuer"] = _letterhead_issuer(lines[top:], sign_body)
    if meta["issuer"] is None:
        for ln in head + lines[end:end + 1]:
            if ln.isupper() or ln.endswith(("điện:", "điện")):
                em = _ENACTING.match(re.sub(r"\s+điện\s*:?$", "", ln) if ln.upper().startswith("THỦ TƯỚNG") else ln)
                if em and ln.lower() not in _TYPES:
                    meta["issuer"] = _enacting_issuer(re.sub(r"\s+điện\s*:?$", "", ln))
                    break
    if meta["issuer"] is None and meta["number"] and meta["place"]:
        meta["issuer"] = _party_issuer(meta["number"], sign_body, meta["place"])
    if meta["issuer"] and meta["place"] and re.search(r"(?:\b(?:tỉnh|huyện|xã|phường|quận)|(?:Tỉnh|Thành|Huyện|Quận|Thị) ủy)$",
                                                     meta["issuer"]):
        meta["issuer"] += " " + meta["place"]

    # a document whose header was lost: its annex names it
    if meta["number"] is None and meta["date"] is None:
        for ln in lines[end:]:
            am = _ANNEX.search(ln)          # "(Kèm theo …)": an annex's own reference, not a citation
            if am:
                meta["number"] = am.group("number").strip(" .,")
                meta["date"] = _date_words(am.group("date"))
                if meta["issuer"] is None and am.group("issuer"):
                    meta["issuer"] = " ".join(am.group("issuer").split()).strip(" .,")
                if meta["type"] is None:
                    kind = am.group("kind").lower().strip()
                    meta["type"] = kind if kind in _TYPES else _type_of_number(meta["number"])
                break
    return meta


_PARTY_CODES = {"TU": "Tỉnh ủy", "HU": "Huyện ủy", "THU": "Thành ủy", "QU": "Quận ủy", "ĐU": "Đảng ủy"}


def _party_issuer(number: str, sign_body: str | None, place: str) -> str | None:
    """A Party committee's document without its letterhead: the number's code names the committee ("-CV/TU":
    Tỉnh ủy), the place-date line its place, the signature ("T/M BAN THƯỜNG VỤ") the body that signs."""
    code = number.upper().replace(" ", "").rsplit("/", 1)[-1]
    unit = _PARTY_CODES.get(code)
    if not unit:
        return None
    body = ""
    if sign_body and re.match(r"^BAN (?:THƯỜNG VỤ|THƯỜNG TRỰC|CHẤP HÀNH)$", sign_body.upper()):
        body = "Ban " + sign_body.split(None, 1)[1].capitalize() + " "
    elif sign_body and sign_body.upper() == "THƯỜNG TRỰC":
        body = "Thường trực "
    return f"{body}{unit} {place}"


_KINH_GUI = re.compile(r"^kính\s+gửi\b", re.I)


def _title_type(lines: list[str]) -> str | None:
    """The type a title line in capitals gives: "KẾ HOẠCH", "NGHỊ ĐỊNH Về …" (run on with its subject);
    "THÔNG BÁO" over "KẾT LUẬN …" is a thông báo kết luận."""
    for i, ln in enumerate(lines):
        low = ln.lower()
        if not (ln.isupper() and low in _TYPES):
            m = _TITLE_RUN_ON.match(ln)
            low = m.group("type").lower() if m else ""
            if low not in _TYPES:
                continue
        if low == "thông báo" and i + 1 < len(lines) and lines[i + 1].split()[:1] in (["KẾT"], ["Kết"]):
            return "thông báo kết luận"
        return low
    return None


def _type_of_number(number: str) -> str | None:
    """The type a number's code gives: "12-CT/TU", "05/CT-TTg" → chỉ thị; "TT" is a Party committee's thông
    tri ("03-TT/TU") and a ministry's thông tư ("24/2025/TT-BTP"); a state number without a code is a letter's."""
    n = number.upper().replace(" ", "")
    m = NUMBER_CODE.match(n)
    if m:
        code, party = m.group("code"), bool(m.group("party"))
        if code == "TT":
            return "thông tri" if party else "thông tư"
        if code in _CODE_TYPES and (m.group("after") or party):
            return _CODE_TYPES[code]
        if not party and m.group("after") == "-":
            return "công văn"            # "35/UBND-VX", "17986/BTC-CT": the issuer's code, then its unit
    if "CV" in n:
        return "công văn"
    return None


def _date_words(s: str) -> str | None:
    nums = [int(x) for x in re.findall(r"\d+", s)]
    return _iso(nums[2], nums[1], nums[0]) if len(nums) == 3 else None


def _enacting_issuer(line: str) -> str:
    low = " ".join(line.lower().split())
    if low.startswith("chủ tịch ủy ban nhân dân"):
        line = line[len("CHỦ TỊCH "):]
    gm = _GOV_HEAD.match(line)
    if gm and gm.group(1):
        return "Ủy ban nhân dân " + _gov_place(gm.group(1))
    fixed = {"chính phủ": "Chính phủ", "thủ tướng chính phủ": "Thủ tướng Chính phủ", "quốc hội": "Quốc hội",
             "ủy ban thường vụ quốc hội": "Ủy ban Thường vụ Quốc hội", "bộ chính trị": "Bộ Chính trị",
             "ban bí thư": "Ban Bí thư"}
    return fixed.get(low) or _cased_unit(line)


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
        if head and (len(t.split()) == 1 or len(head[-1].split()) == 1 or head[-1].endswith((",", " VÀ", " THỂ"))
                     or re.match(r"^(?:VÀ|VỀ|CỦA|THAO|NHÂN DÂN|DÂN)\b", t) or head[-1] in ("THỦ TƯỚNG", "VĂN PHÒNG")
                     or head[-1].endswith(("ỦY BAN", "ỦY BAN NHÂN"))):
            head[-1] += " " + t          # "THỦ TƯỚNG CHÍNH" / "PHỦ", "BAN" / "CHẤP HÀNH TRUNG ƯƠNG"
        else:
            head.append(t)
    if not head:
        return None
    if len(head) >= 3 and re.match(r"^BAN (?:THƯỜNG TRỰC|THƯỜNG VỤ|ĐẠI DIỆN|CHẤP HÀNH)$", head[-1]) \
            and re.match(rf"^{_LEVEL}\b", head[-2].lower()):
        head = head[:-3] + [head[-3] + " " + head[-2], head[-1]]      # "ỦY BAN MTTQ…" / "TỈNH X" / "BAN THƯỜNG TRỰC"
    if len(head) >= 2 and re.match(rf"^{_LEVEL}\b", head[-1].lower()) and not _PARTY_UNIT.match(head[-1].lower()):
        head = head[:-2] + [head[-2] + " " + head[-1]]      # "ỦY BAN NHÂN DÂN" / "TỈNH ĐẮK LẮK"
    unit = head[-1]
    chair = ""
    if unit.startswith("CHỦ TỊCH "):                  # "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH …": the chair decides
        chair, unit = "Chủ tịch ", unit[len("CHỦ TỊCH "):]
    gm = _GOV_HEAD.match(unit)
    if gm:
        return chair + "Ủy ban nhân dân " + _gov_place(gm.group(1)) if gm.group(1) else None
    issuer = _cased_unit(unit)
    if len(head) >= 2 and re.match(r"^ban (?:thường trực|thường vụ|đại diện|chấp hành)$", issuer.lower()):
        issuer = "Ban " + " ".join(issuer.split()[1:]).capitalize()      # "Ban Thường trực", "Ban Đại diện"
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
