#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""custos against the exact reference on the hand-worked State XT.

Builds a ledger (facilities, the PIL, the State model), runs
`custos paths`, `custos game` for two budgets and `custos allocate`, and
compares every figure with tests/ref/state_game_ref.py (exact fractions):
paths, their order, feasibility, lengths, times, detection probabilities,
coverage; the inspection activities, the maximal activity sets of each
budget, the incentives d_j, every equilibrium (support enumeration must
find exactly the reference's; Lemke-Howson one of them), payoffs and
effectiveness; the zero-sum value.  Also the spec's zero-sum example.

Usage: check_state.py CUSTOS_BIN SOURCE_DIR WORKDIR
"""
import json
import os
import shutil
import subprocess
import sys

BIN, SRC, WORK = sys.argv[1:4]
HERE = os.path.join(SRC, "tests", "state")
REL = 1e-9
failures = []


def run(*args, ok=True):
    p = subprocess.run([BIN, *args], capture_output=True, text=True)
    if ok and p.returncode != 0:
        sys.exit(f"custos {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p


def close(what, got, want):
    want = want["value"] if isinstance(want, dict) else want
    if abs(got - want) > REL * max(1.0, abs(want)):
        failures.append(f"{what}: custos {got!r}, reference {want!r}")


def same(what, got, want):
    if got != want:
        failures.append(f"{what}: custos {got!r}, reference {want!r}")


shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
db = os.path.join(WORK, "xt.db")
run("init", db)
run("facility", "add", db, os.path.join(HERE, "xt-reactor.json"), os.path.join(HERE, "xt-enrichment.json"))
run("import", db, os.path.join(HERE, "xt-pil.c10"))
run("state", "add", db, os.path.join(HERE, "xt-state.json"))

budgets = ["30", "45"]
ref = json.loads(subprocess.run(
    [sys.executable, os.path.join(SRC, "tests", "ref", "state_game_ref.py"),
     os.path.join(HERE, "xt-state.json"), os.path.join(HERE, "xt-pil.c10"), *budgets],
    capture_output=True, text=True, check=True).stdout)

# --- paths -----------------------------------------------------------------
got = json.loads(run("paths", db, "--state", "XT", "--infeasible", "--format", "json").stdout)
same("number of paths", len(got["paths"]), len(ref["paths"]))
same("feasible paths", got["feasible"], sum(p["feasible"] for p in ref["paths"]))
for g, r in zip(got["paths"], ref["paths"]):
    tag = f"path {r['rank']} {'>'.join(r['steps'])}"
    same(tag + " steps (rank order)", g["steps"], r["steps"])
    for key in ("feasible", "covered", "difficulty", "timeliness_days"):
        same(f"{tag} {key}", g[key], r[key])
    for key in ("start_sq", "end_sq", "time_days", "p_detect", "p_timely", "length"):
        close(f"{tag} {key}", g[key], r[key])
# At least 6 nodes, 7 activities, 3 paths (the minimum).
model = json.load(open(os.path.join(HERE, "xt-state.json")))
assert len(model["nodes"]) >= 6 and len(model["edges"]) >= 7
assert sum(p["feasible"] for p in ref["paths"]) >= 3

# --- the game, two budgets ---------------------------------------------------
for W, rg in zip(budgets, ref["games"]):
    g = json.loads(run("game", db, "--state", "XT", "--budget", W, "--format", "json").stdout)
    tag = f"W={W}"
    same(tag + " activities", [a["id"] for a in g["activities"]], rg["activities"])
    same(tag + " maximal sets", sorted(sorted(s) for s in g["sets"]), sorted(rg["sets"]))
    same(tag + " paths", [p["steps"] for p in g["paths"]], [p["steps"] for p in rg["paths"]])
    for gp, rp in zip(g["paths"], rg["paths"]):
        close(f"{tag} d of {'>'.join(rp['steps'])}", gp["d"], rp["d"])
        close(f"{tag} length of {'>'.join(rp['steps'])}", gp["length"], rp["length"])
    same(tag + " degenerate", g["degenerate"], rg["degenerate"])
    if rg["degenerate"]:
        failures.append(tag + ": the hand-worked game should be nondegenerate (alpha > 0, generic figures)")
    # custos's sets in its own order, the reference's keyed by content.
    gsets = [tuple(sorted(s)) for s in g["sets"]]
    rsets = [tuple(s) for s in rg["sets"]]

    def matches(eq, req):
        for s, p in zip(gsets, eq["inspectorate"]):
            want = req["inspectorate"][rsets.index(s)]["value"]
            if abs(p - want) > 1e-9:
                return False
        return all(abs(a - b["value"]) <= 1e-9 for a, b in zip(eq["state"], req["state"])) and \
            abs(eq["h1"] - req["h1"]["value"]) <= 1e-9 * max(1, abs(req["h1"]["value"])) and \
            abs(eq["h2"] - req["h2"]["value"]) <= 1e-9 * max(1, abs(req["h2"]["value"])) and \
            abs(eq["effectiveness"] - req["effectiveness"]["value"]) <= 1e-9
    se = g["support_enumeration"]
    if se is None:
        failures.append(tag + ": support enumeration did not run")
    else:
        same(tag + " number of equilibria", len(se["equilibria"]), len(rg["equilibria"]))
        for req in rg["equilibria"]:
            if not any(matches(eq, req) for eq in se["equilibria"]):
                failures.append(f"{tag}: reference equilibrium not found by support enumeration")
    if not any(matches(g["lemke_howson"], req) for req in rg["equilibria"]):
        failures.append(f"{tag}: Lemke-Howson's equilibrium is not one of the reference's")
    a = json.loads(run("allocate", db, "--state", "XT", "--budget", W, "--format", "json").stdout)
    close(tag + " zero-sum value", a["value"], rg["zero_sum_value"])

# --- the spec's zero-sum game -------------------------------------------------
z = json.loads(run("allocate", "--matrix", "4,-4,1;-4,4,-2", "--format", "json").stdout)
for got_v, want in zip(z["row"], [6 / 11, 5 / 11]):
    close("spec game P*", got_v, want)
for got_v, want in zip(z["column"], [0, 3 / 11, 8 / 11]):
    close("spec game Q*", got_v, want)
close("spec game value", z["value"], -4 / 11)

# --- bad input: one line naming file, line and field; nothing stored ----------
bad = os.path.join(WORK, "bad.json")
with open(os.path.join(HERE, "xt-state.json")) as f:
    text = f.read().replace('"beta": 0.7', '"beta": 1.7')
with open(bad, "w") as f:
    f.write(text)
p = run("state", "add", db, bad, ok=False)
line = next(i + 1 for i, t in enumerate(text.splitlines()) if '"beta": 1.7' in t)
want = f"{bad}:{line}: $.edges[1].beta: needs a number in [0, 1]"
if p.returncode == 0 or want not in p.stderr:
    failures.append(f"bad beta: want '{want}', got rc {p.returncode} '{p.stderr.strip()}'")
lst = run("state", "list", db).stdout
if lst.count("XT") != 1 or " 1 " not in lst:
    failures.append("a refused model was stored: " + lst)

if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"ok: {len(ref['paths'])} paths, {len(budgets)} budgets, "
      f"{sum(len(g['equilibria']) for g in ref['games'])} equilibria match the exact reference")
