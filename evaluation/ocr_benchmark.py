"""OCR benchmark: real pages scanned, OCR'd, cleaned, annotated, and compared with their source text.

    python evaluation/ocr_benchmark.py [--real-files DIR] [--real-docs DIR] [--work DIR] [--quick]

Pages (about 60 with the defaults):

- the three signed PDFs of the real files (``../shared/realfiles``): every page of the decree and of
  its appendix, and every 45th page of the 453-page appendix; the source text of a page is its
  text layer;
- real documents (``../shared/realdocs``) held out of the diacritic statistics
  (``corpus/tools/build_diacritics.py``), typeset to pages (``evaluation/scanner.py``: a .docx in
  the usual layout, LibreOffice's PDF); the source text is the document's text file.

Each page is rendered and degraded as a scanner would (150-300 dpi, turned by up to 1.2°, blur,
JPEG, specks; a red stamp on each document's last page, a handwritten note on the first page of
every other document; seeded), OCR'd by the reading stage (Tesseract, Vietnamese), and measured:

- character and syllable error rate of the OCR'd text against the source text, and of the cleaned
  OCR'd text against the cleaned source text;
- the syllables cleanup's word rules (``diacritics``, ``word_split``, ``ocr_confusion``) changed: how
  many of the syllables OCR misread one for one they put right, and how many syllables OCR had right
  they made wrong (per 1,000 correct);
- the syllable-changing rules (``diacritics``, ``ocr_confusion``) on the clean source texts: every
  change there counts as a false correction (a few put right a typing error of the source);
- what reaches the user: the default model on the OCR'd document and on the source text; tasks
  matched by text (similarity ≥ 0.8), task F1, and for matched tasks the share with the same lead
  agencies and the same themes.

Writes only figures (``evaluation/ocr.json``, ``evaluation/OCR.md``): no text of any document.
OCR results are cached in ``--work`` (default: a folder in the system's temporary directory).
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import io
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "corpus" / "tools"))

from build_diacritics import held_out  # noqa: E402
from scanner import docx_to_pdf, page_texts, random_settings, render, scan, typeset_docx  # noqa: E402

from pipeline.cleanup import clean  # noqa: E402
from pipeline.evaluation.metrics import levenshtein, normalize_ws  # noqa: E402
from pipeline.reading import join_pages, ocr  # noqa: E402

WORD_RULES = ("diacritics", "ocr_confusion", "word_split")
_TOKEN = re.compile(r"[^\W_]+")          # letters and digits (underscore rules are no syllables)
RENDER_DPI = 300


def tokens(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]


def token_distance(a: list[str], b: list[str]) -> int:
    """Levenshtein distance between two syllable sequences (each distinct syllable one character)."""
    table: dict[str, str] = {}
    enc = lambda seq: "".join(table.setdefault(t, chr(0xF0000 + len(table))) for t in seq)  # noqa: E731
    return levenshtein(enc(a), enc(b))


# --------------------------------------------------------------------------- pages

def real_pdf_pages(real_files: Path) -> list[dict]:
    docs = []
    for name, every in (("rf15.pdf", 1), ("rf16.pdf", 1), ("rf17.pdf", 45)):
        path = real_files / name
        if not path.exists():
            continue
        texts = page_texts(path)
        idx = list(range(0, len(texts), every))
        docs.append({"name": name, "kind": "real pdf", "pdf": path, "pages": idx, "texts": [texts[i] for i in idx]})
    return docs


def realdoc_pages(real_docs: Path, work: Path, n_docs: int) -> list[dict]:
    docs = []
    names = sorted(p.name for p in real_docs.glob("*.txt") if held_out(p.name))
    for name in names:
        text = (real_docs / name).read_text(encoding="utf-8")
        if not 3000 <= len(text) <= 9000:         # two to four pages
            continue
        stem = Path(name).stem
        pdf = work / f"realdoc_{stem}.pdf"
        if not pdf.exists():
            d = typeset_docx(text, work / f"realdoc_{stem}.docx")
            docx_to_pdf(d, work)
        texts = page_texts(pdf)
        docs.append({"name": name, "kind": "real document, typeset", "pdf": pdf, "pages": list(range(len(texts))),
                     "texts": texts, "source": text})
        if len(docs) >= n_docs:
            break
    return docs


def ocr_document(doc: dict, k: int, work: Path) -> tuple[list[str], list[dict], int]:
    """OCR'd text of each page of ``doc`` (cached in ``work``), the scan settings used, pages OCR'd now."""
    rng = np.random.default_rng(int(hashlib.sha256(doc["name"].encode()).hexdigest()[:8], 16))
    images = render(doc["pdf"], RENDER_DPI, doc["pages"])
    out, settings, todo = [], [], []
    for j, img in enumerate(images):
        s = random_settings(rng, stamp=j == len(images) - 1, note=(j == 0 and k % 2 == 0))
        data = scan(img, s, rng, RENDER_DPI)
        cache = work / f"ocr_{hashlib.sha256(data).hexdigest()[:20]}.txt"
        out.append(cache.read_text(encoding="utf-8") if cache.exists() else None)
        if out[-1] is None:
            todo.append((j, cache, data))
        settings.append(s.describe())
    if todo:                          # the reading stage's OCR, pages in parallel
        from PIL import Image

        prepared = []
        for _, _, data in todo:
            im = Image.open(io.BytesIO(data))
            prepared.append(ocr.prepare(im, float(im.info.get("dpi", (0, 0))[0]) or None))
        for (j, cache, _), text in zip(todo, ocr.ocr_images(prepared)):
            cache.write_text(text, encoding="utf-8")
            out[j] = text
    return out, settings, len(todo)


# --------------------------------------------------------------------------- measures

def word_rule_effect(ocr_text: str, src_text: str, result) -> dict:
    """How the word rules' edits on ``ocr_text`` relate to the source: fixed, broken, neutral."""
    o = tokens(ocr_text)
    s = [t[2] for t in tokens(src_text)]
    sm = difflib.SequenceMatcher(None, [t[2] for t in o], s, autojunk=False)
    right: dict[int, str] = {}        # OCR token index -> source token, where aligned one to one
    correct: set[int] = set()
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            correct.update(range(i1, i2))
            right.update({i: s[j1 + (i - i1)] for i in range(i1, i2)})
        elif tag == "replace" and i2 - i1 == j2 - j1:
            right.update({i: s[j1 + (i - i1)] for i in range(i1, i2)})
    starts = [t[0] for t in o]
    fixed = broken = neutral = 0
    for e in result.edits:
        if e.rule not in WORD_RULES:
            continue
        before_t, after_t = [t[2] for t in tokens(e.before)], [t[2] for t in tokens(e.after)]
        first = int(np.searchsorted(starts, e.start, "left"))
        for k, i in enumerate(range(first, len(o))):
            if o[i][0] >= e.end:
                break
            before = o[i][2]
            after = after_t[k] if len(after_t) == len(before_t) else None
            if after == before:
                continue                          # a syllable the edit kept ("cộng" of "cộng đông")
            if i in correct:
                broken += 1
            elif after is not None and right.get(i) == after and before != after:
                fixed += 1
            else:
                neutral += 1
    misread = sum(1 for i, t in enumerate(o) if i in right and i not in correct and t[2] != right[i])
    return {"fixed": fixed, "broken": broken, "neutral": neutral, "ocr_correct_syllables": len(correct),
            "ocr_syllables": len(o), "misread": misread}


def match_tasks(a: list[dict], b: list[dict], threshold: float = 0.8) -> list[tuple[int, int]]:
    pairs = []
    used: set[int] = set()
    na = [normalize_ws(t["text"]).lower() for t in a]
    nb = [normalize_ws(t["text"]).lower() for t in b]
    for i, x in enumerate(na):
        best, bj = 0.0, -1
        for j, y in enumerate(nb):
            if j in used:
                continue
            r = difflib.SequenceMatcher(None, x, y, autojunk=False).ratio() if abs(len(x) - len(y)) < 0.4 * max(len(x), len(y), 1) else 0
            if r > best:
                best, bj = r, j
        if best >= threshold:
            used.add(bj)
            pairs.append((i, bj))
    return pairs


def task_agreement(nlp, src_text: str, ocr_text: str) -> dict:
    gold = nlp.annotate(src_text).to_dict()["tasks"]
    pred = nlp.annotate(ocr_text).to_dict()["tasks"]
    pairs = match_tasks(gold, pred)
    lead = theme = 0
    for i, j in pairs:
        lead += {a["id"] for a in gold[i]["agencies"] if a["role"] == "lead"} == \
                {a["id"] for a in pred[j]["agencies"] if a["role"] == "lead"}
        theme += {x["id"] for x in gold[i]["themes"]} == {x["id"] for x in pred[j]["themes"]}
    return {"tasks_clean": len(gold), "tasks_ocr": len(pred), "matched": len(pairs), "same_lead": lead,
            "same_themes": theme}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--real-files", type=Path, default=ROOT.parent / "shared" / "realfiles")
    ap.add_argument("--real-docs", type=Path, default=ROOT.parent / "shared" / "realdocs")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "vanban-ocr-benchmark")
    ap.add_argument("--docs", type=int, default=8, help="real documents to typeset (default 8)")
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    import pipeline

    nlp = pipeline.load()
    docs = real_pdf_pages(args.real_files) + realdoc_pages(args.real_docs, args.work, args.docs)
    if not docs:
        sys.exit(f"no real files or documents found in {args.real_files} / {args.real_docs}")
    per_doc = []
    tot = {k: 0 for k in ("chars", "char_err_ocr", "char_err_clean", "syl", "syl_err_ocr", "syl_err_clean",
                          "fixed", "broken", "neutral", "ocr_correct_syllables", "clean_src_syllables", "misread",
                          "clean_src_changes", "tasks_clean", "tasks_ocr", "matched", "same_lead", "same_themes",
                          "pages", "ocr_seconds", "ocr_pages_run")}
    for k, doc in enumerate(docs):
        t = time.time()
        ocr_pages, settings, n_ocr = ocr_document(doc, k, args.work)
        if n_ocr:
            tot["ocr_seconds"] += time.time() - t
            tot["ocr_pages_run"] += n_ocr
        src = doc.get("source") or join_pages(doc["texts"])[0]
        hyp, _ = join_pages(ocr_pages)
        src_clean, hyp_clean = clean(src), clean(hyp)
        n_src, n_hyp = normalize_ws(src), normalize_ws(hyp)
        r = {"name": doc["name"], "kind": doc["kind"], "pages": len(ocr_pages), "scans": settings,
             "chars": len(n_src), "char_err_ocr": levenshtein(n_hyp, n_src),
             "char_err_clean": levenshtein(normalize_ws(hyp_clean.text), normalize_ws(src_clean.text))}
        ts, th = [t[2] for t in tokens(src)], [t[2] for t in tokens(hyp)]
        tsc, thc = [t[2] for t in tokens(src_clean.text)], [t[2] for t in tokens(hyp_clean.text)]
        r.update({"syl": len(ts), "syl_err_ocr": token_distance(th, ts), "syl_err_clean": token_distance(thc, tsc)})
        r.update(word_rule_effect(hyp, src, hyp_clean))
        r["clean_src_syllables"] = len(ts)
        r["clean_src_changes"] = sum(1 for e in src_clean.edits if e.rule in ("diacritics", "ocr_confusion"))
        r.update(task_agreement(nlp, src, hyp))
        per_doc.append(r)
        for key in tot:
            if key in r and key != "pages":
                tot[key] += r[key]
        tot["pages"] += r["pages"]
        print(f"{doc['name']}: {r['pages']} pages, CER {r['char_err_ocr'] / r['chars']:.3f} -> "
              f"{r['char_err_clean'] / r['chars']:.3f}, syllable errors {r['syl_err_ocr']} -> {r['syl_err_clean']}, "
              f"word rules fixed {r['fixed']} broke {r['broken']}, tasks {r['tasks_clean']}/{r['tasks_ocr']} "
              f"matched {r['matched']}", flush=True)
    f1 = 2 * tot["matched"] / max(1, tot["tasks_clean"] + tot["tasks_ocr"])
    summary = {
        "documents": len(per_doc), "pages": tot["pages"], "syllables": tot["syl"],
        "cer_ocr": tot["char_err_ocr"] / tot["chars"], "cer_clean": tot["char_err_clean"] / tot["chars"],
        "ser_ocr": tot["syl_err_ocr"] / tot["syl"], "ser_clean": tot["syl_err_clean"] / tot["syl"],
        "syllable_errors_ocr": tot["syl_err_ocr"], "syllable_errors_clean": tot["syl_err_clean"],
        "syllable_errors_removed_share": 1 - tot["syl_err_clean"] / max(1, tot["syl_err_ocr"]),
        "misread_syllables": tot["misread"], "misread_fixed_share": tot["fixed"] / max(1, tot["misread"]),
        "word_rules_fixed": tot["fixed"], "word_rules_broke": tot["broken"], "word_rules_neutral": tot["neutral"],
        "new_errors_per_1000_correct": 1000 * tot["broken"] / max(1, tot["ocr_correct_syllables"]),
        "false_corrections_on_source_per_1000": 1000 * tot["clean_src_changes"] / max(1, tot["clean_src_syllables"]),
        "task_f1": f1, "tasks_clean": tot["tasks_clean"], "tasks_ocr": tot["tasks_ocr"], "tasks_matched": tot["matched"],
        "lead_agreement": tot["same_lead"] / max(1, tot["matched"]),
        "theme_agreement": tot["same_themes"] / max(1, tot["matched"]),
        "ocr_seconds_per_page": tot["ocr_seconds"] / tot["ocr_pages_run"] if tot["ocr_pages_run"] else None,
        "seconds": time.time() - t0,
    }
    by_kind = {}
    for kind in sorted({d["kind"] for d in per_doc}):
        ds = [d for d in per_doc if d["kind"] == kind]
        t = {k: sum(d[k] for d in ds) for k in ("syl", "syl_err_ocr", "syl_err_clean", "misread", "fixed", "broken",
                                                "ocr_correct_syllables", "tasks_clean", "tasks_ocr", "matched",
                                                "same_lead", "same_themes", "pages")}
        by_kind[kind] = {"pages": t["pages"], "ser_ocr": t["syl_err_ocr"] / t["syl"], "ser_clean": t["syl_err_clean"] / t["syl"],
                         "misread_fixed_share": t["fixed"] / max(1, t["misread"]),
                         "new_errors_per_1000_correct": 1000 * t["broken"] / max(1, t["ocr_correct_syllables"]),
                         "task_f1": 2 * t["matched"] / max(1, t["tasks_clean"] + t["tasks_ocr"]),
                         "lead_agreement": t["same_lead"] / max(1, t["matched"]),
                         "theme_agreement": t["same_themes"] / max(1, t["matched"])}
    summary["by_kind"] = by_kind
    out = {"command": "python evaluation/ocr_benchmark.py", "summary": summary, "documents": per_doc}
    (args.out / "ocr.json").write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    write_markdown(out, args.out / "OCR.md")
    print(json.dumps(summary, indent=1))


def write_markdown(out: dict, path: Path) -> None:
    s = out["summary"]
    rows = "\n".join(
        f"| {d['name']} | {d['kind']} | {d['pages']} | {d['char_err_ocr'] / d['chars']:.2%} | "
        f"{d['char_err_clean'] / d['chars']:.2%} | {d['syl_err_ocr']} | {d['syl_err_clean']} | {d['fixed']} | "
        f"{d['broken']} | {d['tasks_clean']} / {d['tasks_ocr']} / {d['matched']} |" for d in out["documents"])
    kinds = "\n".join(f"| {k} | {v['pages']} | {v['ser_ocr']:.2%} → {v['ser_clean']:.2%} | {v['misread_fixed_share']:.1%} | "
                      f"{v['new_errors_per_1000_correct']:.2f} | {v['task_f1']:.3f} | {v['lead_agreement']:.3f} / "
                      f"{v['theme_agreement']:.3f} |" for k, v in s["by_kind"].items())
    path.write_text(f"""# OCR benchmark

`{out['command']}` ({s['seconds']:.0f} s on 2 cores this run; OCR'd pages are cached between runs) scans
{s['pages']} real pages ({s['documents']} documents, {s['syllables']:,} syllables) as a scanner would,
OCRs them with Tesseract's Vietnamese model through the reading stage, and compares with the source text.
What each figure means is in the script's docstring; the figures are in `ocr.json`.

| figure | value |
| --- | ---: |
| character error rate after OCR / after cleanup | {s['cer_ocr']:.2%} / {s['cer_clean']:.2%} |
| syllable error rate after OCR / after cleanup | {s['ser_ocr']:.2%} / {s['ser_clean']:.2%} |
| syllable errors removed by cleanup | {s['syllable_errors_removed_share']:.1%} ({s['syllable_errors_ocr']} → {s['syllable_errors_clean']}) |
| syllables OCR misread one for one (aligned, not lost or reordered) | {s['misread_syllables']} |
| of these, put right by cleanup's word rules (diacritics, word splits, OCR confusions) | {s['misread_fixed_share']:.1%} ({s['word_rules_fixed']}) |
| correct syllables the word rules made wrong | {s['word_rules_broke']} |
| new errors per 1,000 syllables OCR had right | {s['new_errors_per_1000_correct']:.2f} |
| syllables changed in the clean source texts, per 1,000 (false corrections) | {s['false_corrections_on_source_per_1000']:.2f} |
| task F1, OCR'd pages vs clean text (default model) | {s['task_f1']:.3f} ({s['tasks_clean']} / {s['tasks_ocr']} tasks, {s['tasks_matched']} matched) |
| lead agreement / theme agreement on matched tasks | {s['lead_agreement']:.3f} / {s['theme_agreement']:.3f} |
| rendering, scanning and OCR, per page (2 cores, pages in parallel) | {f"{s['ocr_seconds_per_page']:.1f} s" if s['ocr_seconds_per_page'] else "cached"} |

| kind | pages | syllable error rate OCR → cleanup | misread syllables put right | new errors / 1,000 correct | task F1 | lead / theme agreement |
| --- | ---: | --- | ---: | ---: | ---: | --- |
{kinds}

| document | kind | pages | CER OCR | CER clean | syllable errors OCR | after cleanup | fixed | broken | tasks clean / OCR / matched |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
{rows}
""", encoding="utf-8")


if __name__ == "__main__":
    main()
