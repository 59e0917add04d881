#!/usr/bin/env bash
# Runs infra/local/generate-certs.sh into a temporary directory and checks what it produced:
# openssl accepts the chain and the names clients use, the keystore opens with its password, a
# second run keeps the material, and librdkafka (through kcat) completes a verified TLS handshake
# against the broker certificate, while a client trusting a different CA does not.
#
# Usage: infra/check/check-certs.sh [--keep DIR]   (--keep: write into DIR and leave it there)
set -uo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
gen="$repo_root/infra/local/generate-certs.sh"

keep=""
if [[ "${1:-}" == "--keep" ]]; then keep="$2"; fi
tmp="$(mktemp -d)"
out="${keep:-$tmp/certs}"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

passed=0
failed=0
ok() { echo "ok    $1"; passed=$((passed + 1)); }
fail() { echo "FAIL  $1"; [[ -n "${2:-}" ]] && echo "$2" | sed 's/^/        /'; failed=$((failed + 1)); }
run() { # run NAME COMMAND...
  local name="$1"; shift
  local output
  if output="$("$@" 2>&1)"; then ok "$name"; else fail "$name" "$output"; fi
}

command -v openssl >/dev/null 2>&1 || { echo "FAIL  openssl is not installed"; echo "0 passed, 1 failed"; exit 1; }

run "generate-certs.sh runs" "$gen" --out "$out" --force
for f in ca.crt ca.key broker.crt broker.key broker.p12 broker-keystore.password; do
  if [[ -s "$out/$f" ]]; then ok "produces $f"; else fail "produces $f" "missing or empty: $out/$f"; fi
done
run "openssl verify accepts the broker certificate" openssl verify -CAfile "$out/ca.crt" "$out/broker.crt"
run "certificate is valid for host name kafka" openssl verify -CAfile "$out/ca.crt" -verify_hostname kafka "$out/broker.crt"
run "certificate is valid for host name localhost" openssl verify -CAfile "$out/ca.crt" -verify_hostname localhost "$out/broker.crt"
run "certificate is valid for IP 127.0.0.1" openssl verify -CAfile "$out/ca.crt" -verify_ip 127.0.0.1 "$out/broker.crt"
if openssl verify -CAfile "$out/ca.crt" -verify_hostname example.org "$out/broker.crt" >/dev/null 2>&1; then
  fail "certificate is not valid for other names" "verify_hostname example.org succeeded"
else
  ok "certificate is not valid for other names"
fi
if openssl x509 -in "$out/ca.crt" -noout -ext basicConstraints 2>/dev/null | grep -q 'CA:TRUE'; then ok "ca.crt is a CA certificate"; else fail "ca.crt is a CA certificate"; fi
if [[ "$(openssl x509 -in "$out/broker.crt" -noout -pubkey | openssl sha256)" == "$(openssl pkey -in "$out/broker.key" -pubout | openssl sha256)" ]]; then
  ok "broker.key matches broker.crt"
else
  fail "broker.key matches broker.crt"
fi
p12_certs="$(openssl pkcs12 -in "$out/broker.p12" -passin "file:$out/broker-keystore.password" -nokeys 2>/dev/null | grep -c 'BEGIN CERTIFICATE')"
p12_keys="$(openssl pkcs12 -in "$out/broker.p12" -passin "file:$out/broker-keystore.password" -nocerts -nodes 2>/dev/null | grep -c 'BEGIN PRIVATE KEY')"
if [[ "$p12_certs" == "2" && "$p12_keys" == "1" ]]; then ok "broker.p12 opens with its password (key + 2-certificate chain)"; else fail "broker.p12 opens with its password (key + 2-certificate chain)" "certificates: $p12_certs, keys: $p12_keys"; fi
if [[ "$(stat -c %a "$out/broker.key")" == "600" && "$(stat -c %a "$out/ca.key")" == "600" ]]; then ok "private keys are mode 600"; else fail "private keys are mode 600"; fi

before="$(openssl x509 -in "$out/broker.crt" -noout -fingerprint -sha256)"
second="$("$gen" --out "$out" 2>&1)"
after="$(openssl x509 -in "$out/broker.crt" -noout -fingerprint -sha256)"
if [[ "$before" == "$after" && "$second" == *Keeping* ]]; then ok "a second run keeps valid material"; else fail "a second run keeps valid material" "$second"; fi

# TLS handshake with the Kafka client library itself (librdkafka, via kcat).
tls_handshake() { # tls_handshake CAFILE -> 0 when librdkafka completed a verified TLS handshake
  local cafile="$1" port log
  port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})' 2>/dev/null \
          || python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')"
  log="$tmp/s_server.$port.log"
  # -rev: the server never reads stdin; -naccept 1: it exits after one connection.
  openssl s_server -rev -accept "127.0.0.1:$port" -cert "$out/broker.crt" -key "$out/broker.key" -naccept 1 </dev/null >"$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 50); do grep -q ACCEPT "$log" 2>/dev/null && break; sleep 0.1; done
  printf 'security.protocol=SASL_SSL\nsasl.mechanisms=SCRAM-SHA-512\nsasl.username=check\nsasl.password=check\nssl.ca.location=%s\n' "$cafile" > "$tmp/kcat.cfg"
  timeout 10 kcat -L -b "localhost:$port" -F "$tmp/kcat.cfg" -m 2 >/dev/null 2>&1
  kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; server_pid=""
  # TLS 1.3: the server reports the connection established only after the client's Finished,
  # which librdkafka sends only once it has verified the chain and the host name.
  grep -q 'CONNECTION ESTABLISHED' "$log"
}
if command -v kcat >/dev/null 2>&1; then
  if tls_handshake "$out/ca.crt"; then ok "librdkafka (kcat) verifies the broker certificate for localhost"; else fail "librdkafka (kcat) verifies the broker certificate for localhost" "$(tail -5 "$tmp"/s_server.*.log 2>/dev/null)"; fi
  "$gen" --out "$tmp/other" --force >/dev/null 2>&1
  if tls_handshake "$tmp/other/ca.crt"; then fail "librdkafka rejects the broker certificate under another CA" "handshake succeeded with an unrelated CA"; else ok "librdkafka rejects the broker certificate under another CA"; fi
else
  echo "skip  librdkafka TLS handshake (kcat not installed: apt-get install kcat)"
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
