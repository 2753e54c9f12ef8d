"""Real documents labelled stand-off: ``corpus/real/labels.jsonl``.

The texts of the real documents are public but not ours, so they never enter
the repository. Their labels do, as *stand-off* records: character offsets into
the file's text (its bytes decoded as UTF-8, not normalised), label ids and the
inheritance step, never text. One JSON object per line::

    {"file": "077.txt", "sha256": "<sha256 of the file's bytes>", "kind": "quyết định",
     "meta": {"type": "quyết định", "number": [s, e], "date": "2025-11-18",
              "issuer": [s, e], "place": [s, e], "signer": [s, e]},
     "tasks": [{"start": 1042, "end": 1190, "lead": ["so_ban_nganh"], "support": [],
                "themes": ["kiem_tra_giam_sat"], "implicit": false, "source": "text",
                "mentions": [{"start": 1042, "end": 1050, "id": "so_ban_nganh", "role": "lead"}]}]}

``meta`` values are offsets of the field in the text (``date`` is ISO, ``type``
a document type); ``mentions`` locate the agency names the labels come from
(inside the task when ``source`` is "text", at the inheritance source
otherwise). Both are optional.

The folder that holds the texts is given explicitly (``--real-dir``) or found
at ``$VANBAN_REALDOCS`` or ``../shared/realdocs`` beside the checkout;
``corpus/real/manifest.jsonl`` says where each public file comes from
(repository, path, commit).

>>> rec = {"file": "x.txt", "sha256": "0" * 64, "tasks": [{"start": 0, "end": 4, "lead": ["a"], "support": [],
...        "themes": ["t"], "implicit": False, "source": "text"}]}
>>> check_record(rec, "abcdef", {"agencies": {"a": ""}, "themes": {"t": ""}}, sha256="0" * 64)
[]
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CorpusError

SOURCES = ("text", "item", "heading", "lead_in", "addressees", "issuer", "recipients")
META_SPAN_FIELDS = ("number", "issuer", "place", "signer")
LABELS_FILE = "labels.jsonl"
AGREEMENT_FILE = "agreement.jsonl"


@dataclass
class RealDocument:
    """One labelled real document: its text (read from outside the repository) and its stand-off labels."""

    file: str
    text: str
    sha256: str
    tasks: list
    kind: str = ""
    meta: dict = field(default_factory=dict)

    @property
    def doc_id(self) -> str:
        return Path(self.file).stem

    def meta_values(self) -> dict:
        """The metadata as strings, read from the text at the stored offsets (None where absent)."""
        out = {}
        for k, v in (self.meta or {}).items():
            if isinstance(v, list) and len(v) == 2:
                out[k] = " ".join(self.text[v[0]:v[1]].split())
            else:
                out[k] = v
        return out


def default_real_dir() -> Path:
    """``$VANBAN_REALDOCS`` if set, else ``../shared/realdocs`` beside the repository checkout."""
    env = os.environ.get("VANBAN_REALDOCS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "realdocs"


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_text(path: Path) -> tuple[str, str]:
    """(text, sha256) of a real document: its bytes decoded as UTF-8, nothing normalised."""
    data = path.read_bytes()
    return data.decode("utf-8"), sha256_bytes(data)


def read_records(path: str | Path) -> list[dict]:
    """The records of a stand-off labels file; CorpusError on a line that is not JSON."""
    path = Path(path)
    out = []
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError as e:
            raise CorpusError(f"{path}:{i}: not a JSON object ({e.msg}). Each line holds one document's labels.")
    return out


def _span_ok(v, n: int) -> bool:
    return (isinstance(v, list) and len(v) == 2 and all(isinstance(x, int) for x in v)
            and 0 <= v[0] < v[1] <= n)


def check_record(rec: dict, text: str | None, labelset: dict, sha256: str | None = None) -> list[str]:
    """Every problem of one record (empty list: valid). ``text`` None: the file is missing."""
    where = rec.get("file", "?")
    problems = []
    for key in ("file", "sha256", "tasks"):
        if key not in rec:
            problems.append(f"{where}: missing field {key!r}")
    if problems:
        return problems
    if text is None:
        return [f"{where}: the text is not in the real-documents folder"]
    if sha256 is not None and rec["sha256"] != sha256:
        return [f"{where}: sha256 {rec['sha256'][:12]}… does not match the file ({sha256[:12]}…): the file changed, "
                "so its offsets cannot be trusted"]
    n = len(text)
    agencies, themes = labelset["agencies"], labelset["themes"]
    for k, v in (rec.get("meta") or {}).items():
        if k in META_SPAN_FIELDS and v is not None and not _span_ok(v, n):
            problems.append(f"{where}: meta {k} must be [start, end] inside the text. Got {v!r}")
    prev_end = -1
    for i, t in enumerate(rec["tasks"]):
        at = f"{where} task {i}"
        s, e = t.get("start"), t.get("end")
        if not (isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= n):
            problems.append(f"{at}: offsets {s!r}-{e!r} are not a span of the text ({n} characters)")
            continue
        at = f"{where} task {i} ({s}-{e})"
        if text[s].isspace() or text[e - 1].isspace():
            problems.append(f"{at}: span starts or ends with whitespace")
        if s < prev_end:
            problems.append(f"{at}: overlaps the previous task or is out of order")
        prev_end = e
        if not t.get("lead"):
            problems.append(f"{at}: no lead agency")
        for role in ("lead", "support"):
            ids = t.get(role) or []
            if len(set(ids)) != len(ids):
                problems.append(f"{at}: {role} repeats an id")
            for a in ids:
                if a not in agencies:
                    problems.append(f"{at}: unknown agency label {a!r} in {role}")
        ths = t.get("themes") or []
        if not ths:
            problems.append(f"{at}: empty themes")
        if len(ths) > 3:
            problems.append(f"{at}: more than 3 themes")
        if "khac" in ths and len(ths) > 1:
            problems.append(f"{at}: theme 'khac' is only used alone")
        for th in ths:
            if th not in themes:
                problems.append(f"{at}: unknown theme label {th!r}")
        src = t.get("source")
        if src not in SOURCES:
            problems.append(f"{at}: source must be one of {', '.join(SOURCES)}. Got {src!r}")
        elif bool(t.get("implicit")) != (src != "text"):
            problems.append(f"{at}: implicit must be true exactly when source is not 'text'")
        for m in t.get("mentions") or []:
            if not _span_ok([m.get("start"), m.get("end")], n):
                problems.append(f"{at}: mention offsets {m.get('start')!r}-{m.get('end')!r} outside the text")
            elif m.get("id") not in agencies or m.get("role") not in ("lead", "support"):
                problems.append(f"{at}: mention needs a known agency id and a role lead/support. Got {m!r}")
            elif src == "text" and not (s <= m["start"] and m["end"] <= e):
                problems.append(f"{at}: explicit mention {m['start']}-{m['end']} is outside the task span")
    return problems


def resolve_dir(real_dir: str | Path | None) -> Path:
    """The folder of the real texts; CorpusError that says what to do when it is absent."""
    d = Path(real_dir) if real_dir is not None else default_real_dir()
    if not d.is_dir():
        raise CorpusError(
            f"The real documents are not at {d}. Their texts are public but not part of this repository: "
            "fetch them as corpus/real/README.md says (manifest.jsonl gives repository, path and commit of each), "
            "then pass their folder with --real-dir or set VANBAN_REALDOCS; or leave them out with --no-real.")
    return d


def load(corpus_dir: str | Path, real_dir: str | Path | None = None, labels_file: str = LABELS_FILE,
         labelset: dict | None = None, strict: bool = True) -> list[RealDocument]:
    """The labelled real documents of ``corpus_dir/real/<labels_file>`` with their texts.

    ``strict``: raise CorpusError listing every problem; otherwise skip invalid records.
    Returns [] when the corpus has no real labels.
    """
    from .corpus import load_labelset

    path = Path(corpus_dir) / "real" / labels_file
    if not path.exists():
        return []
    records = read_records(path)
    d = resolve_dir(real_dir)
    labelset = labelset or load_labelset(corpus_dir)
    docs, problems = [], []
    for rec in records:
        f = d / rec.get("file", "")
        text = sha = None
        if rec.get("file") and f.is_file():
            text, sha = read_text(f)
        ps = check_record(rec, text, labelset, sha)
        if ps:
            problems += ps
            continue
        docs.append(RealDocument(file=rec["file"], text=text, sha256=sha, tasks=rec["tasks"],
                                 kind=rec.get("kind") or "", meta=rec.get("meta") or {}))
    if problems and strict:
        raise CorpusError(f"{len(problems)} problem(s) in {path}:\n" + "\n".join(problems))
    return docs


def check(corpus_dir: str | Path, real_dir: str | Path | None = None) -> tuple[int, list[str]]:
    """(records checked, problems) of every stand-off labels file under ``corpus_dir/real``."""
    from .corpus import load_labelset

    base = Path(corpus_dir) / "real"
    files = [base / n for n in (LABELS_FILE, AGREEMENT_FILE) if (base / n).exists()]
    if not files:
        return 0, []
    d = resolve_dir(real_dir)
    labelset = load_labelset(corpus_dir)
    n, problems = 0, []
    for path in files:
        seen = set()
        for rec in read_records(path):
            n += 1
            name = rec.get("file", "")
            if name in seen:
                problems.append(f"{path.name}: {name} is labelled twice")
            seen.add(name)
            f = d / name
            text = sha = None
            if name and f.is_file():
                text, sha = read_text(f)
            problems += [f"{path.name}: {p}" for p in check_record(rec, text, labelset, sha)]
    return n, problems


def labels_hash(corpus_dir: str | Path) -> str | None:
    """sha256 of ``real/labels.jsonl`` (None when absent): part of a model's training-data identity."""
    path = Path(corpus_dir) / "real" / LABELS_FILE
    return sha256_bytes(path.read_bytes()) if path.exists() else None
