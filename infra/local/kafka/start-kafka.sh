#!/usr/bin/env bash
# Entrypoint of the compose "kafka" service (apache/kafka image). Builds the runtime
# configuration from server.properties plus the secrets passed in the environment, formats the
# KRaft storage on first start with the SCRAM-SHA-512 users (KIP-900: the inter-broker user must
# exist before the broker can talk to itself), then runs the broker in the foreground.
set -euo pipefail

: "${KAFKA_CLUSTER_ID:?set KAFKA_CLUSTER_ID}"
: "${KAFKA_ADMIN_USERNAME:?set KAFKA_ADMIN_USERNAME}"
: "${KAFKA_ADMIN_PASSWORD:?set KAFKA_ADMIN_PASSWORD}"
: "${KAFKA_APP_USERNAME:?set KAFKA_APP_USERNAME}"
: "${KAFKA_APP_PASSWORD:?set KAFKA_APP_PASSWORD}"

base=/opt/eventrouter
certs="$base/certs"
config=/tmp/server.properties
kafka_bin=/opt/kafka/bin

for f in broker.p12 broker-keystore.password ca.crt; do
  if [[ ! -s "$certs/$f" ]]; then
    echo "error: $certs/$f is missing. Run infra/local/generate-certs.sh on the host first." >&2
    exit 1
  fi
done

jaas="org.apache.kafka.common.security.scram.ScramLoginModule required username=\"${KAFKA_ADMIN_USERNAME}\" password=\"${KAFKA_ADMIN_PASSWORD}\";"
{
  cat "$base/server.properties"
  echo
  echo "ssl.keystore.password=$(cat "$certs/broker-keystore.password")"
  echo "listener.name.broker.scram-sha-512.sasl.jaas.config=${jaas}"
  echo "listener.name.external.scram-sha-512.sasl.jaas.config=${jaas}"
} > "$config"
chmod 600 "$config"

# Client configuration for the health check and for operators exec'ing into the container.
cat > /tmp/admin-client.properties <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=${jaas}
ssl.truststore.type=PEM
ssl.truststore.location=${certs}/ca.crt
PROPS
chmod 600 /tmp/admin-client.properties

"$kafka_bin/kafka-storage.sh" format --ignore-formatted \
  --cluster-id "$KAFKA_CLUSTER_ID" --config "$config" \
  --add-scram "SCRAM-SHA-512=[name=${KAFKA_ADMIN_USERNAME},password=${KAFKA_ADMIN_PASSWORD}]" \
  --add-scram "SCRAM-SHA-512=[name=${KAFKA_APP_USERNAME},password=${KAFKA_APP_PASSWORD}]"

exec "$kafka_bin/kafka-server-start.sh" "$config"
