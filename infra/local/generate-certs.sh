#!/usr/bin/env bash
# Creates the TLS material for the local Kafka broker in docker-compose.yml:
#   ca.crt / ca.key                 a private certificate authority (clients: ssl.ca.location=ca.crt)
#   broker.crt / broker.key         the broker certificate, signed by the CA, valid for the names
#                                   clients use: kafka (inside compose), localhost and 127.0.0.1
#   broker.p12                      broker key + certificate chain as a PKCS#12 keystore for Kafka
#   broker-keystore.password        the keystore password (random, local use only)
#
# Usage: infra/local/generate-certs.sh [--out DIR] [--force] [--days N]
#   --out DIR   where to write (default: infra/local/certs, which docker-compose.yml mounts)
#   --force     replace existing material (otherwise an existing, valid set is kept)
#   --days N    validity of both certificates (default 825)
#
# Local development only: the files are world-readable so the broker container (uid 1000) can
# read them, and nothing here is fit for a shared or production broker.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${script_dir}/certs"
force=0
days=825

while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --force) force=1; shift ;;
    --days) days="$2"; shift 2 ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

command -v openssl >/dev/null 2>&1 || { echo "error: openssl is required (apt-get install openssl)" >&2; exit 1; }

mkdir -p "$out"
out="$(cd "$out" && pwd)"

if [[ $force -eq 0 && -s "$out/ca.crt" && -s "$out/broker.crt" && -s "$out/broker.p12" && -s "$out/broker-keystore.password" ]] \
   && openssl verify -CAfile "$out/ca.crt" "$out/broker.crt" >/dev/null 2>&1 \
   && openssl x509 -checkend 86400 -noout -in "$out/broker.crt" >/dev/null 2>&1; then
  echo "Keeping existing certificates in $out (use --force to replace them)."
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cat > "$work/ca.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
x509_extensions = v3_ca
[dn]
CN = EventRouter local development CA
O = EventRouter
[v3_ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF

cat > "$work/broker.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = kafka
O = EventRouter
[v3_broker]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:kafka, DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
EOF

# Certificate authority.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$work/ca.key" 2>/dev/null
openssl req -new -x509 -sha256 -days "$days" -key "$work/ca.key" -config "$work/ca.cnf" -out "$work/ca.crt"

# Broker key, request and certificate signed by the CA.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/broker.key" 2>/dev/null
openssl req -new -sha256 -key "$work/broker.key" -config "$work/broker.cnf" -out "$work/broker.csr"
openssl x509 -req -sha256 -days "$days" -in "$work/broker.csr" \
  -CA "$work/ca.crt" -CAkey "$work/ca.key" -set_serial "0x$(openssl rand -hex 16)" \
  -extfile "$work/broker.cnf" -extensions v3_broker -out "$work/broker.crt"

# Keystore for Kafka (PKCS#12 with the chain). The truststore is ca.crt itself (PEM).
password="$(openssl rand -hex 24)"
printf '%s' "$password" > "$work/broker-keystore.password"
cat "$work/broker.crt" "$work/ca.crt" > "$work/broker-chain.crt"
openssl pkcs12 -export -name kafka -inkey "$work/broker.key" -in "$work/broker-chain.crt" \
  -passout "file:$work/broker-keystore.password" -out "$work/broker.p12"

# Refuse to hand out anything that does not verify.
openssl verify -CAfile "$work/ca.crt" "$work/broker.crt" >/dev/null
openssl pkcs12 -in "$work/broker.p12" -passin "file:$work/broker-keystore.password" -nokeys -noout 2>/dev/null

for f in ca.crt ca.key broker.crt broker.key broker.p12 broker-keystore.password; do
  cp "$work/$f" "$out/$f"
done
chmod 600 "$out/ca.key" "$out/broker.key"
chmod 644 "$out/ca.crt" "$out/broker.crt" "$out/broker.p12" "$out/broker-keystore.password"

echo "Wrote CA and broker certificate to $out"
openssl x509 -in "$out/broker.crt" -noout -subject -issuer -enddate -ext subjectAltName | sed 's/^/  /'
