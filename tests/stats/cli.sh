#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# CLI checks of the statistics commands against the spec's reference values
# (shared/spec/statistics.md section 5) and their error handling.
set -eu
C=$1
W=$2
PY=$3
S=$(dirname "$0")
rm -rf "$W"
mkdir -p "$W"
fail() { echo "FAIL: $*"; exit 1; }

# ARL of Page's test, k = 0.5, h = 4 (spec section 5): Markov chain to 0.5%,
# Monte Carlo within 3 standard errors of the published value.
$C arl --k 0.5 --h 4 --shift 0,0.5,1,2 --runs 4000 --format csv > "$W/arl.csv"
$PY - "$W/arl.csv" <<'PYEOF'
import csv, sys
want = {0.0: 335.37, 0.5: 26.68, 1.0: 8.38, 2.0: 3.34}
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 4, rows
for r in rows:
    w = want[float(r["shift"])]
    m, mc, se = float(r["arl_markov"]), float(r["arl_mc"]), float(r["mc_se"])
    assert abs(m - w) <= 0.005 * w, (r, w)
    assert abs(mc - w) <= 3 * se, (r, w)
print("arl ok")
PYEOF

# Usage errors exit 2 with a message.
set +e
$C arl --k 0.5 > /dev/null 2> "$W/err"; rc=$?
set -e
[ $rc -eq 2 ] || fail "arl without --h: exit $rc"
grep -q "needs --h" "$W/err" || fail "arl without --h: message"

# A sequence file with a bad field names it.
printf '{"muf": [1, 2], "random_variance": [1, "x"]}' > "$W/bad.json"
set +e
$C nrta --sequence "$W/bad.json" > /dev/null 2> "$W/err"; rc=$?
set -e
[ $rc -eq 1 ] || fail "bad sequence: exit $rc"
grep -q 'random_variance\[1\]' "$W/err" || fail "bad sequence: message $(cat "$W/err")"

# Case A of the spec through a sequence file: sigma 7.071, SITMUF defined.
printf '{"muf": [0, 0, 0, 0], "random_variance": [50, 50, 50, 50], "random_covariance": [0, -25, -25, -25]}' > "$W/a.json"
$C nrta --sequence "$W/a.json" --format csv > "$W/a.csv"
grep -q '^1,,0,7.0710678118654755,' "$W/a.csv" || fail "case A: $(head -2 "$W/a.csv")"

# A diversion scenario file with a bad line is refused with its line.
printf 'period,grams\n1,5\n9,3\n' > "$W/scen.csv"
set +e
$C pd --sequence "$W/a.json" --scenario "$W/scen.csv" > /dev/null 2> "$W/err"; rc=$?
set -e
[ $rc -eq 1 ] || fail "bad scenario: exit $rc"
grep -q 'scen.csv:3' "$W/err" || fail "bad scenario: message $(cat "$W/err")"

# PD example (spec section 5): one period, M = 3.29 sigma, alpha 0.05: 0.95.
printf '{"muf": [0], "random_variance": [1]}' > "$W/one.json"
$C pd --sequence "$W/one.json" --abrupt 3.29 --replicates 20000 --format csv > "$W/pd.csv"
grep -q '^sitmuf,0.95' "$W/pd.csv" || fail "PD example: $(cat "$W/pd.csv")"
echo "cli ok"
