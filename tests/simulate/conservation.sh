#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Measurement errors off: every balance of every MBA closes with MUF = 0
# exactly, computed by custos balance on the imported reports; every
# operator MBR agrees with the books; enrichment U-235 feed = product +
# tails exactly, in the truth and in the books (category changes);
# down-blending m_H x_H + m_B x_B = m_P x_P exactly.
. "$(dirname "$0")/lib.sh"
for cfg in small all-types; do
    simulate_import "$EX/$cfg.json" 11 off "$cfg"
    "$CUSTOS_BIN" check "$T/$cfg"/reports/*.c10 >/dev/null || fail "$cfg: custos check"
    "$CUSTOS_BIN" balance "$T/$cfg.db" --format csv >"$T/$cfg.csv" 2>"$T/$cfg.findings" ||
        fail "$cfg: balance findings: $(head -3 "$T/$cfg.findings")"
    "$CUSTOS_BIN" verify "$T/$cfg.db" >/dev/null || fail "$cfg: verify"
    python3 - "$T/$cfg.csv" "$T/$cfg/truth.json" "$cfg" <<'PY' || fail "$cfg: conservation"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
truth = json.load(open(sys.argv[2]))
assert len(rows) > 50, len(rows)
bad = [r for r in rows if r["muf"] != "0.000" or r["mbr_differences"] != "0"]
assert not bad, bad[:3]
mbas = {r["mba"] for r in rows}
assert len(mbas) >= 7, mbas
def g(x):
    return round(float(x) * 1000) if x else 0   # milligrams, exact
# Enrichment in the books: the natural U-235 leaving through NE and ND
# equals the U-235 entering E (NE) and D (ND), per balance period.
en = [r for r in rows if r["mba"] == "XA/XAEN"]
for per in {r["period_end"] for r in en}:
    q = {(r["element"], r["quantity"]): r for r in en if r["period_end"] == per}
    n_out = -g(q[("N", "770")]["NE"]) - g(q[("N", "770")]["ND"])
    e_in = g(q[("E", "670")]["NE"]) if ("E", "670") in q else 0
    d_in = g(q[("D", "780")]["ND"]) if ("D", "780") in q else 0
    assert n_out == e_in + d_in and n_out > 0, (per, n_out, e_in, d_in)
for e in truth["enrichment"]:
    assert e["feed_u235_mg"] == e["product_u235_mg"] + e["tails_u235_mg"], e
    assert e["feed_u_mg"] == e["product_u_mg"] + e["tails_u_mg"], e
    assert e["feed_u235_mg"] > 0
for b in truth["downblending"]:
    assert b["heu_u235_mg"] + b["blendstock_u235_mg"] == b["product_u235_mg"], b
    assert b["heu_u_mg"] + b["blendstock_u_mg"] == b["product_u_mg"], b
assert all(x["true_muf_mg"] == 0 and x["book_muf_mg"] == 0 for x in truth["balances"])
if sys.argv[3] == "all-types":
    assert truth["downblending"], "no down-blending plant"
PY
done
# An enrichment plant no domestic facility supplies (examples/xa): its feed
# bought abroad in one shipment of 48Y cylinders; every balance closes.
simulate_import "$CUSTOS_SOURCE_DIR/examples/xa/xa-sim.json" 11 off xa
"$CUSTOS_BIN" balance "$T/xa.db" --format csv >"$T/xa.csv" 2>"$T/xa.findings" ||
    fail "xa: balance findings: $(head -3 "$T/xa.findings")"
python3 - "$T/xa.csv" "$T/xa/reports/XAEN.c10" "$T/xa/truth.json" <<'PY' || fail "xa: feed import"
import csv, json, re, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert rows and all(r["muf"] == "0.000" and r["mbr_differences"] == "0" for r in rows)
rf = [l for l in open(sys.argv[2]) if "#411:RF#" in l and "#010:I#" in l]
assert rf, "no foreign receipt at XAEN"
assert all("#370:XB#" in l and "#430:O/G/U/B#" in l for l in rf), rf[0]
assert len({re.search(r"#412:(\d+)", l).group(1) for l in rf}) == 1, "more than one shipment"
kg = [float(re.search(r"#610:([0-9.]+)K#", l).group(1)) for l in rf]
assert all(abs(k - 8000) < 1e-6 for k in kg), kg          # errors off: 8 t U each
t = json.load(open(sys.argv[3]))
assert all(b["true_muf_mg"] == 0 and b["book_muf_mg"] == 0 for b in t["balances"])
PY

# Transfers: every domestic shipment received, or still on its way at the end.
"$CUSTOS_BIN" transfers "$T/all-types.db" --format csv >"$T/tr.csv" || fail "transfers findings"
python3 - "$T/tr.csv" <<'PY' || fail "transfers"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
st = {}
for r in rows:
    st[r["status"]] = st.get(r["status"], 0) + 1
assert st.get("matched", 0) > 100 and set(st) <= {"matched", "pending"}, st
# Without measurement errors the shipper's and receiver's values agree.
for r in rows:
    if r["status"] == "matched":
        for w in r["srd"].split():
            assert w.endswith(":0.000"), (r["batch"], r["srd"])
PY
echo "conservation: ok"
