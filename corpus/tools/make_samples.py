"""Write the sample files in the formats documents arrive in, from the project's own written corpus.

    python corpus/tools/make_samples.py          # needs LibreOffice (soffice) and fonts-liberation

- ``samples/g5_01.docx``: a written document typeset as a Word file (two-column letterhead table);
- ``samples/g6_01.pdf``: another one as a PDF with a text layer (LibreOffice's export);
- ``samples/g8_01_scan.png``: the first page of a third, rendered at 200 dpi as a scanner would
  deliver it: turned by 0.8°, slightly blurred, with a red stamp and a handwritten note.

Deterministic apart from LibreOffice's PDF metadata (creation date).
"""

import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "evaluation"))

from pipeline.corpus import read_source  # noqa: E402
from scanner import ScanSettings, docx_to_pdf, render, scan, typeset_docx  # noqa: E402

SAMPLES = HERE.parent / "samples"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        typeset_docx(read_source(HERE / "src" / "g5_01.txt").text, SAMPLES / "g5_01.docx")
        pdf = docx_to_pdf(typeset_docx(read_source(HERE / "src" / "g6_01.txt").text, tmp / "g6_01.docx"), tmp)
        shutil.copyfile(pdf, SAMPLES / "g6_01.pdf")
        pdf = docx_to_pdf(typeset_docx(read_source(HERE / "src" / "g8_01.txt").text, tmp / "g8_01.docx"), tmp)
        page = render(pdf, 300, pages=[0])[0]
        rng = np.random.default_rng(801)
        settings = ScanSettings(dpi=200, angle=0.8, blur=0.5, stamp=True, note="Đ/c Hùng theo dõi")
        (SAMPLES / "g8_01_scan.png").write_bytes(scan(page, settings, rng, rendered_dpi=300))
    for p in sorted(SAMPLES.glob("g[568]_01*.*")):
        print(p.relative_to(HERE.parent), p.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
