#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The evaluation on the hand-worked State XT: the third-party rule both
ways, the log-odds arithmetic, the counterfactual audit, compartments.

Items (tests/state/items): XT-TP-001, a third-party report (B1, LR 1e5)
of clandestine enrichment; XT-IMG-007, commercial imagery of the same
step (C3, satellite-imagery default LR 5); XT-CL-001, State T's
clarification of XT-TP-001 (A4, LR 2, indicates absence); XT-OS-003, an
open-source item on the reactor (B3, indicates absence).

The score of the clandestine-enrichment path (ore > heu > heum, difficulty
5, 386 days) is worked out here from the documented defaults:
  prior logit = logit(0.01) - 0.5 (5 - 1) - 386/365
  XT-TP-001:  c = 0.75 x 1.00, + c ln 1e5
  XT-IMG-007: c = 0.50 x 0.50, + c ln 5
  XT-CL-001:  c = 1.00 x 0.25, - c ln 2

Usage: check_evaluate.py CUSTOS_BIN SOURCE_DIR WORKDIR
"""
import json
import math
import os
import shutil
import subprocess
import sys

BIN, SRC, WORK = sys.argv[1:4]
HERE = os.path.join(SRC, "tests", "state")
ITEMS = os.path.join(HERE, "items")
failures = []


def run(*args, ok=True):
    p = subprocess.run([BIN, *args], capture_output=True, text=True)
    if ok and p.returncode != 0:
        sys.exit(f"custos {' '.join(args)} failed ({p.returncode}): {p.stderr}")
    return p


def check(what, cond, detail=""):
    if not cond:
        failures.append(f"{what} {detail}".strip())


def ledger(name, *items):
    db = os.path.join(WORK, name + ".db")
    run("init", db)
    run("facility", "add", db, os.path.join(HERE, "xt-reactor.json"),
        os.path.join(HERE, "xt-enrichment.json"))
    run("import", db, os.path.join(HERE, "xt-pil.c10"))
    run("state", "add", db, os.path.join(HERE, "xt-state.json"))
    for it in items:
        run("info", "add", db, os.path.join(ITEMS, it))
    return db


def evaluate(db, *comp, fmt="json"):
    args = ["evaluate", db, "--state", "XT", "--format", fmt]
    for c in comp:
        args += ["--compartment", c]
    out = run(*args).stdout
    return json.loads(out) if fmt == "json" else out


def logit(p):
    return math.log(p / (1 - p))


PRIOR = logit(0.01) - 0.5 * 4 - 386 / 365
TP = 0.75 * 1.0 * math.log(1e5)
IMG = 0.5 * 0.5 * math.log(5)
CL = -(1.0 * 0.25 * math.log(2))
ENRICH = ["clandestine-en", "convert-heu"]


def path(ev, steps):
    return next(p for p in ev["paths"] if p["steps"] == steps)


def concl(ev, kind, facility=None):
    return next(c for c in ev["conclusions"]
                if c["kind"] == kind and (facility is None or c.get("facility") == facility))


def evidence(ev, ident):
    return next((e for e in ev["evidence"] if e["id"] == ident), None)


def changes(ev, key, what):
    rows = ev["counterfactual_audit"][key]
    return next((r["changes"] for r in rows if r["without"] == what), None)


shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)

# --- A: the third-party item alone is not a finding ------------------------
a = evaluate(ledger("alone", "tp-enrichment.json", "open-source-reactor.json"), "*")
tp = evidence(a, "XT-TP-001")
check("A: third-party item listed", tp is not None)
check("A: third-party item alone is not counted",
      tp and tp["status"] == "not-counted-uncorroborated-third-party", tp)
p = path(a, ENRICH)
check("A: the enrichment path keeps its prior", abs(p["logit"] - PRIOR) < 1e-9, p)
check("A: no contribution from the uncorroborated item",
      all(c["id"] != "XT-TP-001" for c in p["contributions"]), p["contributions"])
check("A: no indication of undeclared activities", concl(a, "undeclared")["drawn"] is True)
check("A: the broader conclusion is drawn", concl(a, "broader")["drawn"] is True)
check("A: removing the uncounted item changes nothing",
      changes(a, "by_item", "XT-TP-001") == [])

# --- B: corroborated by imagery of another source class: it counts ---------
db_b = ledger("corroborated", "tp-enrichment.json", "imagery-hall.json", "open-source-reactor.json")
b = evaluate(db_b, "*")
tp = evidence(b, "XT-TP-001")
check("B: corroborated", tp and tp["status"] == "corroborated" and tp["because"] == "XT-IMG-007", tp)
p = path(b, ENRICH)
check("B: enrichment path logit = prior + TP + imagery",
      abs(p["logit"] - (PRIOR + TP + IMG)) < 1e-9, (p["logit"], PRIOR + TP + IMG))
check("B: P = expit(logit)", abs(p["p"] - 1 / (1 + math.exp(-p["logit"]))) < 1e-12)
check("B: indication", p["indication"] is True)
u = concl(b, "undeclared")
check("B: undeclared-activities conclusion fails", u["drawn"] is False, u)
check("B: broader conclusion not drawn", concl(b, "broader")["drawn"] is False)
check("B: the conclusion names the items it rests on",
      {e["id"] for e in u["evidence"]} >= {"XT-TP-001", "XT-IMG-007"}, u["evidence"])
flip = "indication of undeclared nuclear material or activities -> no indication of undeclared nuclear material or activities"
check("B: audit names the third-party item", flip in (changes(b, "by_item", "XT-TP-001") or []))
check("B: audit: without the imagery the third-party item no longer counts",
      flip in (changes(b, "by_item", "XT-IMG-007") or []))
check("B: audit by class: third-party", flip in (changes(b, "by_source_class", "third-party") or []))
check("B: audit: the open-source item changes nothing",
      changes(b, "by_item", "XT-OS-003") == [])
os_ = evidence(b, "XT-OS-003")
reactor = path(b, ["divert-sf", "reprocess", "reduce-pu"])
want = -(0.75 * 0.5 * math.log(3))
got = next((c["value"] for c in reactor["contributions"] if c["id"] == "XT-OS-003"), None)
check("B: open-source item (absence, B3, LR 3) on the reactor path",
      got is not None and abs(got - want) < 1e-12, (got, want))

# --- C: a recorded State clarification step lets it count -----------------
c = evaluate(ledger("clarified", "tp-enrichment.json", "clarification.json"), "*")
tp = evidence(c, "XT-TP-001")
check("C: clarified", tp and tp["status"] == "clarified" and tp["because"] == "XT-CL-001", tp)
p = path(c, ENRICH)
check("C: logit = prior + TP + clarification (absence)",
      abs(p["logit"] - (PRIOR + TP + CL)) < 1e-9, (p["logit"], PRIOR + TP + CL))
check("C: undeclared-activities conclusion fails", concl(c, "undeclared")["drawn"] is False)

# --- D: compartments: counted, never printed ---------------------------------
secret = ["XT-TP-001", "Testville", "centrifuge hall", "maraging", "XB", "5f0c6c5e"]
for comps, hidden_ids in (((), {"XT-TP-001", "XT-IMG-007"}), (("safeguards",), {"XT-TP-001"})):
    j = evaluate(db_b, *comps)
    text = json.dumps(j)
    html = evaluate(db_b, *comps, fmt="html")
    txt = evaluate(db_b, *comps, fmt="text")
    tag = f"D[{','.join(comps) or 'public'}]"
    for s in secret:
        check(f"{tag}: JSON never prints '{s}'", s not in text)
        check(f"{tag}: HTML never prints '{s}'", s not in html)
        check(f"{tag}: text never prints '{s}'", s not in txt)
    check(f"{tag}: hidden evidence counted", j["reader"]["hidden_evidence"] == len(hidden_ids),
          j["reader"])
    for hid in hidden_ids:
        check(f"{tag}: {hid} absent from the evidence list", evidence(j, hid) is None)
    p = path(j, ENRICH)
    want_hidden = (TP if "XT-TP-001" in hidden_ids else 0) + (IMG if "XT-IMG-007" in hidden_ids else 0)
    check(f"{tag}: hidden contributions summed", abs(p["hidden_contribution"] - want_hidden) < 1e-9,
          (p["hidden_contribution"], want_hidden))
    check(f"{tag}: same conclusion for every reader", concl(j, "undeclared")["drawn"] is False)
    check(f"{tag}: the audit counts hidden items that change a conclusion",
          j["counterfactual_audit"]["hidden_items_that_change_a_conclusion"] == len(hidden_ids))
    check(f"{tag}: the class-level audit is shown to every reader",
          flip in (changes(j, "by_source_class", "third-party") or []))
    check(f"{tag}: HTML counts hidden evidence", "not shown" in html and "you may not see" in html)
full = evaluate(db_b, "third-party", "safeguards")
check("D[full]: the third-party item is visible with its originator",
      (evidence(full, "XT-TP-001") or {}).get("originator") == "XB")
check("D[full]: nothing hidden", full["reader"]["hidden_evidence"] == 0)

# --- E: information items are append-only and checked -----------------------
p = run("info", "add", db_b, os.path.join(ITEMS, "tp-enrichment.json"), ok=False)
check("E: an id is stored once", p.returncode != 0 and "already stored" in p.stderr, p.stderr)
bad = os.path.join(WORK, "bad-item.json")
with open(os.path.join(ITEMS, "imagery-hall.json")) as f:
    t = f.read().replace('"reliability": "C"', '"reliability": "G"')
with open(bad, "w") as f:
    f.write(t)
p = run("info", "add", db_b, bad, ok=False)
line = next(i + 1 for i, l in enumerate(t.splitlines()) if '"reliability"' in l)
want = f"{bad}:{line}: $.reliability: needs an Admiralty source grade A-F"
check("E: bad grade: file, line and field", p.returncode != 0 and want in p.stderr, p.stderr)
with open(bad, "w") as f:
    f.write(t.replace('"reliability": "G"', '"reliability": "C"').replace("clandestine-en", "no-such-step"))
p = run("info", "add", db_b, bad, ok=False)
check("E: a link to a step the model does not have is refused",
      p.returncode != 0 and "no-such-step" in p.stderr, p.stderr)
v = run("verify", db_b)
check("E: the hash chain covers the items", v.returncode == 0)
lst = run("info", "list", db_b, "--state", "XT").stdout
check("E: info list hides compartments", "XT-OS-003" in lst and "XT-TP-001" not in lst
      and "2 items in compartments" in lst, lst)

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("ok: third-party rule (alone, corroborated, clarified), arithmetic, audit, compartments")
