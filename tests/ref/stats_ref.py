# SPDX-License-Identifier: Apache-2.0
"""Reference formulas of shared/spec/statistics.md, straight from the text,
in NumPy: an implementation independent of custos's C code (no incremental
factorisation, no structured covariance, no Kalman filter)."""
import numpy as np


def muf_covariance(n, items):
    """items: dicts with x (grams), coef {period: +-1}, methods [(d_r, d_s,
    group key)], per_item divisor.  Sigma = A D_r A^T + sum_g d_g^2 (A x_g)(A x_g)^T."""
    a = np.zeros((n, len(items)))
    var_r = np.zeros(len(items))
    groups = {}
    for i, it in enumerate(items):
        for t, c in it["coef"].items():
            a[t, i] = c
        for d_r, d_s, key in it["methods"]:
            var_r[i] += (it["x"] * d_r) ** 2 / it.get("items", 1)
            g = groups.setdefault(key, [d_s, np.zeros(len(items))])
            g[1][i] += it["x"]
    cov = a @ np.diag(var_r) @ a.T
    for d_s, xg in groups.values():
        v = a @ xg
        cov += d_s ** 2 * np.outer(v, v)
    return cov


def sitmuf(muf, cov):
    low = np.linalg.cholesky(cov)
    return np.linalg.solve(low, muf)


def cumuf(muf, cov):
    n = len(muf)
    return np.cumsum(muf), np.array([np.sqrt(cov[: t + 1, : t + 1].sum()) for t in range(n)])


def gemuf(muf, cov):
    """MUF_1..t^T Sigma_t^-1 MUF_1..t for every t, each by its own solve."""
    return np.array([muf[: t + 1] @ np.linalg.solve(cov[: t + 1, : t + 1], muf[: t + 1])
                     for t in range(len(muf))])


def page(y, k, h):
    s, out, alarms = 0.0, [], []
    for v in y:
        s = max(0.0, s + v - k)
        out.append(s)
        alarms.append(s > h)
    return np.array(out), alarms
