#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""ARL of Page's one-sided CUSUM by a second method: the integral equation
L(z) = 1 + L(0) Phi(k - z - mu) + int_0^h L(x) phi(x - z + k - mu) dx
solved by Nystroem's method on Gauss-Legendre nodes (NumPy), against
`custos arl` (Brook-Evans chain to 0.5%, Monte Carlo within 3 standard
errors) for k = 0.5, h = 4 and 5, shifts 0, 0.5, 1, 2.  The integral
equation reproduces the spec's h = 4 table first, which validates it.

usage: check_arl.py CUSTOS"""
import csv
import io
import math
import subprocess
import sys

import numpy as np


def phi(x):
    return np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def Phi(x):
    return 0.5 * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))


def arl_integral(k, h, mu, m=96):
    # L(0) couples in; unknowns: L at the nodes and L(0).
    x, w = np.polynomial.legendre.leggauss(m)
    x = 0.5 * h * (x + 1)
    w = 0.5 * h * w
    z = np.concatenate([[0.0], x])  # row 0: z = 0
    a = np.zeros((m + 1, m + 1))
    a[:, 0] = -Phi(k - z - mu)
    a[:, 1:] = -w[None, :] * phi(x[None, :] - z[:, None] + k - mu)
    a += np.eye(m + 1)
    return np.linalg.solve(a, np.ones(m + 1))[0]


def main():
    custos = sys.argv[1]
    spec = {0.0: 335.37, 0.25: 77.08, 0.5: 26.68, 0.75: 13.29, 1.0: 8.38, 1.5: 4.75, 2.0: 3.34,
            3.0: 2.19, 4.0: 1.71}
    for mu, want in spec.items():
        got = arl_integral(0.5, 4.0, mu)
        assert abs(got - want) <= 0.006, ("integral equation vs spec", mu, got, want)
    bad = 0
    for h in (4.0, 5.0):
        out = subprocess.run([custos, "arl", "--k", "0.5", "--h", repr(h), "--shift", "0,0.5,1,2",
                              "--runs", "6000", "--seed", "11", "--format", "csv"],
                             capture_output=True, text=True, check=True).stdout
        for r in csv.DictReader(io.StringIO(out)):
            ref = arl_integral(0.5, h, float(r["shift"]))
            m, mc, se = float(r["arl_markov"]), float(r["arl_mc"]), float(r["mc_se"])
            ok = abs(m - ref) <= 0.005 * ref and abs(mc - ref) <= 3 * se
            bad += not ok
            print("h %g shift %s: integral %.4f, Markov %.4f (%.3f%%), MC %.4f +- %.4f %s"
                  % (h, r["shift"], ref, m, 100 * (m - ref) / ref, mc, se, "ok" if ok else "FAIL"))
    print("%d passed, %d failed" % (8 - bad, bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
