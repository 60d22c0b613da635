#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Agreements on simulated ledgers, checked against the simulator's truth.

    check_sim.py CUSTOS_BINARY SCRATCH_DIR

1. examples/sim/all-types.json without measurement errors: the downblend
   commitment on the down-blending plant reads from the books exactly the
   HEU, blendstock and product the simulator blended (truth.json), to the
   milligram; the HEU research reactor that keeps its HEU breaches its
   conversion; the enrichment and HEU-stock limits are met.
2. The same State with measurement errors: the U-235 balance no longer
   closes exactly, its imbalance equals the U-235 MUF of the MBA's
   balance periods, and stays within the 0.5 % tolerance (met).
3. 20 kg of uranium taken from the blending MBA, unreported: the uranium
   imbalance the rule finds is the amount the simulator removed, and the
   commitment (0.01 % tolerance) is breached.
"""
import json
import os
import shutil
import subprocess
import sys

bin_, scratch = sys.argv[1], sys.argv[2]
src = os.environ["CUSTOS_SOURCE_DIR"]
data = os.path.join(src, "tests", "agreements", "data")
problems = 0


def check(ok, what):
    global problems
    if not ok:
        print("FAIL:", what)
        problems += 1


def custos(*args, expect=0):
    p = subprocess.run([bin_, *args], capture_output=True, text=True)
    if p.returncode != expect:
        sys.exit(f"custos {' '.join(args)}: exit {p.returncode}, expected {expect}\n{p.stderr}")
    return p.stdout


def ledger(name, config, seed, errors, agreement, expect):
    d = os.path.join(scratch, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    out = os.path.join(d, "sim")
    custos("simulate", "--config", config, "--seed", str(seed), "--out", out, "--errors", errors)
    db = os.path.join(d, "l.db")
    custos("init", db)
    fac = sorted(os.path.join(out, "facilities", f) for f in os.listdir(os.path.join(out, "facilities")))
    rep = sorted(os.path.join(out, "reports", f) for f in os.listdir(os.path.join(out, "reports")))
    custos("facility", "add", db, *fac)
    # Import exits 1 for findings (report-number gaps, ...) with everything
    # stored; the simulated reports must at least all be stored.
    p = subprocess.run([bin_, "import", db, *rep], capture_output=True, text=True)
    if p.returncode not in (0, 1) or "nothing stored" in p.stderr:
        sys.exit(f"import: exit {p.returncode}\n{p.stderr}")
    custos("agreement", "add", db, os.path.join(data, agreement))
    st = json.loads(custos("agreements", db, "--format", "json", expect=expect))
    truth = json.load(open(os.path.join(out, "truth.json")))
    return {s["commitment"]: s for s in st}, truth


def fig(s, name):
    for f in s["figures"]:
        if f["name"] == name:
            return f["value"]
    raise KeyError(name)


# 1. No measurement errors: the books are the truth.
all_types = os.path.join(src, "examples", "sim", "all-types.json")
st, truth = ledger("exact", all_types, 1, "off", "sim-xa.json", 1)
db = truth["downblending"][0]
s = st["downblend"]
check(s["status"] == "met", f"downblend: {s['status']}: {s['reason']}")
check(s["value_mg"] == db["heu_u_mg"], f"HEU blended {s['value_mg']} mg, truth {db['heu_u_mg']}")
u235_in = (db["heu_u235_mg"] + db["blendstock_u235_mg"]) / 1e3
check(abs(fig(s, "U-235 in (HEU + blendstock)") - u235_in) < 5e-7,
      f"U-235 in {fig(s, 'U-235 in (HEU + blendstock)')} g, truth {u235_in}")
check(abs(fig(s, "U-235 out (product)") - db["product_u235_mg"] / 1e3) < 5e-7, "U-235 out")
check(abs(fig(s, "blendstock used") - db["blendstock_u_mg"] / 1e9) < 5e-7, "blendstock used")
check(abs(fig(s, "product made") - db["product_u_mg"] / 1e9) < 5e-7, "product made")
check(fig(s, "U-235 imbalance") == 0 and fig(s, "uranium imbalance") == 0, "exact balances")
c = st["hr-conversion"]
check(c["status"] == "breached", f"conversion: {c['status']}: {c['reason']}")
check(any(e["role"] == "HEU held" for e in c["entries"]), "conversion: HEU held entries")
check(fig(c, "HEU gone otherwise (incl. MUF)") == 0, "conversion: burn-up is not another route")
check(st["enrichment"]["status"] == "met", "enrichment limit")
check(st["heu-stock"]["status"] == "met", "HEU stock limit")

# 2. Measurement errors: an imbalance, the same as the balances' MUF.
st, truth = ledger("errors", all_types, 2, "on", "sim-xa.json", 1)
s = st["downblend"]
imb = fig(s, "U-235 imbalance")
check(imb != 0, "with measurement errors the U-235 balance should not close exactly")
check(abs(imb - fig(s, "U-235 MUF of the balances")) < 5e-7,
      f"U-235 imbalance {imb} g, MUF of the balances {fig(s, 'U-235 MUF of the balances')} g")
check(abs(imb) <= 0.005 * fig(s, "U-235 in (HEU + blendstock)"), "within the tolerance")
check(s["status"] == "met", f"downblend with errors: {s['status']}: {s['reason']}")

# 3. A diversion from the blending MBA.
st, truth = ledger("divert", os.path.join(data, "sim-divert-config.json"), 3, "off",
                   "sim-divert.json", 1)
s = st["downblend"]
removed = truth["diversions"][0]["removed_mg"]
check(abs(fig(s, "uranium imbalance") * 1e9 - removed) < 1, f"uranium imbalance vs {removed} mg")
check(s["status"] == "breached", f"diverted: {s['status']}: {s['reason']}")
check("balance of XA/XADB does not close" in s["reason"], s["reason"])

print(f"check_sim: {problems} problems")
sys.exit(1 if problems else 0)
