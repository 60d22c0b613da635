#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Diversion ground truth.  1 SQ (8 kg Pu) taken from the reprocessing MBA
# over a year: with measurement errors off, each way of hiding it shows
# where it should: unreported -> the Pu MUF of the periods adds up to what
# was taken; inflated discards -> MUF 0, the discards (LD) are larger than
# the truth by the amount; falsified transfers -> MUF 0, the shipper's
# values exceed the receiver's (SRD); biased measurements -> MUF 0 until
# the bias is removed.  The truth always has true MUF = diverted.
. "$(dirname "$0")/lib.sh"
for how in unreported inflated-discards falsified-transfers biased-measurements; do
    sed "s/\"unreported\"/\"$how\"/" "$EX/diversion.json" >"$T/$how.json"
    simulate_import "$T/$how.json" 4 off "$how"
    "$CUSTOS_BIN" balance "$T/$how.db" --mba XARP --format csv >"$T/$how.csv" 2>/dev/null || true
    "$CUSTOS_BIN" transfers "$T/$how.db" --format csv >"$T/$how.tr" 2>/dev/null || true
    python3 - "$T/$how.csv" "$T/$how/truth.json" "$T/$how.tr" "$how" <<'PY' || fail "$how"
import csv, json, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["element"] == "P" and r["quantity"] == "element"]
truth = json.load(open(sys.argv[2]))
how = sys.argv[4]
(d,) = truth["diversions"]
assert d["concealment"] == how and d["planned_mg"] == 8000000
# Taken by the last PIT (2026-12-30): all but the last day's share.
taken = sum(b["diverted_mg"] for b in truth["balances"] if b["label"] == 700)
assert 7950000 < taken <= 8000000, taken
assert abs(d["removed_mg"] - 8000000) <= 1, d
for b in truth["balances"]:
    assert b["true_muf_mg"] == b["diverted_mg"], b
muf = sum(round(float(r["muf"]) * 1000) for r in rows)
ld = sum(-round(float(r["LD"] or 0) * 1000) for r in rows)
true_out = None
if how == "unreported":
    assert muf == taken, (muf, taken)
elif how in ("inflated-discards", "falsified-transfers"):
    # Hidden in the next discard (monthly) or shipment after each
    # removal: at most a month's removals (31 x 21.9 g) still wait.
    assert 0 <= muf <= 700000, muf
    assert d["concealed_mg"] >= taken - 700000, d
    if how == "falsified-transfers":
        srd = 0
        for r in csv.DictReader(open(sys.argv[3])):
            if r["from"] == "XARP" and r["status"] == "matched":
                for w in r["srd"].split():
                    if w.startswith("700:"):
                        srd += round(float(w[4:]) * 1000)
        assert srd >= taken - 700000 and srd <= taken, (srd, taken)
elif how == "biased-measurements":
    assert muf == 0, muf
PY
done
echo "diversion: ok"
