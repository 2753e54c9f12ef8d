"""Realistic OCR and conversion noise, injected into clean text (for corpus/raw, evaluation, benchmark).

The kinds follow what the seeds and real documents show: markdown debris,
hard line wraps and page breaks inside sentences, an incoming-document stamp,
handwritten margin notes, web-page chrome, a repeated paragraph, HTML tags,
NBSP and double spaces, old-style tone marks and dropped diacritics ("Phấn
đấu" -> "Phân đấu"). The diacritic noise drops marks on random syllables,
not only on the pairs cleanup knows, so the evaluation measures honestly how
much of it cleanup repairs.

>>> add_noise("Phấn đấu đạt 80% chỉ tiêu.", seed=3, kinds=("nbsp",)) != "Phấn đấu đạt 80% chỉ tiêu."
True
"""

from __future__ import annotations

import random
import re
import unicodedata

KINDS = ("markdown", "wrap", "page_break", "stamp", "handwritten", "chrome", "duplicate", "html", "nbsp",
         "old_tones", "diacritics")
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_NOTES = ["Tiến", "Huhu", "Đã xem", "Chuyển đ/c Hà", "Gấp", "Lưu", "OK", "Trình BT"]
_CHROME_TOP = ["TRANG THÔNG TIN ĐIỆN TỬ", "Trang chủ > Văn bản chỉ đạo", "Ngày tạo: 12/05/2023 09:14:22"]
_CHROME_END = ["File đính kèm", "Nhập nội dung ý kiến của bạn.", "Nhập tên của bạn.", "Nhập email của bạn.",
               "Bài viết liên quan", "Lượt xem: 1532"]


def _drop_tone(word: str) -> str:
    nfd = unicodedata.normalize("NFD", word)
    out = "".join(ch for ch in nfd if ch not in _TONES)
    return unicodedata.normalize("NFC", out)


def _old_tones(text: str) -> str:
    table = {"óa": "oá", "òa": "oà", "ỏa": "oả", "õa": "oã", "ọa": "oạ", "óe": "oé", "òe": "oè", "ỏe": "oẻ",
             "úy": "uý", "ùy": "uỳ", "ủy": "uỷ", "ũy": "uỹ", "ụy": "uỵ", "Ủy": "Uỷ"}
    rx = re.compile(r"(?<![qQ])(" + "|".join(table) + r")(?!\w)")
    return rx.sub(lambda m: table[m.group()], text)


def add_noise(text: str, seed: int = 0, kinds: tuple[str, ...] | None = None, rate: float = 0.012) -> str:
    """Return ``text`` with noise of ``kinds`` (default: a random half of KINDS) added."""
    rng = random.Random(seed)
    if kinds is None:
        kinds = tuple(k for k in KINDS if rng.random() < 0.5) or ("wrap",)
    lines = text.split("\n")

    if "diacritics" in kinds:
        def corrupt(m: re.Match) -> str:
            w = m.group()
            return _drop_tone(w) if rng.random() < rate * 4 and _drop_tone(w) != w else w
        lines = [re.sub(r"\w+", corrupt, ln) for ln in lines]
    if "old_tones" in kinds:
        lines = [_old_tones(ln) for ln in lines]
    if "markdown" in kinds:
        out = []
        for ln in lines:
            m = re.match(r"^([IVX]+\.|\d+\.)\s+(.*)$", ln)
            if m and rng.random() < 0.6:
                ln = f"**{m.group(1)}** {m.group(2)}" if rng.random() < 0.5 else f"### **{ln}**"
            elif ln.isupper() and len(ln) < 60 and rng.random() < 0.5:
                ln = f"## {ln}"
            out.append(ln)
            if rng.random() < 0.03:
                out.append("-----")
        lines = ["\\*"] + out
    if "handwritten" in kinds:
        idx = [i for i, ln in enumerate(lines) if ln.rstrip().endswith(".") and len(ln) > 40]
        for i in rng.sample(idx, min(len(idx), rng.randint(1, 2))):
            lines[i] = lines[i].rstrip() + f" *{rng.choice(_NOTES)}*"
    if "duplicate" in kinds:
        idx = [i for i, ln in enumerate(lines) if len(ln) > 120]
        if idx:
            i = rng.choice(idx)
            lines.insert(i + 1, "")
            lines.insert(i + 2, lines[i])
    if "stamp" in kinds:
        idx = next((i for i, ln in enumerate(lines[:15]) if re.search(r"ngày \d+ tháng", ln)), 2)
        stamp = ["HỘI CHỮ THẬP ĐỎ TỈNH", f"CV\tSố: {rng.randint(10, 999):03d}",
                 f"ĐẾN\tNgày: {rng.randint(1, 28)}/{rng.randint(1, 12)}/2023", "\tChuyển: <i>Đến Ban</i>"]
        lines[idx + 1:idx + 1] = [""] + stamp + [""]
    if "chrome" in kinds:
        lines = _CHROME_TOP[: rng.randint(1, 3)] + [""] + lines + [""] + _CHROME_END[: rng.randint(2, 6)]
    if "html" in kinds:
        lines = [re.sub(r"“([^”]{3,60})”", r"<i>“\1”</i>", ln) if rng.random() < 0.5 else ln for ln in lines]
    text = "\n".join(lines)
    if "wrap" in kinds or "page_break" in kinds:
        text = _wrap(text, rng, hard="wrap" in kinds, breaks="page_break" in kinds)
    if "nbsp" in kinds:
        text = re.sub(r" ", lambda m: "\u00a0" if rng.random() < 0.02 else ("  " if rng.random() < 0.02 else " "), text)
    return text


def _wrap(text: str, rng: random.Random, hard: bool, breaks: bool) -> str:
    out = []
    for ln in text.split("\n"):
        if len(ln) < 90 or ln.startswith(("CV", "ĐẾN", "\t")):
            out.append(ln)
            continue
        words = ln.split(" ")
        cur, pieces = [], []
        for w in words:
            cur.append(w)
            if hard and sum(len(x) + 1 for x in cur) > rng.randint(60, 85):
                pieces.append(" ".join(cur))
                cur = []
        if cur:
            pieces.append(" ".join(cur))
        if breaks and not hard and len(words) > 20 and rng.random() < 0.3:
            k = rng.randint(5, len(words) - 5)
            # a page break falls after a word that cannot end a sentence (as in scanned plans)
            while k < len(words) - 2 and words[k - 1].endswith((".", ";", ":")):
                k += 1
            pieces = [" ".join(words[:k]), "", " ".join(words[k:])]
        out.append("\n".join(pieces))
    return "\n".join(out)
