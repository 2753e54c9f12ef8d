"""The hand-labelled corpus: authoring markup, gold records, validation.

A corpus folder holds ``labelset.json``, ``src/<doc_id>.txt`` (clean text with
inline task markup, see corpus/FORMAT.md), optionally ``raw/<doc_id>.txt`` (the
noisy original) and the generated ``labels.jsonl``.

>>> meta, text, tasks = parse_source("#meta type=công văn\\n1. {{Sở Y tế chủ trì.|lead=so_ban_nganh:Sở Y tế|themes=cham_soc_suc_khoe}}")
>>> text[tasks[0]["start"]:tasks[0]["end"]]
'Sở Y tế chủ trì.'
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .errors import CorpusError

META_KEYS = ("number", "type", "issuer", "place", "date", "signer")
_TASK_RE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class GoldDocument:
    """One labelled document: clean text, metadata and gold task spans."""

    doc_id: str
    text: str
    meta: dict
    tasks: list
    raw: str | None = None
    problems: list = field(default_factory=list)

    def to_record(self) -> dict:
        return {"doc_id": self.doc_id, "text": self.text, "raw": self.raw,
                "meta": self.meta, "tasks": self.tasks}


def load_labelset(corpus_dir: str | Path) -> dict:
    path = Path(corpus_dir) / "labelset.json"
    if not path.exists():
        raise CorpusError(f"No labelset.json in {corpus_dir}. A corpus folder needs one: "
                          "see corpus/FORMAT.md.")
    data = json.loads(path.read_text(encoding="utf-8"))
    out = {"agencies": dict(data["agencies"]), "themes": dict(data["themes"])}
    if isinstance(data.get("names"), dict):      # Vietnamese display names (pipeline.labels), carried by the model
        out["names"] = data["names"]
    return out


def _parse_meta(line: str) -> dict:
    meta = {k: None for k in META_KEYS}
    body = line[len("#meta"):].strip()
    for part in body.split("|"):
        if "=" not in part:
            continue
        key, value = part.split("=", 1)
        key, value = key.strip(), value.strip()
        if key in meta and value and value.lower() != "null":
            meta[key] = value
    return meta


def _parse_agencies(value: str, role: str) -> list:
    out = []
    for entry in value.split(";"):
        entry = entry.strip()
        if not entry:
            continue
        label, _, name = entry.partition(":")
        label = label.strip()
        explicit = not label.endswith("*")
        out.append({"id": label.rstrip("*").strip(), "name": name.strip(),
                    "role": role, "explicit": explicit})
    return out


def parse_source(source: str) -> tuple[dict, str, list]:
    """Parse authoring markup into (meta, clean text, task records with offsets)."""
    source = source.replace("\r\n", "\n")
    meta = {k: None for k in META_KEYS}
    if source.startswith("#meta"):
        first, _, source = source.partition("\n")
        meta = _parse_meta(first)
    pieces: list[str] = []
    tasks: list[dict] = []
    pos = 0
    length = 0
    for m in _TASK_RE.finditer(source):
        before = source[pos:m.start()]
        pieces.append(before)
        length += len(before)
        fields = m.group(1).split("|")
        text = fields[0]
        task = {"start": length, "end": length + len(text), "text": text,
                "agencies": [], "themes": []}
        for f in fields[1:]:
            key, _, value = f.partition("=")
            key = key.strip()
            if key == "lead":
                task["agencies"] += _parse_agencies(value, "lead")
            elif key == "support":
                task["agencies"] += _parse_agencies(value, "support")
            elif key == "themes":
                task["themes"] = [t.strip() for t in value.split(",") if t.strip()]
            else:
                task.setdefault("_unknown_fields", []).append(key)
        pieces.append(text)
        length += len(text)
        tasks.append(task)
        pos = m.end()
    pieces.append(source[pos:])
    return meta, "".join(pieces), tasks


def check_document(doc: GoldDocument, labelset: dict) -> list[str]:
    """Every problem of one document, as readable lines (empty list: valid)."""
    problems = []
    agencies, themes = labelset["agencies"], labelset["themes"]
    where = doc.doc_id
    if "{{" in doc.text or "}}" in doc.text:
        problems.append(f"{where}: unbalanced task braces left in the text")
    if doc.meta.get("date") and not _DATE_RE.match(doc.meta["date"]):
        problems.append(f"{where}: meta date {doc.meta['date']!r} is not YYYY-MM-DD")
    prev_end = -1
    for i, t in enumerate(doc.tasks):
        at = f"{where} task {i} ({t['text'][:40]!r})"
        if doc.text[t["start"]:t["end"]] != t["text"]:
            problems.append(f"{at}: span {t['start']}-{t['end']} does not match the text")
        if t["start"] < prev_end:
            problems.append(f"{at}: overlaps the previous task")
        prev_end = t["end"]
        if not t["text"].strip() or t["text"] != t["text"].strip():
            problems.append(f"{at}: empty text or leading/trailing whitespace")
        for key in t.get("_unknown_fields", []):
            problems.append(f"{at}: unknown field {key!r}")
        if not any(a["role"] == "lead" for a in t["agencies"]):
            problems.append(f"{at}: no lead agency")
        for a in t["agencies"]:
            if a["id"] not in agencies:
                problems.append(f"{at}: unknown agency label {a['id']!r}")
            if not a["name"]:
                problems.append(f"{at}: agency {a['id']!r} has no name")
            elif a["explicit"] and a["name"].lower() not in t["text"].lower():
                problems.append(f"{at}: explicit agency name {a['name']!r} is not in the task text "
                                "(mark it inherited with '*' or copy the name exactly)")
            elif not a["explicit"] and a["name"].lower() not in doc.text.lower():
                problems.append(f"{at}: inherited agency name {a['name']!r} is nowhere in the document")
        if not t["themes"]:
            problems.append(f"{at}: empty themes")
        if len(t["themes"]) > 3:
            problems.append(f"{at}: more than 3 themes")
        if "khac" in t["themes"] and len(t["themes"]) > 1:
            problems.append(f"{at}: theme 'khac' is only used alone")
        for th in t["themes"]:
            if th not in themes:
                problems.append(f"{at}: unknown theme label {th!r}")
    return problems


def read_source(path: str | Path, corpus_dir: str | Path | None = None) -> GoldDocument:
    path = Path(path)
    meta, text, tasks = parse_source(path.read_text(encoding="utf-8"))
    raw = None
    if corpus_dir is not None and (Path(corpus_dir) / "raw" / path.name).exists():
        raw = f"raw/{path.name}"
    return GoldDocument(doc_id=path.stem, text=text, meta=meta, tasks=tasks, raw=raw)


def build(corpus_dir: str | Path) -> list[GoldDocument]:
    """Compile ``src/*.txt`` into ``labels.jsonl``; raise CorpusError listing every problem."""
    corpus_dir = Path(corpus_dir)
    labelset = load_labelset(corpus_dir)
    docs = [read_source(p, corpus_dir) for p in sorted((corpus_dir / "src").glob("*.txt"))]
    problems = [p for d in docs for p in check_document(d, labelset)]
    if problems:
        raise CorpusError(f"{len(problems)} problem(s) in {corpus_dir}/src:\n" + "\n".join(problems))
    out = corpus_dir / "labels.jsonl"
    # a temporary file of its own, renamed over the old one: two trainings that build the same corpus at
    # once each write whole files (the same bytes), and neither removes the other's half-written one
    fd, tmp = tempfile.mkstemp(dir=corpus_dir, prefix=".labels.", suffix=".jsonl.tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for d in docs:
                fh.write(json.dumps(d.to_record(), ensure_ascii=False) + "\n")
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return docs


def load(corpus_dir: str | Path) -> list[GoldDocument]:
    """Read ``labels.jsonl`` (the gold) from a corpus folder."""
    path = Path(corpus_dir) / "labels.jsonl"
    if not path.exists():
        raise CorpusError(f"No labels.jsonl in {corpus_dir}: run `vanban corpus build {corpus_dir}` first.")
    docs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            docs.append(GoldDocument(doc_id=r["doc_id"], text=r["text"], meta=r.get("meta") or {},
                                     tasks=r["tasks"], raw=r.get("raw")))
    return docs


def corpus_hash(corpus_dir: str | Path) -> str:
    """sha256 over labelset.json and labels.jsonl: identifies the training data of a model."""
    h = hashlib.sha256()
    for name in ("labelset.json", "labels.jsonl"):
        h.update((Path(corpus_dir) / name).read_bytes())
    return h.hexdigest()


def check_files(paths: Iterable[str | Path], labelset_path: str | Path) -> list[str]:
    labelset = load_labelset(Path(labelset_path).parent)
    problems = []
    for p in paths:
        problems += check_document(read_source(p), labelset)
    return problems


if __name__ == "__main__":  # a quick checker for annotators: python -m pipeline.corpus FILE…
    import sys

    here = Path(__file__).resolve().parent.parent / "corpus" / "labelset.json"
    found = check_files(sys.argv[1:], here)
    print("\n".join(found) if found else f"ok: {len(sys.argv) - 1} file(s)")
    sys.exit(1 if found else 0)
