#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Malformed inputs: each case of tests/malformed/cases is imported into a
# ledger; the run must exit with the expected status, print the expected
# one-line error first (FILE:LINE: entry N: label LLL: message), print
# nothing as stored, and leave the store byte for byte as it was (SHA-256
# of the database file and of its -wal file, before and after).  The same
# file checked with `custos check --db` must give the same first error.
#
#     run.sh NAME...       run cases (ctest runs one per test)
#     SHOW=1 run.sh NAME...  print each case's actual exit status and first
#                          error line, in the table's form, and pass
#
# Setups: full = the hand-made year of State XA (tests/fixtures/xa-hand)
#         with every report stored;
#         empty = its facilities only.
# Inputs: tests/malformed/inputs/FILE, or gen:NAME for a generator below
#         whose output is streamed to standard input ('-').
# Environment: CUSTOS_BIN, CUSTOS_SOURCE_DIR (ctest sets both).
set -u
src=${CUSTOS_SOURCE_DIR:?CUSTOS_SOURCE_DIR not set}
bin=${CUSTOS_BIN:?CUSTOS_BIN not set}
export CUSTOS_NO_PROGRESS=1 LC_ALL=C
table=$src/tests/malformed/cases

# A value of 1 GiB in one Code 10 element, on one line.
gen_giant_code10() {
    printf '001:OI/XA;316#002:1/1#003:20270208#391:'
    head -c 1073741824 /dev/zero | tr '\0' 'A'
    printf '#\n'
}

# A CSV record of 1 GiB (one quoted cell).
gen_giant_csv() {
    printf '001,002,391\nOI/XA;316,1/1,"'
    head -c 1073741824 /dev/zero | tr '\0' 'A'
    printf '"\n'
}

# 1 GiB of spaces before the first element: whitespace between elements
# is allowed, so the reader must stream through it in constant memory and
# then refuse the missing report.
gen_giant_blank() {
    head -c 1073741824 /dev/zero | tr '\0' ' '
    printf '999:X#\n'
}

state_of() {
    for f in "$1" "$1-wal"; do
        if [ -f "$f" ]; then sha256sum <"$f"; else echo "absent"; fi
    done
}

field() {
    printf '%s\n' "$1" | cut -d'|' -f"$2" | sed -e 's/^ *//' -e 's/ *$//'
}

run_case() {
    name=$1
    line=$(grep -E "^$name *\|" "$table" | head -n 1)
    [ -n "$line" ] || { echo "run.sh: no case '$name'" >&2; return 2; }
    setup=$(field "$line" 2)
    input=$(field "$line" 3)
    want_exit=$(field "$line" 4)
    want=$(printf '%s\n' "$line" | cut -d'|' -f5- | sed -e 's/^ //')
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/custos-malformed.XXXXXX")
    db=$tmp/xa.db
    cd "$src" || return 2
    "$bin" init "$db" >/dev/null && "$bin" facility add "$db" tests/fixtures/xa-hand/facilities/*.json >/dev/null ||
        { echo "run.sh: setup failed" >&2; rm -rf "$tmp"; return 2; }
    if [ "$setup" = full ]; then
        for mba in XAEN XAFF XARX; do
            "$bin" import "$db" tests/fixtures/xa-hand/reports/$mba/* >/dev/null ||
                { echo "run.sh: setup failed" >&2; rm -rf "$tmp"; return 2; }
        done
    fi
    before=$(state_of "$db")
    case $input in
    gen:*)
        gen=gen_$(echo "${input#gen:}" | tr '-' '_')
        shown=-
        $gen | "$bin" import "$db" - >"$tmp/out" 2>"$tmp/err"
        code=$?
        ;;
    *)
        shown=tests/malformed/inputs/$input
        "$bin" import "$db" "$shown" >"$tmp/out" 2>"$tmp/err" </dev/null
        code=$?
        ;;
    esac
    after=$(state_of "$db")
    first=$(head -n 1 "$tmp/err")
    rc=0
    if [ "${SHOW:-}" = 1 ]; then
        printf '%s | %s | %s | %s | %s\n' "$name" "$setup" "$input" "$code" "$first"
        rm -rf "$tmp"
        return 0
    fi
    fail() {
        echo "$name: $*" >&2
        rc=1
    }
    [ "$code" = "$want_exit" ] || fail "exit status $code, expected $want_exit"
    if [ "$want_exit" = 0 ]; then
        [ ! -s "$tmp/err" ] || fail "unexpected standard error: $(cat "$tmp/err")"
        [ "$before" != "$after" ] || fail "exit 0 but the store did not change"
    else
        [ "$first" = "$want" ] || fail "first error line
    got:      $first
    expected: $want"
        last=$(tail -n 1 "$tmp/err")
        [ "$last" = "custos: nothing stored from $shown" ] || fail "last line is not 'nothing stored': $last"
        [ ! -s "$tmp/out" ] || fail "printed as stored: $(head -n 3 "$tmp/out")"
        [ "$before" = "$after" ] || fail "the store changed although the import was refused"
        # custos check --db reports the same first problem.
        if [ "$shown" != - ]; then
            "$bin" check --db "$db" "$shown" >/dev/null 2>"$tmp/check"
            ccode=$?
            [ "$ccode" = "$want_exit" ] || fail "check --db exit status $ccode"
            [ "$(head -n 1 "$tmp/check")" = "$want" ] || fail "check --db first line: $(head -n 1 "$tmp/check")"
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
