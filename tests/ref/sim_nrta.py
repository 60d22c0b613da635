#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Second implementation of the simulator's measurement model, for tests.

Reads a simulated State's directory (facility descriptions and Code 10
reports of one MBA), and for one element computes, per balance period,
MUF from the reported entries and its covariance from the declared
measurement model (shared/spec/statistics.md sections 2 and 3):

    Var(MUF) = sum_i (x_i d_r,i)^2 + sum_(m,k) d_s,m^2 (sum_(i in m,k) c_i x_i)^2

with each measured weight's relative error the sum of its bulk and
element methods' errors, systematic ones shared per method and
calibration period.  Then SITMUF (y = L^-1 MUF, Sigma = L L^T) and Page's
one-sided CUSUM S_t = max(0, S_t-1 + y_t - k), alarm when S_t > h.

usage: sim_nrta.py DIR MBA LABEL [k h]
prints one line per period (end, MUF g, sigma g, MUF/sigma, SITMUF, S)
and a last line "alarm PERIOD_END" or "no alarm".
"""
import json
import sys

import numpy as np


def entries(path):
    for line in open(path):
        e = {}
        for el in line.strip().split("#"):
            if ":" in el:
                k, v = el.split(":", 1)
                e[k] = v
        if e:
            yield e


def weight_mg(v):
    return round(float(v[:-1]) * (1e3 if v[-1] == "G" else 1e6))


def main():
    d, mba, label = sys.argv[1], sys.argv[2], sys.argv[3]
    k = float(sys.argv[4]) if len(sys.argv) > 4 else 0.5
    h = float(sys.argv[5]) if len(sys.argv) > 5 else 5.0
    fac = None
    import glob
    for f in glob.glob(d + "/facilities/*.json"):
        j = json.load(open(f))
        if any(m["mba"] == mba for m in j["mbas"]):
            fac = j
    meas = fac["measurement"]
    methods = {m["method"]: m for m in meas["methods"]}
    cals = {}
    for c in meas["calibration_periods"]:
        cals.setdefault(c["method"], []).append(
            (int(c["start"].replace("-", "")), int(c["end"].replace("-", ""))))

    def cal(method, date):
        for i, (a, b) in enumerate(cals.get(method, [])):
            if a <= date <= b:
                return i + 1
        return 0

    def point(kmp, mdc):
        best, blen = None, -1
        for p in meas["points"]:
            if p["mba"] != mba or p["kmp"] != kmp:
                continue
            pre = p.get("mdc", "").replace("/", "")
            if mdc.startswith(pre) and len(pre) > blen:
                best, blen = p, len(pre)
        return best

    rows = list(entries("%s/reports/%s.c10" % (d, mba)))
    pits = sorted({int(e["015"]) for e in rows if e.get("010") == "P"})
    n = len(pits) - 1
    idx = {p: i for i, p in enumerate(pits)}
    muf = np.zeros(n)
    rand = np.zeros((n, n))
    groups = {}
    # Effective ICR entries: corrections replace, status N otherwise.
    for e in rows:
        if e.get("010") not in ("I", "P") or label not in e or e.get("309", "N")[0] not in "NC":
            continue
        x = weight_mg(e[label])
        c = np.zeros(n)
        if e["010"] == "P":
            t = idx[int(e["015"])]
            if t > 0:
                c[t - 1] -= 1.0
            if t < n:
                c[t] += 1.0
            date = int(e["015"])
        else:
            date = int(e["412"])
            t = next((i for i in range(n) if pits[i] < date <= pits[i + 1]), None)
            if t is None:
                continue
            sign = {"RD": 1, "RF": 1, "NP": 1, "SD": -1, "SF": -1, "LD": -1, "LN": -1}[e["411"]]
            c[t] = sign
        muf += c * x
        if not e.get("469", "M").startswith("M"):
            continue
        p = point(e["407"], e["430"].replace("/", ""))
        if p is None:
            continue
        r2 = 0.0
        for role in ("bulk", "element"):
            m = p.get(role)
            if not m:
                continue
            r2 += methods[m]["random"] ** 2
            key = (m, cal(m, date))
            groups.setdefault(key, np.zeros(n))
            groups[key] += c * x
        rand += r2 * x * x * np.outer(c, c)
    sigma = rand.copy()
    for (m, _), v in groups.items():
        sigma += methods[m]["systematic"] ** 2 * np.outer(v, v)
    L = np.linalg.cholesky(sigma)
    y = np.linalg.solve(L, muf)
    s, alarm = 0.0, None
    for t in range(n):
        s = max(0.0, s + y[t] - k)
        sd = np.sqrt(sigma[t, t])
        print("%d %.3f %.3f %.4f %.4f %.4f" % (pits[t + 1], muf[t] / 1e3, sd / 1e3, muf[t] / sd, y[t], s))
        if alarm is None and s > h:
            alarm = pits[t + 1]
    print("alarm %d" % alarm if alarm else "no alarm")


main()
