"""Agency mentions: where a text names an agency, and which class the name belongs to.

Agency names are compositional (Bộ / Sở / Cục / Trung tâm / Đài / Học viện /
Tập đoàn / Công an … plus their modifiers), so no closed list holds them all.
:class:`MentionRecognizer` finds them with a learned span tagger (a CRF over
syllables, :mod:`sklearn_crfsuite`) whose features include the administrative
lexicon (``data/agencies.tsv``, matched with spaCy's PhraseMatcher), the head
words that begin names (``data/heads.txt``) and the common words that only look
like one ("báo cáo", "nhiệm vụ": ``data/not_agencies.txt``), the common nouns
that name an actor without a proper name ("thương nhân", "cơ quan, đơn vị":
``data/actor_words.txt``) and the cues of what an actor must do that follow its
name ("có trách nhiệm", "phải": ``data/duty_cues.txt``). An actor in subject
position that no name found by the tagger or the lexicon covers is taken by
:func:`subject_span` ("Thương nhân kinh doanh tại chợ phải…", "Trách nhiệm của
Quỹ"). A second model (character n-grams, logistic regression) gives each span
its class. A span in capitals (tagged or subject) is kept only where the lexicon
backs it, so "NHIỆM VỤ" in a heading is never the agency "Vụ".

>>> rec = MentionRecognizer(max_iterations=30).fit(
...     ["Sở Y tế chủ trì tuyên truyền.", "Bộ Công an phối hợp."],
...     [[(0, 7, "so_ban_nganh")], [(0, 10, "luc_luong_vu_trang")]])
>>> [(m.text, m.prior) for m in rec.find("Sở Y tế chủ trì kiểm tra.")]
[('Sở Y tế', 'so_ban_nganh')]
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from importlib import resources
from typing import Iterable, Iterator, Sequence

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from .features import char_ngrams
from .lexicon import SYLLABLE_RE, AgencyMatcher, Mention, default_entries, default_terms

Span = tuple  # (start, end, label or None)


def _data(name: str) -> list[str]:
    text = resources.files("pipeline").joinpath("data", name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=1)
def head_words() -> frozenset:
    return frozenset(_data("heads.txt"))


@lru_cache(maxsize=1)
def not_agency_words() -> frozenset:
    return frozenset(_data("not_agencies.txt"))


@lru_cache(maxsize=1)
def body_words() -> frozenset:
    return frozenset(_data("body_words.txt"))


@lru_cache(maxsize=1)
def _name_words() -> tuple[frozenset, frozenset, frozenset, int]:
    """What :func:`names_a_body` reads: the head words as written, in lower case, the group words, and the
    longest of them in syllables."""
    heads, groups = head_words(), body_words()
    return heads, frozenset(w.lower() for w in heads), groups, max(len(w.split()) for w in heads | groups)


class Phrases:
    """Lower-case phrases (a data file's lines), looked up by their first syllable: a text's syllables are each
    tried against the few phrases that begin with them, not against every length."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.phrases = {tuple(p.lower().split()) for p in lines}
        lengths: dict[str, set] = {}
        for p in self.phrases:
            lengths.setdefault(p[0], set()).add(len(p))
        self.lengths = {w: sorted(ks, reverse=True) for w, ks in lengths.items()}

    def at(self, low: Sequence[str], i: int) -> int:
        """The length of the longest phrase that begins at ``low[i]`` (lower-case syllables), 0 for none."""
        n = len(low)
        if i >= n:
            return 0
        return next((k for k in self.lengths.get(low[i], ()) if i + k <= n and tuple(low[i:i + k]) in self.phrases), 0)

    def starts(self, low: Sequence[str]) -> list[bool]:
        """For each position of ``low``: does a phrase begin there?"""
        return [low[i] in self.lengths and self.at(low, i) > 0 for i in range(len(low))]


@lru_cache(maxsize=1)
def actor_words() -> Phrases:
    return Phrases(_data("actor_words.txt"))


@lru_cache(maxsize=1)
def duty_cues() -> Phrases:
    return Phrases(_data("duty_cues.txt"))


def tokens(text: str) -> list[tuple[int, int, str]]:
    """Syllables and punctuation with offsets."""
    return [(m.start(), m.end(), m.group()) for m in SYLLABLE_RE.finditer(text)]


def _shape(tok: str) -> str:
    if tok.isdigit():
        return "d"
    if not tok[0].isalpha():
        return "p"
    if tok.isupper():
        return "U" if len(tok) > 1 else "T"
    if tok[0].isupper():
        return "T"
    return "l"


def _lexicon_tags(mentions: Sequence[Mention], toks: list) -> list[str]:
    """B-/I- tags of the lexicon's matches (name or phrase) over ``toks``, O elsewhere."""
    tags = ["O"] * len(toks)
    starts = {s: i for i, (s, _, _) in enumerate(toks)}
    for m in mentions:
        i = starts.get(m.start)
        if i is None:
            continue
        tags[i] = "B-" + m.kind
        j = i + 1
        while j < len(toks) and toks[j][1] <= m.end:
            tags[j] = "I-" + m.kind
            j += 1
    return tags


# an adverbial that opens a sentence before its subject: "Trường hợp …, cấp có thẩm quyền quyết định…"
_OPENING = re.compile(r"^(?:trong trường hợp|trường hợp|trong thời hạn|căn cứ|đối với|sau khi|trước khi|khi|"
                      r"định kỳ|định kì|hằng năm|hàng năm|hằng tháng|hàng tháng|hằng quý|hàng quý|chậm nhất|"
                      r"ngoài việc|trên cơ sở|nếu|tại|theo|trong|để)\b", re.I)
# a heading or lead-in whose actor is the one it speaks of: "Điều 12. Trách nhiệm của Quỹ", "Nhiệm vụ, quyền hạn
# của cơ quan, đơn vị…", "Yêu cầu đối với cơ sở xử lý chất thải:", "Đối với cơ quan, đơn vị:" (one optional
# separator between a marker's number and the words: no run of spaces is tried two ways)
_POSSESSOR = re.compile(r"^\W*(?:(?:Điều|Mục|Chương)\s+\w+(?:\s*[.:])?\s*|\w{1,4}\s*[.)]\s+)?"
                        r"(?:(?:trách nhiệm|nhiệm vụ|quyền hạn|nghĩa vụ|quyền|yêu cầu)"
                        r"(?:(?:\s*,\s*|\s+và\s+)(?:trách nhiệm|nhiệm vụ|quyền hạn|nghĩa vụ|quyền|yêu cầu))*"
                        r"\s+(?:của|đối với)|đối với)\s+", re.I)
_DETERMINERS = frozenset({"các", "những", "mỗi", "mọi", "từng"})
_PHRASE_END = frozenset({".", ";", ":", "(", ")"})
TAG_BATCH = 512          # texts whose token features the tagger reads at once (memory, not results)
SUBJECT_MAX = 12         # tokens (syllables and commas) of an actor named by a common noun, before what it must do


def subject_span(text: str, toks: list) -> tuple[int, int] | None:
    """The actor a sentence names by a common noun in subject position: "Thương nhân kinh doanh tại chợ phải…",
    "Trường hợp …, cấp có thẩm quyền quyết định…", "Cơ quan, đơn vị chủ trì…", or that a heading speaks of:
    "Trách nhiệm của Quỹ", "Yêu cầu đối với cơ sở xử lý chất thải:" (the phrase runs to the heading's end, its
    colon or ``SUBJECT_MAX`` tokens). In a sentence the phrase begins it (or follows a comma of its opening
    adverbial, or a short "Bước 2:" label) with a word of ``actor_words`` or ``heads`` that is not itself a cue of
    what to do ("Tổ chức tập huấn…"), and ends where such a cue begins (``duty_cues``), at most ``SUBJECT_MAX``
    tokens on. A comma inside the phrase must begin another actor word; the phrase never crosses a line break.
    Whether it is the task's actor is the role model's decision. ``toks``: :func:`tokens` of ``text``."""
    low = [t[2].lower() for t in toks]
    n = len(low)
    actors, duties, heads = actor_words(), duty_cues(), head_words()

    def head(i: int) -> int:
        return next((k for k in (2, 1) if i + k <= n and " ".join(t[2] for t in toks[i:i + k]) in heads), 0)

    def broken(j: int) -> bool:                  # a line break between token j - 1 and token j
        return "\n" in text[toks[j - 1][1]:toks[j][0]]

    def phrase_from(st: int, cue: bool) -> tuple[int, int] | None:
        """The actor phrase that begins at token ``st``: up to a duty cue (``cue``) or to its end."""
        i = st + (st < n and low[st] in _DETERMINERS)
        if i >= n or (cue and duties.at(low, i)):        # "Tổ chức tập huấn…": what to do, said to no one
            return None
        k = actors.at(low, i) or head(i)
        if not k:
            return None
        j = word_end = i + k
        while j < n and j - i <= SUBJECT_MAX and not broken(j):
            if cue and duties.at(low, j):
                return toks[st][0], toks[j - 1][1]
            if low[j] == ",":                    # "Cơ quan, tổ chức, đơn vị": right after an actor word, another
                k = actors.at(low, j + 1)
                if not k or j != word_end:
                    break
                j = word_end = j + 1 + k
                continue
            if low[j] in _PHRASE_END:
                break
            j += 1
        if cue:
            return None
        return toks[st][0], toks[(j if j - i <= SUBJECT_MAX else word_end) - 1][1]   # too long: its last whole word

    pm = _POSSESSOR.match(text)
    if pm:                                       # a heading's actor, to its end or its colon
        st = next((x for x, t in enumerate(toks) if t[0] >= pm.end()), n)
        found = phrase_from(st, cue=False)
        if found:
            return found
    lead = len(text) - len(text.lstrip(" -–+*•(0123456789).\t"))
    if _OPENING.match(text, lead) or pm:         # after one of the opening adverbial's commas
        starts = [i + 1 for i in range(min(n, 40)) if low[i] == ","]
    else:                                        # at the start, or after a short "Bước 2:" label
        first = next((x for x, t in enumerate(toks) if t[0] >= lead), n)
        starts = [first] + [i + 1 for i in range(min(n, 5)) if low[i] == ":"]
    for st in starts:
        found = phrase_from(st, cue=True)
        if found:
            return found
    return None


def token_features(text: str, toks: list, lex: list[str]) -> list[dict]:
    """The CRF's features of each token: word, shape, neighbours, head words, lexicon tags, compounds, actor
    words and duty cues (one beginning here, or at the next token)."""
    heads, stop = head_words(), not_agency_words()
    low = [t.lower() for _, _, t in toks]
    caps_text = sum(1 for _, _, t in toks if t.isalpha() and t.isupper() and len(t) > 1) > 0.6 * max(
        1, sum(1 for _, _, t in toks if t.isalpha()))
    actor, duty = actor_words().starts(low), duty_cues().starts(low)
    shapes = [_shape(t) for _, _, t in toks]
    out = []
    n = len(toks)
    for i, (s, e, t) in enumerate(toks):
        prev = low[i - 1] if i else "<s>"
        nxt = low[i + 1] if i + 1 < n else "</s>"
        two = toks[i][2] + " " + toks[i + 1][2] if i + 1 < n else ""
        f = {"w": low[i], "sh": shapes[i], "p": prev, "n": nxt, "pw": prev + "|" + low[i], "wn": low[i] + "|" + nxt,
             "psh": shapes[i - 1] if i else "<s>", "nsh": shapes[i + 1] if i + 1 < n else "</s>",
             "lex": lex[i], "plex": lex[i - 1] if i else "O", "nlex": lex[i + 1] if i + 1 < n else "O",
             "head": t in heads or two in heads, "head2": two in heads,
             "stop": (prev + " " + low[i]) in stop or (i + 1 < n and (low[i] + " " + nxt) in stop),
             "caps": caps_text, "first": i == 0, "gap": s > 0 and text[s - 1] == "\n",
             "actor": actor[i], "duty": duty[i], "duty_next": i + 1 < n and duty[i + 1]}
        out.append(f)
    return out


@lru_cache(maxsize=4096)
def names_a_body(name: str) -> bool:
    """Whether ``name`` holds a word that names an agency or a group of actors: a head word as written, anywhere
    ("Phạm vi quản lý của Sở Khoa học"), or in any case at its first word ("các sở, ban"; in a name in capitals,
    anywhere), a common noun of an actor ("doanh nghiệp", "cơ quan") or of a group ("ngành", "chính quyền")
    anywhere. A name without one names a field ("Y tế", "Thương mại", "Nông nghiệp và Môi trường", where
    "trường" is no "Trường"): a heading that is only that is a topic, not who must act
    (:func:`pipeline.inheritance.actors`).

    >>> names_a_body("Sở Y tế"), names_a_body("các cấp chính quyền"), names_a_body("Y tế")
    (True, True, False)

    Cached: every task under a heading asks of the same names.
    """
    toks = [t[2] for t in tokens(name)]
    low = [t.lower() for t in toks]
    heads, lower_heads, groups, longest = _name_words()
    if _caps(name):                  # "THƯỜNG TRỰC UBND XÃ": no word is written as a head is, so all are read
        toks, heads = low, lower_heads      # in lower case ("NÔNG NGHIỆP VÀ MÔI TRƯỜNG" then holds one)
    actors = actor_words()
    first = next((i for i, w in enumerate(low) if w.isalpha() and w not in _DETERMINERS and w not in ("và", "cùng")),
                 len(low))
    for i in range(len(low)):
        if actors.at(low, i):
            return True
        for k in range(1, min(longest, len(low) - i) + 1):
            if " ".join(toks[i:i + k]) in heads or " ".join(low[i:i + k]) in groups \
                    or (i == first and " ".join(low[i:i + k]) in lower_heads):
                return True
    return False


def _bio(toks: list, spans: Iterable[Span]) -> list[str]:
    tags = ["O"] * len(toks)
    for s, e, *_ in spans:
        inside = [i for i, (a, b, _) in enumerate(toks) if a >= s and b <= e]
        for k, i in enumerate(inside):
            tags[i] = "B" if k == 0 else "I"
    return tags


def _spans_of(tags: Sequence[str], toks: list) -> list[tuple[int, int]]:
    out, cur = [], None
    for (s, e, _), tag in zip(toks, tags):
        if tag == "B" or (tag == "I" and cur is None):
            if cur:
                out.append(cur)
            cur = [s, e]
        elif tag == "I":
            cur[1] = e
        else:
            if cur:
                out.append(cur)
            cur = None
    if cur:
        out.append(cur)
    return [tuple(x) for x in out]


# "Bộ trưởng các Bộ: Quốc phòng, Công an, Nông nghiệp và Môi trường" names each ministry after the colon
# each repetition takes whole words (a capitalised word cannot be cut in two: linear, not exponential, on a
# long line in capitals that is no place)
_PLACE_TAIL = re.compile(r"^(?:(?:tỉnh|thành phố|huyện|xã|phường|quận|thị xã|thị trấn|đặc khu|trung ương|Trung ương|các cấp|"
                         r"cấp tỉnh|cấp xã|cấp huyện|cơ sở|[A-ZĐÀ-Ỹ][\wÀ-ỹ]*)(?:\s+|$)|(?:TP|Tp)\.?\s*)+$")
_LIST_HEAD_ANY = re.compile(r"(?:các|những)\s+(Bộ|Sở|Ban|Cục|Vụ)\s*:")
_LIST_HEAD = re.compile(r"(?:các|những)\s+(Bộ|Sở|Ban|Cục|Vụ)\s*:\s*$")
_LIST_SEP = re.compile(r"\s*(?:,|và(?=\s+[A-ZĐÀ-Ỹ]))\s*")
_LIST_ITEM = re.compile(r"\s*([A-ZĐÀ-Ỹ][\wÀ-ỹ]*(?:\s+(?:[\wà-ỹ]+|[A-ZĐÀ-Ỹ][\wÀ-ỹ]*)){0,6}?)\s*(?=,|;|\.|$|\s+và\s+(?:các|[A-ZĐÀ-Ỹ]))")


@lru_cache(maxsize=1)
def _known_list_names() -> dict[str, list[str]]:
    """Names of ministries, departments… as they are listed after "các Bộ:": the lexicon's "Bộ X" → "X"."""
    out: dict[str, set] = {}
    for _, alias, kind in default_entries():
        parts = alias.split(" ", 1)
        if kind == "name" and len(parts) == 2 and parts[0] in ("Bộ", "Sở", "Ban", "Cục", "Vụ") and parts[1][:1].isupper():
            out.setdefault(parts[0], set()).add(parts[1])
    return {k: sorted(v, key=len, reverse=True) for k, v in out.items()}


def list_items(text: str, head_end: int) -> list[tuple[int, int, str]]:
    """The names listed after "các Bộ:" (``head_end`` is the end of "các Bộ"): (start, end, head word).
    Known names are matched first, longest first ("Nông nghiệp và Môi trường" is one ministry); others
    run to the next comma or "và"."""
    colon = text.find(":", head_end, head_end + 3)
    m = _LIST_HEAD.search(text[max(0, head_end - 12):colon + 1]) if colon >= 0 else None
    if not m:
        return []
    head = m.group(1)
    known = _known_list_names().get(head, [])
    out, pos = [], colon + 1
    while pos < len(text):
        while pos < len(text) and text[pos] == " ":
            pos += 1
        name = next((k for k in known if text.startswith(k, pos) and not text[pos + len(k):pos + len(k) + 1].isalnum()),
                    None)
        if name:
            out.append((pos, pos + len(name), head))
            pos += len(name)
        else:
            im = _LIST_ITEM.match(text, pos)
            if not im or not im.group(1):
                break
            out.append((im.start(1), im.end(1), head))
            pos = im.end()
        sep = _LIST_SEP.match(text, pos)               # at pos: no copy of the rest of the text per item
        if not sep:
            break
        pos = sep.end()
    return out


# the standing or executive body of an organisation, named before it: "Ban Thường vụ …", "Thường trực …"
_ORGAN_OF = re.compile(r"(?:Ban\s+(?:Thường\s+vụ|Thường\s+trực|Chấp\s+hành)|Thường\s+trực)\s+(?=\w)", re.I)
_PART_SEP = re.compile(r"\s*(?:[,;]|\s(?:và|cùng|hoặc)(?=\s))\s*(?:(?:các|những|mỗi)\s+)?")


def _head_at(name: str, pos: int) -> bool:
    """Does a head word ("Sở", "UBND", "Ban Chỉ huy"…) begin at ``pos``?"""
    words = name[pos:pos + 40].split()[:3]
    heads = head_words()
    return any(" ".join(words[:k]) in heads for k in range(1, len(words) + 1))


def list_parts(name: str) -> list[str]:
    """A span that lists several agencies, cut where a separator (",", ";", "và", "cùng", "hoặc") stands
    before a head word: "các sở, ngành, UBND các xã, phường" → ["các sở, ngành", "UBND các xã, phường"],
    "Bộ Tài chính, Bộ Y tế" → two; a name whose commas part its own words stays whole ("Ủy ban nhân dân các
    tỉnh, thành phố", "Sở Văn hóa, Thể thao và Du lịch").

    >>> list_parts("các sở, ngành, UBND các xã, phường")
    ['các sở, ngành', 'UBND các xã, phường']
    >>> list_parts("Sở Văn hóa, Thể thao và Du lịch")
    ['Sở Văn hóa, Thể thao và Du lịch']
    """
    out, start = [], 0
    for m in _PART_SEP.finditer(name):
        if m.start() > start and m.end() < len(name) and _head_at(name, m.end()):
            out.append(name[start:m.start()])
            start = m.end()
    out.append(name[start:])
    return [p for p in out if p.strip()] or [name]


def _overlaps(a: tuple, spans: Iterable[tuple]) -> bool:
    return any(a[0] < b[1] and b[0] < a[1] for b in spans)


class _Disjoint:
    """Sorted, non-overlapping spans; :meth:`overlaps` is ``_overlaps`` by binary search (a text with
    thousands of mentions, a long "Nơi nhận" list, made the pairwise test quadratic)."""

    def __init__(self, spans: Iterable[tuple]) -> None:
        self.spans = sorted(spans)
        self.ends = [b[1] for b in self.spans]

    def overlaps(self, a: tuple) -> bool:
        i = bisect.bisect_right(self.ends, a[0])       # the first span ending after a starts
        return i < len(self.spans) and self.spans[i][0] < a[1]


_PLACE_WORDS = ("tỉnh", "thành phố", "huyện", "xã", "phường", "quận", "thị xã", "thị trấn", "đặc khu", "trung ương",
                "Trung ương", "các cấp", "cấp tỉnh", "cấp xã", "cấp huyện", "cơ sở", "TP", "Tp")   # as in _PLACE_TAIL
# the words of those levels: what follows a standing body's prefix naming no organisation ("Ban Thường vụ tỉnh",
# "Ban Chấp hành các cấp") leaves the name whole (MentionRecognizer._owner)
_LEVEL_WORDS = frozenset(w for p in _PLACE_WORDS for w in p.lower().split()) | {"và"}
_PLACE_BY_FIRST: dict[str, tuple[str, ...]] = {}
for _w in _PLACE_WORDS:
    _PLACE_BY_FIRST[_w[0]] = _PLACE_BY_FIRST.get(_w[0], ()) + (_w,)      # in _PLACE_WORDS' order
_CAP_CHAR = re.compile(r"[A-ZĐÀ-Ỹ]")
_WORD_CHAR = re.compile(r"[\wÀ-ỹ]")


def _place_tails(s: str) -> list[bool]:
    """For each position i of ``s``: does ``_PLACE_TAIL.match(s[i:])``? One pass from the end (the regex
    backtracks exponentially on a long name in capitals followed by a comma: every capital may start a word)."""
    n = len(s)
    ws, wr = [0] * (n + 2), [0] * (n + 2)        # runs of whitespace and of word characters starting at x
    for x in range(n - 1, -1, -1):
        ws[x] = ws[x + 1] + 1 if s[x].isspace() else 0
        wr[x] = wr[x + 1] + 1 if _WORD_CHAR.match(s[x]) else 0
    ok = [False] * (n + 1)
    nxt = [n + 1] * (n + 2)                      # the first j >= x where the rest parses (j == n: nothing left)
    nxt[n] = n
    for i in range(n - 1, -1, -1):
        found = False
        for w in _PLACE_BY_FIRST.get(s[i], ()):
            if not s.startswith(w, i):
                continue
            e = i + len(w)
            if w in ("TP", "Tp"):                # "TP." / "TP" then any spaces, even none ("TP.Vinh")
                ends = [e] + ([e + 1] if s.startswith(".", e) else [])
                found = any(nxt[x] <= x + ws[x] for x in ends)
            else:                                # a whole word: spaces or the end after it
                found = e == n or (ws[e] > 0 and nxt[e + ws[e]] == e + ws[e])
            if found:
                break
        if not found and _CAP_CHAR.match(s[i]):
            b = i + 1 + wr[i + 1]                # a whole word in capitals, then spaces or the end
            found = b == n or (ws[b] > 0 and nxt[b + ws[b]] == b + ws[b])
        ok[i] = found
        nxt[i] = i if found else nxt[i + 1]
    return ok


def _caps(span: str) -> bool:
    letters = [c for c in span if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _key(name: str) -> str:
    """A name as the lexicon's exact table holds it: lower case, single spaces."""
    return " ".join(name.lower().split())


class MentionRecognizer(BaseEstimator):
    """Agency mentions in text: a CRF span tagger plus a class model for each span.

    ``fit(texts, spans)``: ``spans[i]`` lists ``(start, end, label)`` of the agencies named in
    ``texts[i]`` (label may be None when unknown). ``lexicon``: ``(label, name, kind)`` rows (default
    ``data/agencies.tsv``); the lexicon's matches that overlap no given span are added as silver spans, so
    partially annotated texts do not teach the tagger to miss a known name.
    """

    def __init__(self, lexicon: Sequence | None = None, c1: float = 0.05, c2: float = 0.05,
                 max_iterations: int = 100, C_label: float = 10.0):
        self.lexicon = lexicon
        self.c1 = c1
        self.c2 = c2
        self.max_iterations = max_iterations
        self.C_label = C_label

    def _entries(self) -> list[tuple[str, str, str]]:
        return [tuple(x) for x in (self.lexicon if self.lexicon is not None else default_entries())]

    def fit(self, texts: Sequence[str], spans: Sequence[Sequence[Span]]):
        import sklearn_crfsuite

        if len(texts) != len(spans):
            raise ValueError(f"MentionRecognizer.fit needs one span list per text. Got {len(spans)} for "
                             f"{len(texts)} texts.")
        if not all(isinstance(t, str) for t in texts):
            raise ValueError("MentionRecognizer.fit needs texts (str), one span list each. Got "
                             f"{type(next(t for t in texts if not isinstance(t, str))).__name__} instead.")
        entries = self._entries()
        self.matcher_ = AgencyMatcher(entries, default_terms())
        X, Y = [], []
        names: dict[tuple[str, str], int] = {}
        for text, sp in zip(texts, spans):
            toks = tokens(text)
            if not toks:
                continue
            gold = [(s, e, lab) for s, e, *rest in sp for lab in [rest[0] if rest else None]]
            lex = self.matcher_.mentions(text, cache=False)
            silver = [(m.start, m.end, m.prior) for m in lex if not _overlaps((m.start, m.end), gold)]
            X.append(token_features(text, toks, _lexicon_tags(lex, toks)))
            Y.append(_bio(toks, gold + silver))
            for s, e, lab in gold:
                if lab:
                    key = (" ".join(text[s:e].split()), lab)
                    names[key] = names.get(key, 0) + 1
        self.tagger_ = sklearn_crfsuite.CRF(algorithm="lbfgs", c1=self.c1, c2=self.c2,
                                            max_iterations=self.max_iterations, all_possible_transitions=True)
        if any("B" in y for y in Y):
            self.tagger_.fit(X, Y)
        else:
            self.tagger_ = None
        label_texts = [alias for _, alias, _ in entries] + [n for (n, _), c in sorted(names.items()) for _ in range(min(c, 3))]
        label_y = [lab for lab, _, _ in entries] + [lab for (_, lab), c in sorted(names.items()) for _ in range(min(c, 3))]
        self.classes_ = np.array(sorted(set(label_y)))
        self.label_model_ = Pipeline([
            ("chars", char_ngrams(None, (2, 5))),
            ("clf", LogisticRegression(C=self.C_label, max_iter=3000)),
        ]).fit(label_texts, label_y)
        self.exact_ = {}
        for lab, alias, _ in entries:
            self.exact_.setdefault(_key(alias), lab)
        return self

    def label(self, names: Sequence[str]) -> list[str]:
        """The class of each agency name: the lexicon's label for a name it holds; for a list of names
        ("các sở, ngành, UBND các xã" → "các sở, ngành" + "UBND các xã", :func:`list_parts`), the classes of
        its names joined with "+"; for the standing or executive body of an organisation ("Ban Thường vụ Tỉnh
        đoàn", :meth:`_owner`), the class of that organisation; else the lexicon's label for the longest lexicon
        name it starts with ("Sở Y tế tỉnh Nghệ An" → "Sở Y tế"), else the class model's."""
        check_is_fitted(self, "label_model_")
        exact = [self.exact_.get(_key(n)) for n in names]
        parts = [list_parts(n) if e is None else [n] for n, e in zip(names, exact)]
        flat = [p for ps in parts for p in ps]
        owners = [self._owner(n) for n in flat]
        owned = sorted({o for n, o in zip(flat, owners) if o != n})
        owner_label = dict(zip(owned, self.label(owned))) if owned else {}
        out: list[str | None] = [owner_label[o] if o != n else self._lexicon_label(n) for n, o in zip(flat, owners)]
        todo = sorted({n for n, o in zip(flat, out) if o is None})
        if todo:
            pred = dict(zip(todo, map(str, self.label_model_.predict(todo))))
            out = [o if o is not None else pred[n] for n, o in zip(flat, out)]
        labels, k = [], 0
        for ps in parts:
            labs = [lab for o in out[k:k + len(ps)] for lab in str(o).split("+") if lab]
            labels.append("+".join(dict.fromkeys(labs)))
            k += len(ps)
        return labels

    def _owner(self, name: str) -> str:
        """The organisation whose standing or executive body ``name`` is ("Ban Thường vụ Tỉnh đoàn" → "Tỉnh đoàn",
        "Thường trực HĐND, UBND" → "HĐND, UBND"), or ``name`` itself: such a body is of its organisation's class
        (a Youth Union's Ban Thường vụ is no Party committee), unless the lexicon holds the whole name or what
        follows names only a level ("Ban Thường vụ tỉnh"). Every prefix goes at once ("Thường trực Ban Chấp hành
        Hội Nông dân tỉnh" → "Hội Nông dân tỉnh"), so :meth:`label` reads a remainder once."""
        if self.exact_.get(_key(name)) is not None:
            return name
        pos = 0
        while m := _ORGAN_OF.match(name, pos):
            pos = m.end()
        rest = name[pos:]
        if not pos or all(w.strip(",;") in _LEVEL_WORDS for w in rest.lower().split()):
            return name
        return rest

    def _lexicon_label(self, name: str) -> str | None:
        words = name.split()
        low = [w.lower() for w in words]
        lab = self.exact_.get(" ".join(low))
        if lab is not None:
            return lab
        tails = _place_tails(" ".join(words))
        starts = [0]
        for w in words:
            starts.append(starts[-1] + len(w) + 1)
        for k in range(len(words) - 1, 1, -1):      # a lexicon name followed only by its level and place
            if tails[starts[k]]:                     # _PLACE_TAIL.match(" ".join(words[k:]))
                lab = self.exact_.get(" ".join(low[:k]).rstrip(",;:"))
                if lab is not None:
                    return lab
        return None

    def find_many(self, texts: Sequence[str]) -> list[list[Mention]]:
        """The mentions of each text, every model called once for all of them."""
        check_is_fitted(self, "label_model_")
        tok_lists = [tokens(t) for t in texts]
        lex = [self.matcher_.mentions(t, cache=False) for t in texts]     # once a text; no cache kept in matcher_
        if self.tagger_ is not None:
            tags = self._tags([(t, toks, lx) for t, toks, lx in zip(texts, tok_lists, lex) if toks])
        found: list[list[tuple[int, int, str]]] = []
        for text, toks, lx in zip(texts, tok_lists, lex):
            spans = []
            lex_spans = _Disjoint((m.start, m.end) for m in lx)     # the lexicon's matches do not overlap
            if toks and self.tagger_ is not None:
                for s, e in _spans_of(next(tags), toks):
                    if _caps(text[s:e]) and not lex_spans.overlaps((s, e)):
                        continue          # a span in capitals the lexicon does not back: "NHIỆM VỤ"
                    spans.append((s, e, "tagged"))
            tagged = _Disjoint(spans)     # the tagger's spans do not overlap; nor do the lexicon's added below
            for m in lx:                  # lexicon matches the tagger left out
                if not tagged.overlaps((m.start, m.end)):
                    spans.append((m.start, m.end, m.kind))
            subject = subject_span(text, toks) if toks else None
            if subject and not _overlaps(subject, spans) and not _caps(text[subject[0]:subject[1]]):
                spans.append((*subject, "subject"))
            found.append(sorted(spans))
        for text, sp in zip(texts, found):          # the ministries listed after "các Bộ:"
            for hm in _LIST_HEAD_ANY.finditer(text):
                items = list_items(text, hm.start(1) + len(hm.group(1)))
                if not items:
                    continue
                colon, last = text.find(":", hm.start(1)), items[-1][1]
                kept = []
                for s, e, kind in sp:
                    if e <= colon or s >= last:
                        kept.append((s, e, kind))
                    elif s < colon:
                        kept.append((s, colon, kind))        # "Bộ trưởng các Bộ" before the list
                sp[:] = kept + [(a, b, "listed:" + head) for a, b, head in items]
            sp.sort()
        lex_label = [{(m.start, m.end): m.prior for m in lx} for lx in lex]
        names = [(kind.split(":", 1)[1] + " " + text[s:e]) if kind.startswith("listed:") else text[s:e]
                 for text, sp in zip(texts, found) for s, e, kind in sp]
        labels = iter(self.label(names)) if names else iter(())
        out = []
        for text, sp, known in zip(texts, found, lex_label):
            row = []
            for s, e, kind in sp:
                lab = next(labels)
                if (s, e) in known and self._owner(text[s:e]) == text[s:e]:
                    lab = known[(s, e)]    # a lexicon match keeps the lexicon's label, level words and all,
                                           # unless it is an organisation's standing body
                row.append(Mention(s, e, text[s:e], lab, "listed" if kind.startswith("listed:") else kind))
            out.append(row)
        return out

    def _tags(self, todo: list[tuple[str, list, list[Mention]]]) -> Iterator[list[str]]:
        """The tagger's tags of each (text, its tokens, its lexicon matches), :data:`TAG_BATCH` texts a call: the
        CRF reads each text apart, and the features of all of a batch's texts at once would hold a dictionary
        a token."""
        for i in range(0, len(todo), TAG_BATCH):
            yield from self.tagger_.predict([token_features(t, toks, _lexicon_tags(lx, toks))
                                             for t, toks, lx in todo[i:i + TAG_BATCH]])

    def find(self, text: str) -> list[Mention]:
        return self.find_many([text])[0]
