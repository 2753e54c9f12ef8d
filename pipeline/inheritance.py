"""Inherited agencies: who must act when the task sentence names no actor.

The guideline's six steps, in order; the first that gives an actor wins and
every agency group it gives is kept (corpus/GUIDELINE.md §2.4). :func:`inherit`
gives that first step; :func:`inherit_steps` gives each step that names an actor
in turn, for a caller that judges a step's every group unreliable and goes on
(:class:`pipeline.agencies.AgencyClassifier` with its measured precisions):

1. ``item``: an earlier sentence of the same item, the item's "Cơ quan chủ
   trì:" field or table cell, or a parent item line that names agencies and ends
   with ":" ("1. Bộ trưởng các Bộ: …:");
2. ``heading``: the nearest heading above that names an actor;
3. ``lead_in``: the agencies an introducing sentence assigns the list to (those
   after its last "yêu cầu / giao / đề nghị / chỉ đạo", else those it names in
   subject position); the document's first lead-in is not a fallback (it made
   lead F1 on real documents worse, 0.824 → 0.819 in 3-fold CV);
4. ``addressees``: every group in "Kính gửi" (or a công điện's list; in a
   normative text with neither, its "Đối tượng áp dụng");
5. ``issuer``: in a plan, programme or scheme with no addressees, its issuer;
6. ``recipients``: every group in "Nơi nhận" (a "Như Điều 3" stands for whom
   that article names), leaving out lines for report, information or filing.

This module is the policy only: which texts are looked at, in which order, and
which of their mentions count. Finding mentions and their classes is
:mod:`pipeline.mentions`; deciding whether a mention in the task sentence is its
actor is :class:`pipeline.agencies.AgencyClassifier`.

>>> from pipeline.lexicon import Mention
>>> ms = {"addressees": [Mention(0, 7, "Sở Y tế", "so_ban_nganh", "name")]}
>>> ctx = {"addressees": "Sở Y tế"}
>>> inherit(ctx, ms)
('addressees', [(Mention(start=0, end=7, text='Sở Y tế', prior='so_ban_nganh', kind='name'), 0.6)])
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable, Iterator, Mapping, Sequence

from .lexicon import Mention, by_line
from .mentions import names_a_body
from .structure import PLAN_KINDS

STEPS = ("item", "heading", "lead_in", "addressees", "issuer", "recipients")
# the context fields each step reads, in order, and the weight of an agency it gives
STEP_FIELDS = {"item": ("item", "field_lead", "parent"), "heading": ("heading",),
               "lead_in": ("lead_in",), "addressees": ("addressees",), "issuer": ("issuer",),
               "recipients": ("recipients",)}
STEP_WEIGHT = {"item": 0.9, "heading": 0.8, "lead_in": 0.8, "addressees": 0.6, "issuer": 0.6, "recipients": 0.5}
CONTEXT_FIELDS = ("item", "field_lead", "field_support", "parent", "heading", "headings", "lead_in", "doc_lead_in",
                  "addressees", "issuer", "recipients")
# fields of several lines whose mentions are found line by line: one heading a line, and one addressee or
# recipient a line ("- Văn phòng Chính phủ;\n- Bộ Tư pháp;" names two bodies, not one running over the break)
LINE_FIELDS = ("headings", "addressees", "recipients")


def field_mentions(find: Callable[[str], Sequence[Mention]], field: str, text: str) -> list[Mention]:
    """The mentions of one context field: ``find`` on its text, or on each line of a field of several lines."""
    return by_line(find, text) if field in LINE_FIELDS else list(find(text)) if text else []


# verbs whose object is the actor of what follows; "theo đề nghị của X" (at X's proposal) is not one
_OBJECT_VERBS = re.compile(r"\b(?:yêu cầu|đề nghị(?!\s+của)|giao(?: cho)?|chỉ đạo|phân công)\b", re.I)
# a mention after these words is a partner, a report's recipient, someone acted on or a topic ("9. Về chính quyền
# địa phương:" heads a department's duties in that field), not an actor
_NOT_ACTOR_BEFORE = re.compile(r"(?<!\w)(?:phối hợp(?: với)?|cùng với|cùng|giúp|hỗ trợ|tạo điều kiện cho|báo cáo|về|"
                               r"gửi(?: về)?|(?<!chương )(?<!quy )(?<!công )trình|tham mưu(?: cho)?)\s*[,:]?\s*$", re.I)
_SUPPORT_BEFORE = re.compile(r"(?:phối hợp(?: với)?|cùng với|giúp|hỗ trợ|tạo điều kiện cho)\s*[,:]?\s*$", re.I)
# what may stand before the actor a heading or an introducing line names: "Trách nhiệm của X", "Đối với X",
# "Giao X", "X:" (after the numbering, which the structure parser has removed)
_SUBJECT_BEFORE = re.compile(r"^[\s\-+•*.,:;()\d]*(?:(?:trách nhiệm|nhiệm vụ|phân công|giao nhiệm vụ)(?:\s+(?:cụ thể|thực hiện))?"
                             r"(?:\s+(?:của|cho))?|đối với|về phía|giao(?: cho)?|đề nghị|yêu cầu|riêng)?[\s,:]*"
                             r"(?:(?:các|mỗi|từng|những)\s+)?$", re.I)
# a mention after "thuộc" names the body the one before it belongs to ("các phòng, ban thuộc UBND cấp xã", "cơ quan
# chuyên môn thuộc UBND tỉnh"): part of that name, not an actor of its own
_PART_OF = re.compile(r"(?<!\w)(?:trực\s+)?thuộc\s*$", re.I)
# lines of the "Nơi nhận" that name no one who must act: for report or information, filing, a person; the
# Official Gazette and the portals that publish the text are media (taxonomy.md), and stay
_SKIP_RECIPIENT = re.compile(r"b/c|báo cáo|\blưu\b|như trên|để biết|\bđ/c\b|đồng chí", re.I)


def _before(text: str, m: Mention, n: int = 30) -> str:
    return text[max(0, m.start - n):m.start]


def in_subject_position(text: str, m: Mention, mentions: Sequence[Mention]) -> bool:
    """Does the mention stand where a heading or lead-in names its actor: at the start ("Sở Y tế:",
    "Trách nhiệm của Sở Y tế", "Đối với các xã"), or coordinated with a mention that does ("Sở Y tế,
    Sở Tài chính:")?"""
    prev_end = 0
    for other in mentions:
        if other.start >= m.start:
            break
        gap = text[prev_end:other.start]
        if prev_end and not _COORD.match(gap):
            return False
        if not prev_end and not _SUBJECT_BEFORE.match(gap):
            return False
        prev_end = other.end
    gap = text[prev_end:m.start]
    return bool(_COORD.match(gap)) if prev_end else bool(_SUBJECT_BEFORE.match(gap))


_COORD = re.compile(r"^[\s,;]*(?:và|cùng|hoặc|với)?[\s,;]*(?:(?:các|mỗi|từng)\s+)?$", re.I)
# a heading names its actor also when the name is followed by what it must do ("Nội dung Sở X có trách nhiệm
# chủ trì", "… Sở X thực hiện:") or preceded by "trách nhiệm của" anywhere in it
_ACTOR_AFTER = re.compile(r"^\s*(?:có trách nhiệm|chịu trách nhiệm|chủ trì|thực hiện|triển khai|có nhiệm vụ|:|$)", re.I)
_DUTY_OF = re.compile(r"(?:trách nhiệm|nhiệm vụ|phân công)(?:\s+\w+)?\s+(?:của|cho)\s+(?:(?:các|mỗi|từng)\s+)?$", re.I)


def _with_coordinated(text: str, mentions: Sequence[Mention], chosen: Sequence[Mention]) -> list[Mention]:
    """``chosen`` and every mention coordinated with one of them ("Sở Văn hóa, Thể thao và Du lịch; UBND các xã"),
    except a run of coordinated mentions whose first stands after a partner's, an object's or a topic's cue
    (``_NOT_ACTOR_BEFORE``: "Trình Ủy ban nhân dân tỉnh:", "Về chính quyền địa phương:", "Chủ trì, phối hợp với
    các sở, ngành, UBND các xã và cơ quan, đơn vị có liên quan", where the name ending the heading is one of the
    partners)."""
    runs: list[list[Mention]] = []
    for m in mentions:
        if runs and _COORD.match(text[runs[-1][-1].end:m.start]):
            runs[-1].append(m)
        else:
            runs.append([m])
    keep = {id(m) for m in chosen}
    out = []
    for run in runs:
        if any(id(m) in keep for m in run) and not _NOT_ACTOR_BEFORE.search(_before(text, run[0])):
            out += run
    return out


def actors(field: str, text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """The mentions of one context text that name an actor for the tasks under it (in a heading or parent
    line, a name the tagger found that names no body is a field, "2. Y tế", "a) Thương mại", and is left out;
    a name that only says whose unit another one is, "… thuộc UBND tỉnh", is left out when an actor
    remains)."""
    found = _actors(field, text, mentions)
    if field not in ("heading", "parent"):
        return found                  # a list (Kính gửi, Nơi nhận) or lead-in gives every group it names
    found = [m for m in found if m.kind != "tagged" or names_a_body(m.text)]
    own = [m for m in found if not _PART_OF.search(_before(text, m))]
    return own or found


def _actors(field: str, text: str, mentions: Sequence[Mention]) -> list[Mention]:
    if not text or not mentions:
        return []
    if field in ("lead_in", "doc_lead_in"):
        verb = None
        for verb in _OBJECT_VERBS.finditer(text):
            pass
        if verb is not None:
            return [m for m in mentions if m.start >= verb.end() and not _SUPPORT_BEFORE.search(_before(text, m))]
        return [m for m in mentions if in_subject_position(text, m, mentions)]
    if field == "parent" and not text.rstrip().endswith(":"):
        return []                               # a parent that is not a "X:" line names no actor of its items
    if field == "recipients":
        keep = []
        pos = 0
        for line in text.split("\n"):
            ok = not _SKIP_RECIPIENT.search(line)
            keep += [m for m in mentions if pos <= m.start < pos + len(line) and ok]
            pos += len(line) + 1
        return keep
    if field in ("addressees", "field_lead", "issuer"):
        return list(mentions)
    if field in ("heading", "parent"):
        named = [m for m in mentions if in_subject_position(text, m, mentions)
                 or _ACTOR_AFTER.match(text[m.end:m.end + 30]) or _DUTY_OF.search(text[max(0, m.start - 40):m.start])]
        # a run of coordinated names after a partner's or an object's cue names no actor ("Trình Ủy ban nhân dân
        # tỉnh:" heads drafts, "Phối hợp với Sở X và Sở Y:")
        return _with_coordinated(text, mentions, named)
    return [m for m in mentions if not _NOT_ACTOR_BEFORE.search(_before(text, m))]


def supporters(field: str, text: str, mentions: Sequence[Mention]) -> list[Mention]:
    """The mentions of a context text that name a partner ("phối hợp với X", a "phối hợp" field)."""
    if field == "field_support":
        return list(mentions)
    return [m for m in mentions if _SUPPORT_BEFORE.search(_before(text, m))]


def inherit(context: Mapping[str, str], mentions: Mapping[str, Sequence[Mention]],
            item_actors: Callable[[str, Sequence[Mention]], list[Mention]] | None = None,
            ) -> tuple[str, list[tuple[Mention, float]]]:
    """(step, [(mention, weight)]) of the first of the six steps that names an actor; ("", []) if none.

    ``item_actors(text, mentions)`` decides which mentions of the item's earlier sentence are its actor, and
    of the sentence of the item it is a sub-item of when that is not a "X:" line ("Ban Thường trực Ủy ban
    MTTQ xã chủ động đề nghị…" over its bullets) (the classifier's role model); without it, every mention
    of the item that :func:`actors` keeps, and none of such a parent.
    """
    return next(inherit_steps(context, mentions, item_actors), ("", []))


def inherit_steps(context: Mapping[str, str], mentions: Mapping[str, Sequence[Mention]],
                  item_actors: Callable[[str, Sequence[Mention]], list[Mention]] | None = None,
                  ) -> Iterator[tuple[str, list[tuple[Mention, float]]]]:
    """Each step that names an actor, in the six steps' order, as (step, [(mention, weight)]): the first is
    :func:`inherit`'s answer; a caller that judges every group of a step unreliable (as the classifier does
    with a step's measured precision) takes the next."""
    kind = (context.get("kind") or "") + " " + (context.get("title") or "")
    for step in STEPS:
        if step == "issuer" and (context.get("addressees") or not PLAN_KINDS.search(kind)):
            continue
        for field in STEP_FIELDS[step]:
            text = context.get(field) or ""
            ms = mentions.get(field) or []
            if not text.strip() or not ms:
                continue
            sentence = field == "item" or (field == "parent" and not text.rstrip().endswith(":"))
            if sentence and item_actors is not None:
                found = item_actors(text, ms)
            else:
                found = actors(field, text, ms)
            if found:
                yield step, [(m, STEP_WEIGHT[step]) for m in found]
                break
        else:
            if step == "heading":
                found = enclosing_heading_actors(context.get("headings") or "", mentions.get("headings") or [],
                                                 skip_nearest=bool((context.get("heading") or "").strip()))
                if found:
                    yield step, [(m, STEP_WEIGHT[step]) for m in found]


def enclosing_heading_actors(headings: str, mentions: Sequence[Mention], skip_nearest: bool = False) -> list[Mention]:
    """The actors of the nearest heading that names one, going up through the headings above
    ("Điều 3. Nhiệm vụ" under "Chương II. TRÁCH NHIỆM CỦA SỞ Y TẾ"); ``headings`` holds one per line, the
    outermost first, and ``skip_nearest`` leaves out its last line (read already as the nearest heading).
    The mentions' offsets are those in ``headings``."""
    lines, pos = [], 0
    for line in headings.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    for start, line in reversed(lines[:-1] if skip_nearest else lines):
        end = start + len(line)
        own = [replace(m, start=m.start - start, end=m.end - start)
               for m in mentions if start <= m.start and m.end <= end]
        found = actors("heading", line, own)
        if found:
            return [replace(m, start=m.start + start, end=m.end + start) for m in found]
    return []
