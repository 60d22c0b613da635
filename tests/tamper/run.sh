#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Tamper tests: each case of tests/tamper/cases changes, deletes or inserts
# rows of a ledger holding the hand-made year of State XA
# (tests/fixtures/xa-hand), with the sqlite3 shell and the append-only
# triggers dropped first, as someone editing the file
# behind custos's back would.  `custos verify` must then fail (exit 1)
# naming the first broken link exactly as the table says.
#
# Modes: verify  custos verify DB must fail with the message;
#        head    the chain is cut consistently at its end: custos verify
#                DB still passes (the remaining chain is whole), and
#                custos verify DB --head H, with the head H published
#                before the cut, must fail with the message.
#
#     run.sh NAME...          run cases (ctest runs one per test)
#     SHOW=1 run.sh NAME...   print what verify says, in the table's form
# Environment: CUSTOS_BIN, CUSTOS_SOURCE_DIR; needs sqlite3.
set -u
src=${CUSTOS_SOURCE_DIR:?CUSTOS_SOURCE_DIR not set}
bin=${CUSTOS_BIN:?CUSTOS_BIN not set}
export CUSTOS_NO_PROGRESS=1 LC_ALL=C
: "${SOURCE_DATE_EPOCH:=1767225600}"
export SOURCE_DATE_EPOCH
table=$src/tests/tamper/cases
command -v sqlite3 >/dev/null || { echo "run.sh: sqlite3 is needed (scripts/install-deps)" >&2; exit 2; }

field() {
    printf '%s\n' "$1" | awk -F' *[|] *' -v n="$2" '{ print $n }'
}

run_case() {
    name=$1
    line=$(grep -E "^$name \|" "$table" | head -n 1)
    [ -n "$line" ] || { echo "run.sh: no case '$name'" >&2; return 2; }
    mode=$(field "$line" 2)
    sql=$(field "$line" 3)
    want=$(field "$line" 4)
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/custos-tamper.XXXXXX")
    db=$tmp/xa.db
    cd "$src" || return 2
    "$bin" init "$db" >/dev/null && "$bin" facility add "$db" tests/fixtures/xa-hand/facilities/*.json >/dev/null ||
        { echo "run.sh: setup failed" >&2; rm -rf "$tmp"; return 2; }
    for mba in XAEN XAFF XARX; do
        "$bin" import "$db" tests/fixtures/xa-hand/reports/$mba/* >/dev/null ||
            { echo "run.sh: setup failed" >&2; rm -rf "$tmp"; return 2; }
    done
    "$bin" verify "$db" >/dev/null || { echo "run.sh: the untouched ledger does not verify" >&2; return 2; }
    head=$("$bin" verify "$db" | sed -n 's/^head //p')
    # Drop every trigger, then tamper.
    drops=$(sqlite3 "$db" "SELECT 'DROP TRIGGER ' || name || ';' FROM sqlite_master WHERE type='trigger'")
    if ! sqlite3 "$db" "$drops $sql" >"$tmp/sql.out" 2>&1; then
        echo "$name: the tampering SQL failed: $(cat "$tmp/sql.out")" >&2
        rm -rf "$tmp"
        return 1
    fi
    rc=0
    if [ "$mode" = head ]; then
        if ! "$bin" verify "$db" >/dev/null 2>"$tmp/err"; then
            echo "$name: verify without --head should pass on a chain cut at its end: $(cat "$tmp/err")" >&2
            rc=1
        fi
        "$bin" verify "$db" --head "$head" >/dev/null 2>"$tmp/err"
    else
        "$bin" verify "$db" >/dev/null 2>"$tmp/err"
    fi
    code=$?
    got=$(sed -n '1s/^custos: verify failed: //p' "$tmp/err")
    if [ "${SHOW:-}" = 1 ]; then
        printf '%s | %s | %s | %s\n' "$name" "$mode" "$sql" "$got"
    else
        if [ "$code" != 1 ]; then
            echo "$name: custos verify exited $code, expected 1 (tampering not found)" >&2
            rc=1
        elif [ "$got" != "$want" ]; then
            printf '%s: verify says\n    %s\nexpected\n    %s\n' "$name" "$got" "$want" >&2
            rc=1
        fi
    fi
    rm -rf "$tmp"
    return $rc
}

[ $# -ge 1 ] || { echo "usage: run.sh NAME..." >&2; exit 2; }
status=0
for name in "$@"; do
    run_case "$name" || status=1
done
exit $status
