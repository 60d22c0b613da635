# SPDX-License-Identifier: Apache-2.0
# Shared by the simulate tests: a scratch directory, the binary, and
# simulate + register + import of one configuration.
set -eu
: "${CUSTOS_BIN:?}" "${CUSTOS_SOURCE_DIR:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
EX="$CUSTOS_SOURCE_DIR/examples/sim"
HERE="$CUSTOS_SOURCE_DIR/tests/simulate"

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# simulate_import CONFIG SEED ERRORS NAME: simulate into $T/NAME, import
# into $T/NAME.db (facilities first, then each MBA's reports).
simulate_import() {
    "$CUSTOS_BIN" simulate --config "$1" --seed "$2" --errors "$3" --out "$T/$4" >/dev/null
    "$CUSTOS_BIN" init "$T/$4.db" >/dev/null
    "$CUSTOS_BIN" facility add "$T/$4.db" "$T/$4"/facilities/*.json >/dev/null
    "$CUSTOS_BIN" import "$T/$4.db" "$T/$4"/reports/*.c10 >/dev/null
}
