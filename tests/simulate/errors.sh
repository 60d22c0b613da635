#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Measurement errors on: the output passes custos check and imports
# cleanly, every operator MBR agrees with custos's books, the chain
# verifies, MUFs are non-zero, the truth's MUF is the diverted amount
# (zero here), and shipper/receiver differences appear.
. "$(dirname "$0")/lib.sh"
simulate_import "$EX/all-types.json" 5 on all
"$CUSTOS_BIN" check "$T/all"/reports/*.c10 >/dev/null || fail "custos check"
"$CUSTOS_BIN" balance "$T/all.db" --format csv >"$T/b.csv" 2>"$T/f.txt" ||
    fail "balance findings: $(head -3 "$T/f.txt")"
"$CUSTOS_BIN" verify "$T/all.db" >/dev/null || fail "verify"
"$CUSTOS_BIN" transfers "$T/all.db" --format csv >"$T/tr.csv" || fail "transfers findings"
python3 - "$T/b.csv" "$T/all/truth.json" "$T/tr.csv" <<'PY' || fail "errors on"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert all(r["mbr_differences"] == "0" for r in rows)
nonzero = sum(r["muf"] != "0.000" for r in rows)
assert nonzero > len(rows) // 2, (nonzero, len(rows))
truth = json.load(open(sys.argv[2]))
assert all(x["true_muf_mg"] == 0 for x in truth["balances"])
assert any(x["book_muf_mg"] != 0 for x in truth["balances"])
tr = list(csv.DictReader(open(sys.argv[3])))
srd = [r for r in tr if r["status"] == "matched" and any(
    not w.endswith(":0.000") for w in r["srd"].split())]
assert len(srd) > 10, len(srd)
PY
echo "errors: ok"
