"""Stage 7, outputs: ``tasks.jsonl`` (the contract), ``tasks.csv`` (Excel) and ``report.html``.

Writers stream: they take an iterable of document dicts (``Document.to_dict()``)
and write to a temporary file renamed into place at the end, so an
interrupted run never leaves a half-written output behind.
"""

from __future__ import annotations

import csv
import html
import json
import os
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

CSV_COLUMNS = ["doc_id", "source", "number", "type", "issuer", "date", "task_id", "section", "start", "end",
               "text", "lead", "lead_names", "support", "support_names", "implicit", "themes", "theme_scores",
               "task_score", "errors", "page"]


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


def csv_rows(doc: dict) -> Iterator[list]:
    meta = doc.get("meta") or {}
    base = [doc["doc_id"], doc.get("source", ""), meta.get("number"), meta.get("type"), meta.get("issuer"), meta.get("date")]
    errors = "; ".join(doc.get("errors") or [])
    if not doc.get("tasks"):
        yield base + [None] * 13 + [errors, None]
        return
    for t in doc["tasks"]:
        leads = [a for a in t["agencies"] if a["role"] == "lead"]
        sup = [a for a in t["agencies"] if a["role"] == "support"]
        yield base + [t["id"], t["section"], t["start"], t["end"], t["text"],
                      "; ".join(a["id"] for a in leads), "; ".join(a["name"] for a in leads),
                      "; ".join(a["id"] for a in sup), "; ".join(a["name"] for a in sup),
                      any(not a["explicit"] for a in leads),
                      "; ".join(x["id"] for x in t["themes"]), "; ".join(f'{x["score"]:.2f}' for x in t["themes"]),
                      t.get("score"), errors, t.get("page")]


class Writers:
    """tasks.jsonl and tasks.csv (UTF-8 with BOM) written side by side, atomically."""

    def __init__(self, out_dir: str | Path) -> None:
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)

    def write(self, docs: Iterable[dict]) -> dict:
        counts = Counter()
        with atomic_write(self.out_dir / "tasks.jsonl") as js, \
                atomic_write(self.out_dir / "tasks.csv", encoding="utf-8-sig", newline="") as cs:
            w = csv.writer(cs)
            w.writerow(CSV_COLUMNS)
            for d in docs:
                js.write(jsonl_line(d))
                for row in csv_rows(d):
                    w.writerow(row)
                counts["documents"] += 1
                counts["tasks"] += len(d.get("tasks") or [])
                counts["errors"] += bool(d.get("errors"))
        return dict(counts)


# --------------------------------------------------------------------------- report

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}
main{padding:20px 28px;max-width:1200px}section{background:#fff;border-radius:8px;padding:16px 20px;margin:0 0 18px;
box-shadow:0 1px 3px rgba(0,0,0,.08)}h2{font-size:18px;margin:0 0 10px}table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #e1e4e8;padding:4px 8px;text-align:right}th{background:#f0f3f7}td:first-child,th:first-child{text-align:left}
.heat{background:rgba(31,58,95,var(--a));color:var(--c)}details{margin:6px 0}summary{cursor:pointer;font-weight:600}
.task{border-left:3px solid #c9d3e0;padding:6px 10px;margin:8px 0}.sec{color:#6a737d;font-size:12px;margin-right:6px}
.ag{display:inline-block;border-radius:10px;padding:1px 8px;margin:2px 3px 0 0;font-size:12px}
.lead{background:#ffe8c2;border:1px solid #f0b357}.support{background:#e3f1ff;border:1px solid #8fc1f5}
.implicit{border-style:dashed}.th{background:#e6f6e8;border:1px solid #8fd19e}.err{color:#b00020}
mark{background:#fff3b0;padding:0 2px}.chart{display:inline-block;width:46%;min-width:320px;margin:0 2% 0 0;
vertical-align:top}.chart figcaption{font-weight:600;margin-bottom:6px}.bar{display:flex;align-items:center;font-size:12px;
margin:2px 0}.bar .lab{width:150px;flex:none}.bar .fill{display:block;height:12px;background:#1f3a5f;border-radius:2px}
.bar .track{flex:1}.bar .num{width:44px;margin-left:6px;color:#555}.scroll{overflow-x:auto}
.ok{color:#2e7d32}.doc-meta{font-weight:400;color:#555;font-size:13px}.meta{color:#555;font-size:13px}.stats span{margin-right:18px}
"""


def _chart(counter: Counter, title: str, top: int = 20) -> str:
    """A horizontal bar chart in plain HTML (no image, no plotting library at run time)."""
    if not counter:
        return ""
    items = counter.most_common(top)
    peak = items[0][1]
    rows = "".join(f"<div class='bar'><span class='lab'>{html.escape(k)}</span><span class='track'><span class='fill' "
                   f"style='width:{100 * v / peak:.1f}%'></span></span><span class='num'>{v}</span></div>"
                   for k, v in items)
    return f"<figure class='chart'><figcaption>{html.escape(title)}</figcaption>{rows}</figure>"


def _highlight(text: str, names: list[str]) -> str:
    out = html.escape(text)
    for n in sorted({n for n in names if n and n in text}, key=len, reverse=True):
        out = out.replace(html.escape(n), f"<mark>{html.escape(n)}</mark>")
    return out


def write_report(jsonl_path: str | Path, out_path: str | Path, max_docs: int = 500) -> None:
    """report.html from tasks.jsonl: batch summary, agency × theme table, chart, then each document."""
    pairs: Counter = Counter()
    themes: Counter = Counter()
    agencies: Counter = Counter()
    n_docs = n_tasks = n_err = n_implicit = 0
    with open(jsonl_path, encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            n_docs += 1
            n_err += bool(d.get("errors"))
            for t in d.get("tasks") or []:
                n_tasks += 1
                leads = {a["id"] for a in t["agencies"] if a["role"] == "lead"} or {"(none)"}
                n_implicit += any(not a["explicit"] for a in t["agencies"] if a["role"] == "lead")
                for a in leads:
                    agencies[a] += 1
                    for th in t["themes"]:
                        pairs[(a, th["id"])] += 1
                for th in t["themes"]:
                    themes[th["id"]] += 1
    rows = [a for a, _ in agencies.most_common()]
    cols = [t for t, _ in themes.most_common()]
    peak = max(pairs.values(), default=1)
    with atomic_write(out_path) as out:
        out.write(f"<!doctype html><html lang='vi'><head><meta charset='utf-8'><title>Nhiệm vụ — báo cáo</title>"
                  f"<style>{_CSS}</style></head><body><header><h1>Tasks in {n_docs} documents</h1></header><main>")
        out.write(f"<section class='stats'><span><b>{n_docs}</b> documents</span><span><b>{n_tasks}</b> tasks</span>"
                  f"<span><b>{n_implicit}</b> with an inherited lead</span><span class='{'err' if n_err else 'ok'}'>"
                  f"<b>{n_err}</b> files with errors</span></section>")
        out.write("<section><h2>Lead agency × theme</h2><div class='scroll'><table><tr><th>agency \\ theme</th>")
        out.write("".join(f"<th>{html.escape(c)}</th>" for c in cols) + "<th>total</th></tr>")
        for r in rows:
            out.write(f"<tr><td>{html.escape(r)}</td>")
            for c in cols:
                v = pairs.get((r, c), 0)
                a = v / peak
                out.write(f"<td class='heat' style='--a:{a:.2f};--c:{'#fff' if a > .5 else '#1d2430'}'>{v or ''}</td>")
            out.write(f"<td><b>{agencies[r]}</b></td></tr>")
        out.write("</table></div></section>")
        out.write(f"<section><h2>Tasks by lead agency and by theme</h2>{_chart(agencies, 'Tasks by lead agency')}"
                  f"{_chart(themes, 'Tasks by theme')}</section><section><h2>Documents</h2>")
        with open(jsonl_path, encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if i >= max_docs:
                    out.write(f"<p>… {n_docs - max_docs} more documents: see tasks.csv.</p>")
                    break
                d = json.loads(line)
                m = d.get("meta") or {}
                head = " · ".join(html.escape(str(x)) for x in (m.get("type"), m.get("number"), m.get("issuer"), m.get("date")) if x)
                out.write(f"<details><summary>{html.escape(d['doc_id'])} — {len(d.get('tasks') or [])} tasks"
                          f"{' — ERROR' if d.get('errors') else ''} <span class='doc-meta'>{head}</span></summary>"
                          f"<div class='meta'>{html.escape(d.get('source', ''))}</div>")
                for e in d.get("errors") or []:
                    out.write(f"<p class='err'>{html.escape(e)}</p>")
                for t in d.get("tasks") or []:
                    badges = "".join(
                        f"<span class='ag {a['role']}{'' if a['explicit'] else ' implicit'}' title='{html.escape(a['name'])}"
                        f" ({a['score']:.2f}{'' if a['explicit'] else ', inherited'})'>{html.escape(a['id'])}</span>"
                        for a in t["agencies"])
                    badges += "".join(f"<span class='ag th' title='{x['score']:.2f}'>{html.escape(x['id'])}</span>"
                                      for x in t["themes"])
                    names = [a["name"] for a in t["agencies"] if a["explicit"]]
                    out.write(f"<div class='task'><span class='sec'>{html.escape(t['section'] or '·')}</span>"
                              f"{_highlight(t['text'], names)}<br>{badges}</div>")
                out.write("</details>")
        out.write("</section></main></body></html>\n")
