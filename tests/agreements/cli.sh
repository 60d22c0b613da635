#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The agreement commands end to end: custos blend and swu on the published
# figures and their errors; agreement check/add refusing bad files with
# FILE:LINE: PATH messages and storing nothing; the example agreements on
# their ledgers (examples/agreements/run) against the reviewed statuses in
# examples.csv, the JCPOA breach and its margin, versions and verify.
#     cli.sh CUSTOS_BINARY SCRATCH_DIR
set -u
bin=$1
tmp=$2
src=${CUSTOS_SOURCE_DIR:?}
here=$src/tests/agreements
rm -rf "$tmp" && mkdir -p "$tmp"
fails=0
fail() {
    echo "FAIL: $*"
    fails=$((fails + 1))
}
# expect STATUS PATTERN-IN-OUTPUT COMMAND...: run, check exit and output.
expect() {
    want=$1 pat=$2
    shift 2
    "$@" >"$tmp/out" 2>&1
    got=$?
    [ "$got" = "$want" ] || fail "exit $got, expected $want: $*"
    if [ -n "$pat" ] && ! grep -qF -- "$pat" "$tmp/out"; then
        fail "no '$pat' in the output of: $*"
        sed 's/^/  | /' "$tmp/out" | head -20
    fi
}

# statistics.md section 5: 29.52 kg of blendstock, 30.52 kg of LEU per kg of 90 % HEU.
expect 0 "blendstock           29517.241       1.5000          442.759" \
    "$bin" blend --heu 1000 --heu-assay 0.90 --blendstock-assay 0.015 --product-assay 0.044
grep -qF "product              30517.241       4.4000         1342.759" "$tmp/out" ||
    fail "blend: product line"
# agreements-facts.md: F = 7.786 kg, T = 6.786 kg, SW = 4.34 kg-SWU.
expect 0 "separative work: 4.3394 kg-SWU" \
    "$bin" swu --feed-assay 0.00711 --product-assay 0.035 --tails-assay 0.003 --product 1000
grep -qF "feed               7785.888" "$tmp/out" || fail "swu: feed line"
grep -qF "tails              6785.888" "$tmp/out" || fail "swu: tails line"
expect 0 '"swu_kg": 4.339431' \
    "$bin" swu --feed-assay 0.00711 --product-assay 0.035 --tails-assay 0.003 --product 1000 \
    --format json
# Domain errors exit 1, usage errors 2.
expect 1 "custos: blend: assays out of order: need blendstock 0.05 < product 0.044 < HEU 0.9" \
    "$bin" blend --heu 1000 --heu-assay 0.9 --blendstock-assay 0.05 --product-assay 0.044
expect 1 "custos: swu: tails assay 0 is not a fraction strictly between 0 and 1" \
    "$bin" swu --feed-assay 0.00711 --product-assay 0.035 --tails-assay 0 --product 1
expect 1 "mass -5 is not a finite mass >= 0" \
    "$bin" swu --feed-assay 0.00711 --product-assay 0.035 --tails-assay 0.003 --product -5
expect 2 "custos: blend: --heu is required" \
    "$bin" blend --heu-assay 0.9 --blendstock-assay 0.015 --product-assay 0.044
expect 2 "custos: swu: --product '1kg' is not a number" \
    "$bin" swu --feed-assay 0.00711 --product-assay 0.035 --tails-assay 0.003 --product 1kg
expect 2 "unknown option" "$bin" swu --colour 1
expect 2 "" "$bin" blend --heu 1 --heu-assay 0.9 --blendstock-assay 0.015 --product-assay 0.044 x

# A bad agreement: one line naming file, line and field; nothing stored.
cat >"$tmp/bad.json" <<'JSON'
{
  "agreement": "bad", "title": "t", "source": "s",
  "commitments": [
    {"id": "c", "source": "s", "kind": "limit", "scope": {"state": "XA"},
     "material": {"element": "U"},
     "max": {"value": 300, "unit": "kg", "form": "UF6",
             "element_fraction": 1.5}}
  ]
}
JSON
expect 1 "$tmp/bad.json:7: \$.commitments[0].max.element_fraction: 1.5 is outside (0, 1]" \
    "$bin" agreement check "$tmp/bad.json"
"$bin" init "$tmp/a.db" >/dev/null
expect 1 "custos: nothing stored" \
    "$bin" agreement add "$tmp/a.db" "$src/examples/agreements/jcpoa.json" "$tmp/bad.json"
expect 0 "" "$bin" agreement list "$tmp/a.db"
[ "$(wc -l <"$tmp/out")" = 1 ] || fail "a refused add stored something"
expect 1 "$tmp/none.json: No such file or directory" \
    "$bin" agreement add "$tmp/a.db" "$tmp/none.json"
expect 0 "mnsr-conversions.json: agreement mnsr-conversions, 2 commitments: gharr-1 (conversion) nirr-1 (conversion)" \
    "$bin" agreement check "$src/examples/agreements/mnsr-conversions.json"

# The examples: every status as reviewed, exit 1 for the JCPOA breaches.
db=$tmp/examples.db
expect 1 "BREACHED" sh "$src/examples/agreements/run" "$bin" "$db"
grep -qF "ledger intact: 88 links" "$tmp/out" || fail "examples: verify"
expect 1 "" "$bin" agreements "$db" --format csv
if ! diff -u "$here/examples.csv" "$tmp/out"; then
    fail "examples: statuses differ from tests/agreements/examples.csv"
fi
# The JCPOA stockpile: 9,247.6 kg U against 202.83 kg U (300 kg UF6), 45.6 times.
expect 1 '{"name": "margin as element", "value": -9044.770000, "unit": "kg U"}' \
    "$bin" agreements "$db" --agreement jcpoa --format json
grep -qF '"value_mg": 9247600000, "bound_mg": 202830000' "$tmp/out" || fail "jcpoa: exact masses"
# As of the May 2023 report: 4,744.5 kg U, 23.4 times the limit.
expect 1 "inventory 7017.453 kg UF6 on 2023-05-13 is over the limit 300.000 kg UF6 by 6717.453 kg UF6 (23.4 times the limit)" \
    "$bin" agreements "$db" --agreement jcpoa --as-of 2023-12-31
# Before any report of Iran's stock: nothing to verify.
expect 0 "nothing to verify" "$bin" agreements "$db" --agreement jcpoa --as-of 2020-01-01
expect 1 "custos: no agreement 'nothing' is stored" "$bin" agreements "$db" --agreement nothing
expect 2 "--as-of takes a date" "$bin" agreements "$db" --as-of 2025-02-30
# Stored whole: show gives the file back byte for byte; adding it again
# stores nothing.
"$bin" agreement show "$db" pmda >"$tmp/pmda.json"
cmp -s "$tmp/pmda.json" "$src/examples/agreements/pmda.json" || fail "show: text differs"
expect 0 "agreement pmda unchanged (version 1)" \
    "$bin" agreement add "$db" "$src/examples/agreements/pmda.json"
sed 's/"value": 34, "unit": "t"}/"value": 34.5, "unit": "t"}/' \
    "$src/examples/agreements/pmda.json" >"$tmp/pmda2.json"
expect 0 "stored agreement pmda version 2" "$bin" agreement add "$db" "$tmp/pmda2.json"
expect 0 "pmda                     2" "$bin" agreement list "$db"
expect 0 "pmda                     1" "$bin" agreement list "$db" --all
expect 0 "ledger intact: 89 links" "$bin" verify "$db"

[ "$fails" = 0 ] && echo "agreements cli: all checks passed"
exit $((fails > 0))
