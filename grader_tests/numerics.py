"""Tolerances and error measures used by every check: each tolerance is named and justified once.

All comparisons are `max |a - b| <= atol + rtol * max |b|` (b the reference), reported with
the max absolute error so that students see how far off they are.
"""
import numpy as np

# float64: the student's and the reference code do the same arithmetic in a possibly different
# order (chunk vs slices, cat vs two matmuls); rounding differences stay near 1e-15 per op and
# grow mildly over a few dozen recurrent steps, so 1e-9 leaves a margin of 10^5 while any real
# bug (a swapped gate, a missing bias) shows errors of order 1e-2 or more.
FLOAT64 = {"rtol": 1e-7, "atol": 1e-9}
# float32: eps is 1.2e-7; a 3-layer, 9-step recurrence accumulates ~1e-6; TF32 on GPUs (if a
# student's setup enables it) is ~1e-3 relative, which we do not accept as "correct": the
# grader disables TF32 while checking.
FLOAT32 = {"rtol": 1e-4, "atol": 1e-5}


def tolerance(dtype):
    """The (rtol, atol) dict for a numpy or torch dtype name."""
    return FLOAT64 if "64" in str(dtype) else FLOAT32


def max_abs_error(actual, expected):
    """Max absolute difference, or inf when the shapes differ or a NaN appears."""
    actual, expected = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if actual.shape != expected.shape:
        return float("inf")
    if actual.size == 0:
        return 0.0
    diff = np.abs(actual - expected)
    if np.isnan(diff).any():
        return float("inf")
    return float(diff.max())


def rel_error(actual, expected):
    """cs231n-style relative error max |a - b| / max(1e-8, |a| + |b|)."""
    actual, expected = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    return float(np.max(np.abs(actual - expected) / np.maximum(1e-8, np.abs(actual) + np.abs(expected))))


def close(actual, expected, dtype):
    """True when `actual` matches `expected` within the tolerance of `dtype`."""
    tol = tolerance(dtype)
    err = max_abs_error(actual, expected)
    scale = float(np.max(np.abs(expected))) if np.size(expected) else 0.0
    return err <= tol["atol"] + tol["rtol"] * scale
