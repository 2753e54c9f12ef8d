"""Plain text (.txt, .md): decode bytes to NFC text.

Decoding order: a BOM (UTF-8, UTF-16 LE/BE) wins; then strict UTF-8; then
Windows-1258 (the legacy Vietnamese code page, which decodes to combining marks
and is NFC-normalised here). Bytes that fit none of these, binary files and
empty files raise :class:`~pipeline.errors.InputError` with the reason; a batch
records it per file and goes on.
"""

from __future__ import annotations

import codecs
import unicodedata

from ..errors import InputError

SUFFIXES = (".txt", ".md")

_VI_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯ")


def decode(data: bytes) -> tuple[str, str]:
    """Decode document bytes to NFC text; return (text, encoding name)."""
    if not data:
        raise InputError("empty file")
    if data.startswith(codecs.BOM_UTF8):
        text, enc = data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    elif data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            text, enc = data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as e:
            raise InputError(f"invalid UTF-16 after its byte-order mark: {e.reason}") from None
    else:
        if b"\x00" in data[:8192]:
            raise InputError("binary file (NUL bytes): not a text document")
        try:
            text, enc = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as e:
            if e.reason == "unexpected end of data" and e.start >= len(data) - 3:
                # valid UTF-8 cut inside its last character (a truncated download or copy)
                text, enc = data[:e.start].decode("utf-8"), "utf-8 (last character truncated)"
            else:
                text, enc = _decode_legacy(data)
    text = unicodedata.normalize("NFC", text)
    if _looks_binary(text):
        raise InputError("binary file (control characters): not a text document")
    return text, enc


def _decode_legacy(data: bytes) -> tuple[str, str]:
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        raise InputError("not valid UTF-8, UTF-16 or Windows-1258 text; "
                         "convert the file to UTF-8 and run again") from None
    nfc = unicodedata.normalize("NFC", text)
    # Windows-1258 maps almost every byte, so accept it only when the result reads
    # as Vietnamese: typical letters present and few C1/odd symbols.
    odd = sum(1 for ch in nfc if unicodedata.category(ch) in ("Cc", "Co", "So") and ch not in "\n\r\t")
    viet = sum(1 for ch in nfc if ch in _VI_LETTERS or unicodedata.combining(ch)
               or (ord(ch) > 127 and unicodedata.category(ch) == "Ll"))
    if odd > max(2, len(nfc) // 200) or viet == 0:
        raise InputError("not valid UTF-8 and does not read as Windows-1258 Vietnamese; "
                         "convert the file to UTF-8 and run again")
    return text, "cp1258"


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    ctrl = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f\v")
    return ctrl > max(4, len(sample) // 100)
