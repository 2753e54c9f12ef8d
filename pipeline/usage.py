"""Checks a command runs before any work, so that misuse costs one line and no time.

Each raises :class:`UsageError` (a :class:`~pipeline.errors.VanbanError`: the CLI prints one line and exits
with status 2) with what is wrong and what to do.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import ModelError, VanbanError


class UsageError(VanbanError, ValueError):
    """A command was given arguments it cannot work with (a file where a folder is needed, …)."""


def check_output_dir(path: str | Path) -> Path:
    """Create the output folder if needed and make sure files can be written in it."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise UsageError(f"output {p} is a file, not a folder: give a folder for the outputs (-o).")
    try:
        p.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UsageError(f"cannot create the output folder {p}: a part of its path is a file.") from None
    except OSError as e:
        raise UsageError(f"cannot create the output folder {p}: {e.strerror or e}.") from None
    try:
        fd, probe = tempfile.mkstemp(prefix=".vanban-write-test-", dir=p)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise UsageError(f"cannot write in the output folder {p}: {e.strerror or e}. "
                         "Choose a folder you can write to (-o).") from None
    return p


def check_model_dir(path: str | Path) -> dict:
    """meta.json of a model directory, readable and naming its model file's sha256 (no unpickling)."""
    from .model import read_meta

    meta = read_meta(path)
    if not isinstance(meta.get("sha256"), str):
        raise ModelError(f"{Path(path) / 'meta.json'} does not record the sha256 of model.joblib: it is not the "
                         "meta of a trained model. Restore the model directory or retrain it with `vanban train`.")
    return meta
