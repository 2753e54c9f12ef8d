"""Across the documents of one output folder: who assigns what to whom, and which tasks are taken up.

``vanban compare OUT`` reads ``OUT/tasks.jsonl`` and writes

- ``compare_issuers.csv``: one row per issuer × agency (lead or support) × theme with the number of tasks
  and documents, Vietnamese names beside the ids (pivots cleanly in Excel);
- ``compare_tasks.csv``: pairs of similar tasks of two documents, side by side (the taking-up document's
  task beside the task it takes up), with their cosine similarity and whether the later document cites
  the earlier one's number;
- ``compare.json``: the same links for the report, which it then rewrites with the cross-document view.

Similarity is the cosine of TF-IDF vectors of the tasks' segmented words (1–2 grams): a provincial plan
that says "Tăng cường công tác tuyên truyền về hiến máu tình nguyện" takes up the central conclusion's
"Tăng cường tuyên truyền hiến máu tình nguyện". Within a pair of documents each task is matched at most
once (best pairs first). The *source* of a pair is the document the other cites by number; without a
citation, the higher level (central before province before district before commune), then the earlier date.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from .evaluation.metrics import greedy_one_to_one
from .labels import LEVELS, ROLES, LabelInfo, issuer_level
from .output import atomic_write, excel_safe
from .model import sha256_file
from .report import read_jsonl

THRESHOLD = 0.5
_LEVEL_RANK = {"trung_uong": 0, "tinh": 1, "huyen": 2, "xa": 3, "": 4}


@dataclass
class CompareResult:
    documents: int
    tasks: int
    issuer_rows: int
    pairs: int
    links: int
    out_dir: str


def issuer_rows(docs: list[dict], info: LabelInfo) -> list[list]:
    """issuer × role × agency × theme → [tasks, documents], most frequent first."""
    tasks: Counter = Counter()
    documents: dict = defaultdict(set)
    for d in docs:
        issuer = (d.get("meta") or {}).get("issuer") or ""
        for t in d.get("tasks") or []:
            for a in {(a["role"], a["id"]) for a in t["agencies"]}:
                for th in {x["id"] for x in t["themes"]}:
                    key = (issuer, a[0], a[1], th)
                    tasks[key] += 1
                    documents[key].add(d["doc_id"])
    rows = []
    for (issuer, role, ag, th), n in sorted(tasks.items(), key=lambda kv: (-kv[1], kv[0])):
        rows.append([issuer, LEVELS.get(issuer_level(issuer), ""), role, ROLES.get(role, role), ag, info.agency(ag),
                     th, info.theme(th), n, len(documents[(issuer, role, ag, th)])])
    return rows


def _cites(citing: dict, cited: dict) -> bool:
    number = ((cited.get("meta") or {}).get("number") or "").strip()
    if len(number) < 4 or not re.search(r"[/-]", number):
        return False
    return re.search(rf"(?<![\w/-]){re.escape(number)}(?![\w/-])", citing.get("clean_text") or "") is not None


def _order(a: dict, b: dict) -> tuple[dict, dict, bool]:
    """(source, target, cites): the document taken up first."""
    if _cites(b, a):
        return a, b, True
    if _cites(a, b):
        return b, a, True
    ka = (_LEVEL_RANK[issuer_level((a.get("meta") or {}).get("issuer"))], (a.get("meta") or {}).get("date") or "9999")
    kb = (_LEVEL_RANK[issuer_level((b.get("meta") or {}).get("issuer"))], (b.get("meta") or {}).get("date") or "9999")
    return (a, b, False) if ka <= kb else (b, a, False)


def task_links(docs: list[dict], threshold: float = THRESHOLD, chunk: int = 500) -> list[dict]:
    """Links between documents whose tasks are similar: [{source, target, cites, matches: [[s_id, t_id, sim]]}],
    documents that cite each other first, then by the number of matched tasks."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    items = [(di, t) for di, d in enumerate(docs) for t in d.get("tasks") or []]
    if len(items) < 2:
        return []
    texts = [(t.get("words") or t["text"]).lower() for _, t in items]
    vec = TfidfVectorizer(token_pattern=r"[^\s.,;:()\"'“”]+", ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    X = vec.fit_transform(texts)
    owner = [di for di, _ in items]
    cands: dict[tuple[int, int], list] = defaultdict(list)
    for start in range(0, X.shape[0], chunk):
        S = (X[start:start + chunk] @ X.T).tocoo()
        for i, j, v in zip(S.row, S.col, S.data):
            i += start
            if j <= i or v < threshold or owner[i] == owner[j]:
                continue
            cands[(owner[i], owner[j])].append((float(v), i, j))
    links = []
    for (da, db), found in cands.items():
        matches = greedy_one_to_one(found)
        src, tgt, cites = _order(docs[da], docs[db])
        flip = src is docs[db]
        rows = []
        for v, i, j in sorted(matches, key=lambda m: (m[2], m[1]) if flip else (m[1], m[2])):
            a, b = (items[j][1], items[i][1]) if flip else (items[i][1], items[j][1])
            rows.append([a["id"], b["id"], round(v, 3)])
        links.append({"source": src["doc_id"], "target": tgt["doc_id"], "cites": cites, "matches": rows})
    links.sort(key=lambda l: (not l["cites"], -len(l["matches"]), l["source"], l["target"]))
    return links


TASK_COLUMNS = ["source_doc", "source_number", "source_issuer", "source_task_id", "source_section", "source_text",
                "target_doc", "target_number", "target_issuer", "target_task_id", "target_section", "target_text",
                "similarity", "target_cites_source", "source_lead", "target_lead"]
ISSUER_COLUMNS = ["issuer", "issuer_level", "role", "role_label", "agency_id", "agency", "theme_id", "theme", "tasks",
                  "documents"]


def compare(out_dir: str | Path, threshold: float = THRESHOLD, info: LabelInfo | None = None,
            report: bool = True) -> CompareResult:
    """Write compare_issuers.csv, compare_tasks.csv and compare.json in ``out_dir`` (from its tasks.jsonl) and
    rewrite report.html with the cross-document view."""
    from .errors import InputError

    out_dir = Path(out_dir)
    jsonl = out_dir / "tasks.jsonl"
    if not jsonl.is_file():
        raise InputError(f"{out_dir} has no tasks.jsonl: give the output folder of `vanban annotate`.")
    if not 0 < threshold <= 1:
        raise InputError(f"The similarity threshold must be in (0, 1]. Got {threshold}.")
    info = info or LabelInfo.default()
    docs = list(read_jsonl(jsonl))
    rows = issuer_rows(docs, info)
    links = task_links(docs, threshold)
    by_id = {d["doc_id"]: d for d in docs}
    csv_file = dict(encoding="utf-8-sig", newline="")
    with atomic_write(out_dir / "compare_issuers.csv", **csv_file) as fh:
        w = csv.writer(fh)
        w.writerow(ISSUER_COLUMNS)
        w.writerows([[excel_safe(v) for v in r] for r in rows])
    n_pairs = 0
    with atomic_write(out_dir / "compare_tasks.csv", **csv_file) as fh:
        w = csv.writer(fh)
        w.writerow(TASK_COLUMNS)
        for link in links:
            s, t = by_id[link["source"]], by_id[link["target"]]
            st, tt = {x["id"]: x for x in s["tasks"]}, {x["id"]: x for x in t["tasks"]}
            for si, ti, sim in link["matches"]:
                a, b = st[si], tt[ti]
                n_pairs += 1
                w.writerow([excel_safe(v) for v in (
                    s["doc_id"], s["meta"].get("number"), s["meta"].get("issuer"), si, a["section"], a["text"],
                    t["doc_id"], t["meta"].get("number"), t["meta"].get("issuer"), ti, b["section"], b["text"],
                    sim, link["cites"], "; ".join(info.agency(x["id"]) for x in a["agencies"] if x["role"] == "lead"),
                    "; ".join(info.agency(x["id"]) for x in b["agencies"] if x["role"] == "lead"))])
    data = {"tasks_sha256": sha256_file(jsonl), "threshold": threshold, "pairs": n_pairs, "links": links}
    with atomic_write(out_dir / "compare.json") as fh:
        json.dump(data, fh, ensure_ascii=False)
    if report:
        from .report import write_report

        write_report(jsonl, out_dir / "report.html", info=info, compare=data)
    return CompareResult(len(docs), sum(len(d.get("tasks") or []) for d in docs), len(rows), n_pairs, len(links),
                         str(out_dir))
