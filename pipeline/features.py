"""The one feature path: from tasks (or candidates) with their context to the frame the estimators read.

Training, inference and evaluation all build their classifier input here, from
tasks that the same pipeline components produced, so the features a model was
trained on are the features it sees.

>>> from pipeline.document import Task, TaskContext
>>> X = task_frame([Task(id=0, text="Sở Y tế chủ trì.", start=0, end=16, context=TaskContext(heading="II. NHIỆM VỤ"))])
>>> X.loc[0, "text"], X.loc[0, "heading"], X.loc[0, "words"]
('Sở Y tế chủ trì.', 'II. NHIỆM VỤ', 'Sở Y tế chủ trì.')
"""

from __future__ import annotations

from dataclasses import fields
from typing import Sequence

import pandas as pd

from .document import TaskContext

CONTEXT_COLUMNS = [f.name for f in fields(TaskContext)]
COLUMNS = ["text", "words", *CONTEXT_COLUMNS]


def char_ngrams(max_features: int):
    """TF-IDF over character 2–4-grams within words, which the detector and the theme model read beside the
    words (a scan's glued "chủtrì" shares most of its n-grams with "chủ trì")."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, max_features=max_features)


def task_frame(items: Sequence, with_mentions: bool = True, docs: Sequence | None = None) -> pd.DataFrame:
    """One row per task or candidate: ``text``, ``words`` (segmented, else the text), every field of its
    :class:`~pipeline.document.TaskContext`, ``doc`` (which document it is from: ``docs``, else all one),
    and ``mentions`` (field → agency mentions) when the pipeline's mention component has set them."""
    rows = []
    has_mentions = False
    for t in items:
        ctx = t.context if isinstance(t.context, TaskContext) else TaskContext.from_dict(t.context)
        row = {"text": t.text, "words": getattr(t, "words", "") or t.text, **ctx.to_dict()}
        ms = getattr(t, "mentions", None)
        if with_mentions and ms:
            row["mentions"] = ms
            has_mentions = True
        rows.append(row)
    cols = COLUMNS + (["mentions"] if has_mentions else [])
    frame = pd.DataFrame(rows, columns=cols)
    frame["doc"] = list(docs) if docs is not None else [0] * len(frame)
    if has_mentions:
        frame["mentions"] = [r.get("mentions") or {} for r in rows]
    return frame
