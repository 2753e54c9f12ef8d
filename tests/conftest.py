"""Shared fixtures of the test suite (session-scoped: models and matchers load once).

Later stages are tested on hand-built inputs written here or in the test
modules, never on the output of earlier stages over the seed documents.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the suite runs from a source checkout, not an installed package
    sys.path.insert(0, str(ROOT))


# --------------------------------------------------------------------------- helpers

def to_cp1258(text: str) -> bytes:
    """Encode Vietnamese text the way legacy Windows-1258 files store it.

    Windows-1258 has precomposed â ê ô ơ ư ă đ but the five tone marks only as
    combining characters: decompose (NFD), put back the base letters the code
    page has, keep the tone marks combining.
    """
    out = []
    for ch in unicodedata.normalize("NFC", text):
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], list(decomposed[1:])
        for mark in list(marks):
            composed = unicodedata.normalize("NFC", base + mark)
            if len(composed) == 1:
                try:
                    composed.encode("cp1258")
                except UnicodeEncodeError:
                    continue
                base = composed
                marks.remove(mark)
        out.append(base + "".join(marks))
    return "".join(out).encode("cp1258")


# --------------------------------------------------------------------------- paths

@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def corpus_dir(repo_root) -> Path:
    return repo_root / "corpus"


# --------------------------------------------------------------------------- lexicon / segmentation

@pytest.fixture(scope="session")
def default_matcher():
    from pipeline.lexicon import AgencyMatcher

    return AgencyMatcher.default()


@pytest.fixture(scope="session")
def segmenter(default_matcher):
    from pipeline.segmentation import Segmenter

    return Segmenter(matcher=default_matcher)


@pytest.fixture(scope="session")
def plain_segmenter():
    from pipeline.segmentation import Segmenter

    return Segmenter(use_lexicon=False)


# --------------------------------------------------------------------------- classification data

# Custom label ids: they exist nowhere in the code or in data/, so a classifier
# that predicts them learned its label set from y.
AGENCIES = {
    "a": ("team_a", "Ban Tuyên giáo"),
    "b": ("team_b", "Sở Y tế"),
    "c": ("team_c", "Hội Chữ thập đỏ"),
    "d": ("team_d", "Đoàn Thanh niên"),
}


def agencies(lead: str, support: tuple[str, ...] = ()) -> list[dict]:
    out = [{"id": AGENCIES[lead][0], "name": AGENCIES[lead][1], "role": "lead", "explicit": True}]
    out += [{"id": AGENCIES[s][0], "name": AGENCIES[s][1], "role": "support", "explicit": True} for s in support]
    return out


TRAIN_TASKS = [
    ("Ban Tuyên giáo chủ trì tuyên truyền sâu rộng về kế hoạch.", agencies("a"), ["media"]),
    ("Ban Tuyên giáo chủ trì, phối hợp với Sở Y tế tuyên truyền về hiến máu.", agencies("a", ("b",)), ["media", "blood"]),
    ("Ban Tuyên giáo định hướng báo chí đưa tin về phong trào.", agencies("a"), ["media"]),
    ("Ban Tuyên giáo phối hợp với Đoàn Thanh niên biên soạn tài liệu tuyên truyền.", agencies("a", ("d",)), ["media"]),
    ("Ban Tuyên giáo hướng dẫn quán triệt nội dung kế hoạch.", agencies("a"), ["media"]),
    ("Ban Tuyên giáo tổ chức tuyên truyền trên các phương tiện thông tin.", agencies("a"), ["media"]),
    ("Sở Y tế chủ trì tổ chức các đợt hiến máu tình nguyện.", agencies("b"), ["blood"]),
    ("Sở Y tế phối hợp với Hội Chữ thập đỏ tiếp nhận máu an toàn.", agencies("b", ("c",)), ["blood"]),
    ("Sở Y tế bảo đảm cơ sở vật chất cho các điểm hiến máu.", agencies("b"), ["blood"]),
    ("Sở Y tế chủ trì, phối hợp với Ban Tuyên giáo kiểm tra việc thực hiện.", agencies("b", ("a",)), ["audit"]),
    ("Sở Y tế báo cáo kết quả hiến máu định kỳ.", agencies("b"), ["audit", "blood"]),
    ("Sở Y tế kiểm tra chất lượng máu tại các bệnh viện.", agencies("b"), ["audit"]),
    ("Hội Chữ thập đỏ vận động hội viên tham gia hiến máu.", agencies("c"), ["blood"]),
    ("Hội Chữ thập đỏ chủ trì, phối hợp với Đoàn Thanh niên tổ chức ngày hội hiến máu.", agencies("c", ("d",)), ["blood"]),
    ("Hội Chữ thập đỏ kiểm tra, giám sát việc sử dụng kinh phí.", agencies("c"), ["audit"]),
    ("Hội Chữ thập đỏ phối hợp với Sở Y tế vận động người dân hiến máu.", agencies("c", ("b",)), ["blood"]),
    ("Hội Chữ thập đỏ tuyên truyền về hoạt động nhân đạo.", agencies("c"), ["media"]),
    ("Hội Chữ thập đỏ báo cáo kết quả thực hiện về Tỉnh ủy.", agencies("c"), ["audit"]),
    ("Đoàn Thanh niên vận động đoàn viên tham gia hiến máu tình nguyện.", agencies("d"), ["blood"]),
    ("Đoàn Thanh niên chủ trì, phối hợp với Hội Chữ thập đỏ tổ chức ngày hội.", agencies("d", ("c",)), ["blood"]),
    ("Đoàn Thanh niên tuyên truyền trên mạng xã hội.", agencies("d"), ["media"]),
    ("Đoàn Thanh niên kiểm tra việc thực hiện của các cơ sở đoàn.", agencies("d"), ["audit"]),
    ("Đoàn Thanh niên phối hợp với Ban Tuyên giáo tổ chức cuộc thi tìm hiểu.", agencies("d", ("a",)), ["media"]),
    ("Đoàn Thanh niên thực hiện các nhiệm vụ khác được giao.", agencies("d"), ["khac"]),
    ("Sở Y tế thực hiện các nhiệm vụ khác được giao.", agencies("b"), ["khac"]),
    ("Ban Tuyên giáo thực hiện các nhiệm vụ khác được giao.", agencies("a"), ["khac"]),
    ("Hội Chữ thập đỏ thực hiện các nhiệm vụ khác do cấp trên giao.", agencies("c"), ["khac"]),
    ("Ban Tuyên giáo kiểm tra, đôn đốc việc tuyên truyền.", agencies("a"), ["audit", "media"]),
]
TRAIN_HEADINGS = ["Công tác tuyên truyền", "Công tác hiến máu", "Kiểm tra giám sát", "Nhiệm vụ khác"]


@pytest.fixture(scope="session")
def train_frame():
    """(X, agency targets, theme targets) of the hand-built training set."""
    from pipeline.classification import task_frame

    X = task_frame([{"text": text, "context": {"heading": TRAIN_HEADINGS[i % len(TRAIN_HEADINGS)]}}
                    for i, (text, _, _) in enumerate(TRAIN_TASKS)])
    return X, [a for _, a, _ in TRAIN_TASKS], [t for _, _, t in TRAIN_TASKS]


@pytest.fixture(scope="session")
def agency_clf(train_frame):
    from pipeline.classification import AgencyClassifier

    X, y, _ = train_frame
    return AgencyClassifier().fit(X, y)


@pytest.fixture(scope="session")
def theme_clf(train_frame):
    from pipeline.classification import ThemeClassifier

    X, _, y = train_frame
    return ThemeClassifier().fit(X, y)


# --------------------------------------------------------------------------- gold documents / model

GOLD_SOURCES = [
    """#meta number=12-KH/TU | type=kế hoạch | issuer=Ban Thường vụ Tỉnh ủy Hà Tĩnh | place=Hà Tĩnh | date=2024-03-05 | signer=Nguyễn Văn An
TỈNH ỦY HÀ TĨNH
Số 12-KH/TU
Hà Tĩnh, ngày 5 tháng 3 năm 2024
KẾ HOẠCH
Căn cứ Nghị quyết số 05-NQ/TU của Tỉnh ủy về công tác hiến máu.
I. NHIỆM VỤ
1. Công tác tuyên truyền
- {{Ban Tuyên giáo chủ trì tuyên truyền về hiến máu tình nguyện.|lead=team_a:Ban Tuyên giáo|themes=media}}
- {{Sở Y tế tổ chức các điểm hiến máu tình nguyện.|lead=team_b:Sở Y tế|themes=blood}}
- {{Hội Chữ thập đỏ chủ trì, phối hợp với Sở Y tế vận động hội viên tham gia hiến máu.|lead=team_c:Hội Chữ thập đỏ|support=team_b:Sở Y tế|themes=blood}}
2. Công tác kiểm tra
- {{Ban Tuyên giáo kiểm tra việc tuyên truyền về hiến máu.|lead=team_a:Ban Tuyên giáo|themes=audit,media}}
- {{Sở Y tế báo cáo kết quả hiến máu tình nguyện.|lead=team_b:Sở Y tế|themes=audit}}
T/M BAN THƯỜNG VỤ
BÍ THƯ
Nguyễn Văn An
""",
    """#meta number=7-CV/TU | type=công văn | issuer=null | place=Vinh | date=2024-01-10 | signer=null
THÀNH ỦY VINH
Số 7-CV/TU
Vinh, ngày 10 tháng 1 năm 2024
Thời gian qua công tác hiến máu đạt nhiều kết quả.
1. {{Hội Chữ thập đỏ tuyên truyền về hiến máu tình nguyện trong hội viên.|lead=team_c:Hội Chữ thập đỏ|themes=media,blood}}
2. {{Ban Tuyên giáo phối hợp với Hội Chữ thập đỏ kiểm tra công tác tuyên truyền.|lead=team_a:Ban Tuyên giáo|support=team_c:Hội Chữ thập đỏ|themes=audit}}
3. {{Sở Y tế chủ trì tổ chức hiến máu tình nguyện tại các bệnh viện.|lead=team_b:Sở Y tế|themes=blood}}
4. {{Hội Chữ thập đỏ báo cáo kết quả kiểm tra về Thành ủy.|lead=team_c:Hội Chữ thập đỏ|themes=audit}}
""",
]
GOLD_LABELSET = {"agencies": {"team_a": "propaganda", "team_b": "health", "team_c": "red cross"},
                 "themes": {"media": "", "blood": "", "audit": ""}}


@pytest.fixture(scope="session")
def gold_labelset() -> dict:
    return {"agencies": dict(GOLD_LABELSET["agencies"]), "themes": dict(GOLD_LABELSET["themes"])}


@pytest.fixture(scope="session")
def gold_docs():
    from pipeline.corpus import GoldDocument, parse_source

    docs = []
    for i, src in enumerate(GOLD_SOURCES):
        meta, text, tasks = parse_source(src)
        docs.append(GoldDocument(doc_id=f"doc{i}", text=text, meta=meta, tasks=tasks))
    return docs


@pytest.fixture(scope="session")
def tiny_model(gold_docs, gold_labelset, segmenter):
    from pipeline import training

    return training.fit(gold_docs, gold_labelset, segmenter=segmenter)


@pytest.fixture(scope="session")
def saved_model_dir(tiny_model, tmp_path_factory):
    from pipeline import model

    d = tmp_path_factory.mktemp("model")
    model.save(tiny_model, d)
    return d
