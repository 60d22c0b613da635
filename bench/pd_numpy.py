#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The detection-probability Monte Carlo of custos (src/lib/pd.c) written
the NumPy way, vectorised over replicates, the same algorithm: one normal
per replicate-period drawn as the standardised innovation (SITMUF) y, the
MUF by the innovations form of the Kalman filter of the structured
covariance (MUF_t = b_t kw_t-1 s_t-1 y_t-1 + u_t . m_t + s_t y_t,
m += kz_t s_t y_t), the diversion as shifts (MUF + mu, y + delta), the
five tests under no diversion and under the diversion, an alarm when the
running maximum of "statistic - threshold" is above 0.  The filter gains
are computed here from the sequence, independently of custos; delta too
(and compared with custos's).  In-place ufuncs on preallocated rows, one
chunk of replicates at a time (its size chosen for the cache, see
--chunk).  Reads the problem custos wrote, prints alarm counts, wall and
CPU seconds as JSON.

usage: pd_numpy.py PROBLEM.json REPLICATES [CHUNK]"""
import json
import math
import sys
import time

import numpy as np


def setup(p):
    n = len(p["muf"])
    rvar, rcov = np.array(p["random_variance"]), np.array(p["random_covariance"])
    u = np.array(p["systematic"]).reshape(-1, n).T.copy()  # n x g
    g = u.shape[1]
    # B B^T = R, B lower bidiagonal (a on the diagonal, b below).
    a, b = np.zeros(n), np.zeros(n)
    for t in range(n):
        b[t] = rcov[t] / a[t - 1] if t and a[t - 1] > 0 else 0.0
        piv = rvar[t] - b[t] ** 2
        a[t] = math.sqrt(piv) if piv > 1e-12 * rvar[t] else 0.0
    # The filter on the state (previous random error, systematic errors).
    dim = g + 1
    P = np.eye(dim)
    kw, kz, sd = np.zeros(n), np.zeros((n, g)), np.zeros(n)
    deg = np.zeros(n, bool)
    for t in range(n):
        h = np.concatenate([[b[t]], u[t]])
        ph = P @ h
        S = h @ ph + a[t] ** 2
        var = rvar[t] + (u[t] ** 2).sum()
        if S <= 1e-9 * var or S <= 1e-300:
            deg[t] = True
            P[0, :] = 0
            P[:, 0] = 0
            P[0, 0] = 1
            continue
        sd[t], kw[t], kz[t] = math.sqrt(S), a[t] / S, ph[1:] / S
        P[1:, 1:] -= np.outer(ph[1:], ph[1:]) / S
        P[0, 0] = 1 - a[t] ** 2 / S
        P[0, 1:] = P[1:, 0] = -a[t] * ph[1:] / S
    # The innovations form: weights of y_t-1, of y_t, and the state gains.
    cy = np.zeros(n)
    cy[1:] = b[1:] * kw[:-1] * sd[:-1]
    kzs = kz * sd[:, None]
    # delta = L^-1 mu: the filter on the diversion.
    mu = np.array(p["diversion"])
    delta, m0, mz = np.zeros(n), 0.0, np.zeros(g)
    for t in range(n):
        e = mu[t] - b[t] * m0 - u[t] @ mz
        if deg[t]:
            m0 = 0.0
            continue
        m0 = kw[t] * e
        mz += kz[t] * e
        delta[t] = e / sd[t]
    cov = np.diag(rvar) + np.diag(rcov[1:], 1) + np.diag(rcov[1:], -1) + u @ u.T
    z = float(p["z"])
    with np.errstate(divide="ignore"):
        thr_muf = np.where(np.diag(cov) > 0, z * np.sqrt(np.diag(cov)), np.inf)
        cv = np.array([cov[: t + 1, : t + 1].sum() for t in range(n)])
        thr_cum = np.where(cv > 0, z * np.sqrt(np.maximum(cv, 0)), np.inf)
    return dict(n=n, g=g, u=u, cy=cy, sd=sd, kzs=kzs, deg=deg, mu=mu, cmu=np.cumsum(mu),
                thr_muf=thr_muf, thr_cum=thr_cum, thr_ge=np.array(p["thr_gemuf"]), delta=delta,
                z=z, k=float(p["k"]), h=float(p["h"]))


def chunk(s, rng, R):
    n, g = s["n"], s["g"]
    u, cy, sd, kzs, deg, delta = s["u"], s["cy"], s["sd"], s["kzs"], s["deg"], s["delta"]
    k = s["k"]
    y, yprev = np.empty(R), np.zeros(R)
    muf, tmp, d = np.empty(R), np.empty(R), np.empty(R)
    mz = np.zeros((g, R))
    cum = np.zeros(R)
    acc = np.full((10, R), -np.inf)  # running maxima: muf, cumuf, sitmuf, page, gemuf x 2
    p0, p1, ge0, ge1 = (np.zeros(R) for _ in range(4))
    for t in range(n):
        rng.standard_normal(out=y)
        # MUF_t = cy_t y_t-1 + u_t . m + sd_t y_t ; m += kzs_t y_t
        np.dot(u[t], mz, out=muf)
        muf += cy[t] * yprev
        muf += sd[t] * y
        mz += kzs[t][:, None] * y
        y, yprev = yprev, y  # yprev now holds y_t (buffers swapped, no copy)
        cum += muf
        np.subtract(muf, s["thr_muf"][t], out=d)
        np.maximum(acc[0], d, out=acc[0])
        d += s["mu"][t]
        np.maximum(acc[1], d, out=acc[1])
        np.subtract(cum, s["thr_cum"][t], out=d)
        np.maximum(acc[2], d, out=acc[2])
        d += s["cmu"][t]
        np.maximum(acc[3], d, out=acc[3])
        if deg[t]:
            continue
        yt = yprev
        np.maximum(acc[4], yt, out=acc[4])
        np.add(yt, delta[t], out=tmp)  # y1 = y + delta
        np.maximum(acc[5], tmp, out=acc[5])
        np.multiply(tmp, tmp, out=d)
        ge1 += d
        np.subtract(yt, k, out=d)  # Page under no diversion
        p0 += d
        np.maximum(p0, 0.0, out=p0)
        np.maximum(acc[6], p0, out=acc[6])
        d += delta[t]  # ... and under the diversion
        p1 += d
        np.maximum(p1, 0.0, out=p1)
        np.maximum(acc[7], p1, out=acc[7])
        np.multiply(yt, yt, out=d)
        ge0 += d
        np.subtract(ge0, s["thr_ge"][t], out=d)
        np.maximum(acc[8], d, out=acc[8])
        np.subtract(ge1, s["thr_ge"][t], out=d)
        np.maximum(acc[9], d, out=acc[9])
    thr = np.array([0, 0, 0, 0, s["z"], s["z"], s["h"], s["h"], 0, 0])[:, None]
    c = (acc > thr).sum(axis=1)
    return np.array([c[0::2], c[1::2]])


def main():
    p = json.load(open(sys.argv[1]))
    reps = int(sys.argv[2])
    R0 = int(sys.argv[3]) if len(sys.argv) > 3 else 16384
    s = setup(p)
    ddelta = float(np.max(np.abs(s["delta"] - np.array(p["delta"]))))
    rng = np.random.default_rng(12345)
    counts = np.zeros((2, 5), np.int64)
    t0, c0 = time.perf_counter(), time.process_time()
    done = 0
    while done < reps:
        r = min(R0, reps - done)
        counts += chunk(s, rng, r)
        done += r
    dt, dc = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"replicates": reps, "chunk": R0, "seconds": dt, "cpu_seconds": dc,
                      "rate": reps * s["n"] / dt, "cpu_rate": reps * s["n"] / dc,
                      "delta_diff": ddelta, "alarms": counts.tolist()}))


if __name__ == "__main__":
    main()
