"""Headless Chromium (Debian's ``chromium`` + ``chromium-driver``) driven by Selenium, for the report tests.

No browser is downloaded: the driver is ``/usr/bin/chromedriver`` (or ``$CHROMEDRIVER``) and the browser
``/usr/bin/chromium`` (or ``$CHROMIUM``). When either is missing this raises, so a CI without them fails
loudly instead of skipping: ``.ci/run`` installs both.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage", "--lang=vi"]


def _find(env: str, *names: str) -> str:
    p = os.environ.get(env) or next((shutil.which(n) for n in names if shutil.which(n)), None)
    if not p or not Path(p).exists():
        raise RuntimeError(f"{names[0]} is not installed: the report's browser tests need Debian's chromium and "
                           "chromium-driver (apt-get install chromium chromium-driver), as .ci/run installs them.")
    return p


@contextmanager
def chromium(width: int = 1400, height: int = 900):
    """A Selenium WebDriver on a fresh headless Chromium profile; quits and removes the profile afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = _find("CHROMIUM", "chromium", "chromium-browser")
    driver_path = _find("CHROMEDRIVER", "chromedriver")
    profile = tempfile.mkdtemp(prefix="vanban-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = binary
    for f in FLAGS + [f"--user-data-dir={profile}", f"--window-size={width},{height}"]:
        opts.add_argument(f)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=opts)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
