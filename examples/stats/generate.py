#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the statistics example (examples/stats/): a fuel fabrication
plant of State XA (facility XAFS, MBA XAFS) over twelve monthly balance
periods, with its measurement model.  The true flows balance; every
reported weight is the true one times (1 + random + systematic errors)
drawn from the facility's declared uncertainties, and from month 7 on
15 kg of U a month leaves unreported, so the sequential tests have
something to find.  The uncertainties are the facility's own declared
figures for this example, not the International Target Values.

Run from the repository root: python3 examples/stats/generate.py"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
rnd = random.Random(20260101)
N = 12
METHODS = {  # method: (relative random, relative systematic)
    "load-cell": (0.0005, 0.0003),
    "titration": (0.001, 0.0008),
    "tims": (0.0005, 0.0005),
    "nda-gamma": (0.005, 0.003),
}
POINTS = [
    {"mba": "XAFS", "kmp": "1", "material": "UO2 powder", "bulk": "load-cell",
     "element": "titration", "isotopic": "tims"},
    {"mba": "XAFS", "kmp": "2", "material": "UO2 pellets", "bulk": "load-cell",
     "element": "titration", "isotopic": "tims", "random_per_item": True},
    {"mba": "XAFS", "kmp": "A", "material": "UO2 powder", "bulk": "load-cell",
     "element": "titration", "isotopic": "tims"},
    {"mba": "XAFS", "kmp": "B", "material": "fuel assemblies", "element": "nda-gamma",
     "isotopic": "nda-gamma"},
]
ENR = 0.042

def month_end(m):
    y, mm = 2026 + (m - 1) // 12, (m - 1) % 12 + 1
    d = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mm - 1]
    return y * 10000 + mm * 100 + d

pits = [20251231] + [month_end(m) for m in range(1, N + 1)]
sys_err = {(m, c): rnd.gauss(0, METHODS[m][1]) for m in METHODS for c in (1, 2)}

def cal(method, date):
    return 1 if method != "load-cell" or date <= 20260630 else 2

def measure(kmp, grams, date, items=1):
    p = next(q for q in POINTS if q["kmp"] == kmp)
    rel = 0.0
    seen = set()
    for role in ("bulk", "element"):
        m = p.get(role)
        if m and m not in seen:
            seen.add(m)
            d_r = METHODS[m][0] / (items ** 0.5 if p.get("random_per_item") else 1)
            rel += rnd.gauss(0, d_r) + sys_err[(m, cal(m, date))]
    return grams * (1 + rel)

def g(x):
    return "%.3fG" % x

lines = []
number = 0

def entry(kind, date, start, rows):
    global number
    number += 1
    for j, r in enumerate(rows):
        n = "%d/%d" % (j + 1, len(rows)) if j == 0 else str(j + 1)
        period = "%d" % date if kind == "P" else "%d/%d" % (start, date)
        lines.append("001:OI/XA;%d#002:%s#003:%d#006:OPERATOR,A#010:%s#015:%s#207:XAFS#"
                     "307:XAFS#309:N#%s" % (number, n, date, kind, period, r))

# True inventory: powder drums and pellet trays.
powder = [400000.0 + rnd.uniform(-20000, 20000) for _ in range(6)]
pellets = [250000.0 + rnd.uniform(-10000, 10000) for _ in range(8)]

def pil(k):
    rows = []
    for i, x in enumerate(powder):
        u = measure("1", x, pits[k])
        rows.append("407:1#430:O/G/U/C#446:PW%02d#469:M#470:1#630:%s#670:%s#" % (i, g(u), g(u * ENR)))
    for i, x in enumerate(pellets):
        u = measure("2", x, pits[k], 400)
        rows.append("407:2#430:O/G/U/C#446:PT%02d#469:M#470:400#630:%s#670:%s#" % (i, g(u), g(u * ENR)))
    entry("P", pits[k], 0, rows)

pil(0)
for k in range(1, N + 1):
    lo, hi = pits[k - 1], pits[k]
    start = (hi // 100) * 100 + 1
    rows = []
    received = 0.0
    for j in range(3):
        x = 500000.0 + rnd.uniform(-50000, 50000)
        received += x
        d = start + 3 + 8 * j
        u = measure("A", x, d)
        rows.append("370:XB/XBCV#407:A#411:RF#412:%d#430:O/G/U/C#446:RF%02d%d#447:UNKNOWN#469:M#"
                    "470:1#630:%s#670:%s#" % (d, k, j, g(u), g(u * ENR)))
    diverted = 15000.0 if k >= 7 else 0.0  # grams
    # Ship what came in (the inventory stays), less what was diverted.
    shipped = received - diverted
    per = shipped / 3
    for j in range(3):
        d = start + 6 + 8 * j
        u = measure("B", per, d)
        rows.append("372:XB/XBPR#407:B#411:SF#412:%d#430:O/G/U/C#446:FA%02d%d#469:M#470:1#"
                    "630:%s#670:%s#" % (d, k, j, g(u), g(u * ENR)))
    entry("I", hi, start, rows)
    pil(k)

facility = {
    "state": "XA", "facility": "XAFS", "name": "Example fuel fabrication plant (statistics)",
    "type": "fuel-fabrication",
    "mbas": [{"mba": "XAFS", "name": "Process and storage", "kmps": [
        {"kmp": "1", "kind": "inventory", "description": "UO2 powder drums"},
        {"kmp": "2", "kind": "inventory", "description": "pellet trays"},
        {"kmp": "A", "kind": "flow", "description": "powder receipts"},
        {"kmp": "B", "kind": "flow", "description": "fuel assemblies shipped"}]}],
    "measurement": {
        "methods": [{"method": m, "material": "*", "random": v[0], "systematic": v[1],
                     "source": "example facility declaration (illustrative)"}
                    for m, v in METHODS.items()],
        "points": POINTS,
        "calibration_periods": [
            {"method": "load-cell", "start": "2025-12-01", "end": "2026-06-30"},
            {"method": "load-cell", "start": "2026-07-01", "end": "2027-12-31"}],
    },
}
with open(os.path.join(HERE, "facility.json"), "w") as f:
    json.dump(facility, f, indent=1)
    f.write("\n")
with open(os.path.join(HERE, "reports.c10"), "w") as f:
    f.write("\n".join(lines) + "\n")
