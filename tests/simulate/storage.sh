#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Long-term storage: a reactor that keeps its spent fuel in the pond, a
# spent fuel store and a plutonium store that ship nothing.  Each month's
# items are rebatched (RM/RP) into one storage batch, so the PILs stay a
# line a month long instead of a line an item; nothing is lost: counted
# from the Code 10 text here (an independent reading of the reports), the
# items in the last PIL are the opening items plus the items received
# less those shipped, the RM and RP of every ICR carry the same items,
# and custos balance finds MUF = 0 with errors off and no MBR difference
# with errors on (item MBAs are never re-measured: their MUF is 0).
. "$(dirname "$0")/lib.sh"
cat >"$T/storage.json" <<'EOF'
{"state": "XA", "foreign": "XB", "start": "2026-01-01", "years": 6,
 "facilities": [
  {"type": "power-reactor", "facility": "XAR1", "name": "Reactor keeping its spent fuel",
   "cooling_days": 365},
  {"type": "power-reactor", "facility": "XAR2", "name": "Reactor", "ship_to": ["XASF", "XARP"],
   "cooling_days": 365},
  {"type": "spent-fuel-storage", "facility": "XASF", "name": "Dry store"},
  {"type": "research-reactor", "facility": "XARR", "name": "Research reactor",
   "enrichment": 0.1975, "assembly_kg": 1.2, "power_mw": 5, "cooling_days": 90},
  {"type": "reprocessing", "facility": "XARP", "name": "Reprocessing", "ship_to": ["XAPS"]},
  {"type": "plutonium-store", "facility": "XAPS", "name": "Plutonium store"}]}
EOF
for errors in off on; do
    simulate_import "$T/storage.json" 3 $errors "s$errors"
    "$CUSTOS_BIN" check "$T/s$errors"/reports/*.c10 >/dev/null || fail "$errors: custos check"
    "$CUSTOS_BIN" balance "$T/s$errors.db" --format csv >"$T/$errors.csv" 2>"$T/$errors.txt" ||
        fail "$errors: balance findings: $(head -3 "$T/$errors.txt")"
    python3 - "$T/s$errors/reports" "$T/$errors.csv" $errors <<'PY' || fail "storage, errors $errors"
import csv, os, sys
d, errors = sys.argv[1], sys.argv[3]

def entries(path):
    for line in open(path):
        f = dict(x.split(":", 1) for x in line.strip().split("#") if ":" in x)
        yield f

for mba, kmp, outflow in (("XAR1", "3", False), ("XARR", "3", False), ("XASF", "1", False),
                          ("XAPS", "1", False)):
    pils, icrs = {}, {}
    for e in entries(os.path.join(d, mba + ".c10")):
        rep = e["001"]
        (pils if e["010"] == "P" else icrs if e["010"] == "I" else {}).setdefault(rep, []).append(e)
    order = sorted(pils, key=lambda r: int(r.split(";")[1]))
    first, last = pils[order[0]], pils[order[-1]]
    items = lambda es: sum(int(e.get("470", "0")) for e in es if e.get("407") == kmp)
    moved = {"in": 0, "out": 0}
    rm = rp = 0
    for rep, es in icrs.items():
        m = sum(int(e["470"]) for e in es if e.get("411") == "RM")
        p = sum(int(e["470"]) for e in es if e.get("411") == "RP")
        assert m == p, (mba, rep, m, p)
        rm += m
        rp += sum(1 for e in es if e.get("411") == "RP")
        for e in es:
            if e.get("407") != kmp and not (mba == "XAPS" or mba == "XASF"):
                continue
            if e.get("411") in ("RD", "RF"):
                moved["in"] += int(e["470"])
            elif e.get("411") in ("SD", "SF"):
                moved["out"] += int(e["470"])
    lines = [e for e in last if e.get("407") == kmp]
    months = 6 * 12
    assert rm > 0 and 0 < rp <= months + 1, (mba, rm, rp)
    # One storage batch a month (at most), plus what arrived since the last month end.
    single = [e for e in lines if e["470"] == "1"]
    assert len(lines) - len(single) <= months, (mba, len(lines))
    assert max(int(e["470"]) for e in lines) > 1, mba
    if mba in ("XAPS", "XASF"):
        assert moved["out"] == 0, (mba, moved)
        assert items(last) == items(first) + moved["in"], (mba, items(first), moved, items(last))
    print(mba, "PIL lines", len(lines), "items", items(last), "rebatched", rm, "into", rp)
rows = list(csv.DictReader(open(sys.argv[2])))
assert rows and all(r["mbr_differences"] == "0" for r in rows), rows[:2]
store = [r for r in rows if r["mba"].split("/")[1] in ("XAR1", "XASF", "XAPS", "XARR")]
assert store and all(r["muf"] == "0.000" for r in store), [r for r in store if r["muf"] != "0.000"][:2]
if errors == "off":
    assert all(r["muf"] == "0.000" for r in rows)
else:
    assert any(r["muf"] != "0.000" for r in rows if r["mba"] == "XA/XARP")
PY
done
echo "storage: ok"
