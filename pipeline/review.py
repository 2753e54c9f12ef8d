"""Review loop: from "this label is wrong" to a retrained model, through Label Studio or a spreadsheet.

``vanban review export OUT -o review/ --input DOCS [--uncertain N] [--document ID …]`` takes the least
certain tasks of an annotated folder (and, on request, every task of whole documents) and writes

- ``review/tasks.json``: Label Studio tasks (``data`` + ``predictions``: the pipeline's labels as
  pre-annotations), to import into a Label Studio project;
- ``review/label_config.xml``: the labelling interface for them (is it a task, lead and support
  agencies, themes, where the lead comes from), label ids as ``alias`` and Vietnamese names as values;
- ``review/review.csv``: the same tasks for people without Label Studio (edit the ``is_task``, ``lead``,
  ``support``, ``themes`` and ``source`` columns; ids or Vietnamese names both work);
- ``review/documents.jsonl``: every predicted task of the documents concerned, stand-off (for the import).

``vanban review import EXPORT -o corpus/reviewed/`` reads a Label Studio JSON export (the "JSON" export
format: tasks with ``annotations``, each with a ``result`` list) or the edited ``review.csv`` and merges
it into ``corpus/reviewed/labels.jsonl``: the stand-off records of :mod:`pipeline.realdocs` (``file``,
``sha256``, ``tasks`` with raw ``start``/``end``, ``lead``, ``support``, ``themes``, ``implicit``,
``source``), plus ``root`` (the folder of the texts when exported) and, per task, ``reviewed``. Tasks of a
document that nobody reviewed keep the pipeline's labels (they were its confident ones); a task marked
"not a task" is dropped, so the detector learns from it too. ``vanban corpus check`` validates the
folder and ``vanban train`` trains on it (:func:`with_reviewed`, hooked into
:func:`pipeline.training.load_examples`): a reviewed document replaces the same file's real-document labels.

Offsets are into the text as :mod:`pipeline.reading` decodes the file (for UTF-8 files in NFC, as the real
documents are, exactly the realdocs convention); ``sha256`` is of the file's bytes, so a changed file is
refused, never misread. No text of the documents is written into the corpus.
"""

from __future__ import annotations

import csv
import json
import os
import xml.sax.saxutils as sx
from dataclasses import dataclass
from pathlib import Path

from .errors import CorpusError, InputError
from .labels import SOURCES, LabelInfo
from .output import atomic_write, excel_safe

REVIEWED_DIR = "reviewed"
LABELS_FILE = "labels.jsonl"
INHERIT_SOURCES = ("text", "item", "heading", "lead_in", "addressees", "issuer", "recipients")
CSV_COLUMNS = ["review_id", "doc_id", "task_id", "file", "sha256", "start", "end", "document", "section", "text",
               "is_task", "lead", "support", "themes", "source", "certainty", "uncertain", "comment"]
YES, NO = "yes", "no"


# --------------------------------------------------------------------------- certainty

def certainty(task: dict, info: LabelInfo) -> float:
    """How sure the pipeline is of a task: the lowest of its span score and its lead and theme scores
    (0 when an entry is flagged uncertain). Low first in a review queue."""
    if info.task_uncertain(task):
        return 0.0
    scores = [task.get("score", 1.0)] + [a.get("score", 1.0) for a in task.get("agencies") or [] if a["role"] == "lead"]
    scores += [x.get("score", 1.0) for x in task.get("themes") or []]
    if not any(a["role"] == "lead" for a in task.get("agencies") or []):
        scores.append(0.0)
    return float(min(scores))


# --------------------------------------------------------------------------- raw offsets

def _raw_text(path: Path) -> tuple[str, str]:
    from .reading import read_document

    text, _, sha = read_document(path)
    return text, sha


def _raw_spans(doc: dict, raw: str) -> dict[int, tuple[int, int]] | None:
    """Raw-text span of each task (by id), via the cleanup's offset map; None when the cleanup of today
    does not give the clean text the annotation was made on."""
    from .cleanup import clean

    res = clean(raw)
    if res.text != doc.get("clean_text"):
        return None
    out = {}
    for t in doc.get("tasks") or []:
        s, e = res.offset_map.to_raw(t["start"]), res.offset_map.to_raw(t["end"], end=True)
        while s < e and raw[s].isspace():
            s += 1
        while e > s and raw[e - 1].isspace():
            e -= 1
        out[t["id"]] = (s, e)
    return out


def _source_of(task: dict) -> str:
    leads = [a for a in task.get("agencies") or [] if a["role"] == "lead"]
    if not leads or any(a.get("explicit") for a in leads):
        return "text"
    src = leads[0].get("source") or "item"
    return src if src in INHERIT_SOURCES else "item"


def _standoff(task: dict, span: tuple[int, int]) -> dict:
    lead = list(dict.fromkeys(a["id"] for a in task.get("agencies") or [] if a["role"] == "lead"))
    support = list(dict.fromkeys(a["id"] for a in task.get("agencies") or [] if a["role"] == "support"))
    src = _source_of(task)
    return {"start": span[0], "end": span[1], "lead": lead, "support": support,
            "themes": [x["id"] for x in task.get("themes") or []][:3], "implicit": src != "text", "source": src}


# --------------------------------------------------------------------------- export

@dataclass
class ExportResult:
    tasks: int
    documents: int
    out_dir: str
    skipped: list


def label_config(info: LabelInfo) -> str:
    """The Label Studio labelling config (XML) for exported tasks."""
    def choices(name, ids, names, multiple=True, required=False):
        nl = "\n"
        items = "".join(f'{nl}      <Choice value={sx.quoteattr(names(i))} alias={sx.quoteattr(i)}/>' for i in ids)
        req = ' required="true"' if required else ""
        kind = "multiple" if multiple else "single"
        return (f'    <Choices name="{name}" toName="text" choice="{kind}" showInline="true"{req}>{items}{nl}'
                '    </Choices>\n')

    ag, th = list(info.agencies), [t for t in info.themes]
    src = {k: SOURCES[k] for k in INHERIT_SOURCES}
    return ('<View>\n  <Header value="$document"/>\n  <Text name="before" value="$before"/>\n'
            '  <View style="background:#fff8e1;padding:6px;border-left:4px solid #e39b2d">\n'
            '    <Text name="text" value="$text"/>\n  </View>\n'
            '  <Header value="Đây có phải là một nhiệm vụ?" size="5"/>\n'
            + choices("is_task", [YES, NO], {YES: "Là nhiệm vụ", NO: "Không phải nhiệm vụ"}.get, False, True)
            + '  <Header value="Cơ quan chủ trì" size="5"/>\n' + choices("lead", ag, info.agency)
            + '  <Header value="Cơ quan phối hợp" size="5"/>\n' + choices("support", ag, info.agency)
            + '  <Header value="Chủ đề (1–3; Khác chỉ dùng một mình)" size="5"/>\n' + choices("themes", th, info.theme)
            + '  <Header value="Cơ quan chủ trì lấy từ đâu" size="5"/>\n'
            + choices("source", list(src), src.get, False) + '</View>\n')


def _result(name: str, values: list[str]) -> dict:
    return {"id": name, "from_name": name, "to_name": "text", "type": "choices", "value": {"choices": values}}


def export(out_dir: str | Path, review_dir: str | Path, input_dir: str | Path | None = None, uncertain: int = 50,
           documents: list[str] | None = None, info: LabelInfo | None = None) -> ExportResult:
    """Write the review files for the ``uncertain`` least certain tasks of ``out_dir/tasks.jsonl`` and every
    task of ``documents`` (doc ids). ``input_dir``: the folder given to ``vanban annotate`` (its files give the
    raw offsets); default: the sources as paths relative to the current folder."""
    info = info or LabelInfo.default()
    out_dir, review_dir = Path(out_dir), Path(review_dir)
    jsonl = out_dir / "tasks.jsonl"
    if not jsonl.is_file():
        raise InputError(f"{out_dir} has no tasks.jsonl: give the output folder of `vanban annotate`.")
    if uncertain < 0:
        raise InputError(f"--uncertain must be 0 or more. Got {uncertain}.")
    from .report import read_jsonl

    docs = list(read_jsonl(jsonl))
    wanted_docs = set(documents or [])
    unknown = wanted_docs - {d["doc_id"] for d in docs}
    if unknown:
        raise InputError(f"No document {', '.join(sorted(unknown))} in {jsonl}.")
    ranked = sorted(((certainty(t, info), d["doc_id"], t["id"]) for d in docs for t in d.get("tasks") or []
                     if d["doc_id"] not in wanted_docs))
    picked = {(doc_id, tid) for _, doc_id, tid in ranked[:uncertain]}
    picked |= {(d["doc_id"], t["id"]) for d in docs if d["doc_id"] in wanted_docs for t in d.get("tasks") or []}
    root = Path(input_dir) if input_dir is not None else Path(".")
    if input_dir is not None and not root.is_dir():
        raise InputError(f"--input {input_dir}: no such folder (give the folder that was annotated).")
    ls_tasks, rows, doc_records, skipped = [], [], [], []
    for d in docs:
        mine = [t for t in d.get("tasks") or [] if (d["doc_id"], t["id"]) in picked]
        if not mine:
            continue
        path = root / d["source"]
        try:
            raw, sha = _raw_text(path)
        except InputError as e:
            skipped.append((d["doc_id"], f"{path}: {e}"))
            continue
        if sha != d.get("sha256"):
            skipped.append((d["doc_id"], f"{path} changed since it was annotated (sha256 differs)"))
            continue
        spans = _raw_spans(d, raw)
        if spans is None:
            skipped.append((d["doc_id"], "this version's cleanup gives another text: annotate the folder again"))
            continue
        m = d.get("meta") or {}
        title = " · ".join(x for x in ((m.get("type") or "").capitalize() + (f" số {m['number']}" if m.get("number") else ""),
                                      m.get("issuer") or "", d["doc_id"]) if x)
        doc_records.append({"doc_id": d["doc_id"], "file": d["source"], "sha256": sha,
                            "root": str(root.resolve()),
                            "tasks": [{**_standoff(t, spans[t["id"]]), "task_id": t["id"]} for t in d["tasks"]]})
        for t in mine:
            s, e = spans[t["id"]]
            so = _standoff(t, (s, e))
            rid = f"{d['doc_id']}#{t['id']}"
            c = round(certainty(t, info), 4)
            before = d["clean_text"][max(0, t["start"] - 400):t["start"]]
            before = before[before.find("\n") + 1:] if "\n" in before else before
            data = {"review_id": rid, "doc_id": d["doc_id"], "task_id": t["id"], "file": d["source"], "sha256": sha,
                    "start": s, "end": e, "document": title, "section": t.get("section") or "",
                    "before": before.strip() or "…", "text": t["text"], "certainty": c}
            result = [_result("is_task", [YES]), _result("lead", so["lead"]), _result("support", so["support"]),
                      _result("themes", so["themes"]), _result("source", [so["source"]])]
            ls_tasks.append({"data": data, "predictions": [{"model_version": "vanban", "score": c, "result": result}]})
            rows.append([rid, d["doc_id"], t["id"], d["source"], sha, s, e, title, t.get("section") or "", t["text"],
                         YES, "; ".join(so["lead"]), "; ".join(so["support"]), "; ".join(so["themes"]), so["source"],
                         c, info.task_uncertain(t), ""])
    order = {(doc_id, tid): i for i, (_, doc_id, tid) in enumerate(ranked)}     # least certain first
    ls_tasks.sort(key=lambda x: order.get((x["data"]["doc_id"], x["data"]["task_id"]), -1))
    rows.sort(key=lambda r: order.get((r[1], r[2]), -1))
    from .usage import check_output_dir

    check_output_dir(review_dir)
    with atomic_write(review_dir / "tasks.json") as fh:
        json.dump(ls_tasks, fh, ensure_ascii=False, indent=1)
    with atomic_write(review_dir / "label_config.xml") as fh:
        fh.write(label_config(info))
    with atomic_write(review_dir / "review.csv", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        for r in rows:
            w.writerow([excel_safe(v) for v in r])
    with atomic_write(review_dir / "documents.jsonl") as fh:
        for rec in doc_records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return ExportResult(len(ls_tasks), len(doc_records), str(review_dir), skipped)


# --------------------------------------------------------------------------- import

@dataclass
class ImportResult:
    reviewed: int
    dropped: int
    documents: int
    path: str
    problems: list


def _latest_annotation(task: dict) -> dict | None:
    anns = [a for a in task.get("annotations") or task.get("completions") or []
            if not a.get("was_cancelled") and isinstance(a.get("result"), list)]
    if not anns:
        return None
    return max(anns, key=lambda a: (str(a.get("updated_at") or a.get("created_at") or ""), a.get("id") or 0))


def _choices(result: list, name: str) -> list[str] | None:
    for r in result:
        if r.get("from_name") == name and r.get("type", "choices") == "choices":
            return list((r.get("value") or {}).get("choices") or [])
    return None


def _to_ids(values, names: dict[str, str], what: str, where: str, problems: list) -> list[str]:
    """Label ids from ids or Vietnamese names (case and spacing ignored)."""
    by_name = {" ".join(v.lower().split()): k for k, v in names.items()}
    out = []
    for v in values:
        v = str(v).strip().lstrip("'")
        if not v:
            continue
        if v in names:
            out.append(v)
        elif " ".join(v.lower().split()) in by_name:
            out.append(by_name[" ".join(v.lower().split())])
        else:
            problems.append(f"{where}: unknown {what} {v!r}")
    return list(dict.fromkeys(out))


def read_decisions(export_path: str | Path, info: LabelInfo) -> tuple[dict, list[str]]:
    """(doc_id, task_id) -> decision {is_task, lead, support, themes, source, file, sha256, start, end} from a
    Label Studio JSON export or an edited review.csv; and the problems found."""
    p = Path(export_path)
    problems: list[str] = []
    out: dict = {}
    agencies = {**info.agencies, **{k: k for k in info.descriptions}}
    if p.suffix.lower() == ".csv":
        with open(p, encoding="utf-8-sig", newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh), 2):
                where = f"{p.name} line {i}"
                if not row.get("doc_id"):
                    continue
                split = (lambda v: (v or "").split(";"))          # names contain commas: ";" only
                is_task = (row.get("is_task") or YES).strip().lower() not in (NO, "không", "khong", "0", "false", "x")
                src = (row.get("source") or "text").strip() or "text"
                src = {v: k for k, v in SOURCES.items()}.get(src, src)
                out[(row["doc_id"], int(row["task_id"]))] = {
                    "is_task": is_task, "lead": _to_ids(split(row.get("lead")), agencies, "agency", where, problems),
                    "support": _to_ids(split(row.get("support")), agencies, "agency", where, problems),
                    "themes": _to_ids(split(row.get("themes")), info.themes, "theme", where, problems), "source": src,
                    "file": row.get("file"), "sha256": row.get("sha256"),
                    "start": int(row["start"]), "end": int(row["end"])}
        return out, problems
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"Cannot read the Label Studio export {p}: {e}") from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise InputError(f"{p} is not a Label Studio JSON export (a list of tasks).")
    for n, task in enumerate(data):
        d = task.get("data") or {}
        where = f"{p.name} task {task.get('id', n)}"
        if "doc_id" not in d or "task_id" not in d:
            problems.append(f"{where}: no doc_id/task_id in its data: not exported by `vanban review export`")
            continue
        ann = _latest_annotation(task)
        if ann is None:
            continue                                   # not reviewed yet
        res = ann["result"]
        is_task = (_choices(res, "is_task") or [YES])[0] != NO
        src = (_choices(res, "source") or ["text"])
        out[(d["doc_id"], int(d["task_id"]))] = {
            "is_task": is_task, "lead": _to_ids(_choices(res, "lead") or [], agencies, "agency", where, problems),
            "support": _to_ids(_choices(res, "support") or [], agencies, "agency", where, problems),
            "themes": _to_ids(_choices(res, "themes") or [], info.themes, "theme", where, problems),
            "source": src[0] if src else "text", "file": d.get("file"), "sha256": d.get("sha256"),
            "start": int(d["start"]), "end": int(d["end"])}
    return out, problems


def import_review(export_path: str | Path, reviewed_dir: str | Path, review_dir: str | Path | None = None,
                  labelset: dict | None = None) -> ImportResult:
    """Merge reviewers' decisions into ``reviewed_dir/labels.jsonl`` (created if absent).

    ``review_dir``: the folder ``review export`` wrote (its ``documents.jsonl``); default: the export
    file's folder. Decisions that break a rule of the corpus (no lead, no theme, an unknown label…) are
    listed in ``problems`` and their document is not written.
    """
    from . import realdocs

    export_path = Path(export_path)
    if not export_path.is_file():
        raise InputError(f"{export_path}: no such file (a Label Studio JSON export or the edited review.csv).")
    review_dir = Path(review_dir) if review_dir is not None else export_path.parent
    docs_file = review_dir / "documents.jsonl"
    if not docs_file.is_file():
        raise InputError(f"No documents.jsonl in {review_dir}: pass --from with the folder `vanban review export` "
                         "wrote.")
    info = LabelInfo.default(labelset)
    if labelset is None:
        labelset = {"agencies": {k: "" for k in info.agencies}, "themes": dict(info.themes)}
    decisions, problems = read_decisions(export_path, info)
    exported = {r["doc_id"]: r for r in realdocs.read_records(docs_file)}
    reviewed_dir = Path(reviewed_dir)
    path = reviewed_dir / LABELS_FILE
    existing = {r["file"]: r for r in realdocs.read_records(path)} if path.exists() else {}
    n_rev = n_drop = 0
    touched: dict[str, dict] = {}
    for doc_id in sorted({k[0] for k in decisions}):
        rec = exported.get(doc_id)
        if rec is None:
            problems.append(f"{doc_id}: not in {docs_file}")
            continue
        old = existing.get(rec["file"])
        if old and old.get("sha256") != rec["sha256"]:
            old = None                                  # the file changed: earlier reviews no longer apply
        by_span = {(t["start"], t["end"]): t for t in (old or {}).get("tasks") or []}
        for t in rec["tasks"]:
            dec = decisions.get((doc_id, t["task_id"]))
            span = (t["start"], t["end"])
            if dec is None:
                if span not in by_span and t["lead"] and t["themes"]:      # unreviewed: the confident prediction
                    by_span[span] = {k: v for k, v in t.items() if k != "task_id"} | {"reviewed": False}
                continue
            if (dec["start"], dec["end"]) != span or dec.get("sha256") not in (None, "", rec["sha256"]):
                problems.append(f"{doc_id} task {t['task_id']}: offsets or sha256 differ from the export")
                continue
            if not dec["is_task"]:
                by_span[span] = {"start": span[0], "end": span[1], "not_task": True, "reviewed": True}
                n_drop += 1
                continue
            src = dec["source"] if dec["source"] in INHERIT_SOURCES else "text"
            lead = dec["lead"]
            by_span[span] = {"start": span[0], "end": span[1], "lead": lead,
                             "support": list(dict.fromkeys(dec["support"])), "themes": dec["themes"][:3]
                             if len(dec["themes"]) <= 3 else dec["themes"], "implicit": src != "text", "source": src,
                             "reviewed": True}
            n_rev += 1
        tasks, last_end = [], -1
        for span in sorted(by_span):
            t = by_span[span]
            if span[0] < last_end:
                continue
            tasks.append(t)
            last_end = span[1]
        touched[rec["file"]] = {"file": rec["file"], "sha256": rec["sha256"], "root": rec.get("root"), "tasks": tasks}
    # validate every touched record against its text
    for f, rec in list(touched.items()):
        text = _record_text(rec)
        ps = check(rec, text, labelset)
        if ps:
            problems += ps
            del touched[f]
    if touched:
        from .usage import check_output_dir

        check_output_dir(reviewed_dir)
        merged = {**existing, **touched}
        with atomic_write(path) as fh:
            for f in sorted(merged):
                fh.write(json.dumps(merged[f], ensure_ascii=False) + "\n")
    return ImportResult(n_rev, n_drop, len(touched), str(path), problems)


# --------------------------------------------------------------------------- corpus side

def _record_text(rec: dict, docs_dir: str | Path | None = None) -> str | None:
    """The text of a reviewed record's file: in ``docs_dir``, ``$VANBAN_REVIEW_DOCS``, the record's ``root``,
    or the real-documents folder; None when not found or changed (sha256)."""
    from .realdocs import default_real_dir

    for base in (docs_dir, os.environ.get("VANBAN_REVIEW_DOCS"), rec.get("root"), default_real_dir()):
        if not base:
            continue
        p = Path(base) / rec["file"]
        if p.is_file():
            try:
                text, sha = _raw_text(p)
            except InputError:
                continue
            if sha == rec.get("sha256"):
                return text
    return None


def check(rec: dict, text: str | None, labelset: dict) -> list[str]:
    """Every problem of one reviewed record (the realdocs rules; tasks marked ``not_task`` only need a span)."""
    from .realdocs import check_record

    kept = [t for t in rec.get("tasks") or [] if not t.get("not_task")]
    problems = check_record({**rec, "tasks": kept}, text, labelset, None)
    n = len(text) if text is not None else 0
    for t in rec.get("tasks") or []:
        if t.get("not_task") and not (isinstance(t.get("start"), int) and 0 <= t["start"] < t.get("end", -1) <= n):
            problems.append(f"{rec.get('file')}: not-a-task span {t.get('start')}-{t.get('end')} outside the text")
    return [f"{REVIEWED_DIR}/{LABELS_FILE}: {p}" for p in problems]


def check_reviewed(corpus_dir: str | Path, docs_dir: str | Path | None = None) -> tuple[int, list[str]]:
    """(records checked, problems) of ``corpus_dir/reviewed/labels.jsonl`` (0, [] when absent)."""
    from .corpus import load_labelset
    from .realdocs import read_records

    path = Path(corpus_dir) / REVIEWED_DIR / LABELS_FILE
    if not path.exists():
        return 0, []
    labelset = load_labelset(corpus_dir)
    recs = read_records(path)
    problems, seen = [], set()
    for rec in recs:
        if rec.get("file") in seen:
            problems.append(f"{REVIEWED_DIR}/{LABELS_FILE}: {rec.get('file')} appears twice")
        seen.add(rec.get("file"))
        problems += check(rec, _record_text(rec, docs_dir), labelset)
    return len(recs), problems


def load_reviewed(corpus_dir: str | Path, docs_dir: str | Path | None = None) -> list:
    """The reviewed documents of ``corpus_dir/reviewed/labels.jsonl`` as training examples
    (:class:`pipeline.training.Example`, origin "reviewed"); [] when there are none. CorpusError lists every
    problem (a missing or changed text, a broken rule)."""
    from .training import Example, GoldTask

    n, problems = check_reviewed(corpus_dir, docs_dir)
    if not n:
        return []
    if problems:
        raise CorpusError(f"{len(problems)} problem(s) in {Path(corpus_dir) / REVIEWED_DIR / LABELS_FILE}:\n"
                          + "\n".join(problems))
    from .realdocs import read_records

    out = []
    for rec in read_records(Path(corpus_dir) / REVIEWED_DIR / LABELS_FILE):
        text = _record_text(rec, docs_dir)
        tasks = [GoldTask.from_standoff(t) for t in rec["tasks"] if not t.get("not_task")]
        out.append(Example(Path(rec["file"]).stem, text, tasks, "reviewed", ""))
    return out


def with_reviewed(examples: list, corpus_dir: str | Path) -> list:
    """``examples`` with the reviewed documents added; a reviewed document replaces an example of the same id."""
    reviewed = load_reviewed(corpus_dir)
    if not reviewed:
        return examples
    ids = {e.doc_id for e in reviewed}
    return [e for e in examples if e.doc_id not in ids] + reviewed
