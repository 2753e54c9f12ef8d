"""``report.md`` and ``scores.json``: every figure of :func:`pipeline.evaluation.evaluate`, real documents first."""

from __future__ import annotations

import json
from pathlib import Path

from ..realdocs import SOURCES


STAGE_OF = {"detect": "detection", "lead": "lead agency", "support": "supporting agencies", "theme": "themes",
            "gold": "candidates", "candidate": "candidates"}
AGREEMENT_FIGURES = (("task_p", "task units P"), ("task_r", "task units R"), ("task_f", "task units F1"),
                     ("lead_micro_f", "lead micro-F1"), ("lead_mean_kappa", "lead, mean Cohen's κ"),
                     ("support_micro_f", "support micro-F1"), ("support_mean_kappa", "support, mean Cohen's κ"),
                     ("theme_micro_f", "themes micro-F1"), ("theme_mean_kappa", "themes, mean Cohen's κ"),
                     ("source_acc", "inheritance step, accuracy"), ("implicit_acc", "explicit / implicit, accuracy"))


def _f(v, pct: bool = False) -> str:
    if v is None:
        return "–"
    if isinstance(v, (int,)) and not isinstance(v, bool):
        return f"{v:,}"
    return f"{100 * v:.2f} %" if pct else f"{v:.3f}"


def _per_type(per_type: dict) -> list[str]:
    rows = ["| label | P | R | F1 | gold |", "| --- | ---: | ---: | ---: | ---: |"]
    for lab, v in sorted(per_type.items(), key=lambda x: -x[1]["n"]):
        rows.append(f"| `{lab}` | {_f(v['p'])} | {_f(v['r'])} | {_f(v['f'])} | {v['n']} |")
    return rows


def _e2e_table(s: dict, prefixes: list[tuple[str, str]]) -> list[str]:
    rows = ["| figure | " + " | ".join(name for name, _ in prefixes) + " |",
            "| --- | " + " | ".join("---:" for _ in prefixes) + " |"]
    for key, label in (("documents", "documents"), ("gold_tasks", "gold tasks"), ("predicted_tasks", "predicted tasks"),
                       ("task_p", "task P"), ("task_r", "task R"), ("task_f", "**task F1**"),
                       ("lead_micro_p", "lead P (matched tasks)"), ("lead_micro_r", "lead R (matched tasks)"),
                       ("lead_micro_f", "**lead micro-F1** (matched tasks)"), ("lead_macro_f", "lead macro-F1"),
                       ("lead_all_micro_f", "lead micro-F1, missed tasks counted"),
                       ("support_micro_f", "**support micro-F1** (matched tasks)"),
                       ("support_all_micro_f", "support micro-F1, missed tasks counted"),
                       ("theme_micro_f", "**themes micro-F1** (matched tasks)"), ("theme_macro_f", "themes macro-F1"),
                       ("theme_all_micro_f", "themes micro-F1, missed tasks counted"),
                       ("doc_mean_task_f", "task F1, mean over documents"),
                       ("doc_mean_lead_f", "lead F1, mean over documents")):
        rows.append(f"| {label} | " + " | ".join(_f(s.get(p + key)) + _ci(s.get(p + key + "_ci"))
                                                    for _, p in prefixes) + " |")
    return rows


def _ci(interval) -> str:
    """A figure's 95 % interval over documents drawn again, as " (0.84–0.87)"; "" without one."""
    return f" ({interval[0]:.3f}–{interval[1]:.3f})" if interval else ""


def _calibration(s: dict) -> list[str]:
    """§7: ECE of raw and calibrated scores, the threshold, reliability tables (pipeline.calibration)."""
    from ..calibration import BINS, UNCERTAIN_BELOW

    which = s.get("calibration_documents", "real")
    L = ["## 7. Calibration of agency and theme scores", "",
         f"Every agency and theme predicted on a held-out task that matches a gold task ({which} documents, the "
         "cross-validation above), with its raw score and whether it is right: in the matched gold task's set of "
         "that kind. The *calibration* is an isotonic regression (scikit-learn) from raw score to the share of "
         "right labels, per kind. *ECE* (expected calibration error): over "
         f"{BINS} equal-width score bins, the gap between mean score and share right, weighted by the bin's "
         "labels. The calibrated ECE is measured honestly: each fold's labels are calibrated by a map fitted on "
         "the other folds' labels only. `vanban train --scores scores.json` stores the map fitted on all of them "
         "in the model (`meta.json`: `calibration`, points applied by linear interpolation): the output `score` "
         "of each agency and theme is then its calibrated probability of being right (the raw one in "
         f"`raw_score`), and `uncertain_below` is {UNCERTAIN_BELOW} for each calibrated kind: a label whose "
         f"calibrated probability of being right is below {UNCERTAIN_BELOW} is flagged *uncertain* in tasks.csv, "
         "tasks_long.csv and report.html instead of being passed as sure. The raw score where the map reaches "
         f"{UNCERTAIN_BELOW} is shown; the flagged shares below use the cross-fitted calibrated scores.", "",
         "| kind | labels | right | ECE raw | ECE calibrated | raw score at probability "
         f"{UNCERTAIN_BELOW} | flagged uncertain | right among flagged | right among kept |",
         "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for kind in ("lead", "support", "theme"):
        g = lambda key: s.get(f"calibration_{key}_{kind}")   # noqa: E731
        if not g("n"):
            L.append(f"| {kind} | 0 | – | – | – | – | – | – | – |")
            continue
        L.append(f"| {kind} | {g('n'):,} | {_f(g('accuracy'))} | {_f(g('ece_raw'))} | {_f(g('ece'))} | "
                 f"{_f(g('raw_threshold'))} | {_f(g('uncertain_share'), True)} | {_f(g('accuracy_uncertain'))} | "
                 f"{_f(g('accuracy_kept'))} |")
    missing = [k for k in ("lead", "support", "theme") if k not in (s.get("calibration") or {})]
    if missing:
        L += ["", f"Not calibrated (too few held-out labels): {', '.join(missing)}; their scores stay raw."]
    L += ["", "### Reliability", "",
          "Per score bin: labels, mean score and share right, for the raw scores and the cross-fitted calibrated "
          "ones; a calibrated score is reliable when *right* ≈ *score* (the bar shows *right*, ◆ marks "
          "*score*).", ""]
    for kind, tables in (s.get("calibration_reliability") or {}).items():
        L += [f"<details><summary>{kind}</summary>", "",
              "| score bin | raw: labels | raw: score | raw: right | | calibrated: labels | calibrated: score | "
              "calibrated: right | |", "| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |"]
        raw = {r["bin"]: r for r in tables.get("raw") or []}
        cal = {r["bin"]: r for r in tables.get("calibrated") or []}
        for b in [f"{k / BINS:.1f}–{(k + 1) / BINS:.1f}" for k in range(BINS)]:
            if b not in raw and b not in cal:
                continue
            cells = []
            for t in (raw, cal):
                r = t.get(b)
                cells += [str(r["n"]), _f(r["score"]), _f(r["accuracy"]), f"`{_bar(r['accuracy'], r['score'])}`"] \
                    if r else ["", "", "", ""]
            L.append(f"| {b} | " + " | ".join(cells) + " |")
        L += ["", "</details>", ""]
    return L


def _bar(right: float, score: float, width: int = 20) -> str:
    """A text bar: ``right`` filled, ``◆`` at ``score`` (no ``|``: it would split the markdown table's cell)."""
    cells = ["█" if i < round(right * width) else "·" for i in range(width)]
    cells[min(width - 1, int(score * width))] = "◆"
    return "".join(cells)


def render(s: dict, details: dict, labelset: dict) -> str:
    L: list[str] = []
    add = L.append
    add("# Evaluation report")
    add("")
    add(f"Produced by `{details.get('command') or 'vanban evaluate corpus'}` in {s.get('seconds', 0):.0f} s. "
        f"Gold: {s['real_documents']} real documents ({s['real_tasks']:,} tasks, stand-off labels in "
        f"`corpus/real/labels.jsonl`) and {s['written_documents']} written documents ({s['written_tasks']:,} tasks, "
        f"`corpus/src/`). Cross-validation: {s['folds']} folds grouped by document (seed {s['seed']}); the written "
        "and the real documents are each spread over the folds, and every fold trains on all documents outside it.")
    add("")
    if s.get("real_documents"):
        add("## 1. Real documents, end to end")
        add("")
        add("What a user sees: the whole pipeline run on each held-out real file as it is (markdown remnants, "
            "hard wraps, tables), its tasks mapped back to the file's offsets and matched to the gold tasks by span "
            "overlap (IoU ≥ 0.5, one to one). Agencies and themes are scored on the matched tasks, and again with "
            "every missed or spurious task counted as wrong. *Cross-validated*: the model of each fold was trained "
            "on the written corpus and the real documents outside the fold. *Written corpus only*: one model trained "
            "on the written corpus, judged on every real document (the project's state before real labels). "
            "In brackets: the 95 % interval of a figure when the documents are drawn again with replacement "
            "(2,000 draws): how far it could move on another set of documents like these. To tell whether a change "
            "moved a figure beyond that, compare two runs' scores.json document by document: "
            "`python evaluation/paired.py BEFORE/scores.json AFTER/scores.json`.")
        add("")
        cols = [("cross-validated", "real_")]
        if "real_written_only_task_f" in s:
            cols.append(("written corpus only", "real_written_only_"))
        if s.get("real_agreement_task_f") is not None:
            add(f"{s.get('real_agreement_documents')} of these documents were labelled a second time, apart from the "
                f"first labelling, by an annotator of the same kind working from the same guideline; the two agree at "
                f"task units F1 {_f(s.get('real_agreement_task_f'))}, lead "
                f"{_f(s.get('real_agreement_lead_micro_f'))}, support {_f(s.get('real_agreement_support_micro_f'))}, "
                f"themes {_f(s.get('real_agreement_theme_micro_f'))} (§6): an optimistic ceiling to read these "
                f"against, not that of two independent people.")
            add("")
        L += _e2e_table(s, cols)
        add("")
        add("### Lead agency by where the gold lead comes from")
        add("")
        add("Lead micro-F1 on matched tasks whose gold lead is named in the sentence (*explicit*, source `text`) or "
            "inherited (*implicit*), and by inheritance step (corpus/GUIDELINE.md §2.4).")
        add("")
        add("| gold source | tasks | cross-validated | written corpus only |")
        add("| --- | ---: | ---: | ---: |")
        for src in ("explicit", "implicit") + SOURCES:
            if f"real_lead_n_{src}" in s:
                add(f"| {src} | {s[f'real_lead_n_{src}']} | {_f(s.get(f'real_lead_f_{src}'))} | "
                    f"{_f(s.get(f'real_written_only_lead_f_{src}'))} |")
        add("")
        add("### By kind of document (cross-validated)")
        add("")
        add("| kind | documents | gold tasks | task F1 | lead F1 | themes F1 |")
        add("| --- | ---: | ---: | ---: | ---: | ---: |")
        for k, v in sorted((s.get("real_by_kind") or {}).items(), key=lambda x: -x[1]["gold_tasks"]):
            add(f"| {k} | {v['documents']} | {v['gold_tasks']} | {_f(v['task_f'])} | {_f(v['lead_f'])} | "
                f"{_f(v['theme_f'])} |")
        add("")
        add("### Per label (cross-validated, matched tasks)")
        add("")
        for kind, name in (("lead", "Lead agency"), ("support", "Supporting agency"), ("theme", "Theme")):
            add(f"<details><summary>{name}</summary>")
            add("")
            L.extend(_per_type(s.get(f"real_{kind}_f_per_type") or {}))
            add("")
            add("</details>")
            add("")
        add("### Per document (cross-validated)")
        add("")
        add("<details><summary>task and lead F1 of each real document</summary>")
        add("")
        add("| document | kind | gold | predicted | task F1 | lead F1 |")
        add("| --- | --- | ---: | ---: | ---: | ---: |")
        for d in sorted(s.get("real_per_document") or [], key=lambda d: d["doc_id"]):
            add(f"| {d['doc_id']} | {d['kind']} | {d['gold']} | {d['pred']} | {_f(d['task_f'])} | {_f(d['lead_f'])} |")
        add("")
        add("</details>")
        add("")

    add("## 2. Each learned stage on gold input")
    add("")
    add("Same folds. *Detection*: the detector on the held-out documents' candidates, its kept spans matched to the "
        "gold tasks as above. *Agencies, themes*: on each gold task's best-overlapping candidate (its context from "
        "the structure parser), so that detection errors do not reach them.")
    add("")
    add("| stage | figure | real | written |")
    add("| --- | --- | ---: | ---: |")
    for key, label in (("detect_p", "detection P"), ("detect_r", "detection R"), ("detect_f", "detection F1"),
                       ("lead_micro_f", "lead micro-F1"), ("lead_macro_f", "lead macro-F1"),
                       ("support_micro_f", "support micro-F1"), ("theme_micro_f", "themes micro-F1"),
                       ("theme_macro_f", "themes macro-F1"), ("theme_top3_acc", "themes top-3 accuracy"),
                       ("gold_input_tasks", "gold tasks with a candidate"), ("candidate_misses", "gold tasks without")):
        add(f"| {STAGE_OF[key.split('_')[0]]} | {label} | {_f(s.get('real_stage_' + key))} | "
            f"{_f(s.get('written_stage_' + key))} |")
    add("")

    add("## 3. Written corpus, end to end")
    add("")
    add("The written documents (their gold clean text as input) in the same cross-validation; the five seed "
        "documents separately.")
    add("")
    L += _e2e_table(s, [("written", "written_"), ("seeds", "seeds_")])
    add("")

    add("## 4. Stages that do not learn")
    add("")
    add("| stage | figure | value |")
    add("| --- | --- | ---: |")
    add(f"| cleanup | CER, seeds (real noise, hand-corrected): before → after | {_f(s.get('cleanup_cer_before_seeds'), True)} → "
        f"{_f(s.get('cleanup_cer_after_seeds'), True)} |")
    add(f"| cleanup | CER, injected noise: before → after | {_f(s.get('cleanup_cer_before_injected'), True)} → "
        f"{_f(s.get('cleanup_cer_after_injected'), True)} |")
    if "seg_f1_pipeline" in s:
        add(f"| segmentation | word F1, names-whole gold: pipeline / plain underthesea | "
            f"{_f(s['seg_f1_pipeline_names_whole'])} / {_f(s['seg_f1_underthesea_names_whole'])} |")
        add(f"| segmentation | word F1, VLSP gold: pipeline / plain underthesea | {_f(s['seg_f1_pipeline'])} / "
            f"{_f(s['seg_f1_underthesea'])} |")
    for f in ("number", "type", "date", "issuer", "place", "signer"):
        if f"real_meta_acc_{f}" in s:
            add(f"| metadata | {f}, real documents (raw file) | {_f(s[f'real_meta_acc_{f}'])} |")
    for f in ("number", "type", "issuer", "place", "date", "signer"):
        add(f"| metadata | {f}, written corpus | {_f(s.get(f'meta_acc_{f}'))} |")
    add("")
    misses = details.get("real_meta_misses") or []
    if misses:
        add(f"<details><summary>{len(misses)} metadata field(s) wrong on real documents</summary>")
        add("")
        add("| document | field | gold | extracted |")
        add("| --- | --- | --- | --- |")
        for m in misses:
            add(f"| {m['doc_id']} | {m['field']} | {m['gold']} | {m['predicted']} |")
        add("")
        add("</details>")
        add("")

    add("## 5. Timing")
    add("")
    for k, (fit_s, pred_s) in enumerate(details.get("fold_seconds") or []):
        add(f"- fold {k + 1}: fit {fit_s:.0f} s, end-to-end annotation of its documents {pred_s:.0f} s")
    add("")

    add("## 6. Agreement between annotators")
    add("")
    for prefix, name, rows_key in (("real_agreement_", "Real documents (`corpus/real/agreement.jsonl` against "
                                    "`labels.jsonl`)", "real_agreement_rows"),
                                   ("written_agreement_", "Written corpus (`corpus/agreement/` against "
                                    "`corpus/agreement/first/`)", "agreement_rows")):
        if s.get(prefix + "documents"):
            add(f"**{name}**: {s[prefix + 'documents']} documents, {s[prefix + 'tasks_matched']} matched task units.")
            add("")
            add("| figure | value |")
            add("| --- | ---: |")
            for k, label in AGREEMENT_FIGURES:
                if prefix + k in s:
                    add(f"| {label} | {_f(s[prefix + k])} |")
            add("")
            rows = [r for r in details.get(rows_key) or [] if "label" in r]
            if rows:
                add("<details><summary>per label</summary>")
                add("")
                add("| kind | label | Cohen's κ | F1 | first | second |")
                add("| --- | --- | ---: | ---: | ---: | ---: |")
                for r in rows:
                    add(f"| {r['kind']} | `{r['label']}` | {_f(r['kappa'])} | {_f(r['f1'])} | {r['first']} | {r['second']} |")
                add("")
                add("</details>")
                add("")
    if s.get("calibration_n_lead") is not None:
        L += _calibration(s)
    add("## All figures")
    add("")
    add("Every scalar figure is in `scores.json` under the key shown; per-label, per-kind and per-document "
        "tables are there too.")
    add("")
    return "\n".join(L)


def write_report(report_dir: Path, scores: dict, details: dict, labelset: dict) -> None:
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "scores.json").write_text(json.dumps(scores, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                            encoding="utf-8")
    (report_dir / "report.md").write_text(render(scores, details, labelset) + "\n", encoding="utf-8")
