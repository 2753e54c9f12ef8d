#!/usr/bin/env bash
# Install vanban and the programs it reads documents with, on Debian or Ubuntu:
#   tesseract-ocr, tesseract-ocr-vie   scanned pages and images (OCR, Vietnamese model)
#   libreoffice-writer-nogui           legacy .doc (and .rtf, .odt) converted to .docx
#   fonts-liberation2                  Times-compatible font with every Vietnamese letter, for the
#                                      sample and benchmark pages (corpus/tools/make_samples.py, evaluation/)
#   chromium, chromium-driver          the report's tests in a real headless browser
# then the Python package with its test dependencies. Run from the repository's root.
set -euo pipefail
cd "$(dirname "$0")"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    tesseract-ocr tesseract-ocr-vie libreoffice-writer-nogui fonts-liberation2 chromium chromium-driver
python -m pip install -e ".[test]"
