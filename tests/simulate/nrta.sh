#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Near-real-time accountancy on the simulated reprocessing plant, checked
# with a second implementation of the measurement model (tests/ref/
# sim_nrta.py, NumPy): over 8 seeds x 52 weekly balances without
# diversion, MUF/sigma-MUF and SITMUF are N(0,1) within tolerance and
# Page's test (k = 0.5, h = 5 on SITMUF) raises no alarm; with 1 SQ (8 kg
# Pu) taken over the year it alarms.  (custos's own sigma-MUF and Page's
# test come with the statistics module; this checks the simulator.)
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
$PY -c 'import numpy' 2>/dev/null || fail "python3-numpy is needed (scripts/install-deps)"
REF="$CUSTOS_SOURCE_DIR/tests/ref/sim_nrta.py"
for s in 1 2 3 4 5 6 7 8; do
    "$CUSTOS_BIN" simulate --config "$EX/nrta.json" --seed "$s" --out "$T/n$s" >/dev/null
    $PY "$REF" "$T/n$s" XARP 700 0.5 5 >"$T/z$s.txt" || fail "reference on seed $s"
    [ "$(tail -1 "$T/z$s.txt")" = "no alarm" ] || fail "seed $s: Page's test alarms without diversion"
done
cat "$T"/z?.txt | grep -v alarm | $PY -c '
import sys, numpy as np
a = np.array([[float(x) for x in l.split()[3:5]] for l in sys.stdin])
assert len(a) == 8 * 52, len(a)
for name, z in (("MUF/sigma", a[:, 0]), ("SITMUF", a[:, 1])):
    tail = np.mean(np.abs(z) > 1.96)
    print("%s: n %d mean %.3f sd %.3f P(|z|>1.96) %.3f" % (name, len(z), z.mean(), z.std(), tail))
    assert abs(z.mean()) < 0.15 and 0.85 < z.std() < 1.15 and 0.01 < tail < 0.10
' || fail "not N(0,1)"
"$CUSTOS_BIN" simulate --config "$EX/diversion.json" --seed 1 --out "$T/d" >/dev/null
$PY "$REF" "$T/d" XARP 700 0.5 5 >"$T/d.txt" || fail "reference on the diversion"
grep -q '^alarm 2026' "$T/d.txt" || fail "1 SQ protracted diversion not found: $(tail -1 "$T/d.txt")"
echo "nrta: ok ($(tail -1 "$T/d.txt"))"
# The same with custos's own statistics (custos nrta, Page's test on
# SITMUF, k = 0.5, h = 5) on the imported reports.
for c in nrta diversion; do
    simulate_import "$EX/$c.json" 1 on "s$c"
    "$CUSTOS_BIN" nrta "$T/s$c.db" --mba XARP --element P --test page --k 0.5 --h 5 \
        >"$T/s$c.out" 2>"$T/s$c.err" || true
done
grep -q "alarm of Page" "$T/snrta.err" && fail "custos nrta: Page's test alarms without diversion"
grep -q "alarm of Page" "$T/sdiversion.err" || fail "custos nrta: the 1 SQ diversion is not found"
echo "nrta: custos nrta agrees"
