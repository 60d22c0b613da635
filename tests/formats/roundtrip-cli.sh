#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Round trip through the command line: the example State exported from a
# ledger in each form (code10, csv, json), imported into a new ledger,
# gives every report the same hash (BLAKE2b of its canonical text) as the
# original.  Environment: CUSTOS_BIN, CUSTOS_SOURCE_DIR.
set -eu
bin=${CUSTOS_BIN:?}
cd "${CUSTOS_SOURCE_DIR:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/custos-roundtrip.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

hashes() {
    "$bin" log "$1" --format json | grep '"kind": "report"' |
        sed 's/.*"summary": "\([^"]*\)".*"hash": "\([0-9a-f]*\)".*/\1 \2/'
}

new_ledger() {
    "$bin" init "$1" >/dev/null
    "$bin" facility add "$1" examples/xa/facilities/*.json >/dev/null
}

new_ledger "$tmp/orig.db"
"$bin" import "$tmp/orig.db" examples/xa/reports/*.c10 >/dev/null
hashes "$tmp/orig.db" >"$tmp/orig.hashes"
# As many reports as the simulator wrote (truth.json)
want=$(sed -n 's/.*"reports": *\([0-9][0-9]*\).*/\1/p' examples/xa/truth.json)
[ "$(wc -l <"$tmp/orig.hashes")" -eq "$want" ] || { echo "expected $want reports"; exit 1; }

for form in code10 csv json; do
    new_ledger "$tmp/$form.db"
    for mba in XAEN XAFF XAPS XARP XARX XASF; do
        "$bin" export "$tmp/orig.db" --mba "$mba" --format "$form" --output "$tmp/$mba.$form"
        "$bin" import "$tmp/$form.db" "$tmp/$mba.$form" >/dev/null
    done
    hashes "$tmp/$form.db" >"$tmp/$form.hashes"
    if ! diff -u "$tmp/orig.hashes" "$tmp/$form.hashes"; then
        echo "roundtrip-cli: reports exported as $form and imported again hash differently" >&2
        exit 1
    fi
    "$bin" verify "$tmp/$form.db" >/dev/null
    echo "$form: $want reports, same hashes"
done
