#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Cross-check of custos's statistics against the NumPy reference formulas
(stats_ref.py) on random facilities (gen_facility.py) and random MUF
sequences: sigma-MUF of every balance, the MUF covariance, CUMUF, SITMUF,
Page's CUSUM and GEMUF must agree to 1e-9 relative.

usage: check_stats.py CUSTOS WORKDIR [FACILITIES] [SEQUENCES]"""
import json
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_facility  # noqa: E402
import stats_ref  # noqa: E402

RTOL = 1e-9
worst = {}
failures = []


def close(what, got, want, scale=None):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if scale is None:
        scale = np.maximum(np.abs(got), np.abs(want))
    err = np.abs(got - want) / np.maximum(scale, 1e-300)
    e = float(np.max(err)) if err.size else 0.0
    worst[what] = max(worst.get(what, 0.0), e)
    if not e <= RTOL:
        failures.append("%s: relative difference %.3g (got %s, want %s)" % (what, e, got, want))


def run(custos, *args, ok=(0, 1)):
    p = subprocess.run([custos, *args], capture_output=True, text=True)
    if p.returncode not in ok:
        sys.exit("custos %s failed (%d): %s" % (" ".join(args), p.returncode, p.stderr))
    return p.stdout


def check_sequence(tag, nr, muf, cov, k, h):
    n = len(muf)
    cscale = np.sqrt(np.outer(np.diag(cov), np.diag(cov)))  # |cov_ij| <= this
    close(tag + " covariance", nr["covariance"], cov, cscale)
    per = nr["result"]["periods"]
    close(tag + " muf", [p["muf"] for p in per], muf)
    close(tag + " sigma_muf", [p["sigma_muf"] for p in per], np.sqrt(np.diag(cov)))
    cu, scu = stats_ref.cumuf(muf, cov)
    close(tag + " cumuf", [p["cumuf"] for p in per], cu, np.abs(cu) + scu)
    close(tag + " sigma_cumuf", [p["sigma_cumuf"] for p in per], scu)
    y = stats_ref.sitmuf(muf, cov)
    ys = np.maximum(np.abs(y), 1.0)  # SITMUF is N(0,1): its unit is the scale
    close(tag + " sitmuf", [p["sitmuf"] for p in per], y, ys)
    ge = stats_ref.gemuf(muf, cov)
    close(tag + " gemuf", [p["gemuf"] for p in per], ge, np.maximum(ge, 1.0))
    pg, alarms = stats_ref.page(y, k, h)
    close(tag + " page", [p["page"] for p in per], pg, np.maximum(np.abs(pg), 1.0))
    if [p["page_alarm"] for p in per] != alarms:
        failures.append(tag + " page alarms differ")
    if not n == len(per):
        failures.append(tag + " period count")


def facility_case(custos, work, seed):
    f = gen_facility.generate(seed)
    d = os.path.join(work, "fac%d" % seed)
    os.makedirs(d, exist_ok=True)
    db = os.path.join(d, "ledger.db")
    if os.path.exists(db):
        os.remove(db)
    with open(os.path.join(d, "facility.json"), "w") as fh:
        json.dump(f["facility"], fh)
    with open(os.path.join(d, "reports.c10"), "w") as fh:
        fh.write(f["reports"])
    run(custos, "init", db, ok=(0,))
    run(custos, "facility", "add", db, os.path.join(d, "facility.json"), ok=(0,))
    run(custos, "import", db, os.path.join(d, "reports.c10"), ok=(0,))
    bal = json.loads(run(custos, "balance", db, "--format", "json"))
    n = f["n"]
    for label, quantity, extra in ((630, "element", []), (670, "670", ["--label", "670"])):
        items = [it for it in f["items"] if it["label"] == label]
        cov = stats_ref.muf_covariance(n, items)
        muf = np.array(f["muf_mg"][label]) / 1000.0
        got = [b for b in bal if b["quantity"] == quantity]
        if len(got) != n:
            failures.append("facility %d label %d: %d balances, want %d" % (seed, label, len(got), n))
            continue
        close("balance sigma_muf", [b["sigma_muf"] for b in got], np.sqrt(np.diag(cov)))
        close("balance muf", [b["muf"] for b in got], muf)
        nr = json.loads(run(custos, "nrta", db, "--mba", "XAFF", *extra, "--format", "json",
                            "--covariance", "--k", "0.5", "--h", "4"))
        check_sequence("ledger", nr, muf, cov, 0.5, 4.0)


def sequence_case(custos, work, seed):
    """A random structured sequence given as a file."""
    rnd = np.random.default_rng(1000 + seed)
    n = int(rnd.integers(2, 40))
    g = int(rnd.integers(0, 5))
    inv = rnd.uniform(1.0, 50.0, n + 1)   # random variance of each PIT's inventory
    flow = rnd.uniform(0.5, 30.0, n)      # of each period's flows
    rvar = inv[:-1] + inv[1:] + flow
    rcov = np.concatenate([[0.0], -inv[1:-1]])
    sys_ = rnd.normal(0.0, 3.0, (g, n))
    muf = rnd.normal(0.0, 1.0, n) * np.sqrt(rvar) + rnd.uniform(-2, 6)
    doc = {"mba": "XA/SEQ%d" % (seed % 10), "muf": muf.tolist(), "random_variance": rvar.tolist(),
           "random_covariance": rcov.tolist(), "systematic": sys_.tolist()}
    path = os.path.join(work, "seq%d.json" % seed)
    with open(path, "w") as fh:
        json.dump(doc, fh)
    # The reference builds Sigma from the definition: tridiagonal + outer products.
    cov = np.diag(rvar) + np.diag(rcov[1:], 1) + np.diag(rcov[1:], -1)
    for v in sys_:
        cov += np.outer(v, v)
    k, h = float(rnd.uniform(0.25, 1.0)), float(rnd.uniform(2.0, 6.0))
    nr = json.loads(run(custos, "nrta", "--sequence", path, "--format", "json", "--covariance",
                        "--k", repr(k), "--h", repr(h)))
    check_sequence("file", nr, muf, cov, k, h)


def main():
    custos, work = sys.argv[1], sys.argv[2]
    nfac = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    nseq = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    os.makedirs(work, exist_ok=True)
    for seed in range(1, nfac + 1):
        facility_case(custos, work, seed)
    for seed in range(1, nseq + 1):
        sequence_case(custos, work, seed)
    for what in sorted(worst):
        print("%-24s worst relative difference %.3g" % (what, worst[what]))
    if failures:
        for f in failures[:20]:
            print("FAIL " + f)
        print("0 passed, %d failed" % len(failures))
        sys.exit(1)
    print("%d facilities and %d sequences agree with the NumPy reference to %g" % (nfac, nseq, RTOL))


if __name__ == "__main__":
    main()
