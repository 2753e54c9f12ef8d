"""Labelling real documents stand-off: show a document as numbered units, compile a label sheet to offsets.

The texts of the real documents stay outside the repository. An annotator reads
a document as numbered paragraphs and sentences, writes a *label sheet* (in a
scratch folder outside the repository: it quotes the text), and compiles it
into stand-off records (offsets and ids only) for ``corpus/real/labels.jsonl``.

    python corpus/tools/label_real.py show DIR/008.txt            # numbered units
    python corpus/tools/label_real.py compile SHEET [SHEET…] --real-dir DIR -o OUT.jsonl

Sheet format (one document after another; blank lines and lines starting with "##" are ignored)::

    # FILE 999.txt
    KIND công điện
    META type=công điện | number="217/CĐ-TTg" | date=2025-11-17 | issuer=P0002"THỦ TƯỚNG CHÍNH PHỦ" | place=null | signer="Phạm Minh Chính"
    P0012.1 | L=chinh_quyen,so_ban_nganh | T=thien_tai_dich_benh | src=text | m=L:so_ban_nganh:"Bộ trưởng các Bộ"; L:chinh_quyen:"Chủ tịch Ủy ban nhân dân"
    P0013.1 | L=chinh_quyen,so_ban_nganh | S=so_ban_nganh | T=thien_tai_dich_benh | src=item
    P0020 "Cập nhật tình hình" .. "cấp thẩm quyền." | L=chinh_quyen | T=kiem_tra_giam_sat | src=item

A unit is ``P0012`` (the whole paragraph, without its list marker), ``P0012.2`` (its second sentence),
``P0012.1-P0012.3`` (first to third sentence), or ``P0012 "first words" .. "last words"`` (any span inside the
paragraph; matching ignores case, whitespace, ``*`` and the kind of quotes and dashes). Fields: ``L=`` lead
ids, ``S=`` support ids, ``T=`` 1–3 theme ids, ``src=`` the inheritance step (text, item, heading, lead_in,
addressees, issuer, recipients), ``m=`` agency names as written, each ``L|S:id:"words"`` (located inside the
task when they occur there, else, for src=item, at the nearest occurrence before or after the task (its
field line or table cell), and for other steps at the nearest occurrence before it).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.realdocs import SOURCES, check_record, read_text  # noqa: E402
from pipeline.corpus import load_labelset  # noqa: E402

_MARKER = re.compile(r"^\s*(?:\*\*\s*)?(?:[-+•–]\s+|[a-zđ]\)\s*|\d{1,2}(?:\.\d{1,2}){0,3}[.)]\s+|"
                     r"[IVXLC]{1,6}[.)]\s+|Điều\s+\d+[a-z]?[.:]?\s*|Chương\s+[IVXLC\d]+[.:]?\s*)")
_ENDS = (".", ":", ";", "!", "?", "…")
_SENT = re.compile(r"(?<=[.!?…])[\"”')\]*]*\s+(?=[\"“(*]*[A-ZĐÀ-Ỹ0-9])")
_ABBREV = re.compile(r"(?:\b(?:TP|Tp|Q|ThS|TS|PGS|GS|St|Đ/c|đ/c|v\.v|Th|BS|ông|bà|Ông|Bà)|\b[A-ZĐ])\.$")
_FOLD = {"“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "\u00a0": " "}


def _clean_line(s: str) -> str:
    return s.strip().strip("*").strip()


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraph spans of the raw text: blank lines, table cell lines, list markers and a full stop
    followed by a capital begin a new one; a hard-wrapped line is joined to its paragraph."""
    out: list[list[int]] = []
    pos = 0
    prev_end_char = ""
    cur = None
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        core = _clean_line(line)
        if not core or set(core) <= set("|-_=") :
            cur = None
            prev_end_char = ""
            continue
        new = (cur is None or _MARKER.match(line) is not None
               or (prev_end_char in _ENDS and (core[:1].isupper() or core[:1] in "\"“(")))
        lead = len(line) - len(line.lstrip())
        if new:
            cur = [start + lead, start + len(line.rstrip())]
            out.append(cur)
        else:
            cur[1] = start + len(line.rstrip())
        prev_end_char = core[-1:]
    return [(s, e) for s, e in out]


def body_start(text: str, s: int, e: int) -> int:
    """Start of the paragraph's text after its list marker and leading markup."""
    m = _MARKER.match(text[s:e])
    k = s + (m.end() if m else 0)
    while k < e and (text[k].isspace() or text[k] == "*"):
        k += 1
    return k


def sentences(text: str, s: int, e: int) -> list[tuple[int, int]]:
    out, start = [], s
    for m in _SENT.finditer(text, s, e):
        piece = text[start:m.start()].rstrip()
        if _ABBREV.search(piece) or len(piece.strip()) < 3:
            continue
        out.append((start, m.start()))
        start = m.end()
    out.append((start, e))
    res = []
    for a, b in out:
        a, b = trim(text, a, b)
        if b > a:
            res.append((a, b))
    return res


def trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and (text[a].isspace() or text[a] == "*"):
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] == "*"):
        b -= 1
    if text[a:b].endswith("./.") and b - a > 3:     # the end-of-document mark "./." stays outside
        b -= 2
        while b > a and text[b - 1].isspace():
            b -= 1
    return a, b


def units(text: str) -> list[dict]:
    res = []
    for i, (s, e) in enumerate(paragraphs(text), 1):
        b = body_start(text, s, e)
        res.append({"id": f"P{i:04d}", "start": s, "body": b, "end": e, "sents": sentences(text, b, e)})
    return res


def show(path: Path) -> str:
    text, _ = read_text(path)
    lines = []
    for u in units(text):
        flat = " ".join(text[u["start"]:u["end"]].split())
        lines.append(f"{u['id']} @{u['start']}  {flat}")
        if len(u["sents"]) > 1:
            for k, (a, b) in enumerate(u["sents"], 1):
                lines.append(f"    {u['id']}.{k}  {' '.join(text[a:b].split())}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- compiling

def _fold(text: str, a: int, b: int) -> tuple[str, list[int]]:
    """A searchable form of text[a:b] (lower case, one space for any whitespace, no '*', plain quotes and
    dashes, NFC) and the raw offset of each of its characters."""
    chars, idx = [], []
    space = False
    for k in range(a, b):
        ch = text[k]
        if ch == "*":
            continue
        if ch.isspace() or ch == "\u00a0":
            if not space and chars:
                chars.append(" ")
                idx.append(k)
            space = True
            continue
        space = False
        ch = _FOLD.get(ch, ch)
        if unicodedata.combining(ch) and chars:   # a combining mark: compose with the previous char
            prev = unicodedata.normalize("NFC", chars[-1] + ch)
            if len(prev) == 1:
                chars[-1] = prev
                continue
        for c in unicodedata.normalize("NFC", ch).lower():
            chars.append(c)
            idx.append(k)
    return "".join(chars), idx


def _fold_query(q: str) -> str:
    q = "".join(_FOLD.get(c, c) for c in unicodedata.normalize("NFC", q) if c != "*")
    return " ".join(q.split()).lower()


def find(text: str, a: int, b: int, query: str, after: int | None = None, last_before: int | None = None):
    """Raw span of ``query`` inside text[a:b] (first match at or after ``after``, or the last one that
    ends at or before ``last_before``); None when absent."""
    hay, idx = _fold(text, a, b)
    q = _fold_query(query)
    if not q:
        return None
    hits = []
    i = hay.find(q)
    while i >= 0:
        s, e = idx[i], idx[i + len(q) - 1] + 1
        hits.append((s, e))
        i = hay.find(q, i + 1)
    if after is not None:
        hits = [h for h in hits if h[0] >= after]
    if last_before is not None:
        hits = [h for h in hits if h[1] <= last_before]
        return hits[-1] if hits else None
    return hits[0] if hits else None


class SheetError(ValueError):
    pass


_UNIT = re.compile(r'^(P\d{4})(?:\.(\d+))?(?:\s*-\s*(P\d{4})?\.?(\d+))?\s*(?:"(.*?)"\s*\.\.\s*"(.*?)")?\s*$')


def resolve_unit(spec: str, text: str, by_id: dict) -> tuple[int, int]:
    m = _UNIT.match(spec.strip())
    if not m:
        raise SheetError(f"cannot read the unit {spec!r}")
    pid, k, pid2, k2, first, last = m.groups()
    if pid not in by_id:
        raise SheetError(f"no paragraph {pid}")
    u = by_id[pid]
    if first is not None:
        a = find(text, u["body"], u["end"], first)
        if a is None:
            a = find(text, u["start"], u["end"], first)
        if a is None:
            raise SheetError(f"{pid}: start words {first!r} not found")
        b = find(text, a[0], u["end"], last)
        if b is None:
            raise SheetError(f"{pid}: end words {last!r} not found after the start words")
        return trim(text, a[0], b[1])
    if k is None:
        return trim(text, u["body"], u["end"])
    sents = u["sents"]
    k = int(k)
    if not 1 <= k <= len(sents):
        raise SheetError(f"{pid} has {len(sents)} sentence(s), not {k}")
    s = sents[k - 1][0]
    if k2 is not None:
        u2 = by_id.get(pid2 or pid)
        if u2 is None:
            raise SheetError(f"no paragraph {pid2}")
        k2 = int(k2)
        if not 1 <= k2 <= len(u2["sents"]):
            raise SheetError(f"{pid2 or pid} has {len(u2['sents'])} sentence(s), not {k2}")
        return s, u2["sents"][k2 - 1][1]
    return sents[k - 1]


def _ids(v: str) -> list[str]:
    return [x.strip() for x in v.split(",") if x.strip()]


_MENTION = re.compile(r'^\s*([LS])\s*:\s*([a-z_]+)\s*:\s*"(.+?)"\s*$')


def parse_task_line(line: str, text: str, by_id: dict) -> dict:
    parts = [p.strip() for p in line.split("|")]
    start, end = resolve_unit(parts[0], text, by_id)
    task = {"start": start, "end": end, "lead": [], "support": [], "themes": [], "implicit": False, "source": ""}
    mentions_spec = ""
    for p in parts[1:]:
        if not p:
            continue
        key, _, val = p.partition("=")
        key = key.strip().lower()
        if key == "l":
            task["lead"] = _ids(val)
        elif key == "s":
            task["support"] = _ids(val)
        elif key == "t":
            task["themes"] = _ids(val)
        elif key == "src":
            task["source"] = val.strip()
        elif key == "m":
            mentions_spec = val
        else:
            raise SheetError(f"unknown field {key!r}")
    if task["source"] not in SOURCES:
        raise SheetError(f"src must be one of {', '.join(SOURCES)}")
    task["implicit"] = task["source"] != "text"
    mentions = []
    for entry in [x for x in re.split(r';\s*(?=[LS]\s*:)', mentions_spec) if x.strip()]:
        mm = _MENTION.match(entry)
        if not mm:
            raise SheetError(f"cannot read the mention {entry!r} (want L:id:\"words\" or S:id:\"words\")")
        role = "lead" if mm.group(1) == "L" else "support"
        span = find(text, start, end, mm.group(3))
        if span is None and task["source"] != "text":
            before = find(text, 0, len(text), mm.group(3), last_before=start)
            after = find(text, end, len(text), mm.group(3))
            if task["source"] == "item" and before and after:
                # the item's own field line or table cell: whichever stands closer to the task
                span = before if start - before[1] <= after[0] - end else after
            else:
                span = before or after
        if span is None:
            raise SheetError(f"mention {mm.group(3)!r} not found " + ("in the task" if task["source"] == "text"
                                                                      else "in the document"))
        mentions.append({"start": span[0], "end": span[1], "id": mm.group(2), "role": role})
    if mentions:
        task["mentions"] = mentions
    return task


def _meta(line: str, text: str, by_id: dict) -> dict:
    meta = {}
    for part in line.split("|"):
        part = part.strip()
        if not part:
            continue
        key, _, val = part.partition("=")
        key, val = key.strip(), val.strip()
        if val in ("", "null", "None"):
            meta[key] = None
            continue
        if key in ("type", "date"):
            if key == "date" and not re.match(r"^\d{4}-\d{2}-\d{2}$", val):
                raise SheetError(f"date must be YYYY-MM-DD. Got {val!r}")
            meta[key] = val.strip('"')
            continue
        m = re.match(r'^(P\d{4})?\s*"(.+)"$', val)
        if not m:
            raise SheetError(f"meta {key}: want \"words\" or P0003\"words\". Got {val!r}")
        if m.group(1):
            u = by_id.get(m.group(1))
            if u is None:
                raise SheetError(f"no paragraph {m.group(1)}")
            span = find(text, u["start"], u["end"], m.group(2))
        else:
            span = find(text, 0, len(text), m.group(2))
        if span is None:
            raise SheetError(f"meta {key}: {m.group(2)!r} not found")
        meta[key] = list(span)
    return meta


def compile_sheets(paths: list[Path], real_dir: Path, labelset: dict, annotator: str = "") -> tuple[list[dict], list[str]]:
    records, errors = [], []
    cur = None
    text = by_id = None

    def close():
        if cur is not None:
            cur["tasks"].sort(key=lambda t: t["start"])
            errors.extend(check_record(cur, text, labelset, cur["sha256"]))
            records.append(cur)

    for path in paths:
        for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            where = f"{path}:{n}"
            s = line.strip()
            if not s or s.startswith("##"):
                continue
            try:
                if s.startswith("# FILE"):
                    close()
                    name = s.split(None, 2)[2].strip()
                    text, sha = read_text(real_dir / name)
                    by_id = {u["id"]: u for u in units(text)}
                    cur = {"file": name, "sha256": sha, "kind": "", "meta": {}, "tasks": []}
                    if annotator:
                        cur["annotator"] = annotator
                    continue
                if s.startswith("#"):
                    continue
                if cur is None:
                    raise SheetError("a line before the first '# FILE'")
                if s.startswith("KIND"):
                    cur["kind"] = s[4:].strip()
                elif s.startswith("META"):
                    cur["meta"] = _meta(s[4:], text, by_id)
                else:
                    cur["tasks"].append(parse_task_line(s, text, by_id))
            except (SheetError, OSError) as e:
                errors.append(f"{where}: {e}")
    close()
    return records, errors


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("show")
    a.add_argument("file")
    c = sub.add_parser("compile")
    c.add_argument("sheets", nargs="+")
    c.add_argument("--real-dir", required=True)
    c.add_argument("-o", "--output", default=None)
    c.add_argument("--annotator", default="")
    args = ap.parse_args(argv)
    if args.cmd == "show":
        print(show(Path(args.file)))
        return 0
    labelset = load_labelset(ROOT / "corpus")
    records, errors = compile_sheets([Path(p) for p in args.sheets], Path(args.real_dir), labelset, args.annotator)
    for e in errors:
        print(e, file=sys.stderr)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            for r in sorted(records, key=lambda r: r["file"]):
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    n = sum(len(r["tasks"]) for r in records)
    print(f"{len(records)} documents, {n} tasks, {len(errors)} problem(s)", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
