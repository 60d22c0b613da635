#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The committed example State is what the simulator writes: re-run
# `custos simulate` with examples/xa/xa-sim.json and the seed named in
# examples/xa/README.md, and compare every byte.
#
#     simulate.sh CUSTOS_BIN EXAMPLE_DIR OUT_DIR
set -eu
custos=$1 xa=$2 out=$3
seed=$(sed -n 's/^ *custos simulate --config examples\/xa\/xa-sim.json --seed \([0-9][0-9]*\) .*/\1/p' \
    "$xa/README.md" | head -n 1)
[ -n "$seed" ] || { echo "simulate.sh: no seed in $xa/README.md" >&2; exit 1; }
rm -rf "$out"
"$custos" simulate --config "$xa/xa-sim.json" --seed "$seed" --out "$out" >/dev/null
diff -r "$xa/facilities" "$out/facilities"
diff -r "$xa/reports" "$out/reports"
cmp "$xa/truth.json" "$out/truth.json"
echo "example/simulate: seed $seed rewrites the same bytes"
