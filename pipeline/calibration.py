"""Calibrated agency and theme scores, and the threshold below which a label is "uncertain".

The classifiers' raw scores rank labels but are not probabilities: a lead agency scored 0.8 is not right
four times out of five. ``vanban evaluate`` collects, on the held-out folds, every predicted label of a
task matched to a gold task with its raw score and whether it is right (in the gold task's set of that kind),
per kind: ``lead``, ``support``, ``theme``. An isotonic regression (scikit-learn's ``IsotonicRegression``)
fitted on these pairs maps a raw score to the observed share of right labels. It is stored as plain points
(no pickled object) in ``scores.json`` and, by ``vanban train --scores``, in the model's ``meta.json``
under ``calibration``; applying it is a linear interpolation between the points:

>>> cal = fit([0.5, 0.6, 0.7, 0.8, 0.9, 0.95], [0, 0, 1, 0, 1, 1])
>>> cal["x"], cal["y"]
([0.5, 0.6, 0.7, 0.8, 0.9, 0.95], [0.0, 0.0, 0.5, 0.5, 1.0, 1.0])
>>> round(float(apply(cal, 0.65)), 3), float(apply(cal, 0.99)), float(apply(cal, 0.1))   # clipped outside
(0.25, 1.0, 0.0)

Expected calibration error (ECE) over 10 equal-width bins of the score: the mean, weighted by the bin's
share of the labels, of the gap between the bin's mean score and its share of right labels.

>>> ece([0.9, 0.9, 0.9, 0.9], [1, 1, 1, 0])           # scores 0.9, right 3 times out of 4
0.15
>>> reliability([0.15, 0.9, 0.95], [0, 1, 1])
[{'bin': '0.1–0.2', 'n': 1, 'score': 0.15, 'accuracy': 0.0}, {'bin': '0.9–1.0', 'n': 2, 'score': 0.925, 'accuracy': 1.0}]

The rule for the default threshold: a label whose calibrated probability of being right is below one half
(:data:`UNCERTAIN_BELOW`) is *uncertain*. With calibration the output scores are those probabilities, so the
model's ``meta["uncertain_below"]`` is 0.5 for every calibrated kind; :func:`raw_threshold` gives the raw score
that corresponds to it, which the evaluation report shows:

>>> default_uncertain_below({"lead": cal, "theme": cal})
{'lead': 0.5, 'theme': 0.5}
>>> raw_threshold(cal)
0.7
"""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np

KINDS = ("lead", "support", "theme")
BINS = 10
MAX_POINTS = 64          # a calibration map keeps at most this many points
MIN_PAIRS = 20           # fewer held-out labels of a kind than this: no calibration for that kind
UNCERTAIN_BELOW = 0.5    # default threshold: calibrated probability of being right below one half


def fit(scores: Sequence[float], correct: Sequence[int], max_points: int = MAX_POINTS) -> dict:
    """An isotonic map from raw score to probability of being right, as points ``{"x": […], "y": […], "n": N}``
    (x increasing, y non-decreasing in [0, 1], both rounded to 4 decimals; thinned to ``max_points``)."""
    from sklearn.isotonic import IsotonicRegression

    s = np.asarray(scores, dtype=float)
    c = np.asarray(correct, dtype=float)
    if len(s) == 0 or len(s) != len(c):
        raise ValueError(f"fit needs as many scores as outcomes, at least one. Got {len(s)} and {len(c)}.")
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(s, c)
    xs, ys = np.round(iso.X_thresholds_, 4), np.round(np.clip(iso.y_thresholds_, 0.0, 1.0), 4)
    xs, first = np.unique(xs, return_index=True)          # rounding may merge two points: keep the first
    ys = ys[first]
    if len(xs) > max_points:
        keep = np.unique(np.round(np.linspace(0, len(xs) - 1, max_points)).astype(int))
        xs, ys = xs[keep], ys[keep]
    return {"x": [float(v) for v in xs], "y": [float(v) for v in ys], "n": int(len(s))}


def apply(points: dict, raw):
    """The calibrated probability of ``raw`` (a number or an array): interpolation between the points,
    clipped to the first and last point's value outside them."""
    return np.interp(raw, points["x"], points["y"])


def _bins(scores: np.ndarray, bins: int) -> np.ndarray:
    return np.clip((scores * bins).astype(int), 0, bins - 1)


def ece(scores: Sequence[float], correct: Sequence[int], bins: int = BINS) -> float | None:
    """Expected calibration error over ``bins`` equal-width bins of [0, 1] (None without labels)."""
    s, c = np.asarray(scores, dtype=float), np.asarray(correct, dtype=float)
    if len(s) == 0:
        return None
    b = _bins(s, bins)
    total = 0.0
    for k in np.unique(b):
        m = b == k
        total += m.sum() / len(s) * abs(s[m].mean() - c[m].mean())
    return round(float(total), 4)


def reliability(scores: Sequence[float], correct: Sequence[int], bins: int = BINS) -> list[dict]:
    """The reliability table: per non-empty bin, its range, label count, mean score and share of right labels."""
    s, c = np.asarray(scores, dtype=float), np.asarray(correct, dtype=float)
    b = _bins(s, bins) if len(s) else np.zeros(0, dtype=int)
    rows = []
    for k in range(bins):
        m = b == k
        if m.any():
            rows.append({"bin": f"{k / bins:.1f}–{(k + 1) / bins:.1f}", "n": int(m.sum()),
                         "score": round(float(s[m].mean()), 4), "accuracy": round(float(c[m].mean()), 4)})
    return rows


def cross_fitted(scores: Sequence[float], correct: Sequence[int], folds: Sequence[int],
                 min_pairs: int = MIN_PAIRS) -> np.ndarray | None:
    """Each label's calibrated score from a map fitted on the *other* folds' labels only, so that the
    calibrated ECE is measured on labels the map has not seen. None when some fold's complement has fewer
    than ``min_pairs`` labels.

    >>> cross_fitted([0.9, 0.9, 0.9, 0.9], [1, 1, 0, 0], [0, 0, 1, 1], min_pairs=1).tolist()
    [0.0, 0.0, 1.0, 1.0]
    """
    s, c, f = np.asarray(scores, dtype=float), np.asarray(correct, dtype=float), np.asarray(folds)
    out = np.zeros(len(s))
    for k in np.unique(f):
        own = f == k
        if (~own).sum() < max(min_pairs, 1):
            return None
        out[own] = apply(fit(s[~own], c[~own]), s[own])
    return out


def raw_threshold(points: dict, p: float = UNCERTAIN_BELOW) -> float | None:
    """The lowest raw score whose calibrated value reaches ``p`` (None when no score does)."""
    xs, ys = np.asarray(points["x"]), np.asarray(points["y"])
    above = np.nonzero(ys >= p)[0]
    if not len(above):
        return None
    i = int(above[0])
    if i == 0 or ys[i] == ys[i - 1]:
        return float(xs[i])
    x = xs[i - 1] + (p - ys[i - 1]) * (xs[i] - xs[i - 1]) / (ys[i] - ys[i - 1])
    return round(float(x), 4)


def default_uncertain_below(calibration: dict) -> dict:
    """``meta["uncertain_below"]`` chosen from a calibration: :data:`UNCERTAIN_BELOW` for each calibrated kind."""
    return {k: UNCERTAIN_BELOW for k in KINDS if isinstance(calibration.get(k), dict)}


def calibrate_tasks(tasks: Iterable, calibration: dict | None) -> None:
    """Put calibrated scores on the tasks' agencies (by role) and themes, the raw one kept in ``raw_score``.
    Applying twice changes nothing (the raw score is what is calibrated)."""
    if not calibration:
        return
    for t in tasks:
        for label, kind in [(a, a.role) for a in t.agencies] + [(x, "theme") for x in t.themes]:
            points = calibration.get(kind)
            if not isinstance(points, dict):
                continue
            if label.raw_score is None:
                label.raw_score = label.score
            label.score = round(float(apply(points, label.raw_score)), 4)


def evaluate_pairs(pairs: dict, min_pairs: int = MIN_PAIRS) -> tuple[dict, dict]:
    """Figures and maps from held-out ``pairs`` (kind -> (raw scores, right or not, fold of each)).

    Returns the flat figures for ``scores.json`` (``calibration_ece_raw_lead``, ``calibration_ece_lead`` …,
    and ``calibration``: the points per kind fitted on every pair) and the reliability tables per kind.
    The calibrated ECE, reliability table and uncertain share use cross-fitted scores (:func:`cross_fitted`).
    """
    out: dict = {}
    tables: dict = {}
    maps: dict = {}
    for kind in KINDS:
        s, c, f = (np.asarray(v) for v in pairs.get(kind, ([], [], [])))
        out[f"calibration_n_{kind}"] = int(len(s))
        if len(s) == 0:
            continue
        out[f"calibration_accuracy_{kind}"] = round(float(c.mean()), 4)
        out[f"calibration_ece_raw_{kind}"] = ece(s, c)
        tables[kind] = {"raw": reliability(s, c)}
        if len(s) < min_pairs:
            continue
        maps[kind] = fit(s, c)
        out[f"calibration_raw_threshold_{kind}"] = raw_threshold(maps[kind])
        cal = cross_fitted(s, c, f, min_pairs) if len(np.unique(f)) > 1 else None
        if cal is not None:
            out[f"calibration_ece_{kind}"] = ece(cal, c)
            tables[kind]["calibrated"] = reliability(cal, c)
            low = cal < UNCERTAIN_BELOW
            out[f"calibration_uncertain_share_{kind}"] = round(float(low.mean()), 4)
            out[f"calibration_accuracy_uncertain_{kind}"] = round(float(c[low].mean()), 4) if low.any() else None
            out[f"calibration_accuracy_kept_{kind}"] = round(float(c[~low].mean()), 4) if (~low).any() else None
    out["calibration"] = maps
    out["calibration_uncertain_below"] = UNCERTAIN_BELOW
    return out, tables
