"""Stage 1, reading: find documents in a folder and decode them to NFC text.

Decoding order: a BOM (UTF-8, UTF-16 LE/BE) wins; then strict UTF-8; then
Windows-1258 (the legacy Vietnamese code page, which decodes to combining marks
and is NFC-normalised here). Bytes that fit none of these, binary files and
empty files raise :class:`~pipeline.errors.InputError` with the reason; a batch
records it per file and goes on.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import unicodedata
from pathlib import Path

from .errors import InputError

SUFFIXES = (".txt", ".md")
MAX_BYTES = 16 * 1024 * 1024   # a larger file is recorded as an error: no directive is that long

_VI_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯ")


def find_documents(folder: str | Path, suffixes: tuple[str, ...] = SUFFIXES) -> tuple[list[Path], list[tuple[Path, str]]]:
    """Every document below ``folder`` (sorted), and the entries that were skipped with why.

    Symlinked folders are followed once: a link back into a folder already seen
    (a loop) is skipped and reported, not followed forever.
    """
    root = Path(folder)
    if not root.exists():
        raise InputError(f"Input folder {folder} does not exist.")
    if root.is_file():
        return [root], []
    found: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    seen: set[tuple[int, int]] = set()

    def walk(d: Path) -> None:
        try:
            st = d.stat()
        except OSError as e:
            skipped.append((d, f"cannot open folder: {e.strerror or e}"))
            return
        key = (st.st_dev, st.st_ino)
        if key in seen:
            skipped.append((d, "symbolic link loop: folder already visited"))
            return
        seen.add(key)
        try:
            entries = sorted(os.scandir(d), key=lambda e: e.name)
        except OSError as e:
            skipped.append((d, f"cannot list folder: {e.strerror or e}"))
            return
        for e in entries:
            p = Path(e.path)
            try:
                is_dir = e.is_dir()  # follows symlinks
            except OSError:
                is_dir = False
            if is_dir:
                walk(p)
            elif p.suffix.lower() in suffixes:
                if not p.exists():
                    skipped.append((p, "broken symbolic link"))
                else:
                    found.append(p)
    walk(root)
    found.sort(key=lambda p: p.relative_to(root).as_posix())
    return found, skipped


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


def read_bytes(path: str | Path) -> bytes:
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"file is {size // (1024 * 1024)} MB, above the {MAX_BYTES // (1024 * 1024)} MB limit")
        return p.read_bytes()
    except PermissionError:
        raise InputError("permission denied: the file cannot be read") from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file") from None
    except FileNotFoundError:
        raise InputError("file not found (deleted, or a broken link)") from None
    except OSError as e:
        raise InputError(f"cannot read the file: {e.strerror or e}") from None


def read_document(path: str | Path) -> tuple[str, str, str]:
    """Read and decode one file: (text, encoding, sha256 of the raw bytes)."""
    data = read_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    text, enc = decode(data)
    return text, enc, digest
