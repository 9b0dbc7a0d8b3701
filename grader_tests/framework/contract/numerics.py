"""Tolerances and error measures used by every check: each tolerance is named and justified once.

All comparisons are `max |a - b| <= atol + rtol * max |b|` (b the reference), reported with
the max absolute error so that students see how far off they are.
"""
import math

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


# Finite differences: central, step FD_STEP, of a float64 function of order 1: truncation error
# ~FD_STEP^2 = 1e-12, rounding ~eps / FD_STEP = 1e-10; any real gradient bug is off by 1e-3 or
# more, so gradients agree with finite differences when within FD_TOLERANCE (relative to
# max(1, max |numerical gradient|)).
FD_STEP = 1e-6
FD_TOLERANCE = 1e-6

# Naming the likely bug: a student's numbers "match" a known wrong variant when they agree to
# VARIANT_TOLERANCE relative (a variant computed in another order differs by rounding only, and
# two different variants differ by far more).
VARIANT_TOLERANCE = 1e-6

# Initialisation checks. A uniform(-b, b) draw never exceeds b; casting the bound to float32
# may move it by one ulp, hence the relative slack per dtype.
INIT_BOUND_SLACK = {"float32": 1e-5, "float64": 1e-12}
# A correct uniform(-b, b) draw of n values: its sample std is b / sqrt(3) with a relative
# standard error of sqrt((kurtosis - 1) / (4 n)) = sqrt(0.2 / n) (a uniform's kurtosis is 1.8),
# and its mean is 0 with a standard error of b / sqrt(3 n). A check lets a correct draw stray
# UNIFORM_SIGMAS standard errors (about 6e-7 chance of a false failure per statistic), which still
# fails a normal(0, b) init (std ratio 1.73), an unscaled or a one-sided one: with n = 64 the std
# ratio must lie in (0.72, 1.28) and |mean| below 0.36 b; with n = 200, (0.84, 1.16) and 0.20 b.
# Torch modules are checked on weight matrices of >= UNIFORM_MIN_SAMPLES_TORCH values, numpy
# arrays on >= UNIFORM_MIN_SAMPLES, where the max must also reach UNIFORM_MAX_FRACTION of the
# bound (P(miss) = 0.8^64 ~ 6e-7).
UNIFORM_SIGMAS = 5.0
UNIFORM_MIN_SAMPLES = 64
UNIFORM_MIN_SAMPLES_TORCH = 200
UNIFORM_MAX_FRACTION = 0.8


def uniform_std_band(n):
    """The (low, high) band of std / (b / sqrt(3)) for a correct uniform draw of n values."""
    half = UNIFORM_SIGMAS * math.sqrt(0.2 / n)
    return 1.0 - half, 1.0 + half


def uniform_mean_limit(n):
    """The largest |mean| / b of a correct uniform(-b, b) draw of n values."""
    return UNIFORM_SIGMAS / math.sqrt(3.0 * n)


def numerical_gradient(f, x, step=FD_STEP):
    """Centred finite differences of the scalar function `f()` with respect to the array `x`,
    which is perturbed in place one element at a time and restored (cs231n's
    eval_numerical_gradient). `f` must read `x` anew on every call."""
    grad = np.zeros_like(x, dtype=np.float64)
    for idx in np.ndindex(*x.shape):
        old = x[idx]
        x[idx] = old + step
        plus = f()
        x[idx] = old - step
        minus = f()
        x[idx] = old
        grad[idx] = (plus - minus) / (2 * step)
    return grad


def std_ratio_uniform(w, bound):
    """Sample std of `w` over the std b / sqrt(3) of uniform(-b, b)."""
    return float(np.std(w)) / (bound / np.sqrt(3.0))


def matches_variant(actual, expected):
    """True when `actual` agrees with a known variant's `expected` to VARIANT_TOLERANCE."""
    err = max_abs_error(actual, expected)
    return err <= VARIANT_TOLERANCE * max(1.0, float(np.max(np.abs(expected))) if np.size(expected) else 1.0)


# Normal initialisation (Kaiming normal, std weight_scale): the sample std of n normal draws has
# a relative spread of 1/sqrt(2n); NORMAL_STD_SIGMAS of those is a band a correct init leaves
# with probability < 1e-6, while a wrong fan-in (another layer size) or a wrong scale is off by
# far more on the tensor sizes the tests draw (n >= 200).
NORMAL_STD_SIGMAS = 5.0
# Telling a normal from a uniform of the same std: the sample kurtosis is 3 for a normal and 1.8
# for a uniform, with a spread of sqrt(24/n); from NORMAL_KURTOSIS_MIN_SAMPLES draws on, a
# threshold half-way (2.4) is more than 7 spreads from either.
NORMAL_KURTOSIS_MIN_SAMPLES = 1000
NORMAL_KURTOSIS_THRESHOLD = 2.4


def normal_std_band(n):
    """The relative band (low, high) around the expected std for n normal draws."""
    spread = NORMAL_STD_SIGMAS / np.sqrt(2.0 * max(n, 1))
    return 1.0 - spread, 1.0 + spread


def kurtosis(values):
    values = np.asarray(values, dtype=np.float64).ravel()
    centred = values - values.mean()
    var = float(np.mean(centred ** 2))
    return float(np.mean(centred ** 4) / var ** 2) if var > 0 else 0.0
