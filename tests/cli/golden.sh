#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Golden-file test of one CLI case: runs the command line of case NAME
# from tests/cli/cases and compares what it printed (standard output,
# standard error, exit status) with tests/cli/golden/NAME.out.
#
#     golden.sh NAME          compare (what ctest runs)
#     UPDATE_GOLDEN=1 golden.sh NAME...   rewrite the .out files; review
#                             them with git diff before committing
#
# Each case runs in the source folder (file names in messages stay
# relative, so hashes and output do not depend on where the tree is) with
# the shell function `custos` and these ledgers, made anew for the case:
#   $DB     the example State XA, every report stored (as make demo)
#   $EMPTY  the example facilities, no report
#   $R      the example's reports one per file: $R/MBA/NNNN.c10 (report
#           number NNNN of the MBA, cut from examples/xa/reports/MBA.c10)
#   $TMP    a scratch folder (shown as $TMP in the output)
# SOURCE_DATE_EPOCH fixes the stored_at times and so the chain hashes.
# Environment: CUSTOS_BIN, CUSTOS_SOURCE_DIR (ctest sets both), and
# optionally CUSTOS_CASE_WRAPPER, a command the case's custos runs under
# (tests/valgrind/custos-vg: the valgrind run), not the set-up.
set -u
src=${CUSTOS_SOURCE_DIR:?CUSTOS_SOURCE_DIR not set}
bin=${CUSTOS_BIN:?CUSTOS_BIN not set}
: "${SOURCE_DATE_EPOCH:=1767225600}"
export SOURCE_DATE_EPOCH CUSTOS_NO_PROGRESS=1 LC_ALL=C
cases=$src/tests/cli/cases

[ $# -ge 1 ] || { echo "usage: golden.sh NAME..." >&2; exit 2; }

custos() { "$bin" "$@"; }

run_case() {
    name=$1
    line=$(grep -E "^$name[[:space:]]" "$cases" | head -n 1)
    if [ -z "$line" ]; then
        echo "golden.sh: no case '$name' in tests/cli/cases" >&2
        return 2
    fi
    cmd=$(printf '%s\n' "$line" | sed -e "s/^$name[[:space:]]*//")
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/custos-golden.XXXXXX")
    DB=$TMP/xa.db
    EMPTY=$TMP/empty.db
    cd "$src" || return 2
    for db in "$EMPTY" "$DB"; do
        custos init "$db" >/dev/null &&
            custos facility add "$db" examples/xa/facilities/*.json >/dev/null ||
            { echo "golden.sh: could not set up $db" >&2; return 2; }
    done
    custos import "$DB" examples/xa/reports/*.c10 >/dev/null ||
        { echo "golden.sh: could not import the example" >&2; return 2; }
    R=$TMP/r
    for f in examples/xa/reports/*.c10; do
        mkdir -p "$R/$(basename "$f" .c10)"
        awk -F'[;#]' -v d="$R/$(basename "$f" .c10)" \
            '{ f = sprintf("%s/%04d.c10", d, $2); if (f != last) close(last); last = f; print > f }' "$f"
    done
    if [ -n "${CUSTOS_CASE_WRAPPER:-}" ]; then
        CUSTOS_REAL_BIN=$bin
        export CUSTOS_REAL_BIN
        custos() { "$CUSTOS_CASE_WRAPPER" "$@"; }
    fi
    (eval "$cmd") >"$TMP/stdout" 2>"$TMP/stderr" </dev/null
    code=$?
    custos() { "$bin" "$@"; }
    {
        printf '$ %s\n' "$cmd"
        cat "$TMP/stdout"
        if [ -s "$TMP/stderr" ]; then
            echo "[stderr]"
            cat "$TMP/stderr"
        fi
        echo "[exit $code]"
    } | sed -e "s|$TMP|\$TMP|g" >"$TMP/actual"
    want=$src/tests/cli/golden/$name.out
    rc=0
    if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
        cp "$TMP/actual" "$want"
        echo "golden.sh: wrote tests/cli/golden/$name.out"
    elif [ ! -f "$want" ]; then
        echo "golden.sh: no tests/cli/golden/$name.out (UPDATE_GOLDEN=1 writes it); output:" >&2
        cat "$TMP/actual"
        rc=1
    elif ! diff -u "$want" "$TMP/actual"; then
        echo "golden.sh: $name: output differs from tests/cli/golden/$name.out" >&2
        rc=1
    fi
    rm -rf "$TMP"
    return $rc
}

status=0
for name in "$@"; do
    run_case "$name" || status=1
done
exit $status
