# SPDX-License-Identifier: GPL-2.0
"""Medians, quantiles and distribution-free confidence intervals, with the standard library only.

The interval of a median is the order-statistics one: for n samples, the k-th smallest and
the k-th largest, with k the largest for which the binomial coverage, the chance that the true
median lies between them, is still at least the level asked for. It assumes nothing about the
shape of the distribution, only independent samples. With fewer than 6 samples no pair reaches
95 %; the interval is then the whole range, and its coverage says how much less it is.
"""

from math import comb


def median(xs):
    return quantile(xs, 0.5)


def quantile(xs, q):
    """The q-quantile, interpolated linearly between order statistics."""
    s = sorted(xs)
    if not s:
        raise ValueError("no samples")
    pos = (len(s) - 1) * q
    low = int(pos)
    high = min(low + 1, len(s) - 1)
    return s[low] + (s[high] - s[low]) * (pos - low)


def coverage(n, k):
    """The chance that [x_(k), x_(n+1-k)] (1-based) holds the median of the distribution."""
    return sum(comb(n, i) for i in range(k, n - k + 1)) / 2**n


def median_ci(xs, level=0.95):
    """(low, high, coverage) of the median of xs."""
    s = sorted(xs)
    n = len(s)
    if n == 0:
        raise ValueError("no samples")
    best = 1
    for k in range(1, n // 2 + 1):
        if coverage(n, k) >= level:
            best = k
    return s[best - 1], s[n - best], coverage(n, best)


def summary(xs, level=0.95):
    low, high, cover = median_ci(xs, level)
    return {"n": len(xs), "median": median(xs), "ci": [low, high], "coverage": round(cover, 4)}
