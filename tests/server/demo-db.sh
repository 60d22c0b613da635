#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A ledger with something of every kind, for the server's module tests,
# the browser test and `make demo-serve`:
#   State XA   examples/xa (the simulated year 2026: enrichment, fuel
#              fabrication, power reactor, spent fuel, reprocessing, Pu store) and examples/stats (XAFS with its
#              measurement model: sigma-MUF and near-real-time accountancy)
#   State XT   the hand-worked State of tests/state: its model (paths,
#              evaluation) and three information items, one per
#              compartment (public, safeguards, third-party:XB)
#   agreements examples/agreements (HEU purchase, PMDA, MNSR conversions,
#              JCPOA) with their ledgers
# and one user per role; NAME TOKEN lines go to DB.tokens.
#     demo-db.sh CUSTOS_BINARY DB
set -eu
bin=${1:?usage: demo-db.sh CUSTOS_BINARY DB}
db=${2:?usage: demo-db.sh CUSTOS_BINARY DB}
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -f "$db" "$db-wal" "$db-shm" "$db.tokens"
q() { "$bin" "$@" >/dev/null; }

q init "$db"
A=$top/examples/agreements
L=$A/ledgers
q facility add "$db" "$top"/examples/xa/facilities/*.json "$top"/examples/stats/facility.json \
    "$top"/tests/state/xt-reactor.json "$top"/tests/state/xt-enrichment.json \
    "$L"/jcpoa/facility.json "$L"/heu-purchase/facility.json \
    "$L"/mnsr/gh-facility.json "$L"/mnsr/ng-facility.json \
    "$L"/pmda/us-facilities.json "$L"/pmda/us-route.json \
    "$L"/pmda/ru-facilities.json "$L"/pmda/ru-route.json
q import "$db" "$top"/examples/xa/reports/*.c10
q import "$db" "$top"/examples/stats/reports.c10 "$top"/tests/state/xt-pil.c10 \
    "$L"/jcpoa/pils.c10 "$L"/heu-purchase/reports.c10 "$L"/mnsr/gh.c10 "$L"/mnsr/ng.c10 \
    "$L"/pmda/us.c10 "$L"/pmda/us-route.c10 "$L"/pmda/ru.c10 "$L"/pmda/ru-route.c10
q agreement add "$db" "$A"/heu-purchase.json "$A"/pmda.json "$A"/mnsr-conversions.json \
    "$A"/jcpoa.json
q state add "$db" "$top"/tests/state/xt-state.json

# Information items of XT, one per compartment.
h=sha256:$(printf 'demo' | sha256sum | cut -c1-64)
cat >"$tmp/i1.json" <<JSON
{"id": "XT-OS-1", "state": "XT", "title": "Operator's annual report published",
 "source_class": "open-source", "reliability": "B", "credibility": 2,
 "classification": "public", "date": "2026-03-01", "content_hash": "$h",
 "links": [{"facility": "XTRR", "direction": "indicates-absence"}]}
JSON
cat >"$tmp/i2.json" <<JSON
{"id": "XT-VER-1", "state": "XT", "title": "Seals intact at the reactor's spent fuel pond",
 "source_class": "verification", "reliability": "A", "credibility": 1,
 "classification": "safeguards-confidential", "compartment": "safeguards",
 "date": "2026-04-15", "content_hash": "$h",
 "links": [{"facility": "XTRR", "direction": "indicates-absence"}]}
JSON
cat >"$tmp/i3.json" <<JSON
{"id": "XT-TP-1", "state": "XT", "title": "Procurement enquiry for maraging steel",
 "source_class": "third-party", "reliability": "C", "credibility": 3,
 "classification": "third-party-restricted", "originator": "XB",
 "compartment": "third-party:XB", "date": "2026-05-20", "content_hash": "$h",
 "links": [{"facility": "XTEN", "direction": "indicates-activity"}]}
JSON
q info add "$db" "$tmp/i1.json" "$tmp/i2.json" "$tmp/i3.json"

user() {
    name=$1
    shift
    tok=$("$bin" user add "$db" "$name" "$@" 2>/dev/null)
    printf '%s %s\n' "$name" "$tok" >>"$db.tokens"
}
user operator --role operator --mba XA/XAFF --mba XA/XAFS
user authority --role authority --state XA
user inspector --role inspector --state XA --state XT --state US --state RU
user analyst --role analyst --state XT --state XA --compartment safeguards
user analyst2 --role analyst --state XT --compartment safeguards --compartment third-party:XB
user admin --role admin
"$bin" verify "$db" >/dev/null
