#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# custos serve over TLS (libmicrohttpd with GnuTLS): a self-signed
# certificate for 127.0.0.1 made with openssl, the API reached with curl
# trusting only that certificate, a token checked over it, and plain HTTP
# to the TLS port refused.  Exit 77 (skipped) without openssl or curl.
#     tls.sh CUSTOS_BINARY
set -u
bin=${1:?usage: tls.sh CUSTOS_BINARY}
command -v openssl >/dev/null && command -v curl >/dev/null || { echo "tls: skipped (no openssl or curl)"; exit 77; }
tmp=$(mktemp -d)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "tls: $*" >&2; exit 1; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null || fail "openssl could not make a certificate"
"$bin" init "$tmp/l.db" >/dev/null || fail "init"
tok=$("$bin" user add "$tmp/l.db" admin1 --role admin 2>/dev/null) || fail "user add"

"$bin" serve "$tmp/l.db" --listen 127.0.0.1:0 --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem" \
    >"$tmp/out" 2>"$tmp/err" &
pid=$!
for i in $(seq 50); do
    grep -q 'serving' "$tmp/out" 2>/dev/null && break
    sleep 0.1
done
url=$(sed -n 's/.* on \(https:[^ ]*\)$/\1/p' "$tmp/out")
[ -n "$url" ] || fail "no https line: $(cat "$tmp/out" "$tmp/err")"

body=$(curl -sS --cacert "$tmp/cert.pem" "${url}api/health") || fail "curl over TLS failed"
echo "$body" | grep -q '"status":"ok"' || fail "health over TLS: $body"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tmp/cert.pem" \
    -H "Authorization: Bearer $tok" "${url}api/users")
[ "$code" = 200 ] || fail "GET /api/users with the admin's token over TLS: $code"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$tmp/cert.pem" "${url}api/users")
[ "$code" = 401 ] || fail "without a token: $code"
# the certificate is the only one trusted: without it curl refuses
curl -s -o /dev/null "${url}api/health" && fail "curl accepted an untrusted certificate"
# plain HTTP on the TLS port gets no HTTP answer
plain=$(echo "$url" | sed 's/^https/http/')
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "${plain}api/health")
[ "$code" = 000 ] || fail "plain HTTP to the TLS port answered $code"
kill "$pid"
wait "$pid" || fail "the server did not stop cleanly"
pid=
echo "tls: ok ($url)"
