#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The administrative commands end to end: custos user (add, list, token,
# revoke, refusals), key (generate, add, list, revoke), policy (set, show),
# sign, audit (print, verify), with a live server taking the signed report
# through curl; then tampering with a stored signature is caught by verify.
#     cli.sh CUSTOS_BINARY SOURCE_DIR
set -u
bin=${1:?usage: cli.sh CUSTOS_BINARY SOURCE_DIR}
src=${2:?usage: cli.sh CUSTOS_BINARY SOURCE_DIR}
command -v curl >/dev/null || { echo "cli: skipped (no curl)"; exit 77; }
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "cli: $*" >&2; exit 1; }
c() { "$bin" "$@"; }
db=$tmp/l.db
cd "$tmp" || exit 1

c init "$db" >/dev/null || fail init
c facility add "$db" "$src"/examples/xa/facilities/*.json >/dev/null || fail facility
# XAFF's reports 1 (opening PIL) and 2 (January ICR), then 3 (February ICR)
awk -F'[;#]' '$2 <= 2' "$src/examples/xa/reports/XAFF.c10" >"$tmp/open.c10"
awk -F'[;#]' '$2 == 3' "$src/examples/xa/reports/XAFF.c10" >"$tmp/icr.c10"
c import "$db" "$tmp/open.c10" >/dev/null || fail "import the opening PIL and January"

# users: the token once on stdout, the note on stderr; refusals are usage errors
op=$(c user add "$db" op1 --role operator --mba XA/XAFF 2>"$tmp/note") || fail "user add"
echo "$op" | grep -Eq '^cst1\.op1\.[A-Za-z0-9_-]{43}$' || fail "token format: $op"
grep -q "shown only this once" "$tmp/note" || fail "no once-only note"
adm=$(c user add "$db" boss --role admin 2>/dev/null) || fail "admin"
c user add "$db" bad --role operator 2>/dev/null; [ $? = 2 ] || fail "an operator without --mba was accepted"
c user add "$db" bad --role root 2>/dev/null; [ $? = 2 ] || fail "an unknown role was accepted"
c user add "$db" op1 --role operator --mba XA/XAFF >/dev/null 2>&1 && fail "a second op1 was accepted"
c user add "$db" insp --role inspector --state XA --state XB >/dev/null 2>&1 || fail "inspector"
c user list "$db" | grep -q '^insp  *inspector  *active  *1  *XA,XB$' || fail "user list: $(c user list "$db")"
c user list "$db" --format json | grep -q '"name":"op1","role":"operator","active":true' || fail "user list json"

# keys and policy
c key generate "$tmp/fa" >/dev/null || fail "key generate"
[ "$(stat -c %a "$tmp/fa.key")" = 600 ] || fail "secret key file is not mode 0600"
c key generate "$tmp/fa" 2>/dev/null && fail "key generate overwrote a key"
kid=$(c key add "$db" --state XA --facility XAF1 "$tmp/fa.pub" | sed -n 's/registered key \([0-9a-f]*\) .*/\1/p')
[ -n "$kid" ] || fail "key add"
c key add "$db" --state XA --facility XAF1 "$tmp/fa.key" 2>/dev/null && fail "a secret key file was taken as public"
c key list "$db" | grep -q "^$kid  *XA  *XAF1  *active" || fail "key list"
c policy set "$db" XA --require-signatures yes >/dev/null || fail "policy set"
c policy show "$db" | grep -q '^XA  *required' || fail "policy show"

# a report signed with custos sign, submitted to a live server
grep -q '#015:20260201/20260228#' "$tmp/icr.c10" || fail "no February ICR in examples"
line=$(c sign --key "$tmp/fa.key" "$tmp/icr.c10") || fail "sign"
set -- $line
[ "$1" = "$kid" ] || fail "sign names key $1, not $kid"
sig=$2
"$bin" serve "$db" --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
pid=$!
for i in $(seq 50); do grep -q serving "$tmp/out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/.* on \(http:[^ ]*\)$/\1/p' "$tmp/out")
[ -n "$url" ] || fail "serve: $(cat "$tmp/err")"
code=$(curl -s -o "$tmp/r1" -w '%{http_code}' -H "Authorization: Bearer $op" --data-binary @"$tmp/icr.c10" "${url}api/reports")
[ "$code" = 403 ] || fail "unsigned report under the policy: $code $(cat "$tmp/r1")"
code=$(curl -s -o "$tmp/r2" -w '%{http_code}' -H "Authorization: Bearer $op" \
    -H "X-Custos-Key: $kid" -H "X-Custos-Signature: $sig" --data-binary @"$tmp/icr.c10" "${url}api/reports")
[ "$code" = 201 ] || fail "signed report: $code $(cat "$tmp/r2")"
grep -q '"signed":true' "$tmp/r2" || fail "not marked signed"
# a revoked token stops within the cache's 5 s (the command line revokes)
c user revoke "$db" op1 >/dev/null || fail "user revoke"
c user token "$db" op1 >/dev/null 2>&1 && fail "a revoked user got a new token"
sleep 6
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $op" "${url}api/reports")
[ "$code" = 401 ] || fail "revoked token: $code"
kill "$pid"
wait "$pid" || fail "serve did not stop cleanly"
pid=

# the audit log: the command line's changes and the server's requests
c audit "$db" | grep -q 'cli:.*user add op1' || fail "audit: no user add"
c audit "$db" | grep -q ' op1  *operator  *201 POST /api/reports' || fail "audit: no submission: $(c audit "$db")"
c audit "$db" | grep -q ' op1  *operator  *403 POST /api/reports' || fail "audit: no refusal"
c audit "$db" --format json | grep -q '"action":"key add"' || fail "audit json"
c audit "$db" --verify | grep -q '^audit log intact' || fail "audit verify"
c verify "$db" >/dev/null || fail "verify"

# tampering with the stored signature is found by verify
sqlite3 "$db" "DROP TRIGGER signatures_no_update; UPDATE signatures SET signature = zeroblob(64);" || fail sqlite3
c verify "$db" >"$tmp/v" 2>&1 && fail "verify missed a changed signature"
grep -q "signature" "$tmp/v" || fail "verify's message: $(cat "$tmp/v")"
echo "cli: ok"
