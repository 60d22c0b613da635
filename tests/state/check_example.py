#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The evaluation of the example State XA, with and without a diversion.

The ledger holds the example State of examples/xa: the year 2026 the
simulator writes from examples/xa/xa-sim.json with the seed of
examples/xa/README.md (enrichment, fuel fabrication, a power reactor, a
spent fuel pond XASF, reprocessing XARP with weekly PITs, Pu store XAPS),
once as committed and once simulated again with 8 kg Pu (1 SQ) taken
protracted from XARP over the year and never reported.  The State model
and information items are examples/xa/state.

  * with the diversion: the statistics of XARP make the path
    divert-pu-xarp > reduce-pu an indication, and the conclusion "no
    indication of diversion at XARP" fails; without the statistics (the
    audit) it would hold;
  * without it: every conclusion holds, the broader conclusion included;
  * the invented third-party item tests/state/items-xa (A2, LR 1e6, on the
    undeclared-mine route, corroborated by an open-source item on the same
    node) added alone to the clean ledger flips the State-wide conclusion,
    and the counterfactual audit names it as the item that carries it.

Usage: check_example.py CUSTOS_BIN SOURCE_DIR WORKDIR SEED
"""
import glob
import json
import os
import shutil
import subprocess
import sys

BIN, SRC, WORK = sys.argv[1:4]
SEED = sys.argv[4]
XA = os.path.join(SRC, "examples", "xa")
failures = []


def run(*args, ok=True):
    p = subprocess.run([BIN, *args], capture_output=True, text=True)
    if ok and p.returncode != 0:
        sys.exit(f"custos {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p


def check(what, cond, detail=""):
    if not cond:
        failures.append(f"{what} {detail}".strip())


DIVERSION = {"mba": "XARP", "element": "Pu", "amount_kg": 8, "start": "2026-01-01",
             "end": "2026-12-31", "profile": "protracted", "concealment": "unreported"}


def build(name, diversion):
    sim = XA
    if diversion:
        config = json.load(open(os.path.join(XA, "xa-sim.json")))
        config["diversions"] = [DIVERSION]
        cfg = os.path.join(WORK, name + ".json")
        json.dump(config, open(cfg, "w"))
        sim = os.path.join(WORK, name + "-sim")
        run("simulate", "--config", cfg, "--seed", SEED, "--out", sim)
    db = os.path.join(WORK, name + ".db")
    run("init", db)
    run("facility", "add", db, *sorted(glob.glob(os.path.join(sim, "facilities", "*.json"))))
    run("import", db, *sorted(glob.glob(os.path.join(sim, "reports", "*.c10"))))
    run("state", "add", db, os.path.join(XA, "state", "xa-state.json"))
    run("info", "add", db, *sorted(glob.glob(os.path.join(XA, "state", "items", "*.json"))))
    run("agreement", "add", db, os.path.join(XA, "state", "xa-xb-supply.json"))
    return db


def evaluate(db):
    return json.loads(run("evaluate", db, "--state", "XA", "--format", "json",
                          "--compartment", "*").stdout)


def concl(ev, kind, facility=None):
    return next(c for c in ev["conclusions"]
                if c["kind"] == kind and (facility is None or c.get("facility") == facility))


def path(ev, steps):
    return next(p for p in ev["paths"] if p["steps"] == steps)


def changes(ev, key, what):
    return next((r["changes"] for r in ev["counterfactual_audit"][key] if r["without"] == what), None)


shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
REPRO = ["divert-pu-xarp", "reduce-pu"]

# --- with the diversion -------------------------------------------------------
div = evaluate(build("diversion", True))
p = path(div, REPRO)
check("diversion: the reprocessing path is an indication", p["indication"] and p["p"] >= 0.5, p)
stats = next((c for c in p["contributions"] if c["id"] == "stats:XARP:Pu"), None)
check("diversion: it rests on the statistics of XARP", stats and stats["value"] > 0, p["contributions"])
x = concl(div, "diversion", "XARP")
check("diversion: 'no indication of diversion at XARP' fails", x["drawn"] is False, x)
check("diversion: the broader conclusion is not drawn", concl(div, "broader")["drawn"] is False)
flip = ("indication of diversion of declared nuclear material at facility XARP -> "
        "no indication of diversion of declared nuclear material at facility XARP")
check("diversion: the audit shows the conclusion rests on the statistics",
      flip in (changes(div, "by_source_class", "statistics") or []))
check("diversion: and on the XARP finding", flip in (changes(div, "by_item", "stats:XARP:Pu") or []))
check("diversion: undeclared-activities conclusion still holds",
      concl(div, "undeclared")["drawn"] is True)
ev = next(e for e in div["evidence"] if e["id"] == "stats:XARP:Pu")
check("diversion: the standard tests alarm too",
      "MUF test alarms in 0, SITMUF 0, Page 0 " not in ev["text"], ev["text"])

# --- without it ------------------------------------------------------------------
clean_db = build("clean", False)
clean = evaluate(clean_db)
for c in clean["conclusions"]:
    check(f"clean: {c['statement']}", c["drawn"] is True, c)
p = path(clean, REPRO)
check("clean: the reprocessing path stays below the threshold", not p["indication"], p)
check("clean: the XARP statistics are evidence of absence",
      next(c["value"] for c in p["contributions"] if c["id"] == "stats:XARP:Pu") < 0)
tp = next(e for e in clean["evidence"] if e["id"] == "XA-TP-2026-002")
check("clean: the example's third-party item is corroborated but changes nothing",
      tp["status"] == "corroborated" and changes(clean, "by_item", "XA-TP-2026-002") == [], tp)

# --- an invented third-party item that alone flips a conclusion --------------------
run("info", "add", clean_db, os.path.join(SRC, "tests", "state", "items-xa", "invented-tp-enrichment.json"))
inv = evaluate(clean_db)
u = concl(inv, "undeclared")
check("invented: the State-wide conclusion fails", u["drawn"] is False, u)
item = next(e for e in inv["evidence"] if e["id"] == "XA-TP-INVENTED")
check("invented: counted through corroboration by open source",
      item["status"] == "corroborated" and item["because"] == "XA-OS-2026-019", item)
flip_u = ("indication of undeclared nuclear material or activities -> "
          "no indication of undeclared nuclear material or activities")
check("invented: the audit names the item that carries the conclusion",
      flip_u in (changes(inv, "by_item", "XA-TP-INVENTED") or []))
check("invented: and the third-party class", flip_u in (changes(inv, "by_source_class", "third-party") or []))
carriers = {r["without"] for r in inv["counterfactual_audit"]["by_item"] if flip_u in r["changes"]}
check("invented: carried by the item and its corroboration only",
      carriers == {"XA-TP-INVENTED", "XA-OS-2026-019"}, carriers)
check("invented: the per-facility conclusions do not move",
      all(c["drawn"] for c in inv["conclusions"] if c["kind"] == "diversion"))
public = json.loads(run("evaluate", clean_db, "--state", "XA", "--format", "json").stdout)
check("invented: a public reader sees the same conclusion", concl(public, "undeclared")["drawn"] is False)
check("invented: but never the item", "XA-TP-INVENTED" not in json.dumps(public))
check("invented: the public reader is told a hidden item changes a conclusion",
      public["counterfactual_audit"]["hidden_items_that_change_a_conclusion"] >= 1)

if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"ok: seed {SEED}: diversion -> indication at XARP; none -> no indication; "
      "invented third-party item named by the audit")
