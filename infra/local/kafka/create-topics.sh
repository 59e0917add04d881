#!/usr/bin/env bash
# One-shot compose service "kafka-init": waits for the broker, creates the provider's two topics
# and (re)sets the application user's SCRAM-SHA-512 credential so a changed password in the
# environment takes effect without wiping the broker's volume. Safe to run again.
set -euo pipefail

: "${KAFKA_BOOTSTRAP:=kafka:9092}"
: "${KAFKA_ADMIN_USERNAME:?set KAFKA_ADMIN_USERNAME}"
: "${KAFKA_ADMIN_PASSWORD:?set KAFKA_ADMIN_PASSWORD}"
: "${KAFKA_APP_USERNAME:?set KAFKA_APP_USERNAME}"
: "${KAFKA_APP_PASSWORD:?set KAFKA_APP_PASSWORD}"
: "${KAFKA_TOPIC_PARTITIONS:=3}"
topics=(Notifications Prices)

kafka_bin=/opt/kafka/bin
client=/tmp/init-client.properties
cat > "$client" <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${KAFKA_ADMIN_USERNAME}" password="${KAFKA_ADMIN_PASSWORD}";
ssl.truststore.type=PEM
ssl.truststore.location=/opt/eventrouter/certs/ca.crt
PROPS

for attempt in $(seq 1 30); do
  if "$kafka_bin/kafka-broker-api-versions.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$client" >/dev/null 2>&1; then
    break
  fi
  if [[ $attempt -eq 30 ]]; then
    echo "error: broker $KAFKA_BOOTSTRAP did not answer over SASL_SSL" >&2
    exit 1
  fi
  sleep 2
done

for topic in "${topics[@]}"; do
  "$kafka_bin/kafka-topics.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$client" \
    --create --if-not-exists --topic "$topic" --partitions "$KAFKA_TOPIC_PARTITIONS" --replication-factor 1
done

"$kafka_bin/kafka-configs.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$client" \
  --alter --entity-type users --entity-name "$KAFKA_APP_USERNAME" \
  --add-config "SCRAM-SHA-512=[password=${KAFKA_APP_PASSWORD}]"

"$kafka_bin/kafka-topics.sh" --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$client" --describe
echo "Topics ready: ${topics[*]}"
