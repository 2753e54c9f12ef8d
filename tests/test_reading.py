"""Stage 1, reading: decoding to NFC text and finding documents in a folder."""

from __future__ import annotations

import codecs
import hashlib
import os
import unicodedata

import pytest

from conftest import to_cp1258
from pipeline.errors import InputError
from pipeline.reading import decode, find_documents, read_document

TEXT = ("Ủy ban nhân dân tỉnh Thái Nguyên phấn đấu hoàn thành kế hoạch.\n"
        "Hội Chữ thập đỏ, Sở Y tế và Đoàn Thanh niên phối hợp thực hiện.")


ENCODINGS = [
    ("utf-8", TEXT.encode("utf-8"), "utf-8"),
    ("utf-8-bom", codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    ("utf-16-le", codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16"),
    ("utf-16-be", codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
    ("cp1258", to_cp1258(TEXT), "cp1258"),
    ("utf-8-nfd", unicodedata.normalize("NFD", TEXT).encode("utf-8"), "utf-8"),
]


@pytest.mark.parametrize("name,data,encoding", ENCODINGS, ids=[e[0] for e in ENCODINGS])
def test_reading_decode_gives_same_nfc_text(name, data, encoding):
    text, enc = decode(data)
    assert text == TEXT
    assert unicodedata.is_normalized("NFC", text)
    assert enc == encoding


def test_reading_cp1258_helper_really_uses_combining_tone_marks():
    # the fixture would prove nothing if it produced precomposed (UTF-8 like) bytes
    data = to_cp1258("Ủy")
    assert data == b"U\xd2y"           # U + combining hook above (0xD2) + y


def test_reading_bom_is_not_kept_in_text():
    text, _ = decode(codecs.BOM_UTF8 + "Kính gửi".encode())
    assert text == "Kính gửi"
    assert "\ufeff" not in text


@pytest.mark.parametrize("data,reason", [
    (b"", "empty"),
    (b"Ban D\xc3\xa2n v\xe1\xba\xadn\x00\x00\x01\x02 ch\xe1\xbb\xa7 tr\xc3\xac", "binary"),
    (b"\x81\x8d\x8f\x90\x9d\x81\x8d", "not valid UTF-8"),
    (bytes(range(128, 256)) * 3, "not valid UTF-8"),
    (codecs.BOM_UTF16_LE + b"\x00\xd8", "UTF-16"),
], ids=["empty", "nul-bytes", "undecodable", "high-bytes", "broken-utf16"])
def test_reading_decode_refuses_with_reason(data, reason):
    with pytest.raises(InputError, match=reason):
        decode(data)


def test_reading_truncated_utf8_is_not_read_as_cp1258():
    data = "Ban Dân vận chủ trì, phối hợp tổ chức hiến máu ở".encode("utf-8")[:-1]
    text, enc = decode(data)
    assert text == "Ban Dân vận chủ trì, phối hợp tổ chức hiến máu " and enc.startswith("utf-8")


def test_reading_decode_refuses_control_character_soup():
    data = ("abc" + "\x01\x02\x03\x04\x05\x06" * 10).encode()
    with pytest.raises(InputError, match="binary"):
        decode(data)


def test_reading_input_error_is_a_value_error():
    with pytest.raises(ValueError):
        decode(b"")


def test_reading_read_document_returns_text_encoding_and_sha256(tmp_path):
    data = codecs.BOM_UTF8 + TEXT.encode()
    p = tmp_path / "cv.txt"
    p.write_bytes(data)
    text, enc, digest = read_document(p)
    assert (text, enc) == (TEXT, "utf-8-sig")
    assert digest == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("content", [b"", b"\x00\x01binary\x00"], ids=["empty", "binary"])
def test_reading_read_document_bad_file_raises_input_error(tmp_path, content):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    with pytest.raises(InputError):
        read_document(p)


def test_reading_read_document_missing_file(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_document(tmp_path / "absent.txt")


def test_reading_read_document_folder(tmp_path):
    with pytest.raises(InputError, match="folder"):
        read_document(tmp_path)


def test_reading_unreadable_file_gives_input_error(tmp_path):
    p = tmp_path / "secret.txt"
    p.write_text("Ban Dân vận chủ trì.", encoding="utf-8")
    os.chmod(p, 0)
    try:
        if os.access(p, os.R_OK):
            pytest.skip("running as root: chmod 000 does not make the file unreadable")
        with pytest.raises(InputError, match="permission denied"):
            read_document(p)
    finally:
        os.chmod(p, 0o644)


@pytest.fixture()
def doc_tree(tmp_path):
    root = tmp_path / "docs"
    (root / "b" / "sub").mkdir(parents=True)
    (root / "a").mkdir()
    for rel in ["top.txt", "a/y.MD", "a/x.md", "b/sub/z.txt", "b/a.txt", "ignored.xlsx", "a/~$note.docx", "b/data.json"]:
        (root / rel).write_text("Ban Dân vận chủ trì.", encoding="utf-8")
    return root


def test_reading_find_documents_recursive_sorted_and_filtered(doc_tree):
    found, skipped = find_documents(doc_tree)
    rel = [p.relative_to(doc_tree).as_posix() for p in found]
    assert rel == ["a/x.md", "a/y.MD", "b/a.txt", "b/sub/z.txt", "top.txt"]
    assert skipped == []


def test_reading_find_documents_custom_suffixes(doc_tree):
    found, _ = find_documents(doc_tree, suffixes=(".json",))
    assert [p.name for p in found] == ["data.json"]


def test_reading_find_documents_survives_symlink_loop(doc_tree):
    os.symlink(doc_tree, doc_tree / "b" / "sub" / "loop")        # a folder linked to an ancestor
    os.symlink("..", doc_tree / "a" / "up")                       # a folder linked to its parent
    found, skipped = find_documents(doc_tree)
    rel = [p.relative_to(doc_tree).as_posix() for p in found]
    assert rel == ["a/x.md", "a/y.MD", "b/a.txt", "b/sub/z.txt", "top.txt"]
    reasons = {p.relative_to(doc_tree).as_posix(): why for p, why in skipped}
    assert set(reasons) == {"b/sub/loop", "a/up"}
    assert all("loop" in why for why in reasons.values())


def test_reading_find_documents_reports_broken_link(doc_tree):
    os.symlink(doc_tree / "nowhere.txt", doc_tree / "dangling.txt")
    found, skipped = find_documents(doc_tree)
    assert all(p.name != "dangling.txt" for p in found)
    assert [(p.name, why) for p, why in skipped] == [("dangling.txt", "broken symbolic link")]


def test_reading_find_documents_single_file(doc_tree):
    assert find_documents(doc_tree / "top.txt") == ([doc_tree / "top.txt"], [])


def test_reading_find_documents_missing_folder(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        find_documents(tmp_path / "nope")
