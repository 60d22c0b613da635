#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The detection-probability Monte Carlo of custos (src/lib/pd.c) written
the NumPy way, vectorised over replicates: the same model (bidiagonal
factor of the random part, one normal per period and per systematic
group), the same Kalman filter for SITMUF, the same five tests under no
diversion and under the diversion.  Reads the problem custos wrote, prints
its alarm counts and its rate as JSON.

usage: pd_numpy.py PROBLEM.json REPLICATES"""
import json
import math
import sys
import time

import numpy as np


def setup(p):
    n = len(p["muf"])
    rvar, rcov = np.array(p["random_variance"]), np.array(p["random_covariance"])
    u = np.array(p["systematic"]).reshape(-1, n)  # g x n
    g = u.shape[0]
    a, b = np.zeros(n), np.zeros(n)
    for t in range(n):
        b[t] = rcov[t] / a[t - 1] if t and a[t - 1] > 0 else 0.0
        piv = rvar[t] - b[t] ** 2
        a[t] = math.sqrt(piv) if piv > 1e-12 * rvar[t] else 0.0
    dim = g + 1
    P = np.eye(dim)
    kw, kz, inv_s = np.zeros(n), np.zeros((n, g)), np.zeros(n)
    deg = np.zeros(n, bool)
    for t in range(n):
        h = np.concatenate([[b[t]], u[:, t]])
        ph = P @ h
        S = h @ ph + a[t] ** 2
        var = rvar[t] + (u[:, t] ** 2).sum()
        if S <= 1e-9 * var:
            deg[t] = True
            P[0, :] = 0
            P[:, 0] = 0
            P[0, 0] = 1
            continue
        inv_s[t], kw[t], kz[t] = 1 / math.sqrt(S), a[t] / S, ph[1:] / S
        P[1:, 1:] -= np.outer(ph[1:], ph[1:]) / S
        P[0, 0] = 1 - a[t] ** 2 / S
        P[0, 1:] = P[1:, 0] = -a[t] * ph[1:] / S
    cov = np.diag(rvar) + np.diag(rcov[1:], 1) + np.diag(rcov[1:], -1) + u.T @ u
    z = float(p["z"])
    thr_muf = z * np.sqrt(np.diag(cov))
    thr_cum = z * np.sqrt(np.array([cov[: t + 1, : t + 1].sum() for t in range(n)]))
    return dict(n=n, g=g, a=a, b=b, u=u, kw=kw, kz=kz, inv_s=inv_s, deg=deg, thr_muf=thr_muf,
                thr_cum=thr_cum, thr_ge=np.array(p["thr_gemuf"]), mu=np.array(p["diversion"]),
                z=z, k=float(p["k"]), h=float(p["h"]), delta=np.array(p["delta"]))


def chunk(s, rng, R):
    n, g = s["n"], s["g"]
    zz = rng.standard_normal((g + n, R))
    zeta, W = zz[:g], zz[g:]
    sys_part = s["u"].T @ zeta  # n x R: u_t . zeta for every t at once
    wprev, m0 = np.zeros(R), np.zeros(R)
    mz = np.zeros((g, R))
    cum0, cum1, pg0, pg1, ge0, ge1 = (np.zeros(R) for _ in range(6))
    al = np.zeros((2, 5, R), bool)
    for t in range(n):
        o = s["a"][t] * W[t] + s["b"][t] * wprev + sys_part[t]
        e = o - s["b"][t] * m0 - s["u"][:, t] @ mz
        wprev = W[t]
        mu = s["mu"][t]
        al[0, 0] |= o > s["thr_muf"][t]
        al[1, 0] |= o + mu > s["thr_muf"][t]
        cum0 += o
        cum1 += o + mu
        al[0, 1] |= cum0 > s["thr_cum"][t]
        al[1, 1] |= cum1 > s["thr_cum"][t]
        if s["deg"][t]:
            m0 = np.zeros(R)
            continue
        mz += np.outer(s["kz"][t], e)
        m0 = s["kw"][t] * e
        y0 = e * s["inv_s"][t]
        y1 = y0 + s["delta"][t]
        al[0, 2] |= y0 > s["z"]
        al[1, 2] |= y1 > s["z"]
        pg0 = np.maximum(pg0 + y0 - s["k"], 0)
        pg1 = np.maximum(pg1 + y1 - s["k"], 0)
        al[0, 3] |= pg0 > s["h"]
        al[1, 3] |= pg1 > s["h"]
        ge0 += y0 * y0
        ge1 += y1 * y1
        al[0, 4] |= ge0 > s["thr_ge"][t]
        al[1, 4] |= ge1 > s["thr_ge"][t]
    return al.sum(axis=2)


def main():
    p = json.load(open(sys.argv[1]))
    reps = int(sys.argv[2])
    s = setup(p)
    rng = np.random.default_rng(12345)
    counts = np.zeros((2, 5), np.int64)
    t0 = time.perf_counter()
    done = 0
    while done < reps:
        r = min(20000, reps - done)
        counts += chunk(s, rng, r)
        done += r
    dt = time.perf_counter() - t0
    print(json.dumps({"replicates": reps, "seconds": dt, "rate": reps * s["n"] / dt,
                      "alarms": counts.tolist()}))


if __name__ == "__main__":
    main()
