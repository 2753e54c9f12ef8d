"""Tables as converters flatten them: one cell after another, each after a line holding only "|".

Web and Word converters often write a table as ``|`` / cell / ``|`` / cell … with two ``|`` lines
between rows (and an empty cell as ``|`` / ``|`` as well). :func:`rule_table` is a cleanup rule that
gives such a block back its shape, with local replacements only (so the offset map stays exact):

- a **grid** (at least three rows of at least three columns, no cell a page long): one line per row, cells
  separated by `` | ``, line breaks inside a cell joined; the structure parser then reads task tables
  ("Nội dung | Cơ quan chủ trì | Cơ quan phối hợp …") row by row;
- any other block (a letterhead in two columns, a signature block, a whole letter laid out in a table):
  each cell its own paragraph.

>>> raw = "|\\nTT\\n|\\nNội dung\\n|\\nChủ trì\\n|\\n|\\n1\\n|\\nTập huấn\\ncán bộ\\n|\\nSở Nội vụ\\n|\\n|\\n2\\n|\\nKiểm tra\\n|\\nSở Y tế\\n|\\n"
>>> from pipeline.cleanup import apply_replacements
>>> print(apply_replacements(raw, rule_table(raw)))
TT | Nội dung | Chủ trì
1 | Tập huấn cán bộ | Sở Nội vụ
2 | Kiểm tra | Sở Y tế
<BLANKLINE>
<BLANKLINE>
"""

from __future__ import annotations

import re

Replacement = tuple[int, int, str]

_SEP = re.compile(r"^[ \t]*\|[ \t]*$")
_INDEX = re.compile(r"^[\s*]*(?:\d{1,3}|[IVXLC]{1,6}|[a-zđ])[.)]?[\s*]*$")
MAX_GRID_CELL = 1500          # a cell longer than this is a page of text: the block is a layout table
MAX_GAP_LINES = 15            # more lines than this without a separator: the table has ended
ROW_SEP = " | "
CELL, ROW = ROW_SEP, "\n"


def _lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _blocks(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(first line, last line) of each run of lines holding table separators: a run ends at a blank line
    not followed by a separator, or when text runs on for more than ``MAX_GAP_LINES`` lines without one
    (the body of a letter that follows its letterhead table)."""
    blocks = []
    i, n = 0, len(lines)
    while i < n:
        if not _SEP.match(text[lines[i][0]:lines[i][1]]):
            i += 1
            continue
        j = last_sep = i
        while j + 1 < n:
            nxt = text[lines[j + 1][0]:lines[j + 1][1]]
            if _SEP.match(nxt):
                last_sep = j + 1
            elif not nxt.strip():
                k = j + 1
                while k < n and not text[lines[k][0]:lines[k][1]].strip():
                    k += 1
                if k >= n or not _SEP.match(text[lines[k][0]:lines[k][1]]):
                    break
                j = k - 1          # over the blank run at once (line by line, each rescanned it: quadratic)
            elif j + 1 - last_sep > MAX_GAP_LINES:
                break
            j += 1
        blocks.append((i, last_sep))
        i = last_sep + 1
    return blocks


def _cells(text: str, lines: list[tuple[int, int]], a: int, b: int) -> list[tuple[int, int, list[int]]]:
    """Cells of block lines a..b: (first content line, last content line, separator lines before it)."""
    cells, seps, content = [], [], []
    for k in range(a, b + 1):
        s, e = lines[k]
        if _SEP.match(text[s:e]):
            if content:
                cells.append((content[0], content[-1], seps))
                content, seps = [], []
            seps.append(k)
        elif text[s:e].strip():
            content.append(k)
    if content:
        cells.append((content[0], content[-1], seps))
    return cells


def _rows(text: str, lines, cells) -> list[list[tuple[int, int, list[int]]]]:
    """Cells grouped into rows: a row ends at two or more separators in a row, or when it has as many
    cells as the header and the next cell looks like a row number."""
    rows: list[list] = [[]]
    for c in cells:
        if rows[-1] and len(c[2]) >= 2:
            rows.append([])
        rows[-1].append(c)
    return [r for r in rows if r]


def _cell_text(text: str, lines, c) -> str:
    return " ".join(text[lines[k][0]:lines[k][1]].strip() for k in range(c[0], c[1] + 1))


def _is_grid(text: str, lines, rows) -> bool:
    wide = [r for r in rows if len(r) >= 3]
    if len(wide) < 3 or len(wide) < 0.6 * len(rows):
        return False
    return all(len(_cell_text(text, lines, c)) <= MAX_GRID_CELL for r in rows for c in r)


def _width(text: str, lines, rows) -> int:
    """The number of columns: the last of the row's cells that form the header (short cells, the first
    row holding three or more); cells a longer row has before them belong to the title above the table."""
    for r in rows:
        if len(r) < 3:
            continue
        texts = [_cell_text(text, lines, c) for c in r]
        k = len(texts)
        while k > 0 and len(texts[k - 1]) < 80:
            k -= 1
        return len(texts) - k if len(texts) - k >= 3 else len(texts)
    return 0


def rule_table(text: str) -> list[Replacement]:
    lines = _lines(text)
    out: list[Replacement] = []
    for a, b in _blocks(text, lines):
        cells = _cells(text, lines, a, b)
        if not cells:
            continue
        rows = _rows(text, lines, cells)
        grid = _is_grid(text, lines, rows)
        width = _width(text, lines, rows) if grid else 0
        first = True
        for r in rows:
            extra = max(0, len(r) - width) if grid else 0     # cells before the table's own columns: a title
            for ci, c in enumerate(r):
                start = min(lines[c[2][0]][0] if c[2] else lines[c[0]][0], lines[c[0]][0])
                if first:
                    new, prev_end = "", start
                else:
                    if not grid or ci < extra:
                        new = "\n\n"
                    elif ci == extra:
                        new = ROW if not extra else "\n\n"
                    else:
                        new = CELL
                    # replace from the end of the previous cell's last line
                    prev_end = start - 1 if start > 0 and text[start - 1] == "\n" else start
                out.append((prev_end, lines[c[0]][0], new))
                first = False
                if grid and ci >= extra:      # line breaks inside a cell
                    for k in range(c[0], c[1]):
                        out.append((lines[k][1], lines[k + 1][0], " "))
        # the separators after the last cell
        last = rows[-1][-1][1]
        tail_start, tail_end = lines[last][1], lines[b][1]
        if tail_end > tail_start:
            out.append((tail_start, tail_end, "\n"))
    out.sort()
    merged: list[Replacement] = []
    for s, e, new in out:
        if merged and s < merged[-1][1]:
            continue
        if s == e and not new:
            continue
        merged.append((s, e, new))
    return merged
