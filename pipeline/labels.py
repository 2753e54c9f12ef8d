"""What people read instead of label ids: Vietnamese display names, issuer levels, the "uncertain" flag.

Outputs (CSV, report, review files, comparisons) carry both the stable ids of the output contract and
the names an analyst reads. Names come from the label set's ``names`` table (``corpus/labelset.json``,
carried by a trained model as ``nlp.labelset``), falling back to the package's table for the default
taxonomy (``pipeline/data/label_names.json``), then to the theme descriptions, then to the id itself.

>>> info = LabelInfo.default()
>>> info.agency("mttq_doan_the"), info.theme("tro_giup_nhan_dao")
('Mặt trận Tổ quốc, đoàn thể', 'Trợ giúp nhân đạo, an sinh')
>>> info.agency("nhom_moi")                      # an id of a team's own taxonomy without a name
'nhom moi'
>>> issuer_level("Ủy ban nhân dân tỉnh Đắk Lắk"), issuer_level("Thủ tướng Chính phủ"), issuer_level(None)
('tinh', 'trung_uong', '')

A task entry (agency or theme) is *uncertain* when it says so (``"uncertain": true``) or when its score is
below the threshold the model's meta gives (``meta["uncertain_below"]``: one number, or one per kind
``{"lead": …, "support": …, "theme": …, "task": …}``). A model trained with ``vanban train --scores`` from an
evaluation has calibrated scores (:mod:`pipeline.calibration`: a score is then the probability that the label
is right, on held-out documents) and ``uncertain_below`` 0.5 for each calibrated kind, unless
``--uncertain-below`` or an edit of meta.json says otherwise:

>>> info = LabelInfo.default(meta={"uncertain_below": {"theme": 0.5}})
>>> info.is_uncertain({"id": "hien_mau", "score": 0.42}, "theme"), info.is_uncertain({"score": 0.9, "uncertain": True}, "lead")
(True, True)
>>> info.is_uncertain({"id": "cap_uy", "score": 0.42}, "lead")         # no threshold for leads
False
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data" / "label_names.json"

LEVELS = {"trung_uong": "Trung ương", "tinh": "Cấp tỉnh", "huyen": "Cấp huyện", "xa": "Cấp xã", "": "Không rõ"}
ROLES = {"lead": "Chủ trì", "support": "Phối hợp"}
SOURCES = {"text": "nêu trong câu", "item": "kế thừa từ mục", "heading": "kế thừa từ tiêu đề",
           "lead_in": "kế thừa từ câu dẫn", "addressees": "kế thừa từ nơi gửi", "issuer": "kế thừa từ cơ quan ban hành",
           "recipients": "kế thừa từ nơi nhận", "inherited": "kế thừa"}


@lru_cache(maxsize=1)
def _package_names() -> dict:
    return json.loads(_DATA.read_text(encoding="utf-8"))


def _humanise(label_id: str) -> str:
    return label_id.replace("_", " ")


@dataclass
class LabelInfo:
    """Display names of agency and theme ids, and the thresholds below which a score is "uncertain"."""

    agencies: dict = field(default_factory=dict)      # id -> short Vietnamese name
    themes: dict = field(default_factory=dict)        # id -> Vietnamese name
    descriptions: dict = field(default_factory=dict)  # agency id -> what it covers (labelset.json)
    thresholds: dict = field(default_factory=dict)    # kind ("lead", "support", "theme", "task") -> score

    @classmethod
    def default(cls, labelset: dict | None = None, meta: dict | None = None) -> "LabelInfo":
        """Names from ``labelset`` (a label set or a model's ``nlp.labelset``) over the package's table;
        thresholds from a model's ``meta`` (``uncertain_below``)."""
        base = _package_names()
        labelset = labelset or {}
        own = labelset.get("names") or {}
        agencies = {**base.get("agencies", {}), **own.get("agencies", {})}
        themes = {**base.get("themes", {}), **own.get("themes", {})}
        for tid, desc in (labelset.get("themes") or {}).items():
            themes.setdefault(tid, desc)
        for aid in labelset.get("agencies") or {}:
            agencies.setdefault(aid, _humanise(aid))
        return cls(agencies, themes, dict(labelset.get("agencies") or {}), thresholds_from_meta(meta))

    @classmethod
    def for_model(cls, model) -> "LabelInfo":
        """For a loaded :class:`~pipeline.language.Pipeline` or a model directory (only its meta.json is read)."""
        if model is None:
            return cls.default()
        if isinstance(model, (str, Path)):
            try:
                meta = json.loads((Path(model) / "meta.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                meta = {}
            return cls.default(meta.get("labelset") if isinstance(meta.get("labelset"), dict) else None, meta)
        return cls.default(getattr(model, "labelset", None), getattr(model, "meta", None))

    def agency(self, label_id: str) -> str:
        return self.agencies.get(label_id) or _humanise(label_id)

    def theme(self, label_id: str) -> str:
        return self.themes.get(label_id) or _humanise(label_id)

    def is_uncertain(self, entry: dict, kind: str) -> bool:
        """``kind``: "lead", "support", "theme" or "task"."""
        if entry.get("uncertain"):
            return True
        t = self.thresholds.get(kind)
        s = entry.get("score")
        return t is not None and isinstance(s, (int, float)) and s < t

    def task_uncertain(self, task: dict) -> bool:
        """A task is uncertain when it says so, or when it or any of its agencies or themes is."""
        if task.get("uncertain") or self.is_uncertain(task, "task"):
            return True
        return any(self.is_uncertain(a, a.get("role", "lead")) for a in task.get("agencies") or []) or \
            any(self.is_uncertain(x, "theme") for x in task.get("themes") or [])


def thresholds_from_meta(meta: dict | None) -> dict:
    """``meta["uncertain_below"]``: a number (every kind) or a dict per kind; {} when absent."""
    v = (meta or {}).get("uncertain_below")
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return {k: float(v) for k in ("lead", "support", "theme")}
    if isinstance(v, dict):
        out = {k: float(x) for k, x in v.items() if isinstance(x, (int, float)) and not isinstance(x, bool)}
        if "agency" in out:
            out.setdefault("lead", out["agency"])
            out.setdefault("support", out["agency"])
        return out
    return {}


# --------------------------------------------------------------------------- issuers

_CENTRAL = re.compile(r"\b(?:chính phủ|thủ tướng|bộ chính trị|ban bí thư|trung ương|quốc hội|chủ tịch nước|"
                      r"bộ [a-zđà-ỹ]|ủy ban thường vụ quốc hội|tòa án nhân dân tối cao|viện kiểm sát nhân dân tối cao|"
                      r"kiểm toán nhà nước|ngân hàng nhà nước)", re.I)
_CITY_PROVINCES = ("hà nội", "hồ chí minh", "hải phòng", "đà nẵng", "cần thơ", "huế")
_COMMUNE = re.compile(r"\b(?:xã|phường|thị trấn|đặc khu)\b", re.I)
_DISTRICT = re.compile(r"\b(?:huyện|quận|thị xã|huyện ủy|quận ủy|thị ủy)\b", re.I)
_PROVINCE = re.compile(r"\b(?:tỉnh|tỉnh ủy|sở)\b", re.I)


def issuer_level(issuer: str | None) -> str:
    """The administrative level of an issuing body: "trung_uong", "tinh", "huyen", "xa" or "" (unknown).

    Read from the issuer's own words: a central body; a commune, ward or town; a district; a province or a
    centrally governed city ("thành phố Hà Nội" is a province, "thành phố Vinh" a district-level city).
    """
    if not issuer:
        return ""
    s = unicodedata.normalize("NFC", " ".join(issuer.split())).lower()
    if _COMMUNE.search(s):
        return "xa"
    if _DISTRICT.search(s):
        return "huyen"
    m = re.search(r"\bthành (?:phố|ủy)\s+(.+)$", s)
    if m:
        return "tinh" if any(m.group(1).startswith(c) for c in _CITY_PROVINCES) else "huyen"
    if _PROVINCE.search(s):
        return "tinh"
    if _CENTRAL.search(s):
        return "trung_uong"
    return ""
