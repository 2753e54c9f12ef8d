"""``report.html``: one self-contained page for analysts (Vietnamese, no network at view time).

The page embeds the batch's tasks as JSON and renders them with a small script: search and filters by
agency (and role), theme, issuer, issuer level, document type and confidence; an overview with the
lead agency × theme matrix and the issuer level × agency table (every cell a link to the tasks behind
it); per-agency, per-theme and per-document views; a legend; and, when ``vanban compare`` has run, the
cross-document view (which issuers assign which themes to which agencies, and which tasks of one
document other documents take up, side by side). Views and filters live in the address (``#/tasks?…``),
so a filtered view can be bookmarked or sent.

Only task texts are embedded (not the documents' full clean text): 7,400 tasks of 185 documents make a
page of about 4 MB that filters instantly.
"""

from __future__ import annotations

import json
from pathlib import Path

from .labels import LEVELS, SOURCES, LabelInfo, issuer_level
from .model import sha256_file


def report_data(docs, info: LabelInfo | None = None, compare: dict | None = None) -> dict:
    """The JSON the page renders: label names, documents and tasks in compact arrays."""
    info = info or LabelInfo.default()
    ag_index: dict[str, int] = {}
    th_index: dict[str, int] = {}
    out_docs, out_tasks = [], []

    def idx(table: dict, key: str) -> int:
        if key not in table:
            table[key] = len(table)
        return table[key]

    for a in info.agencies:              # the label set's order first, then any other id met
        idx(ag_index, a)
    for t in info.themes:
        idx(th_index, t)
    for d in docs:
        m = d.get("meta") or {}
        di = len(out_docs)
        tasks = d.get("tasks") or []
        out_docs.append([d["doc_id"], d.get("source", ""), m.get("type") or "", m.get("number") or "",
                         m.get("issuer") or "", issuer_level(m.get("issuer")), m.get("date") or "",
                         m.get("signer") or "", len(tasks), "; ".join(d.get("errors") or []), m.get("place") or ""])
        for t in tasks:
            ags = [[idx(ag_index, a["id"]), 0 if a["role"] == "lead" else 1, int(bool(a.get("explicit"))),
                    round(float(a.get("score") or 0), 2), int(info.is_uncertain(a, a["role"])), a.get("name") or "",
                    a.get("source") or ""] for a in t.get("agencies") or []]
            ths = [[idx(th_index, x["id"]), round(float(x.get("score") or 0), 2), int(info.is_uncertain(x, "theme"))]
                   for x in t.get("themes") or []]
            out_tasks.append([di, t.get("section") or "", t["text"], ags, ths, round(float(t.get("score") or 0), 2),
                              int(info.task_uncertain(t)), t["id"]])
    return {"agencies": [[a, info.agency(a), info.descriptions.get(a, "")] for a in ag_index],
            "themes": [[t, info.theme(t)] for t in th_index],
            "levels": LEVELS, "sources": SOURCES, "thresholds": info.thresholds,
            "docs": out_docs, "tasks": out_tasks, "compare": compare}


def read_jsonl(path: str | Path):
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def load_compare(out_dir: str | Path, jsonl_path: str | Path) -> dict | None:
    """``compare.json`` of an output folder when it was computed from this very ``tasks.jsonl``."""
    p = Path(out_dir) / "compare.json"
    if not p.exists():
        return None
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if data.get("tasks_sha256") == sha256_file(jsonl_path) else None


def write_report(jsonl_path: str | Path, out_path: str | Path, info: LabelInfo | None = None,
                 compare: dict | None = None) -> None:
    """Write ``report.html`` for ``tasks.jsonl``; the cross-document view comes from ``compare`` or from a
    ``compare.json`` beside the output computed from the same ``tasks.jsonl``."""
    from .output import atomic_write

    if compare is None:
        compare = load_compare(Path(out_path).parent, jsonl_path)
    data = report_data(read_jsonl(jsonl_path), info, compare)
    with atomic_write(out_path) as out:
        out.write(render(data))


def render(data: dict) -> str:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    n = len(data["docs"])
    return (_PAGE.replace("@@TITLE@@", f"Nhiệm vụ trong {n} văn bản")
            .replace("@@CSS@@", _CSS).replace("@@JS@@", _JS).replace("@@DATA@@", payload))


_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>@@TITLE@@</title><style>@@CSS@@</style></head>
<body><header><h1 id="title">@@TITLE@@</h1><nav id="nav">
<a href="#/" data-view="overview">Tổng quan</a><a href="#/tasks" data-view="tasks">Nhiệm vụ</a>
<a href="#/agencies" data-view="agencies">Cơ quan</a><a href="#/themes" data-view="themes">Chủ đề</a>
<a href="#/docs" data-view="docs">Văn bản</a><a href="#/compare" data-view="compare">Liên thông văn bản</a></nav></header>
<main id="app"><noscript>Trang này cần JavaScript để hiển thị; dữ liệu cũng có trong tasks.csv.</noscript></main>
<script id="data" type="application/json">@@DATA@@</script>
<script>@@JS@@</script></body></html>
"""

_CSS = """
*{box-sizing:border-box}body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif;margin:0;
color:#1d2430;background:#f6f7f9;font-size:14px}
header{background:#1f3a5f;color:#fff;padding:12px 24px;display:flex;flex-wrap:wrap;align-items:center;gap:8px 24px}
header h1{margin:0;font-size:20px;font-weight:600}nav a{color:#dbe6f5;text-decoration:none;margin-right:16px;
padding:4px 0;border-bottom:2px solid transparent}nav a.on{color:#fff;border-bottom-color:#ffcf70}
main{padding:16px 24px;max-width:1400px;margin:0 auto}
section{background:#fff;border-radius:8px;padding:14px 18px;margin:0 0 16px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h2{font-size:17px;margin:0 0 10px}h3{font-size:15px;margin:12px 0 6px}a{color:#1f5fa8}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #e1e4e8;padding:4px 8px;text-align:left;
vertical-align:top}th{background:#f0f3f7;font-weight:600}td.n,th.n{text-align:right}
.stats span{margin-right:22px}.stats b{font-size:18px}
.matrix{table-layout:fixed;width:100%;font-size:11px}.matrix th,.matrix td{padding:2px;text-align:center;overflow:hidden}
.matrix th.row{text-align:left;width:190px;white-space:nowrap;text-overflow:ellipsis;font-weight:500}
.matrix th.col{height:175px;vertical-align:bottom;padding:4px 0}.matrix th.col span{writing-mode:vertical-rl;
transform:rotate(180deg);white-space:nowrap;display:inline-block;max-height:170px;overflow:hidden;text-overflow:ellipsis}
.matrix th.tot{width:52px}.matrix td a{display:block;color:inherit;text-decoration:none;padding:3px 0}
.matrix td a:hover{outline:2px solid #ffb000}.heat{background:rgba(31,58,95,var(--a))}.heat.dark{color:#fff}
.levels td a{display:block;text-decoration:none;color:inherit}
.filters{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:8px 12px;align-items:end}
.filters label{display:flex;flex-direction:column;font-size:12px;color:#4a5563;gap:2px}
.filters select,.filters input{font-size:13px;padding:4px 6px;border:1px solid #c5ccd6;border-radius:4px;
background:#fff;max-width:100%}.filters button{padding:5px 10px}
.count{margin:10px 0 4px;font-weight:600}.facets{font-size:12px;color:#4a5563;margin:4px 0 10px;line-height:1.9}
.facets a{margin-right:10px;white-space:nowrap}
.doc{border-top:1px solid #e1e4e8;padding:8px 0 2px;margin-top:6px}.doc h3{margin:0 0 4px;font-size:14px}
.doc .dm{font-weight:400;color:#555;font-size:12px}
.task{border-left:3px solid #c9d3e0;padding:4px 10px;margin:6px 0}.task.unc{border-left-color:#d93025}
.sec{color:#6a737d;font-size:12px;margin-right:6px}
.chip{display:inline-block;border-radius:10px;padding:0 8px;margin:3px 4px 0 0;font-size:12px;border:1px solid;
text-decoration:none;color:#1d2430;line-height:18px}
.lead{background:#ffe8c2;border-color:#e39b2d}.support{background:#e3f1ff;border-color:#6aa8ea}
.implicit{border-style:dashed}.theme{background:#e6f6e8;border-color:#6cc283}
.unc-flag{background:#fde8e7;border:1px dotted #d93025;color:#a50e0e;font-weight:600}
mark{background:#fff3b0;padding:0 1px}.err{color:#b00020}.muted{color:#6a737d}
.legend{font-size:12px;color:#4a5563;display:flex;flex-wrap:wrap;gap:4px 18px;align-items:center}
.legend .sw{display:inline-block;width:60px;height:10px;background:linear-gradient(90deg,rgba(31,58,95,.05),#1f3a5f);
vertical-align:middle;margin:0 4px}
.pair{display:grid;grid-template-columns:1fr 1fr 60px;gap:10px;border-top:1px solid #eef0f3;padding:6px 0}
.pair .sim{text-align:right;color:#555}.more{margin:10px 0}
.bars div{display:flex;align-items:center;font-size:12px;margin:2px 0}.bars .lab{width:230px;flex:none;overflow:hidden;
text-overflow:ellipsis;white-space:nowrap}.bars .track{flex:1}.bars .fill{display:block;height:11px;background:#1f3a5f;
border-radius:2px}.bars .num{width:48px;text-align:right;color:#555}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:16px}
"""

_JS = r"""
'use strict';
const D = JSON.parse(document.getElementById('data').textContent);
const AG = D.agencies, TH = D.themes, DOCS = D.docs, TASKS = D.tasks;
const LV = D.levels, PAGE = 100;
const app = document.getElementById('app');
const esc = s => String(s == null ? '' : s).replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
const fold = s => String(s || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase();
const agIdx = Object.fromEntries(AG.map((a, i) => [a[0], i])), thIdx = Object.fromEntries(TH.map((t, i) => [t[0], i]));
const docTypeName = t => t ? t.charAt(0).toUpperCase() + t.slice(1) : '(không rõ)';
const docTitle = d => [docTypeName(d[2]), d[3] && ('số ' + d[3])].filter(Boolean).join(' ');
let folded = null;

function parseHash() {
  const h = location.hash.replace(/^#\/?/, '');
  const [path, qs] = h.split('?');
  const q = {};
  new URLSearchParams(qs || '').forEach((v, k) => { if (v !== '') q[k] = v; });
  return {path: path || '', q};
}
function link(path, q) {
  const p = new URLSearchParams();
  Object.entries(q || {}).forEach(([k, v]) => { if (v !== undefined && v !== null && v !== '') p.set(k, v); });
  const s = p.toString();
  return '#/' + path + (s ? '?' + s : '');
}
function count(arr, keyf) {
  const m = new Map();
  for (const x of arr) for (const k of keyf(x)) m.set(k, (m.get(k) || 0) + 1);
  return [...m.entries()].sort((a, b) => b[1] - a[1]);
}
function leads(t) { return [...new Set(t[3].filter(a => a[1] === 0).map(a => a[0]))]; }
function agenciesOf(t, role) { return [...new Set(t[3].filter(a => role === 'lead' ? a[1] === 0 : role === 'support' ? a[1] === 1 : true).map(a => a[0]))]; }

// ------------------------------------------------------------------ filtering
function matches(t, q) {
  const d = DOCS[t[0]];
  if (q.doc !== undefined && String(t[0]) !== q.doc) return false;
  if (q.agency !== undefined && !agenciesOf(t, q.role || 'lead').includes(agIdx[q.agency])) return false;
  if (q.theme !== undefined && !t[4].some(x => x[0] === thIdx[q.theme])) return false;
  if (q.level !== undefined && d[5] !== (q.level === 'none' ? '' : q.level)) return false;
  if (q.issuer !== undefined && d[4] !== q.issuer) return false;
  if (q.type !== undefined && d[2] !== q.type) return false;
  if (q.conf === 'unc' && !t[6]) return false;
  if (q.conf === 'sure' && t[6]) return false;
  if (q.q) {
    if (!folded) folded = TASKS.map(x => fold(x[2] + ' ' + x[3].map(a => a[5]).join(' ')));
    const words = fold(q.q).split(/\s+/).filter(Boolean);
    const f = folded[t.__i];
    if (!words.every(w => f.includes(w))) return false;
  }
  return true;
}
TASKS.forEach((t, i) => { Object.defineProperty(t, '__i', {value: i}); });

// ------------------------------------------------------------------ pieces
function legend() {
  return `<div class="legend" id="legend"><b>Chú giải:</b>
  <span><span class="chip lead">Chủ trì</span>cơ quan chủ trì</span>
  <span><span class="chip support">Phối hợp</span>cơ quan phối hợp</span>
  <span><span class="chip lead implicit">Viền nét đứt</span>kế thừa: câu không nêu tên, lấy từ mục, tiêu đề, câu dẫn, nơi gửi…</span>
  <span><span class="chip theme">Chủ đề</span>chủ đề của nhiệm vụ</span>
  <span><span class="chip unc-flag">? cần xem lại</span>độ tin cậy thấp${D.thresholds && Object.keys(D.thresholds).length ? ' (dưới ngưỡng của mô hình)' : ''}</span>
  <span>Ô bảng: ít<span class="sw"></span>nhiều nhiệm vụ</span></div>`;
}
function highlight(text, names) {
  let out = esc(text);
  [...new Set(names.filter(n => n && text.includes(n)))].sort((a, b) => b.length - a.length)
    .forEach(n => { out = out.split(esc(n)).join('<mark>' + esc(n) + '</mark>'); });
  return out;
}
function taskHtml(t) {
  const chips = t[3].map(a => {
    const cls = (a[1] === 0 ? 'lead' : 'support') + (a[2] ? '' : ' implicit');
    const how = a[2] ? 'nêu trong câu' : (D.sources[a[6]] || 'kế thừa');
    const title = `${a[1] === 0 ? 'Chủ trì' : 'Phối hợp'}: ${a[5]} (${how}; điểm ${a[3].toFixed(2)})`;
    return `<a class="chip ${cls}" href="${link('tasks', {agency: AG[a[0]][0], role: a[1] === 0 ? 'lead' : 'support'})}" title="${esc(title)}">${esc(AG[a[0]][1])}${a[4] ? ' ?' : ''}</a>`;
  }).join('') + t[4].map(x => `<a class="chip theme" href="${link('tasks', {theme: TH[x[0]][0]})}" title="điểm ${x[1].toFixed(2)}">${esc(TH[x[0]][1])}${x[2] ? ' ?' : ''}</a>`).join('')
    + (t[6] ? '<span class="chip unc-flag" title="Một nhãn của nhiệm vụ có độ tin cậy thấp">? cần xem lại</span>' : '');
  return `<div class="task${t[6] ? ' unc' : ''}" data-task="${t.__i}"><span class="sec">${esc(t[1] || '·')}</span>${highlight(t[2], t[3].filter(a => a[2]).map(a => a[5]))}<br>${chips}</div>`;
}
function docHead(di) {
  const d = DOCS[di];
  const meta = [d[4], d[6] && ('ngày ' + d[6].split('-').reverse().join('/')), LV[d[5]]].filter(Boolean).map(esc).join(' · ');
  return `<h3><a href="${link('tasks', {doc: di})}">${esc(docTitle(d))}</a> <span class="dm">${meta} · ${esc(d[0])}</span></h3>`;
}
function bars(entries, nameOf, hrefOf, top) {
  const items = entries.slice(0, top || 15);
  if (!items.length) return '<p class="muted">Không có.</p>';
  const peak = items[0][1];
  return '<div class="bars">' + items.map(([k, v]) => `<div><span class="lab"><a href="${hrefOf(k)}">${esc(nameOf(k))}</a></span><span class="track"><span class="fill" style="width:${(100 * v / peak).toFixed(1)}%"></span></span><span class="num">${v}</span></div>`).join('') + '</div>';
}
function options(list, current, all) {
  return `<option value="">${all}</option>` + list.map(([v, label]) => `<option value="${esc(v)}"${String(current) === String(v) ? ' selected' : ''}>${esc(label)}</option>`).join('');
}

// ------------------------------------------------------------------ views
function viewOverview() {
  const nUnc = TASKS.filter(t => t[6]).length, nInh = TASKS.filter(t => t[3].some(a => a[1] === 0 && !a[2])).length;
  const nErr = DOCS.filter(d => d[9]).length;
  const lead = TASKS.map(t => [leads(t), t[4].map(x => x[0])]);
  const agTot = count(lead, x => x[0]), thTot = count(lead, x => x[1]);
  const rows = agTot.map(x => x[0]), cols = thTot.map(x => x[0]);
  const cell = new Map();
  let peak = 1;
  lead.forEach(([as, ts]) => as.forEach(a => ts.forEach(t => { const k = a + ':' + t; const v = (cell.get(k) || 0) + 1; cell.set(k, v); peak = Math.max(peak, v); })));
  const agTotal = Object.fromEntries(agTot), thTotal = Object.fromEntries(thTot);
  let m = `<table class="matrix" id="matrix"><thead><tr><th class="row">Cơ quan chủ trì \\ chủ đề</th>` +
    cols.map(c => `<th class="col" title="${esc(TH[c][1])}"><span><a href="${link('tasks', {theme: TH[c][0]})}">${esc(TH[c][1])}</a></span></th>`).join('') + '<th class="tot">Tổng</th></tr></thead><tbody>';
  rows.forEach(r => {
    m += `<tr><th class="row" title="${esc(AG[r][2] || AG[r][1])}"><a href="${link('tasks', {agency: AG[r][0]})}">${esc(AG[r][1])}</a></th>`;
    cols.forEach(c => {
      const v = cell.get(r + ':' + c) || 0, a = v / peak;
      m += v ? `<td class="heat${a > .5 ? ' dark' : ''}" style="--a:${(0.06 + 0.94 * a).toFixed(2)}"><a href="${link('tasks', {agency: AG[r][0], theme: TH[c][0]})}" title="${esc(AG[r][1] + ' × ' + TH[c][1])}: ${v} nhiệm vụ">${v}</a></td>` : '<td></td>';
    });
    m += `<td class="n"><b>${agTotal[r]}</b></td></tr>`;
  });
  m += '<tr><th class="row">Tổng</th>' + cols.map(c => `<td><b>${thTotal[c]}</b></td>`).join('') + '<td></td></tr></tbody></table>';
  // issuer level x lead agency
  const lvls = Object.keys(LV).filter(l => DOCS.some(d => d[5] === l));
  const byLv = new Map();
  TASKS.forEach(t => leads(t).forEach(a => { const k = a + ':' + DOCS[t[0]][5]; byLv.set(k, (byLv.get(k) || 0) + 1); }));
  let lv = `<table class="levels" id="levels"><thead><tr><th>Cơ quan chủ trì \\ cấp ban hành</th>${lvls.map(l => `<th class="n">${esc(LV[l])}</th>`).join('')}</tr></thead><tbody>`;
  rows.forEach(r => {
    lv += `<tr><th><a href="${link('tasks', {agency: AG[r][0]})}">${esc(AG[r][1])}</a></th>` + lvls.map(l => {
      const v = byLv.get(r + ':' + l) || 0;
      return `<td class="n">${v ? `<a href="${link('tasks', {agency: AG[r][0], level: l || 'none'})}" title="${esc(LV[l])} giao cho ${esc(AG[r][1])}: ${v} nhiệm vụ">${v}</a>` : ''}</td>`;
    }).join('') + '</tr>';
  });
  lv += '</tbody></table>';
  return `<section class="stats"><span><b>${DOCS.length}</b> văn bản</span><span><b>${TASKS.length}</b> nhiệm vụ</span>
    <span><b>${nInh}</b> có cơ quan chủ trì kế thừa</span><span><a href="${link('tasks', {conf: 'unc'})}"><b>${nUnc}</b> cần xem lại</a></span>
    <span class="${nErr ? 'err' : ''}"><b>${nErr}</b> tệp lỗi</span></section>
  <section>${legend()}</section>
  <section><h2>Cơ quan chủ trì × chủ đề</h2><p class="muted">Số nhiệm vụ; bấm vào một ô để xem các nhiệm vụ.</p>${m}</section>
  <section><h2>Ai giao cho ai: cấp ban hành × cơ quan chủ trì</h2><p class="muted">Bấm vào một số để xem các nhiệm vụ mà cấp đó giao cho cơ quan đó.</p>${lv}</section>`;
}

function viewTasks(q) {
  const list = TASKS.filter(t => matches(t, q));
  const limit = Math.max(PAGE, parseInt(q.n || PAGE, 10) || PAGE);
  const role = q.role || 'lead';
  const agOpts = AG.map((a, i) => [a[0], a[1]]).filter(([id]) => TASKS.some(t => t[3].some(x => AG[x[0]][0] === id)));
  const thOpts = TH.map(t => [t[0], t[1]]).filter(([id]) => TASKS.some(t => t[4].some(x => TH[x[0]][0] === id)));
  const issuers = count(DOCS, d => d[4] ? [d[4]] : []).map(([k, v]) => [k, `${k} (${v})`]);
  const types = count(DOCS, d => d[2] ? [d[2]] : []).map(([k, v]) => [k, `${docTypeName(k)} (${v})`]);
  const levels = Object.keys(LV).filter(l => DOCS.some(d => d[5] === l)).map(l => [l || 'none', LV[l]]);
  const docOpts = DOCS.map((d, i) => [i, `${docTitle(d)} — ${d[4] || d[0]}`]);
  const f = `<form class="filters" id="filters" onsubmit="return false">
    <label>Tìm trong nhiệm vụ<input type="search" name="q" value="${esc(q.q || '')}" placeholder="vd. hiến máu, Mặt trận"></label>
    <label>Cơ quan<select name="agency">${options(agOpts, q.agency, 'Tất cả cơ quan')}</select></label>
    <label>Vai trò của cơ quan<select name="role">${options([['lead', 'Chủ trì'], ['support', 'Phối hợp'], ['any', 'Chủ trì hoặc phối hợp']], role, 'Chủ trì').replace('<option value="">Chủ trì</option>', '')}</select></label>
    <label>Chủ đề<select name="theme">${options(thOpts, q.theme, 'Tất cả chủ đề')}</select></label>
    <label>Cấp ban hành<select name="level">${options(levels, q.level, 'Tất cả các cấp')}</select></label>
    <label>Cơ quan ban hành<select name="issuer">${options(issuers, q.issuer, 'Tất cả cơ quan ban hành')}</select></label>
    <label>Loại văn bản<select name="type">${options(types, q.type, 'Tất cả loại')}</select></label>
    <label>Độ tin cậy<select name="conf">${options([['unc', 'Chỉ nhiệm vụ cần xem lại'], ['sure', 'Chỉ nhiệm vụ chắc chắn']], q.conf, 'Tất cả')}</select></label>
    <label>Văn bản<select name="doc">${options(docOpts, q.doc, 'Tất cả văn bản')}</select></label>
    <label><button type="button" id="reset">Xóa bộ lọc</button></label></form>`;
  const nDocs = new Set(list.map(t => t[0])).size;
  const facets = list.length ? `<div class="facets" id="facets">
    <div><b>Cấp ban hành:</b> ${count(list, t => [DOCS[t[0]][5]]).map(([k, v]) => `<a href="${link('tasks', {...q, level: k || 'none', n: ''})}">${esc(LV[k])} (${v})</a>`).join(' ')}</div>
    <div><b>Cơ quan chủ trì:</b> ${count(list, leads).slice(0, 8).map(([k, v]) => `<a href="${link('tasks', {...q, agency: AG[k][0], role: 'lead', n: ''})}">${esc(AG[k][1])} (${v})</a>`).join(' ')}</div>
    <div><b>Chủ đề:</b> ${count(list, t => t[4].map(x => x[0])).slice(0, 8).map(([k, v]) => `<a href="${link('tasks', {...q, theme: TH[k][0], n: ''})}">${esc(TH[k][1])} (${v})</a>`).join(' ')}</div>
    <div><b>Cơ quan ban hành:</b> ${count(list, t => DOCS[t[0]][4] ? [DOCS[t[0]][4]] : []).slice(0, 6).map(([k, v]) => `<a href="${link('tasks', {...q, issuer: k, n: ''})}">${esc(k)} (${v})</a>`).join(' ')}</div></div>` : '';
  let body = '', last = -1;
  list.slice(0, limit).forEach(t => {
    if (t[0] !== last) { body += (last >= 0 ? '</div>' : '') + `<div class="doc">${docHead(t[0])}`; last = t[0]; }
    body += taskHtml(t);
  });
  if (last >= 0) body += '</div>';
  const more = list.length > limit ? `<div class="more"><a id="more" href="${link('tasks', {...q, n: limit + PAGE})}">Xem thêm ${Math.min(PAGE, list.length - limit)} nhiệm vụ (đang hiện ${limit} / ${list.length})</a></div>` : '';
  return `<section>${f}</section><section><div class="count" id="count">${list.length} nhiệm vụ trong ${nDocs} văn bản</div>${facets}${legend()}<div id="results">${body || '<p class="muted">Không có nhiệm vụ nào khớp bộ lọc.</p>'}</div>${more}</section>`;
}

function viewAgencies() {
  const rows = AG.map((a, i) => {
    const asLead = TASKS.filter(t => t[3].some(x => x[0] === i && x[1] === 0));
    const asSup = TASKS.filter(t => t[3].some(x => x[0] === i && x[1] === 1));
    return [i, asLead, asSup];
  }).filter(r => r[1].length || r[2].length).sort((a, b) => b[1].length - a[1].length);
  return `<section><h2>Cơ quan được giao nhiệm vụ</h2><table id="agency-table"><thead><tr><th>Cơ quan</th><th class="n">Chủ trì</th><th class="n">Phối hợp</th><th>Chủ đề chính (chủ trì)</th><th>Giao bởi (cấp)</th></tr></thead><tbody>` +
    rows.map(([i, l, s]) => `<tr><td><a href="${link('agency/' + AG[i][0])}"><b>${esc(AG[i][1])}</b></a><div class="muted">${esc(AG[i][2])}</div></td>
      <td class="n"><a href="${link('tasks', {agency: AG[i][0]})}">${l.length}</a></td><td class="n"><a href="${link('tasks', {agency: AG[i][0], role: 'support'})}">${s.length}</a></td>
      <td>${count(l, t => t[4].map(x => x[0])).slice(0, 3).map(([k, v]) => `<a href="${link('tasks', {agency: AG[i][0], theme: TH[k][0]})}">${esc(TH[k][1])}</a> (${v})`).join(', ')}</td>
      <td>${count(l, t => [DOCS[t[0]][5]]).map(([k, v]) => `<a href="${link('tasks', {agency: AG[i][0], level: k || 'none'})}">${esc(LV[k])}</a> (${v})`).join(', ')}</td></tr>`).join('') + '</tbody></table></section>';
}

function viewAgency(id) {
  const i = agIdx[id];
  if (i === undefined) return '<section><p>Không có cơ quan này.</p></section>';
  const l = TASKS.filter(t => t[3].some(x => x[0] === i && x[1] === 0));
  const s = TASKS.filter(t => t[3].some(x => x[0] === i && x[1] === 1));
  return `<section><h2>${esc(AG[i][1])}</h2><p class="muted">${esc(AG[i][2])}</p>
    <p><a href="${link('tasks', {agency: id})}"><b>${l.length}</b> nhiệm vụ chủ trì</a> · <a href="${link('tasks', {agency: id, role: 'support'})}"><b>${s.length}</b> nhiệm vụ phối hợp</a></p>
    <div class="cols"><div><h3>Ai giao (cấp ban hành)</h3>${bars(count(l, t => [DOCS[t[0]][5]]), k => LV[k], k => link('tasks', {agency: id, level: k || 'none'}))}
    <h3>Cơ quan ban hành</h3>${bars(count(l, t => DOCS[t[0]][4] ? [DOCS[t[0]][4]] : []), k => k, k => link('tasks', {agency: id, issuer: k}))}</div>
    <div><h3>Chủ đề</h3>${bars(count(l, t => t[4].map(x => x[0])), k => TH[k][1], k => link('tasks', {agency: id, theme: TH[k][0]}), 25)}
    <h3>Phối hợp với (khi chủ trì)</h3>${bars(count(l, t => agenciesOf(t, 'support')), k => AG[k][1], k => link('agency/' + AG[k][0]))}</div></div></section>`;
}

function viewThemes() {
  const rows = TH.map((t, i) => [i, TASKS.filter(x => x[4].some(y => y[0] === i))]).filter(r => r[1].length).sort((a, b) => b[1].length - a[1].length);
  return `<section><h2>Chủ đề</h2><table id="theme-table"><thead><tr><th>Chủ đề</th><th class="n">Nhiệm vụ</th><th>Cơ quan chủ trì chính</th><th>Cấp ban hành</th></tr></thead><tbody>` +
    rows.map(([i, l]) => `<tr><td><a href="${link('theme/' + TH[i][0])}"><b>${esc(TH[i][1])}</b></a></td><td class="n"><a href="${link('tasks', {theme: TH[i][0]})}">${l.length}</a></td>
      <td>${count(l, leads).slice(0, 3).map(([k, v]) => `<a href="${link('tasks', {theme: TH[i][0], agency: AG[k][0]})}">${esc(AG[k][1])}</a> (${v})`).join(', ')}</td>
      <td>${count(l, t => [DOCS[t[0]][5]]).map(([k, v]) => `<a href="${link('tasks', {theme: TH[i][0], level: k || 'none'})}">${esc(LV[k])}</a> (${v})`).join(', ')}</td></tr>`).join('') + '</tbody></table></section>';
}

function viewTheme(id) {
  const i = thIdx[id];
  if (i === undefined) return '<section><p>Không có chủ đề này.</p></section>';
  const l = TASKS.filter(t => t[4].some(x => x[0] === i));
  return `<section><h2>${esc(TH[i][1])}</h2><p><a href="${link('tasks', {theme: id})}"><b>${l.length}</b> nhiệm vụ</a></p>
    <div class="cols"><div><h3>Cơ quan chủ trì</h3>${bars(count(l, leads), k => AG[k][1], k => link('tasks', {theme: id, agency: AG[k][0]}))}</div>
    <div><h3>Cấp ban hành</h3>${bars(count(l, t => [DOCS[t[0]][5]]), k => LV[k], k => link('tasks', {theme: id, level: k || 'none'}))}
    <h3>Cơ quan ban hành</h3>${bars(count(l, t => DOCS[t[0]][4] ? [DOCS[t[0]][4]] : []), k => k, k => link('tasks', {theme: id, issuer: k}))}</div></div></section>`;
}

function viewDocs(q) {
  const needle = fold(q.q || '');
  const rows = DOCS.map((d, i) => [d, i]).filter(([d]) => !needle || fold(d.join(' ')).includes(needle));
  return `<section><h2>Văn bản</h2><form class="filters" onsubmit="return false"><label>Tìm văn bản (số, loại, cơ quan, tên tệp)<input type="search" id="docsearch" value="${esc(q.q || '')}"></label></form>
    <p class="count">${rows.length} văn bản</p><table id="doc-table"><thead><tr><th>Văn bản</th><th>Cơ quan ban hành</th><th>Cấp</th><th>Ngày</th><th>Người ký</th><th class="n">Nhiệm vụ</th><th class="n">Cần xem lại</th><th>Tệp</th></tr></thead><tbody>` +
    rows.map(([d, i]) => `<tr><td><a href="${link('tasks', {doc: i})}">${esc(docTitle(d))}</a></td><td>${esc(d[4])}</td><td>${esc(LV[d[5]])}</td><td>${esc(d[6])}</td><td>${esc(d[7])}</td>
      <td class="n">${d[8]}</td><td class="n">${TASKS.filter(t => t[0] === i && t[6]).length || ''}</td><td>${esc(d[1])}${d[9] ? `<div class="err">${esc(d[9])}</div>` : ''}</td></tr>`).join('') + '</tbody></table></section>';
}

function viewCompare() {
  const C = D.compare;
  // issuer x agency x theme, from the tasks themselves
  const m = new Map();
  TASKS.forEach(t => { const is = DOCS[t[0]][4] || '(không rõ)'; leads(t).forEach(a => t[4].forEach(x => { const k = is + '\u0001' + a + '\u0001' + x[0]; m.set(k, (m.get(k) || 0) + 1); })); });
  const top = [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, 60);
  let html = `<section><h2>Cơ quan ban hành nào giao chủ đề nào cho cơ quan nào</h2><table id="issuer-table"><thead><tr><th>Cơ quan ban hành</th><th>Cơ quan chủ trì</th><th>Chủ đề</th><th class="n">Nhiệm vụ</th></tr></thead><tbody>` +
    top.map(([k, v]) => { const [is, a, t] = k.split('\u0001'); return `<tr><td>${esc(is)}</td><td>${esc(AG[a][1])}</td><td>${esc(TH[t][1])}</td><td class="n"><a href="${link('tasks', {issuer: is === '(không rõ)' ? '' : is, agency: AG[a][0], theme: TH[t][0]})}">${v}</a></td></tr>`; }).join('') +
    '</tbody></table><p class="muted">60 bộ ba nhiều nhất; đầy đủ trong compare_issuers.csv (sau khi chạy <code>vanban compare</code>).</p></section>';
  if (!C) return html + '<section><h2>Nhiệm vụ được văn bản khác triển khai</h2><p>Chưa có: chạy <code>vanban compare THƯ_MỤC_KẾT_QUẢ</code> để so khớp nhiệm vụ giữa các văn bản.</p></section>';
  const byDoc = Object.fromEntries(DOCS.map((d, i) => [d[0], i]));
  const taskKey = new Map(TASKS.map(t => [DOCS[t[0]][0] + '#' + t[7], t]));
  html += `<section id="links"><h2>Nhiệm vụ được văn bản khác triển khai</h2><p class="muted">Độ giống (cosine trên từ) ≥ ${C.threshold}; ${C.links.length} cặp văn bản, ${C.pairs} cặp nhiệm vụ. “Trích dẫn” khi văn bản sau nhắc số hiệu văn bản trước.</p>`;
  C.links.slice(0, 80).forEach(l => {
    const a = DOCS[byDoc[l.source]], b = DOCS[byDoc[l.target]];
    if (!a || !b) return;
    html += `<details><summary><b>${esc(docTitle(a))}</b> (${esc(a[4])}) → <b>${esc(docTitle(b))}</b> (${esc(b[4])}): ${l.matches.length} nhiệm vụ${l.cites ? ' · trích dẫn' : ''}</summary>` +
      l.matches.map(p => { const x = taskKey.get(l.source + '#' + p[0]), y = taskKey.get(l.target + '#' + p[1]); return x && y ? `<div class="pair"><div>${taskHtml(x)}</div><div>${taskHtml(y)}</div><div class="sim">${p[2].toFixed(2)}</div></div>` : ''; }).join('') + '</details>';
  });
  return html + '</section>';
}

// ------------------------------------------------------------------ routing
function render() {
  const {path, q} = parseHash();
  const [view, arg] = path.split('/');
  const name = view || 'overview';
  document.querySelectorAll('#nav a').forEach(a => a.classList.toggle('on', a.dataset.view === (name === 'agency' ? 'agencies' : name === 'theme' ? 'themes' : name)));
  let html;
  if (name === 'tasks') html = viewTasks(q);
  else if (name === 'agencies') html = viewAgencies();
  else if (name === 'agency') html = viewAgency(decodeURIComponent(arg || ''));
  else if (name === 'themes') html = viewThemes();
  else if (name === 'theme') html = viewTheme(decodeURIComponent(arg || ''));
  else if (name === 'docs') html = viewDocs(q);
  else if (name === 'compare') html = viewCompare();
  else html = viewOverview();
  app.innerHTML = html;
  app.dataset.view = name;
  const form = document.getElementById('filters');
  if (form) {
    const go = () => {
      const nq = {};
      new FormData(form).forEach((v, k) => { if (v) nq[k] = v; });
      if (nq.role === 'lead') delete nq.role;
      location.hash = link('tasks', nq);
    };
    form.querySelectorAll('select').forEach(s => s.addEventListener('change', go));
    const inp = form.querySelector('input[name=q]');
    let timer = null;
    inp.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(go, 300); });
    inp.addEventListener('keydown', e => { if (e.key === 'Enter') { clearTimeout(timer); go(); } });
    document.getElementById('reset').addEventListener('click', () => { location.hash = link('tasks', {}); });
    if (q.q && document.activeElement !== inp && sessionStorage.getItem('vb-focus') === 'q') { inp.focus(); inp.setSelectionRange(inp.value.length, inp.value.length); }
    inp.addEventListener('focus', () => sessionStorage.setItem('vb-focus', 'q'));
    inp.addEventListener('blur', () => sessionStorage.removeItem('vb-focus'));
  }
  const ds = document.getElementById('docsearch');
  if (ds) { ds.addEventListener('change', () => { location.hash = link('docs', {q: ds.value}); }); }
  document.body.dataset.ready = '1';
}
window.addEventListener('hashchange', () => { render(); window.scrollTo(0, 0); });
render();
"""
