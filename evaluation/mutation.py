"""A mutation pass: deliberate breakages of the code, each run against the tests that should catch it.

    python evaluation/mutation.py                      # every mutant, two at a time
    python evaluation/mutation.py --only tone_style_q --jobs 1
    python evaluation/mutation.py --list

Each mutant is one exact source fragment of one file and its replacement. The checkout (without .git and
caches) is copied to a temporary folder once per worker; a mutant is written into the copy, its test files
run there (``python -m pytest -x -q -m "not slow and not ocr"``, with a timeout), and the file is restored
before the next. The working tree is never changed. A mutant is *caught* when pytest fails, *survived* when
its tests pass, *timeout* when they run over the limit, *stale* when its fragment is no longer found
exactly once (the code moved on: update the mutant). Before the mutants, each test file they use is run
once on the unchanged copy: a mutant whose tests already fail there is *baseline fails*, not caught
(``--no-baseline`` skips this check). Writes ``evaluation/mutation.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parents[1]
IGNORE = shutil.ignore_patterns(".git", "__pycache__", ".pytest_cache", ".hypothesis", "*.pyc", "out", "models")


@dataclass
class Mutant:
    id: str
    file: str
    old: str
    new: str
    description: str
    tests: list[str]


M = Mutant
MUTANTS: list[Mutant] = [
    # ---- breakages a review found surviving earlier, re-created in today's code
    M("agency_openers", "pipeline/agencies.py",
      "        m = _OPENER_AT.match(prefix, pos)\n",
      "        m = None\n",
      "agencies: the opener rule removed (strip_openers keeps 'Đồng thời, ', 'Đối với …' before a mention)",
      ["tests/test_agencies.py"]),
    M("lead_threshold", "pipeline/agencies.py",
      "                if p >= self.threshold:\n",
      "                if p >= self.threshold or self.role == \"lead\":\n",
      "agencies: the lead threshold ignored (every mention of the sentence is a lead)",
      ["tests/test_agencies.py", "tests/test_estimators.py"]),
    M("theme_list_truncation", "pipeline/themes.py",
      "order[:self.max_labels]",
      "order",
      "themes: the theme list no longer truncated to max_labels",
      ["tests/test_themes.py", "tests/test_estimators.py"]),
    M("heading_fallback", "pipeline/inheritance.py",
      "\"heading\": (\"heading\",),",
      "\"heading\": (),",
      "inheritance: the heading step reads no heading (the fallback on the heading above removed)",
      ["tests/test_inheritance.py"]),
    M("min_words", "pipeline/splitting.py",
      "MIN_WORDS = 3 ",
      "MIN_WORDS = 0 ",
      "splitting: the short-candidate filter removed (fragments like '(1).' become candidates)",
      ["tests/test_splitting.py"]),
    M("hard_wrap_off", "pipeline/cleanup.py",
      "    return float(cut[len(cut) // 2]) if len(cut) >= 8 and len(cut) >= 0.3 * len(body) else 0.0\n",
      "    return 0.0\n",
      "cleanup: hard-wrap detection disabled (a converter's fixed-width wrap before a capital stays)",
      ["tests/test_cleanup_rules.py", "tests/test_cleanup.py"]),
    M("duplicate_paragraph_on_the_spot", "pipeline/cleanup.py",
      "        if len(key) >= 80 and key == prev_par:\n",
      "        if False:\n",
      "cleanup: a paragraph the converter repeated right after itself kept (rule_duplicate)",
      ["tests/test_cleanup_rules.py", "tests/test_cleanup.py"]),
    M("duplicate_document_wide", "pipeline/cleanup.py",
      "        seen: set[str] = set()\n",
      "        seen = locals().get(\"seen\") or set()\n",
      "cleanup: a sentence repeated anywhere later removed again (real regulations repeat items on purpose)",
      ["tests/test_cleanup_rules.py", "tests/test_cleanup.py"]),
    M("html_any_tag", "pipeline/cleanup.py",
      "-->|</?(?:\" + _HTML_TAGS + r\")",
      "-->|</?(?:[a-zA-Z][a-zA-Z0-9]{0,10})",
      "cleanup: any '<word …>' taken for an HTML tag (a template's '<ghi rõ …>' blank deleted from a task)",
      ["tests/test_cleanup_rules.py", "tests/test_realdocs.py"]),
    M("reference_join", "pipeline/cleanup.py",
      "    if not blank and _REFERENCE.match(nxt) and cur.split()[-1] in _REFERENCE_LEADS:\n",
      "    if False:\n",
      "cleanup: a wrapped 'Điều 10 của Nghị định …' after 'quy định tại' left to open an article",
      ["tests/test_cleanup_rules.py"]),
    M("diacritics_jointly", "pipeline/diacritics.py",
      "            keep = _jointly(m, left, low[i:j + 1], [best[k] for k in range(i, j + 1)], right)\n",
      "            keep = (True,) * (j + 1 - i)\n",
      "cleanup: neighbouring diacritic corrections each made beside the other as read (the text flips each round)",
      ["tests/test_cleanup_rules.py", "tests/test_formats.py"]),
    M("heading_part_of", "pipeline/inheritance.py",
      "    return own or found\n",
      "    return found\n",
      "inheritance: 'các phòng, ban thuộc UBND cấp xã' gives the People's Committee as well",
      ["tests/test_inheritance.py"]),
    M("heading_enclosing", "pipeline/inheritance.py",
      "    for start, line in reversed(lines[:-1] if skip_nearest else lines):\n",
      "    for start, line in []:\n",
      "inheritance: only the nearest heading read, not the enclosing ones that name an actor",
      ["tests/test_inheritance.py"]),
    M("part_title_heading", "pipeline/splitting.py",
      "        if _OWNER.search(ln.part_title):\n",
      "        if False:\n",
      "structure: an attached regulation's title ('… của Sở Y tế') not the outermost heading of its articles",
      ["tests/test_structure.py", "tests/test_splitting.py"]),
    M("batch_doc_id_unique", "pipeline/batch.py",
      "            doc_id = rel.rsplit(\".\", 1)[0].replace(\"/\", \"__\")\n",
      "            pass\n",
      "batch: two files of the same stem in different folders keep the same doc_id",
      ["tests/test_batch_keys.py", "tests/test_cli.py"]),
    M("cache_key_model", "pipeline/batch.py",
      "    version = f\"{source.version}:{__version__}:{reading.READER_VERSION}\"\n",
      "    version = f\"{__version__}:{reading.READER_VERSION}\"\n",
      "batch: the model's version dropped from the cache key (a new model reuses the old model's results)",
      ["tests/test_batch_keys.py", "tests/test_batch.py"]),
    M("eval_gold_vs_gold", "pipeline/evaluation/endtoend.py",
      "                matched[k][1].append(_labels(p, k))\n",
      "                matched[k][1].append(_labels(g, k))\n",
      "evaluation: matched tasks' labels scored gold against gold",
      ["tests/test_endtoend_scores.py"]),
    M("sweep_not_restored", "evaluation/thresholds.py",
      "                model.set_params(**{param: configured})\n",
      "                pass\n",
      "thresholds sweep: a swept setting is left at its last value instead of the config's",
      ["tests/test_evaluation.py"]),
    M("sweep_not_applied", "evaluation/thresholds.py",
      "                    model.set_params(**{param: value})\n",
      "                    pass\n",
      "thresholds sweep: every row predicted with the config's value, whatever the row says",
      ["tests/test_evaluation.py"]),
    M("stop_words_kept", "pipeline/model.py",
      "    for cache in (\"stop_words_\", \"_stop_words_id\"):",
      "    for cache in ():",
      "model: the vectorizers' stop_words_ sets pickled (hash-seed order: model bytes differ between runs)",
      ["tests/test_determinism.py"]),
    # ---- more, across the stages
    M("inheritance_order_swapped", "pipeline/inheritance.py",
      "STEPS = (\"item\", \"heading\", \"lead_in\", \"addressees\", \"issuer\", \"recipients\")",
      "STEPS = (\"item\", \"lead_in\", \"heading\", \"addressees\", \"issuer\", \"recipients\")",
      "inheritance: the heading and lead-in steps swapped",
      ["tests/test_inheritance.py"]),
    M("subject_position_off", "pipeline/inheritance.py",
      "    Sở Tài chính:\")?\"\"\"\n    prev_end = 0\n",
      "    Sở Tài chính:\")?\"\"\"\n    return True\n    prev_end = 0\n",
      "inheritance: the subject-position filter removed (any agency a heading names is its actor)",
      ["tests/test_inheritance.py"]),
    M("time_limit_ignored", "pipeline/batch.py",
      "    signal.setitimer(signal.ITIMER_REAL, float(seconds))\n",
      "    signal.setitimer(signal.ITIMER_REAL, 0)\n",
      "batch: the per-document time limit never armed",
      ["tests/test_time_limit.py"]),
    M("over_limit_cached", "pipeline/batch.py",
      "    if keep and _store(",
      "    if True and _store(",
      "batch: a document over the time limit (or with an internal error) cached anyway",
      ["tests/test_time_limit.py"]),
    M("feeder_not_stopped", "pipeline/batch.py",
      "                stop.set()  ",
      "                pass  ",
      "batch: an interrupt in the batch's own process leaves the feeder thread sending the workers every chunk",
      ["tests/test_batch.py"]),
    M("batch_process_idle", "pipeline/batch.py",
      "                    if share:\n",
      "                    if False:\n",
      "batch: with forked workers, the batch's own process does not annotate its share (a third copy of the model's pages)",
      ["tests/test_batch.py"]),
    M("batch_process_without_timer", "pipeline/batch.py",
      "    share = not limit or can_limit_time()",
      "    share = True",
      "batch: run from another thread, the batch's process annotates its share with no time limit",
      ["tests/test_time_limit.py"]),
    M("field_line_lead", "pipeline/structure.py",
      "    (\"lead\", re.compile(r\"^(?:(?:cơ quan|đơn vị|bộ phận)",
      "    (\"support\", re.compile(r\"^(?:(?:cơ quan|đơn vị|bộ phận)",
      "structure: a 'Cơ quan chủ trì:' field line parsed as a supporting field",
      ["tests/test_structure.py", "tests/test_splitting.py"]),
    M("csv_formula", "pipeline/output.py",
      "        return \"'\" + value\n",
      "        return value\n",
      "output: CSV cells starting with = + - @ no longer neutralised",
      ["tests/test_output.py"]),
    M("recipients_all_lines", "pipeline/inheritance.py",
      "            ok = not _SKIP_RECIPIENT.search(line)\n",
      "            ok = True\n",
      "inheritance: 'Nơi nhận' lines for report, information or filing ('b/c', 'Lưu') count as actors",
      ["tests/test_inheritance.py"]),
    M("issuer_step_always", "pipeline/inheritance.py",
      "        if step == \"issuer\" and (context.get(\"addressees\") or not PLAN_KINDS.search(kind)):\n",
      "        if False:\n",
      "inheritance: the issuer step taken for any document, not only a plan without addressees",
      ["tests/test_inheritance.py"]),
    M("coordination_off", "pipeline/agencies.py",
      "        if j > i:\n            best = max(out[i:j + 1])\n",
      "        if False:\n            best = max(out[i:j + 1])\n",
      "agencies: a coordinated list ('các Sở, ban, ngành và …') no longer shares its best score",
      ["tests/test_agencies.py"]),
    M("theme_alone", "pipeline/themes.py",
      "                labels = labels[:1] if labels[0].id in self.alone else [t for t in labels if t.id not in self.alone]\n",
      "                pass\n",
      "themes: a theme in 'alone' ('khac') given beside others",
      ["tests/test_themes.py", "tests/test_estimators.py"]),
    M("sentence_abbrev", "pipeline/splitting.py",
      "        if _ABBREV.search(tail) or m.start() - start < 3:\n",
      "        if m.start() - start < 3:\n",
      "splitting: sentences cut after an abbreviation ('TP. Hồ Chí Minh')",
      ["tests/test_splitting.py"]),
    M("offset_map_end", "pipeline/cleanup.py",
      "            return old_ends[i] if end else old_starts[i]\n",
      "            return old_starts[i]\n",
      "cleanup: a span end inside a replacement maps to the replacement's raw start",
      ["tests/test_cleanup.py", "tests/test_properties.py", "tests/test_cleanup_rules.py"]),
    M("tone_style_q", "pipeline/cleanup.py",
      "r\")(?<![qQ]..)(?!\\w)\")",
      "r\")(?!\\w)\")",
      "cleanup: the tone-style rule moves the mark of 'quý', 'quá' after q (qu is a consonant)",
      ["tests/test_cleanup.py"]),
    M("chrome_everywhere", "pipeline/cleanup.py",
      "            if (i < first or i > last) and line.strip() and chrome.search(_plain(line))]",
      "            if line.strip() and chrome.search(_plain(line))]",
      "cleanup: web chrome removed anywhere, not only at the document's edges",
      ["tests/test_cleanup_corpus.py"]),
    M("stamp_everywhere", "pipeline/cleanup.py",
      "    while i < header:\n",
      "    while i < len(lines):\n",
      "cleanup: a stamp's lines removed anywhere, not only in the header zone",
      ["tests/test_cleanup_corpus.py"]),
    # ---- features of the latest round
    M("governing_cue", "pipeline/agencies.py",
      "    for m in _CUE_RE.finditer(tail):\n        last = m\n",
      "    for m in _CUE_RE.finditer(tail):\n        last = m\n        break\n",
      "agencies: the governing cue is the first of the clause, not the last",
      ["tests/test_agencies.py"]),
    M("inherited_gate", "pipeline/agencies.py",
      "                            if p >= self.min_inherited or not gate:\n",
      "                            if True:\n",
      "agencies: inherited labels given whatever their step's precision in training",
      ["tests/test_agencies.py"]),
    M("inherited_no_fall_through", "pipeline/agencies.py",
      "                    if found or not gate:\n                        break\n",
      "                    break\n",
      "agencies: a step whose every class its precision leaves out still ends the inheritance (gives nothing)",
      ["tests/test_agencies.py"]),
    M("coordinated_partners_lead", "pipeline/inheritance.py",
      "        if any(id(m) in keep for m in run) and not _NOT_ACTOR_BEFORE.search(_before(text, run[0])):\n",
      "        if any(id(m) in keep for m in run):\n",
      "inheritance: a heading's names after a partner's or an object's cue counted as its actors ('Trình Ủy ban "
      "nhân dân tỉnh:', 'phối hợp với X và Y')",
      ["tests/test_inheritance.py"]),
    M("topic_names_actor", "pipeline/inheritance.py",
      "tạo điều kiện cho|báo cáo|về|",
      "tạo điều kiện cho|báo cáo|",
      "inheritance: a topic line ('Về chính quyền địa phương:') read as naming its items' actor",
      ["tests/test_inheritance.py"]),
    M("detector_reads_doc_type", "pipeline/splitting.py",
      "                \"under_article\": int(\"Điều\" in ln.section),\n",
      "                \"doc=\" + (kind or \"unknown\"): 1, \"under_article\": int(\"Điều\" in ln.section),\n",
      "detector: the document's type read as a feature of every candidate",
      ["tests/test_splitting.py"]),
    M("subject_lead_ignored", "pipeline/agencies.py",
      "            if self.role == \"lead\" and not found and self.subject_lead:\n",
      "            if False:\n",
      "agencies: a subject-position actor under the threshold left for inheritance",
      ["tests/test_agencies.py"]),
    M("subject_score_raw", "pipeline/agencies.py",
      "        return p if precision is None else precision\n",
      "        return p\n",
      "agencies: a subject-position lead scored with the role model's low score, not its measured precision",
      ["tests/test_agencies.py"]),
    M("long_paragraph_uncached", "pipeline/paragraphs.py",
      "CACHED_PARAGRAPH else self._cached_long(paragraph)",
      "CACHED_PARAGRAPH else self._find(paragraph)",
      "cleanup: a paragraph over the main cache's length read again in every round",
      ["tests/test_cleanup_rules.py"]),
    M("subjects_ignored", "pipeline/structure.py",
      "        info.addressees = subjects(lines)\n",
      "        pass\n",
      "structure: a regulation's \"Đối tượng áp dụng\" not read as its addressees",
      ["tests/test_structure.py"]),
    M("as_in_article_ignored", "pipeline/structure.py",
      "    info.recipients = referred_articles(info.recipients, lines)\n",
      "    pass\n",
      "structure: a \"Như Điều 3\" of the Nơi nhận left as it is, not whom that article names",
      ["tests/test_structure.py"]),
    M("as_in_article_first_match", "pipeline/structure.py",
      "            articles[_article_key(lines[i].marker)] = i",
      "            articles.setdefault(_article_key(lines[i].marker), i)",
      "structure: \"Như Điều 3\" read as an article an amending decision quotes, not the decision's own",
      ["tests/test_structure.py"]),
    M("as_in_article_runs_on", "pipeline/structure.py",
      '                if ln.kind in ("article", "chapter"):',
      '                if ln.kind in ("chapter",):',
      "structure: the article a \"Như Điều N\" stands for runs on into the next article",
      ["tests/test_structure.py"]),
    M("join_semicolon_lower", "pipeline/cleanup.py",
      '    if not blank and (cur[-1] in ";:" or cur.endswith(("...", "…"))) and _opens_lower(nxt):\n',
      '    if False:\n',
      "cleanup: a wrap after a \";\" or \":\" before a line in lower case left unjoined",
      ["tests/test_cleanup_rules.py"]),
    M("join_number_lead", "pipeline/cleanup.py",
      "    if not blank and (_number_goes_on(cur, nxt) or NUMBER_CODE.match(nxt)):\n",
      "    if not blank and NUMBER_CODE.match(nxt):\n",
      "cleanup: a number wrapped after the word that asks for it (\"năm\" / \"2025.\") left on its own line",
      ["tests/test_cleanup_rules.py"]),
    M("join_lower_word_structure", "pipeline/cleanup.py",
      "    if (_STRUCTURE.match(nxt) and not _LOWER_WORD.match(nxt)) or _MARKER_ONLY.match(nxt):\n",
      "    if _STRUCTURE.match(nxt) or _MARKER_ONLY.match(nxt):\n",
      "cleanup: a line opening \"số 43-CV/UBND\" in lower case read as a structure line",
      ["tests/test_cleanup_rules.py"]),
    M("join_comma", "pipeline/cleanup.py",
      '    if not blank and cur[-1] == ",":\n',
      "    if False:\n",
      "cleanup: a numbered line ending on a comma taken as a heading",
      ["tests/test_cleanup_rules.py"]),
    M("join_name_across", "pipeline/cleanup.py",
      "    return any(s < len(head) < e for s, e in _names().term_spans(window))\n",
      "    return False\n",
      "cleanup: a lexicon name cut by the wrap (\"Thủ tướng\" / \"Chính phủ\") not joined",
      ["tests/test_cleanup_rules.py"]),
    M("join_first_line_width", "pipeline/cleanup.py",
      "    first_width = _first_line_width(texts)\n",
      "    first_width = None\n",
      "cleanup: a paragraph's first line wrapped short, going on with a capital, left unjoined",
      ["tests/test_cleanup_rules.py"]),
    M("hard_wrap_share_all_lines", "pipeline/cleanup.py",
      "    body = [ln.strip() for ln in lines if len(ln.strip()) >= 45]\n"
      "    cut = sorted(len(ln) for ln in body if len(ln) <= 100 and ln[-1] not in \".;:!?\")\n",
      "    body = [ln.strip() for ln in lines if len(ln.strip()) > 3]\n"
      "    cut = sorted(len(ln) for ln in body if 45 <= len(ln) <= 100 and ln[-1] not in \".;:!?\")\n",
      "cleanup: a hard-wrapped document's share of wrapped lines taken over its short lines too (a table hides it)",
      ["tests/test_cleanup_rules.py"]),
    M("join_before_basis", "pipeline/cleanup.py",
      "            and not BASIS.match(nxt):\n",
      "            and True:\n",
      "cleanup: a hard-wrapped \"Kính gửi\" line joined to the \"Thực hiện Kết luận số …\" paragraph under it",
      ["tests/test_cleanup_rules.py"]),
    M("addressees_through_basis", "pipeline/structure.py",
      "                    and not BASIS.match(t):",
      "                    and True:",
      "structure: \"Căn cứ Luật …;\" lines under a \"Kính gửi\" list read as addressees",
      ["tests/test_structure.py"]),
    M("part_markers", "pipeline/structure.py",
      "(\"chapter\", _CHAPTER), (\"chapter\", _PART), ",
      "(\"chapter\", _CHAPTER), ",
      "structure: \"A. MỤC ĐÍCH\", \"C. …\" parts not read: part C's items under part B's last section",
      ["tests/test_structure.py"]),
    M("report_heading_feature", "pipeline/splitting.py",
      "\"report_heading\": int(bool(_REPORT_HEADING.search(ctx.headings))),",
      "\"report_heading\": 0,",
      "detection: a candidate under \"Tình hình thực hiện …\" not marked as in a report's section",
      ["tests/test_splitting.py"]),
    M("join_doc_code", "pipeline/cleanup.py",
      "    if not blank and (_number_goes_on(cur, nxt) or NUMBER_CODE.match(nxt)):\n",
      "    if not blank and _number_goes_on(cur, nxt):\n",
      "cleanup: a document's code wrapped after its reference (\"Thông tư\" / \"13/2023/TT-BNV.\") left on its own line",
      ["tests/test_cleanup_rules.py"]),
    M("parenthesis_marker_counts", "pipeline/cleanup.py",
      "            depth = max(0, depth - 1)\n",
      "            depth -= 1\n",
      "cleanup: a list marker's \")\" (\"b) … (Phòng\") taken to close the parenthesis the line opens",
      ["tests/test_cleanup_rules.py"]),
    M("blank_separated_wraps_off", "pipeline/cleanup.py",
      "                not blank and separated and _single_break_wraps(cur, nxt, after)):\n",
      "                False):\n",
      "cleanup: single breaks of a text that sets blank lines between paragraphs not read as wraps",
      ["tests/test_cleanup_rules.py"]),
    M("blank_separated_heading_joined", "pipeline/cleanup.py",
      "                any(s == 0 and e == len(rest) for s, e in _names().term_spans(rest)):\n",
      "                False:\n",
      "cleanup: a numbered heading that is an agency's whole name ('2. Sở Y tế') joined to the line under it",
      ["tests/test_cleanup_rules.py"]),
    M("join_parenthesis", "pipeline/cleanup.py",
      "    if not blank and _closes_parenthesis(cur, nxt):\n",
      "    if False:\n",
      "cleanup: a parenthesis the next line closes (\"(Chi cục Dân số\" / \"Xã hội) kiểm tra …\") not joined",
      ["tests/test_cleanup_rules.py"]),
    M("join_level_word", "pipeline/cleanup.py",
      "(_name_across(cur, nxt) or _LEVEL_GOES_ON.match(nxt)):",
      "_name_across(cur, nxt):",
      "cleanup: an agency's level word wrapped to the next line (\"Tham mưu UBND\" / \"Thành phố phối hợp …\") not joined",
      ["tests/test_cleanup_rules.py"]),
    M("after_semicolon_feature", "pipeline/splitting.py",
      "            feats[\"after_semicolon\"] = int(gap == \"paragraph\" and prev_end > 0 and text[prev_end - 1] == \";\"\n",
      "            feats[\"after_semicolon\"] = int(False and text[prev_end - 1] == \";\"\n",
      "detection: the next item of an unmarked list after a \";\" not marked for the joiner",
      ["tests/test_splitting.py"]),
    M("grid_cell_400", "pipeline/tables.py",
      "MAX_GRID_CELL = 1500 ",
      "MAX_GRID_CELL = 400 ",
      "tables: a table of recommendations whose task cells run past 400 characters read as a layout table",
      ["tests/test_structure.py"]),
    M("column_roles_proposal", "pipeline/structure.py",
      "r\"|chỉ tiêu|đề xuất\", re.I)",
      "r\"|chỉ tiêu\", re.I)",
      "structure: a \"Thông tin đề xuất\" column not read as the task column of a table",
      ["tests/test_structure.py"]),
    M("context_support_any_mention", "pipeline/agencies.py",
      "if p >= self.threshold and id(m) in partners]",
      "if p >= self.threshold]",
      "agencies: a heading's own actors given as support when the role model scores them over the threshold",
      ["tests/test_agencies.py"]),
    M("smoothing_ignored", "pipeline/agencies.py",
      "out[k] = round((right[k] + smoothing * out[step]) / (n[k] + smoothing), 4)",
      "out[k] = round((right[k] + 5.0 * out[step]) / (n[k] + 5.0), 4)",
      "agencies: inherited precision smoothed with 5 pseudo-counts whatever the setting",
      ["tests/test_agencies.py"]),
    M("junk_bullet", "pipeline/layout.py",
      "            elif _junk_bullet(run):\n",
      "            elif False:\n",
      "cleanup: a bullet read with OCR debris ('_- ', '¬ ') left as it is",
      ["tests/test_cleanup_rules.py"]),
    M("wrapped_dash", "pipeline/layout.py",
      "\" - \" if dash else \" \"",
      "\" \"",
      "cleanup: 'kinh tế\\n- xã hội' joined without its dash",
      ["tests/test_cleanup_rules.py"]),
    M("o_after_nouns", "pipeline/cleanup.py",
      "        return len(words) > 1 and words[-2].lower() not in _NOUNS_IN_O\n",
      "        return len(words) > 1\n",
      "cleanup: 'nhà ở', 'nơi ở' at a line's end join the next line",
      ["tests/test_cleanup_rules.py"]),
    M("dead_worker", "pipeline/batch.py",
      "    except BrokenProcessPool as e:\n",
      "    except ZeroDivisionError as e:\n",
      "batch: a dead forked worker surfaces as a raw BrokenProcessPool, not the batch's clear error",
      ["tests/test_batch.py"]),
    M("paragraph_cache", "pipeline/paragraphs.py",
      "            out += [(s + pos, e + pos, new) for s, e, new in find(text[pos:end])]\n",
      "            out += [(s, e, new) for s, e, new in find(text[pos:end])]\n",
      "cleanup: paragraph rules' replacements not shifted back into the text",
      ["tests/test_formats.py", "tests/test_cleanup_rules.py"]),
    M("vocabulary_ints", "pipeline/model.py",
      "        obj.vocabulary_ = {k: int(v) for k, v in vocab.items()}",
      "        pass",
      "model: vectorizer vocabularies saved with numpy integers (slow to load)",
      ["tests/test_model.py"]),
    M("fork_workers", "pipeline/batch.py",
      "            and os.environ.get(\"VANBAN_WORKERS\", \"fork\") != \"loky\")",
      "            and os.environ.get(\"VANBAN_WORKERS\", \"loky\") != \"loky\")",
      "batch: workers started by loky (each loads the model) instead of forked from the loaded pipeline",
      ["tests/test_batch.py"]),
    # ---- this round: actors named by a common noun, themes from character n-grams
    M("subject_off", "pipeline/mentions.py",
      "            if subject and not _overlaps(subject, spans) and not _caps(text[subject[0]:subject[1]]):\n",
      "            if False:\n",
      "mentions: no subject-position actor where the tagger and the lexicon found nothing",
      ["tests/test_mentions.py"]),
    M("subject_over_names", "pipeline/mentions.py",
      "            if subject and not _overlaps(subject, spans) and not _caps(text[subject[0]:subject[1]]):\n",
      "            if subject and not _caps(text[subject[0]:subject[1]]):\n",
      "mentions: a subject-position actor added over a name the tagger found",
      ["tests/test_mentions.py"]),
    M("subject_possessor", "pipeline/mentions.py",
      "    pm = _POSSESSOR.match(text)\n",
      "    pm = None\n",
      "mentions: 'Trách nhiệm của Quỹ' no longer names the heading's actor",
      ["tests/test_mentions.py"]),
    M("subject_imperative", "pipeline/mentions.py",
      "        if i >= n or (cue and duties.at(low, i)):        # \"Tổ chức tập huấn…\": what to do, said to no one\n",
      "        if i >= n:\n",
      "mentions: a sentence opening with what to do ('Tổ chức tập huấn…') read as its actor",
      ["tests/test_mentions.py"]),
    M("subject_comma", "pipeline/mentions.py",
      "                if not k or j != word_end:\n                    break\n",
      "                if not k:\n                    k = 1\n",
      "mentions: a comma inside a subject need not begin another actor word",
      ["tests/test_mentions.py"]),
    M("actor_feature", "pipeline/mentions.py",
      "             \"actor\": actor[i], \"duty\": duty[i]",
      "             \"actor\": False, \"duty\": duty[i]",
      "mentions: the tagger no longer reads actor words",
      ["tests/test_mentions.py"]),
    M("subject_caps", "pipeline/mentions.py",
      "            if subject and not _overlaps(subject, spans) and not _caps(text[subject[0]:subject[1]]):\n",
      "            if subject and not _overlaps(subject, spans):\n",
      "mentions: a subject in capitals the lexicon does not back kept",
      ["tests/test_mentions.py"]),
    M("subject_line_break", "pipeline/mentions.py",
      "        while j < n and j - i <= SUBJECT_MAX and not broken(j):\n",
      "        while j < n and j - i <= SUBJECT_MAX:\n",
      "mentions: a subject phrase runs across a line break",
      ["tests/test_mentions.py"]),
    M("detector_chars", "pipeline/splitting.py",
      "        if self.char_weight:\n",
      "        if False:\n",
      "detector: character n-grams never read",
      ["tests/test_splitting.py"]),
    M("theme_chars", "pipeline/themes.py",
      "        if self.char_weight:\n",
      "        if False:\n",
      "themes: character n-grams never read",
      ["tests/test_themes.py"]),
    # ---- this round: speed (same outputs) and agencies, themes
    M("spacing_gaps", "pipeline/cleanup.py",
      "rule_spacing = ParagraphRule(_spacing, gaps=True)",
      "rule_spacing = ParagraphRule(_spacing)",
      "cleanup: spacing by paragraph no longer reads the spaces on blank lines",
      ["tests/test_cleanup_rules.py"]),
    M("spacing_pattern", "pipeline/cleanup.py",
      "|-(?<=\\d-)[ ]*(?=[A-ZĐ]{1,6}/)\"",
      "|-[ ]*(?=[A-ZĐ]{1,6}/)\"",
      "cleanup: a pattern written for speed no longer tests the digit before a dash",
      ["tests/test_cleanup_rules.py"]),
    M("confusions_case", "pipeline/cleanup.py",
      "    low = text.lower()\n",
      "    low = text\n",
      "cleanup: OCR confusions looked up in the text as it is, not lower-cased",
      ["tests/test_cleanup_rules.py"]),
    M("theme_proba_intercept", "pipeline/themes.py",
      ".ravel() + model.intercept_[0])",
      ".ravel())",
      "themes: the logistic regressions' probabilities computed without their intercept",
      ["tests/test_themes.py"]),
    M("batch_largest_first", "pipeline/batch.py",
      "todo = sorted(todo, key=lambda it: it.size, reverse=True)",
      "todo = list(todo)",
      "batch: in parallel, files no longer given out largest first",
      ["tests/test_batch.py"]),
    M("batch_chunk_bytes", "pipeline/batch.py",
      "        if buf and max_bytes is not None and held + n > max_bytes:\n",
      "        if False:\n",
      "batch: chunks no longer bounded in bytes",
      ["tests/test_batch.py"]),
    M("parent_sentence", "pipeline/inheritance.py",
      "            sentence = field == \"item\" or (field == \"parent\" and not text.rstrip().endswith(\":\"))\n",
      "            sentence = field == \"item\"\n",
      "inheritance: a parent sentence (no \"X:\" line) no longer read by the role model",
      ["tests/test_inheritance.py"]),
    M("context_support_colon", "pipeline/agencies.py",
      "                if ms.get(field) and (field == \"heading\" or text.rstrip().endswith(\":\")):\n",
      "                if ms.get(field):\n",
      "agencies: support taken from any parent or lead-in line, not only one ending in ':'",
      ["tests/test_agencies.py"]),
    M("item_scores_for_any_sentence", "pipeline/agencies.py",
      "            if scores is not None and text == str(row.get(\"item\") or \"\") and list(mentions) == list(ms.get(\"item\") or []):\n",
      "            if scores is not None:\n",
      "agencies: the item step's batch scores used for any sentence the step reads (a parent sentence too)",
      ["tests/test_agencies.py"]),
    M("context_support_first_row", "pipeline/agencies.py",
      "                    todo.setdefault((text, field, tuple(ms[field]), tuple(issuers[i])), []).append(i)\n",
      "                    todo.setdefault((text, field, tuple(mentions[0].get(field) or ()), tuple(issuers[0])), []).append(i)\n",
      "agencies: a context line's support scored with the first task's mentions and issuer for every task",
      ["tests/test_agencies.py"]),
    M("context_support_off", "pipeline/agencies.py",
      "        ctx_support = self._context_support(rows, mentions, issuers) if self.role == \"support\" and self.inherit else {}\n",
      "        ctx_support = {}\n",
      "agencies: no support taken from the line that introduces a task",
      ["tests/test_agencies.py"]),
    M("section_means", "pipeline/themes.py",
      "        S = document_means(P, section_keys(X, docs)) if self.section_context else None\n",
      "        S = document_means(P, docs) if self.section_context else None\n",
      "themes: the section mean taken over the whole document",
      ["tests/test_themes.py"]),
    M("quoted_article", "pipeline/structure.py",
      "        if kind == \"article\" and _quoted_article(before, mark):\n",
      "        if False:\n",
      "structure: an article an amendment quotes without its opening quote read as an article of the document",
      ["tests/test_structure.py"]),
    M("ocr_double_stop", "pipeline/layout.py",
      "    if \"..\" in text:\n",
      "    if False:\n",
      "cleanup: a numbered line's stop read twice ('6..') left as it is",
      ["tests/test_cleanup_rules.py"]),
    M("theme_thresholds_ignored", "pipeline/themes.py",
      "        thresholds = getattr(self, \"thresholds_\", None)     # None: fitted before thresholds_ existed\n",
      "        thresholds = None\n",
      "themes: each theme's own threshold ignored (the one threshold for all)",
      ["tests/test_themes.py"]),
    M("theme_thresholds_not_fitted", "pipeline/themes.py",
      "            if self.tune_thresholds:\n",
      "            if False:\n",
      "themes: fit never tunes the per-theme thresholds",
      ["tests/test_themes.py"]),
    M("theme_thresholds_untuned", "pipeline/themes.py",
      "        out[j] = THRESHOLD_SHRINK * default + (1 - THRESHOLD_SHRINK) * best\n",
      "        out[j] = default\n",
      "themes: the per-theme thresholds never moved from the default",
      ["tests/test_themes.py"]),
    M("blank_wraps_ignored", "pipeline/cleanup.py",
      "    wrapped, blank_wraps = _hard_wrapped(texts), _blank_lines_wrap(texts)\n",
      "    wrapped, blank_wraps = _hard_wrapped(texts), False\n",
      "cleanup: blank lines that an OCR engine set inside sentences read as paragraph breaks",
      ["tests/test_cleanup.py"]),
    M("blank_wraps_join_by_width", "pipeline/cleanup.py",
      "blank and blank_wraps and _should_join(cur, nxt, blank=False, wrapped=0, after=after)",
      "blank and blank_wraps and _should_join(cur, nxt, blank=False, wrapped=wrapped, after=after)",
      "cleanup: in a text whose blank lines are wraps, the hard-wrap width alone joins over a blank line",
      ["tests/test_cleanup.py"]),
    M("blank_wraps_share_ignored", "pipeline/cleanup.py",
      "    return inside >= BLANK_WRAP_MIN and inside >= BLANK_WRAP_SHARE * pairs\n",
      "    return inside >= BLANK_WRAP_MIN\n",
      "cleanup: a few blank lines inside sentences make every blank line a wrap",
      ["tests/test_cleanup.py"]),
    M("ocr_glued_underscore", "pipeline/layout.py",
      "    re.compile(r\"_(?<=[^\\W\\d_]\\n_|,\\n_)_*(?=[a-zđà-ỹ])\"),",
      "    re.compile(r\"(?!)\"),",
      "cleanup: a margin speck read as '_' before a wrapped line's first word kept",
      ["tests/test_cleanup_rules.py"]),
    M("joiner_ignored", "pipeline/components.py",
      "        joined = {pair for pair, p in zip(pairs, proba) if p >= self.settings.get(\"join_threshold\", 0.5)}\n",
      "        joined = set()\n",
      "detector: the joiner's decisions ignored (every sentence its own task)",
      ["tests/test_splitting.py"]),
    M("spaced_always", "pipeline/splitting.py",
      "    return 2 * blank >= max(len(lines) - 1, 1)\n",
      "    return True\n",
      "splitting: a single line break taken for a wrapped paragraph in every document",
      ["tests/test_splitting.py"]),
    # ---- this round
    M("after_stop_never", "pipeline/splitting.py",
      "            feats[\"after_stop\"] = int(gap == \"paragraph\" and _finished(text, prev_end))\n",
      "            feats[\"after_stop\"] = 0\n",
      "splitting: a paragraph after a finished sentence no longer marked for the detector and the joiner",
      ["tests/test_splitting.py"]),
    M("after_stop_semicolon", "pipeline/splitting.py",
      "    return text[end - 1] in \".!?\" and not text[max(0, end - 2):end] == \"..\"\n",
      "    return text[end - 1] in \".!?;…\"\n",
      "splitting: a sentence ending in ';' or an ellipsis taken for a finished one",
      ["tests/test_splitting.py"]),
    M("after_stop_joined", "pipeline/components.py",
      "                      and not ks[k][0].features.get(\"after_stop\")]\n",
      "                      ]\n",
      "detector: the joiner may join a sentence over a paragraph break after a finished one",
      ["tests/test_splitting.py"]),
    M("letter_stop_marker", "pipeline/structure.py",
      "_LETTER = re.compile(r\"^(?P<m>[a-zđ])(?:\\)\\s*|\\.\\s+)(?=\\S)\")",
      "_LETTER = re.compile(r\"^(?P<m>[a-zđ])[)]\\s*(?=\\S)\")",
      "structure: 'a. ' no longer opens a letter item",
      ["tests/test_structure.py"]),
    M("letter_stop_joined", "pipeline/cleanup.py",
      "[a-zđ]\\)\\s?|[a-zđ]\\.\\s|",
      "[a-zđ]\\)\\s?|",
      "cleanup: a line opening 'a. ' is joined onto the line above as a wrapped one",
      ["tests/test_cleanup.py"]),
    M("char_ngrams_short_word", "pipeline/features.py",
      "        if len(w) <= n:\n",
      "        if len(w) < n:\n",
      "features: a word as short as n gives an n-gram padded past itself (no longer scikit-learn's char_wb)",
      ["tests/test_training.py"]),
    M("list_parts_whole", "pipeline/mentions.py",
      "    return [p for p in out if p.strip()] or [name]\n",
      "    return [name]\n",
      "mentions: a span listing agencies is labelled as one name (one class) again",
      ["tests/test_mentions.py"]),
    M("list_labels_first_only", "pipeline/mentions.py",
      "            labels.append(\"+\".join(dict.fromkeys(labs)))\n",
      "            labels.append(labs[0])\n",
      "mentions: a list of names takes the class of its first name only",
      ["tests/test_mentions.py"]),
    M("opening_words_dropped", "pipeline/agencies.py",
      "    if opening and m.start > 0:",
      "    if False:",
      "agencies: the role model no longer reads how the sentence opens",
      ["tests/test_agencies.py"]),
    M("cross_themes_ignored", "pipeline/themes.py",
      "    if cross:\n",
      "    if False:\n",
      "themes: a theme's second stage no longer reads the other themes' probabilities",
      ["tests/test_themes.py"]),
    M("context_read_per_row", "pipeline/features.py",
      "        row_of: dict = {}\n",
      "        return super().transform(raw_documents)\n",
      "features: a context column is analysed once a row, not once a distinct text",
      ["tests/test_training.py"]),
    M("folds_by_task_count", "pipeline/evaluation/crossval.py",
      "            load[k] += max(1, len(examples[i].text))",
      "            load[k] += max(1, len(examples[i].tasks))",
      "cross-validation: folds balanced by the labels' task count, so a relabelled document moves the folds",
      ["tests/test_evaluation.py"]),
    M("standing_body_own_class", "pipeline/mentions.py",
      "        return rest\n",
      "        return name\n",
      "mentions: a standing body (\"Ban Thường vụ Tỉnh đoàn\") classed by its head words, not by its organisation",
      ["tests/test_mentions.py"]),
    M("standing_body_of_a_level", "pipeline/mentions.py",
      'if not pos or all(w.strip(",;") in _LEVEL_WORDS for w in rest.lower().split()):',
      "if not pos:",
      "mentions: \"Ban Thường vụ tỉnh\" classed by its level word alone, as if \"tỉnh\" were its organisation",
      ["tests/test_mentions.py"]),
    M("standing_body_one_prefix_a_call", "pipeline/mentions.py",
      "        while m := _ORGAN_OF.match(name, pos):",
      "        if m := _ORGAN_OF.match(name, pos):",
      "mentions: one standing-body prefix taken off a call, so stacked ones recurse once each (quadratic, then a "
      "RecursionError)",
      ["tests/test_mentions.py", "tests/test_linear_time.py"]),
    M("stretched_lexicon_match_keeps_label", "pipeline/mentions.py",
      "if (s, e) in known and self._owner(text[s:e]) == text[s:e]:",
      "if (s, e) in known:",
      "mentions: a lexicon match stretched over a Title Case organisation (\"Ban Thường vụ Tỉnh Đoàn\") keeps the bare "
      "match's class",
      ["tests/test_mentions.py"]),
    M("recipients_skip_gazette", "pipeline/inheritance.py",
      '|\\bđ/c\\b|đồng chí", re.I)',
      '|\\bđ/c\\b|đồng chí|\\bcông báo\\b", re.I)',
      "inheritance: the Nơi nhận's line of the Official Gazette and the portals is left out as if for information",
      ["tests/test_inheritance.py"]),
    M("field_heading_an_actor", "pipeline/inheritance.py",
      '    found = [m for m in found if m.kind != "tagged" or names_a_body(m.text)]\n',
      "",
      "inheritance: a heading that only names a field (\"2. Y tế\", \"a) Thương mại\") gives its words as the actor",
      ["tests/test_inheritance.py"]),
    M("field_heading_lexicon_too", "pipeline/inheritance.py",
      'm.kind != "tagged" or names_a_body(m.text)',
      "names_a_body(m.text)",
      "inheritance: a lexicon name in a heading is judged by its words too, as a name the tagger found",
      ["tests/test_inheritance.py"]),
    M("body_words_heads_any_case", "pipeline/mentions.py",
      "or (i == first and \" \".join(low[i:i + k]) in lower_heads)",
      "or \" \".join(low[i:i + k]) in lower_heads",
      "mentions: a head word in lower case anywhere in a name (\"môi trường\" read as \"Trường\") makes it a body",
      ["tests/test_inheritance.py"]),
    M("body_words_caps_as_written", "pipeline/mentions.py",
      "        toks, heads = low, lower_heads",
      "        toks = [t.capitalize() for t in toks]",
      "mentions: a name in capitals read word by word as if capitalised (\"UBND\" is no \"Ubnd\"), so it names no body",
      ["tests/test_inheritance.py"]),
    M("body_words_three_syllables", "pipeline/mentions.py",
      "for k in range(1, min(longest, len(low) - i) + 1):",
      "for k in range(1, min(3, len(low) - i) + 1):",
      "mentions: a head word of four syllables (\"Bảo hiểm xã hội\") never read",
      ["tests/test_inheritance.py"]),
    M("body_words_first_word_as_is", "pipeline/mentions.py",
      'if w.isalpha() and w not in _DETERMINERS and w not in ("và", "cùng")),',
      "if w not in _DETERMINERS),",
      "mentions: a name's first word read before a bracket or \"và\" (\"(các sở, ban)\" names no body)",
      ["tests/test_inheritance.py"]),
    M("field_filter_every_field", "pipeline/inheritance.py",
      "    found = _actors(field, text, mentions)\n",
      '    found = [m for m in _actors(field, text, mentions) if m.kind != "tagged" or names_a_body(m.text)]\n',
      "inheritance: a list's or a lead-in's tagged name judged as a heading's (\"Kính gửi: Y tế\" gives nobody)",
      ["tests/test_inheritance.py"]),
    M("body_words_no_groups", "pipeline/mentions.py",
      'or " ".join(low[i:i + k]) in groups',
      "or False",
      "mentions: a group of actors without a head word (\"các ngành, các cấp\", \"các cấp chính quyền\") read as a field",
      ["tests/test_inheritance.py"]),
    M("closing_any_noi_nhan", "pipeline/structure.py",
      "return bool(m) and not line[m.end():].lstrip()[:1].islower()",
      "return bool(m)",
      "structure: a body sentence that opens with \"Nơi nhận\" (\"Nơi nhận kết quả.\") opens the closing block",
      ["tests/test_structure.py"]),
    M("cell_bullets_kept_together", "pipeline/splitting.py",
      "for part in _bullets(text, s, e)]",
      "for part in [(s, e)]]",
      "splitting: the bullets a converter ran onto one line of a task cell stay one candidate",
      ["tests/test_structure.py"]),
    M("cell_first_bullet_kept", "pipeline/splitting.py",
      "out, pos = [], first.end() if first else start",
      "out, pos = [], start",
      "splitting: a task cell that opens with a bullet keeps the dash in its first candidate",
      ["tests/test_structure.py"]),
    M("bootstrap_not_resampled", "pipeline/evaluation/metrics.py",
      "weights = np.random.default_rng(seed).multinomial(n, np.full(n, 1.0 / n), size=samples)",
      "weights = np.ones((samples, n))",
      "metrics: the intervals over documents draw every document once each time (no spread at all)",
      ["tests/test_endtoend_scores.py"]),
    M("document_counts_swapped", "pipeline/evaluation/endtoend.py",
      '"counts": {"task": [len(pairs), len(r.pred) - len(pairs), len(r.gold) - len(pairs)],',
      '"counts": {"task": [len(pairs), len(r.gold) - len(pairs), len(r.pred) - len(pairs)],',
      "endtoend: a document's task counts take missed tasks for spurious ones",
      ["tests/test_endtoend_scores.py"]),
    M("cli_interval_dropped", "pipeline/cli.py",
      '(f"  ({ci[0]:.4f}–{ci[1]:.4f})" if ci else "")',
      '""',
      "cli: `vanban evaluate` prints its figures without their intervals",
      ["tests/test_cli.py"]),
    M("report_interval_dropped", "pipeline/evaluation/report.py",
      '_f(s.get(p + key)) + _ci(s.get(p + key + "_ci"))',
      '_f(s.get(p + key))',
      "report: the end-to-end table shows the figures without their intervals",
      ["tests/test_endtoend_scores.py"]),
    M("label_counts_swapped", "pipeline/evaluation/metrics.py",
      "        fp += len(p - g)\n        fn += len(g - p)\n    return tp, fp, fn",
      "        fp += len(g - p)\n        fn += len(p - g)\n    return tp, fp, fn",
      "metrics: a document's counts take missed labels for spurious ones (F1 alone cannot tell)",
      ["tests/test_doctests.py", "tests/test_endtoend_scores.py"]),
    M("pipe_per_document", "pipeline/language.py",
      '            many = getattr(comp, "pipe", None)\n',
      '            many = None\n',
      "language: pipe() runs each component document by document (no batch reaches a learned component)",
      ["tests/test_language.py"]),
    M("detector_batch_one_document", "pipeline/components.py",
      "proba = det.predict_proba(candidate_frame(cands, docs=owner))[:, -1]",
      "proba = det.predict_proba(candidate_frame(cands))[:, -1]",
      "detector: a batch's candidates read as one document (a list's neighbours cross documents)",
      ["tests/test_language.py"]),
    M("detector_batch_scores_misaligned", "pipeline/components.py",
      "zip(d.candidates, scores[k:k + len(d.candidates)])",
      "zip(d.candidates, scores[:len(d.candidates)])",
      "detector: each document of a batch takes the scores of the batch's first candidates",
      ["tests/test_language.py"]),
    M("themes_batch_one_document", "pipeline/components.py",
      "X = task_frame(tasks, with_mentions=False, docs=owner)",
      "X = task_frame(tasks, with_mentions=False)",
      "themes: a batch's tasks read as one document (document and section means over the batch)",
      ["tests/test_language.py"]),
    M("chunk_not_batched", "pipeline/batch.py",
      'if len(todo) > 1 and hasattr(ann, "pipe"):',
      'if False:',
      "batch: a chunk's documents annotated one by one, never as one batch",
      ["tests/test_batch.py"]),
    M("chunk_failure_not_retried", "pipeline/batch.py",
      "            log.debug(\"a batch of %d documents failed (%s: %s); annotating them one by one\",\n",
      "            raise\n            log.debug(\"a batch of %d documents failed (%s: %s); annotating them one by one\",\n",
      "batch: a batch that fails is not annotated again document by document (the whole batch stops)",
      ["tests/test_batch.py", "tests/test_time_limit.py"]),
    M("char_counts_unsummed", "pipeline/features.py",
      "        X.sum_duplicates()",
      "        pass",
      "features: the char counts keep an n-gram met twice as two entries (no longer CountVectorizer's matrix)",
      ["tests/test_training.py"]),
]


@dataclass
class Result:
    id: str
    file: str
    description: str
    tests: list[str]
    status: str
    seconds: float
    caught_by: str = ""
    output: str = field(default="", repr=False)


_SUMMARY = re.compile(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", re.M)   # a node id may hold spaces: "[Phong trào …]"


def _failed_test(out: str) -> str:
    m = _SUMMARY.search(out)
    if m:
        return m.group(1)
    m = re.search(r"^_{3,} (.+?) _{3,}$", out, re.M)
    return m.group(1) if m else ""


def pytest(copy: Path, tests: list[str], timeout: float, deselect: Sequence[str] = (),
           first_failure: bool = True) -> tuple[str, str]:
    """("passed" | "failed" | "timeout" | "error (pytest exit N)", output) of the tests run in ``copy``."""
    env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
    cmd = [sys.executable, "-m", "pytest", *(["-x"] if first_failure else []), "-q", "-rfE",
           "-m", "not slow and not ocr", "-p", "no:cacheprovider", *tests]
    for node in deselect:
        cmd += ["--deselect", node]
    try:
        proc = subprocess.run(cmd, cwd=copy, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode("utf-8", "replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        return "timeout", out
    out = proc.stdout + proc.stderr
    if proc.returncode == 0:
        return "passed", out
    if proc.returncode == 1 or (proc.returncode == 2 and "Error" in out):   # 2: interrupted (collection error)
        return "failed", out
    return f"error (pytest exit {proc.returncode})", out


def stale(mut: Mutant, root: Path = ROOT) -> str:
    """Why the mutant no longer applies to the checkout at ``root`` ("" when it does)."""
    n = (root / mut.file).read_text(encoding="utf-8").count(mut.old) if (root / mut.file).exists() else 0
    if n != 1:
        return f"fragment found {n} times in {mut.file}"
    missing = [t for t in mut.tests if not (root / t).exists()]
    return f"no such test file: {missing}" if missing else ""


def failed_tests(out: str) -> list[str]:
    """Node ids of the tests pytest's summary lists as failed or in error."""
    return _SUMMARY.findall(out)


def run_mutant(mut: Mutant, copy: Path, timeout: float, deselect: Sequence[str] = ()) -> Result:
    """Write the mutant into ``copy`` (a copy of the checkout), run its tests there, restore the file."""
    path = copy / mut.file
    base = dict(id=mut.id, file=mut.file, description=mut.description, tests=mut.tests)
    why = stale(mut, copy)
    if why:
        return Result(**base, status="stale", seconds=0.0, output=why)
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace(mut.old, mut.new), encoding="utf-8")
    t0 = time.time()
    try:
        outcome, out = pytest(copy, mut.tests, timeout, deselect)
    finally:
        path.write_text(original, encoding="utf-8")
    status = {"passed": "survived", "failed": "caught"}.get(outcome, outcome)
    return Result(**base, status=status, seconds=round(time.time() - t0, 1),
                  caught_by=_failed_test(out) if status == "caught" else "", output=out[-3000:])


def table(results: list[Result]) -> str:
    rows = [("mutant", "status", "s", "caught by")]
    rows += [(r.id, r.status, f"{r.seconds:.0f}", r.caught_by) for r in results]
    w = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w[i]) for i, c in enumerate(row)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * x for x in w))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", nargs="*", help="mutant ids to run (default: all)")
    ap.add_argument("--jobs", type=int, default=2, help="mutants run side by side (one copy of the checkout each)")
    ap.add_argument("--timeout", type=float, default=600, help="seconds per mutant's test run")
    ap.add_argument("--out", default=str(ROOT / "evaluation" / "mutation.json"))
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    ap.add_argument("--no-baseline", action="store_true", help="do not run the tests on the unchanged code first")
    args = ap.parse_args(argv)
    todo = [m for m in MUTANTS if not args.only or m.id in args.only]
    if args.list:
        for m in todo:
            print(f"{m.id:30} {m.file:34} {m.description}")
        return 0
    if args.only and len(todo) != len(set(args.only)):
        ap.error(f"unknown mutant ids: {sorted(set(args.only) - {m.id for m in MUTANTS})}")
    jobs = max(1, min(args.jobs, len(todo)))
    with tempfile.TemporaryDirectory(prefix="vanban-mutation-") as tmp:
        copies = []
        for k in range(jobs):
            c = Path(tmp) / f"copy{k}"
            shutil.copytree(ROOT, c, ignore=IGNORE, symlinks=True)
            copies.append(c)
        free = list(copies)
        lock = threading.Lock()

        def on_copy(fn, *a):
            with lock:
                c = free.pop()
            try:
                return fn(c, *a)
            finally:
                with lock:
                    free.append(c)

        t0 = time.time()
        failing: dict[str, list[str]] = {}      # test file -> its tests that fail on the unchanged code
        if not args.no_baseline:
            files = sorted({t for m in todo if not stale(m) for t in m.tests})

            def base(t: str) -> tuple[str, str, str]:
                return (t, *on_copy(lambda c: pytest(c, [t], args.timeout, first_failure=False)))
            with ThreadPoolExecutor(jobs) as pool:
                for t, outcome, out in pool.map(base, files):
                    bad = failed_tests(out)
                    print(f"baseline {t:40} {outcome}" + (f": {len(bad)} failing, deselected" if bad else ""),
                          flush=True)
                    if outcome == "failed" and bad:
                        failing[t] = bad
                    elif outcome != "passed":
                        failing[t] = [t]           # the whole file cannot be used

        def work(m: Mutant) -> Result:
            unusable = [t for t in m.tests if failing.get(t) == [t]]
            if unusable:
                r = Result(id=m.id, file=m.file, description=m.description, tests=m.tests,
                           status="baseline fails", seconds=0.0, output=f"{unusable[0]} fails unmutated")
            else:
                skip = [n for t in m.tests for n in failing.get(t, [])]
                r = on_copy(lambda c: run_mutant(m, c, args.timeout, skip))
            print(f"{r.id:30} {r.status:9} {r.seconds:6.0f} s  {r.caught_by}", flush=True)
            return r

        with ThreadPoolExecutor(jobs) as pool:
            results = list(pool.map(work, todo))
    summary = {s: sum(r.status == s for r in results)
               for s in ("caught", "survived", "timeout", "stale", "baseline fails")}
    summary["other"] = len(results) - sum(summary.values())
    data = {"command": "python -m pytest -x -q -m 'not slow and not ocr' <tests of the mutant>",
            "mutants": len(results), **summary,
            "deselected_failing_on_unchanged_code": sorted({n for ns in failing.values() for n in ns}),
            "seconds": round(time.time() - t0, 1),
            "results": [{k: v for k, v in asdict(r).items() if k != "output" or r.status != "caught"}
                        for r in results]}
    out = Path(args.out)
    if args.only and out.exists():          # a partial run updates its mutants' entries of the last full run
        last = json.loads(out.read_text(encoding="utf-8"))
        mine = {r["id"]: r for r in data["results"]}
        order = [m.id for m in MUTANTS]
        merged = {r["id"]: r for r in last.get("results", []) if r["id"] in order}
        merged.update(mine)
        results_all = sorted(merged.values(), key=lambda r: order.index(r["id"]))
        counts = {s: sum(r["status"] == s for r in results_all) for s in summary if s != "other"}
        counts["other"] = len(results_all) - sum(counts.values())
        deselected = set(last.get("deselected_failing_on_unchanged_code", []))
        deselected |= set(data["deselected_failing_on_unchanged_code"])
        data = {**last, "results": results_all, "mutants": len(results_all), **counts,
                "deselected_failing_on_unchanged_code": sorted(deselected), "updated": sorted(mine)}
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print()
    print(table(results))
    print(f"\n{summary['caught']} of {len(results)} caught; {summary['survived']} survived"
          + (f"; {summary['timeout']} timed out" if summary["timeout"] else "")
          + (f"; {summary['stale']} stale" if summary["stale"] else "")
          + (f"; {summary['baseline fails']} not run (their tests fail on the unchanged code)"
             if summary["baseline fails"] else ""))
    return 0 if summary["caught"] == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
