"""Stage 7, outputs: ``tasks.jsonl`` (the contract), CSV tables for Excel and ``report.html`` (:mod:`pipeline.report`).

Writers stream: they take an iterable of document dicts (``Document.to_dict()``)
and write to a temporary file renamed into place at the end, so an
interrupted run never leaves a half-written output behind.
"""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from .labels import LEVELS, ROLES, LabelInfo, issuer_level

CSV_COLUMNS = ["doc_id", "source", "number", "type", "issuer", "date", "task_id", "section", "start", "end",
               "text", "lead", "lead_names", "support", "support_names", "implicit", "themes", "theme_scores",
               "task_score", "errors",
               # added: Vietnamese display names of the labels, the issuer's level, the review flag, the page
               "issuer_level", "lead_label", "support_label", "themes_label", "uncertain", "page"]
LONG_COLUMNS = ["doc_id", "source", "number", "type", "issuer", "issuer_level", "date", "task_id", "section", "text",
                "dimension", "role", "role_label", "label_id", "label", "name_in_text", "explicit", "inherited_from",
                "score", "uncertain"]
DOC_COLUMNS = ["doc_id", "source", "number", "type", "issuer", "issuer_level", "place", "date", "signer", "tasks",
               "uncertain_tasks", "errors"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def excel_safe(value):
    """A cell Excel or LibreOffice would not run as a formula: text starting with = + - @ (or a tab or carriage
    return) gets a leading apostrophe, which spreadsheets show as plain text. Numbers and None pass unchanged.

    >>> excel_safe("- Tổ chức hội nghị"), excel_safe("=1+1"), excel_safe("Sở Y tế"), excel_safe(-0.5)
    ("'- Tổ chức hội nghị", "'=1+1", 'Sở Y tế', -0.5)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


@contextmanager
def atomic_write(path: str | Path, mode: str = "w", encoding: str | None = "utf-8", newline: str | None = None):
    """Write to ``path.tmp`` and rename it over ``path`` only when the block succeeds."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, mode, encoding=encoding, newline=newline) as fh:
        yield fh
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def jsonl_line(doc: dict) -> str:
    return json.dumps(doc, ensure_ascii=False) + "\n"


def _doc_base(doc: dict) -> tuple[dict, list]:
    meta = doc.get("meta") or {}
    return meta, [doc["doc_id"], doc.get("source", ""), meta.get("number"), meta.get("type"), meta.get("issuer"),
                  meta.get("date")]


def csv_rows(doc: dict, info: LabelInfo | None = None) -> Iterator[list]:
    """The rows of ``tasks.csv`` for one document: one per task (a document without tasks has none: it is in
    ``documents.csv``). Values are raw; :class:`Writers` neutralises formula-like cells."""
    info = info or LabelInfo.default()
    meta, base = _doc_base(doc)
    errors = "; ".join(doc.get("errors") or [])
    level = issuer_level(meta.get("issuer"))
    for t in doc.get("tasks") or []:
        leads = [a for a in t["agencies"] if a["role"] == "lead"]
        sup = [a for a in t["agencies"] if a["role"] == "support"]
        yield base + [t["id"], t["section"], t["start"], t["end"], t["text"],
                      "; ".join(a["id"] for a in leads), "; ".join(a["name"] for a in leads),
                      "; ".join(a["id"] for a in sup), "; ".join(a["name"] for a in sup),
                      any(not a["explicit"] for a in leads),
                      "; ".join(x["id"] for x in t["themes"]), "; ".join(f'{x["score"]:.2f}' for x in t["themes"]),
                      t.get("score"), errors,
                      LEVELS.get(level, ""), "; ".join(_unique(info.agency(a["id"]) for a in leads)),
                      "; ".join(_unique(info.agency(a["id"]) for a in sup)),
                      "; ".join(info.theme(x["id"]) for x in t["themes"]), info.task_uncertain(t), t.get("page")]


def long_rows(doc: dict, info: LabelInfo | None = None) -> Iterator[list]:
    """The rows of ``tasks_long.csv``: one per task × agency and one per task × theme (pivots cleanly)."""
    info = info or LabelInfo.default()
    meta = doc.get("meta") or {}
    level = LEVELS.get(issuer_level(meta.get("issuer")), "")
    base = [doc["doc_id"], doc.get("source", ""), meta.get("number"), meta.get("type"), meta.get("issuer"), level,
            meta.get("date")]
    for t in doc.get("tasks") or []:
        head = base + [t["id"], t["section"], t["text"]]
        for a in t["agencies"]:
            yield head + ["agency", a["role"], ROLES.get(a["role"], a["role"]), a["id"], info.agency(a["id"]),
                          a.get("name", ""), a.get("explicit"), "" if a.get("explicit") else a.get("source", ""),
                          a.get("score"), info.is_uncertain(a, a["role"])]
        for x in t["themes"]:
            yield head + ["theme", "", "Chủ đề", x["id"], info.theme(x["id"]), "", "", "", x.get("score"),
                          info.is_uncertain(x, "theme")]


def document_row(doc: dict, info: LabelInfo | None = None) -> list:
    info = info or LabelInfo.default()
    meta = doc.get("meta") or {}
    tasks = doc.get("tasks") or []
    return [doc["doc_id"], doc.get("source", ""), meta.get("number"), meta.get("type"), meta.get("issuer"),
            LEVELS.get(issuer_level(meta.get("issuer")), ""), meta.get("place"), meta.get("date"), meta.get("signer"),
            len(tasks), sum(info.task_uncertain(t) for t in tasks), "; ".join(doc.get("errors") or [])]


def _unique(xs) -> list:
    return list(dict.fromkeys(xs))


class _SafeWriter:
    def __init__(self, fh) -> None:
        self._w = csv.writer(fh)

    def writerow(self, row) -> None:
        self._w.writerow([excel_safe(v) for v in row])


class Writers:
    """The batch's tables, written side by side and atomically (CSV files in UTF-8 with BOM, for Excel):

    - ``tasks.jsonl``: the contract, one document per line;
    - ``tasks.csv``: one row per task, lead and support in their own columns, with Vietnamese names;
    - ``tasks_long.csv``: one row per task × agency and per task × theme, for pivot tables;
    - ``documents.csv``: one row per document (metadata, task count, errors), including documents
      without tasks and files that could not be read.
    """

    def __init__(self, out_dir: str | Path, info: LabelInfo | None = None) -> None:
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.info = info or LabelInfo.default()

    def write(self, docs: Iterable[dict]) -> dict:
        counts = Counter()
        csv_file = dict(encoding="utf-8-sig", newline="")
        with atomic_write(self.out_dir / "tasks.jsonl") as js, \
                atomic_write(self.out_dir / "tasks.csv", **csv_file) as cs, \
                atomic_write(self.out_dir / "tasks_long.csv", **csv_file) as ls, \
                atomic_write(self.out_dir / "documents.csv", **csv_file) as ds:
            w, lw, dw = _SafeWriter(cs), _SafeWriter(ls), _SafeWriter(ds)
            w.writerow(CSV_COLUMNS)
            lw.writerow(LONG_COLUMNS)
            dw.writerow(DOC_COLUMNS)
            for d in docs:
                js.write(jsonl_line(d))
                for row in csv_rows(d, self.info):
                    w.writerow(row)
                for row in long_rows(d, self.info):
                    lw.writerow(row)
                dw.writerow(document_row(d, self.info))
                counts["documents"] += 1
                counts["tasks"] += len(d.get("tasks") or [])
                counts["errors"] += bool(d.get("errors"))
        return dict(counts)


def write_report(jsonl_path: str | Path, out_path: str | Path, max_docs: int | None = None,
                 info: LabelInfo | None = None, compare: dict | None = None) -> None:
    """report.html from tasks.jsonl (see :mod:`pipeline.report`)."""
    from .report import write_report as _write

    _write(jsonl_path, out_path, info=info, compare=compare)


