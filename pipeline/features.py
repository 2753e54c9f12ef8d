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
from functools import lru_cache, partial
from operator import is_not
from typing import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.pipeline import Pipeline

from .document import TaskContext

CONTEXT_COLUMNS = [f.name for f in fields(TaskContext)]
COLUMNS = ["text", "words", *CONTEXT_COLUMNS]


WORD_NGRAM_CACHE = 1 << 16     # distinct words whose n-grams are kept (Vietnamese has some 7,000 syllables)


class CharWordNgrams:
    """scikit-learn's ``analyzer="char_wb"`` (lower-cased character n-grams inside words, each word padded
    with a space) as a callable analyzer that computes each distinct word's n-grams once: a text's words
    are syllables, a few thousand of them, and the pure-Python n-gram loop was a twentieth of the
    pipeline's time. ``CharWordNgrams((2, 4))(text)`` equals ``TfidfVectorizer(analyzer="char_wb", ngram_range=(2,
    4)).build_analyzer()(text)``.

    >>> CharWordNgrams((2, 3))("Sở Y")
    [' s', 'sở', 'ở ', ' sở', 'sở ', ' y', 'y ', ' y ']
    """

    def __init__(self, ngram_range: tuple[int, int] = (2, 4)):
        self.ngram_range = tuple(ngram_range)

    def __call__(self, text: str) -> list[str]:
        out: list[str] = []
        for w in self.words(text):
            out += self.ngrams(w)
        return out

    @staticmethod
    def words(text: str) -> list[str]:
        """The words n-grams are read within: lower case, split at whitespace."""
        return text.lower().split()

    def ngrams(self, word: str) -> tuple[str, ...]:
        """One word's n-grams (cached)."""
        return _word_ngrams(word, *self.ngram_range)

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.ngram_range == self.ngram_range

    def __hash__(self) -> int:
        return hash((type(self), self.ngram_range))

    def __repr__(self) -> str:
        return f"CharWordNgrams({self.ngram_range})"


@lru_cache(maxsize=WORD_NGRAM_CACHE)
def _word_ngrams(word: str, lo: int, hi: int) -> tuple[str, ...]:
    """The n-grams of one word as scikit-learn's ``_char_wb_ngrams`` lists them (a word shorter than n gives
    itself once, padded)."""
    w = f" {word} "
    out = []
    for n in range(lo, hi + 1):
        if len(w) <= n:
            out.append(w)
            break
        out += [w[i:i + n] for i in range(len(w) - n + 1)]
    return tuple(out)


class CharNgramCounts(CountVectorizer):
    """scikit-learn's ``CountVectorizer`` with a :class:`CharWordNgrams` analyzer, whose ``transform`` reads each
    distinct word of a call once: n-grams never cross a word, so a text's counts are the sum of its words'.
    Each word's vocabulary indices are looked up once and scipy sums them (the per-n-gram dictionary loop of
    CountVectorizer was most of the time of the char features). The matrix is CountVectorizer's own (as a
    ``csr_matrix``); with another analyzer, or before fitting, ``transform`` is CountVectorizer's. Fitting is
    CountVectorizer's.

    >>> texts = ["Sở Y tế chủ trì", "sở y tế, sở tư pháp"]
    >>> c = CharNgramCounts(analyzer=CharWordNgrams((2, 3))).fit(texts)
    >>> (c.transform(texts) != CountVectorizer(analyzer=CharWordNgrams((2, 3))).fit(texts).transform(texts)).nnz
    0
    """

    def transform(self, raw_documents):
        analyzer = self.analyzer
        if type(analyzer) is not CharWordNgrams or isinstance(raw_documents, str) or not hasattr(self, "vocabulary_"):
            return super().transform(raw_documents)     # scikit-learn's own path and errors (not fitted, a string)
        index, known = self.vocabulary_.get, partial(is_not, None)
        of_word: dict[str, list[int]] = {}
        cols: list[int] = []
        indptr = [0]
        for doc in raw_documents:
            for w in analyzer.words(self.decode(doc)):
                ids = of_word.get(w)
                if ids is None:
                    ids = of_word[w] = [*filter(known, map(index, analyzer.ngrams(w)))]
                cols += ids
            indptr.append(len(cols))
        X = sp.csr_matrix((np.ones(len(cols), dtype=self.dtype), np.asarray(cols, dtype=np.int64),
                           np.asarray(indptr, dtype=np.int64)), shape=(len(indptr) - 1, len(self.vocabulary_)))
        X.sum_duplicates()            # a word's n-gram met twice, or two words sharing one: summed, indices sorted
        if self.binary:
            X.data.fill(1)
        return X


def char_ngrams(max_features: int | None, ngram_range: tuple[int, int] = (2, 4)) -> Pipeline:
    """TF-IDF over character n-grams within words (2–4 by default), which the detector and the theme model
    read beside the words (a scan's glued "chủtrì" shares most of its n-grams with "chủ trì") and the mention
    labeller reads alone: :class:`CharNgramCounts` then scikit-learn's ``TfidfTransformer``, the same matrix
    as ``TfidfVectorizer(analyzer=CharWordNgrams(ngram_range), sublinear_tf=True)``."""
    return Pipeline([("counts", CharNgramCounts(analyzer=CharWordNgrams(ngram_range), max_features=max_features)),
                     ("tfidf", TfidfTransformer(sublinear_tf=True))])


class ContextVectorizer(TfidfVectorizer):
    """scikit-learn's ``TfidfVectorizer`` for a column of context, which repeats one text over many rows (a
    document's title over each of its tasks, a list's lead-in over each of its items): ``transform`` reads
    each distinct text once and repeats its row, with the same result (the texts must be hashable: strings, as
    a context column holds). Fitting is TfidfVectorizer's own.

    >>> v = ContextVectorizer().fit(["ctx a b", "ctx b c"])
    >>> (v.transform(["ctx a b", "ctx b c", "ctx a b"]) != TfidfVectorizer().fit(["ctx a b", "ctx b c"]).transform(
    ...     ["ctx a b", "ctx b c", "ctx a b"])).nnz
    0
    """

    def transform(self, raw_documents):
        if isinstance(raw_documents, str):
            return super().transform(raw_documents)       # scikit-learn's own error for a single string
        row_of: dict = {}
        rows = [row_of.setdefault(text, len(row_of)) for text in raw_documents]
        return super().transform(list(row_of))[rows]


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
