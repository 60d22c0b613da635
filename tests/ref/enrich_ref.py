#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Second implementation of the enrichment and blending arithmetic
(NumPy), checked against `custos swu` and `custos blend` over a grid of
assays and masses, including the combinations custos must refuse.

    enrich_ref.py CUSTOS_BINARY

Formulas (independent of src/lib/enrich.c, vectorised over the grid):
    V(x) = (2x - 1) ln(x / (1 - x))
    F = P (xp - xt)/(xf - xt),  T = F - P,  SW = P V(xp) + T V(xt) - F V(xf)
    B = H (xh - xp)/(xp - xb),  product = H + B
"""
import itertools
import json
import subprocess
import sys

import numpy as np

REL = 1e-9


def V(x):
    return (2 * x - 1) * np.log(x / (1 - x))


def run(args):
    p = subprocess.run(args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def main():
    bin_ = sys.argv[1]
    bad = 0
    checked = 0
    # Enrichment.
    feeds = [0.002, 0.00711, 0.02, 0.035]
    prods = [0.01, 0.035, 0.05, 0.197, 0.6, 0.9]
    tails = [0.001, 0.0025, 0.003, 0.005, 0.008]
    masses = [1.0, 1000.0, 123456.789]
    grid = np.array(list(itertools.product(feeds, prods, tails, masses)))
    xf, xp, xt, P = grid.T
    ok = (0 < xt) & (xt < xf) & (xf < xp) & (xp < 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        F = P * (xp - xt) / (xf - xt)
        T = F - P
        SW = P * V(xp) + T * V(xt) - F * V(xf)
    for i in range(len(grid)):
        code, out, err = run([bin_, "swu", "--feed-assay", repr(xf[i]), "--product-assay",
                              repr(xp[i]), "--tails-assay", repr(xt[i]), "--product",
                              repr(P[i]), "--format", "json"])
        checked += 1
        if not ok[i]:
            if code != 1 or "out of order" not in err:
                print(f"swu {grid[i]}: expected a domain error, got {code}: {out}{err}")
                bad += 1
            continue
        if code != 0:
            print(f"swu {grid[i]}: exit {code}: {err}")
            bad += 1
            continue
        r = json.loads(out)
        # Masses are printed to the milligram; SWU in kg-SWU to 1e-6.
        for key, want, tol in (("feed_g", F[i], 1e-3), ("tails_g", T[i], 1e-3),
                               ("swu_kg", SW[i] / 1000.0, 1e-6)):
            if abs(r[key] - want) > max(tol, REL * abs(want)):
                print(f"swu {grid[i]}: {key} {r[key]} != {want}")
                bad += 1
    # Blending.
    heus = [0.2, 0.6, 0.9, 0.93]
    stocks = [0.002, 0.00711, 0.015, 0.05]
    targets = [0.01, 0.0367, 0.044, 0.197]
    hmass = [1.0, 1000.0, 500e6]
    grid = np.array(list(itertools.product(heus, stocks, targets, hmass)))
    xh, xb, xq, H = grid.T
    ok = (0 < xb) & (xb < xq) & (xq < xh) & (xh < 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        B = H * (xh - xq) / (xq - xb)
        PR = H + B
    for i in range(len(grid)):
        code, out, err = run([bin_, "blend", "--heu", repr(H[i]), "--heu-assay", repr(xh[i]),
                              "--blendstock-assay", repr(xb[i]), "--product-assay",
                              repr(xq[i]), "--format", "json"])
        checked += 1
        if not ok[i]:
            if code != 1 or "out of order" not in err:
                print(f"blend {grid[i]}: expected a domain error, got {code}: {out}{err}")
                bad += 1
            continue
        if code != 0:
            print(f"blend {grid[i]}: exit {code}: {err}")
            bad += 1
            continue
        r = json.loads(out)
        for key, want in (("blendstock_g", B[i]), ("product_g", PR[i]),
                          ("product_u235_g", H[i] * xh[i] + B[i] * xb[i])):
            if abs(r[key] - want) > max(1e-3, REL * abs(want)):
                print(f"blend {grid[i]}: {key} {r[key]} != {want}")
                bad += 1
        # The product is at the target assay, to the rounding of the two
        # printed masses (half a milligram each).
        if abs(r["product_u235_g"] / r["product_g"] - xq[i]) > 1e-3 / r["product_g"] + 1e-12:
            print(f"blend {grid[i]}: product assay {r['product_u235_g'] / r['product_g']}")
            bad += 1
    print(f"enrich_ref: {checked} cases, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
