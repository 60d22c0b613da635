#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A bad configuration: one clear line naming the file and the JSON path,
# exit status 1, nothing written.  An output directory that holds files
# is refused.
. "$(dirname "$0")/lib.sh"
printf '{"state": "XA", "start": "2026-01-01", "facilities": [\n {"type": "enrichment", "facility": "XAEP", "tails_assay": 0.02}]}\n' >"$T/bad.json"
if "$CUSTOS_BIN" simulate --config "$T/bad.json" --seed 1 --out "$T/out" 2>"$T/err"; then
    fail "a bad configuration was accepted"
fi
grep -q "bad.json.*\$.facilities\[0\].*tails_assay" "$T/err" || fail "message: $(cat "$T/err")"
[ ! -e "$T/out" ] && [ ! -e "$T/out.partial" ] || fail "output written for a bad configuration"
mkdir "$T/full" && touch "$T/full/x"
if "$CUSTOS_BIN" simulate --config "$EX/small.json" --seed 1 --out "$T/full" 2>"$T/err"; then
    fail "a non-empty output directory was accepted"
fi
grep -q "not an empty directory" "$T/err" || fail "message: $(cat "$T/err")"
[ "$(ls "$T/full")" = x ] || fail "the non-empty directory was changed"
# A valid configuration whose plant makes more batches a month than a
# report may hold: one line naming the MBA, exit 1, nothing written.
printf '{"state": "XA", "start": "2026-01-01", "facilities": [\n {"type": "reprocessing", "facility": "XARP", "throughput_t": 100000, "batch_kg": 0.001, "ship_to": ["XAPS"]},\n {"type": "plutonium-store", "facility": "XAPS"},\n {"type": "power-reactor", "facility": "XAR1", "ship_to": ["XARP"], "cooling_days": 0}]}\n' >"$T/big.json"
if "$CUSTOS_BIN" simulate --config "$T/big.json" --seed 1 --out "$T/big" 2>"$T/err"; then
    fail "a report over the entry limit was accepted"
fi
grep -q "^custos: .*/big.json: MBA XARP: a report would hold more than 1000000 entries" "$T/err" ||
    fail "message: $(cat "$T/err")"
[ "$(wc -l <"$T/err")" = 1 ] || fail "more than one line: $(cat "$T/err")"
[ ! -e "$T/big" ] && [ ! -e "$T/big.partial" ] || fail "output written for a failed run"
status=0
"$CUSTOS_BIN" simulate --config "$EX/small.json" --out "$T/o" 2>/dev/null || status=$?
[ "$status" = 2 ] || fail "missing --seed: exit $status, not 2"
echo "badconfig: ok"
