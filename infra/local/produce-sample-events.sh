#!/usr/bin/env bash
# Produces sample provider events with kcat, connecting the way the provider's connectivity guide
# does: SASL_SSL, a SCRAM mechanism, the SASL username and password, and ssl.ca.location.
#
# Defaults target the local broker from docker-compose.yml (localhost:9094, the CA from
# infra/local/generate-certs.sh). Against a real provider cluster pass --bootstrap, --username,
# the password in KAFKA_PASSWORD, and --ca "" (its certificate is publicly trusted).
#
# Usage: infra/local/produce-sample-events.sh [options]
#   -b, --bootstrap HOST:PORT  bootstrap servers        (KAFKA_BOOTSTRAP_SERVERS, default localhost:9094)
#   -u, --username NAME        SASL username            (KAFKA_USERNAME, default eventrouter)
#       --password-stdin       read the SASL password from standard input
#                              (otherwise KAFKA_PASSWORD, default the compose default)
#   -m, --mechanism NAME       SCRAM-SHA-512 (default), SCRAM-SHA-256 or PLAIN
#       --ca FILE              CA certificate for ssl.ca.location; "" uses the system bundle
#                              (default infra/local/certs/ca.crt)
#   -t, --topic NAME           Notifications, Prices or all (default all)
#       --notifications-topic  topic name for notifications (default Notifications)
#       --prices-topic         topic name for prices (default Prices)
#   -n, --repeat N             send the sample set N times (default 1)
#       --include-invalid      also send one event of an unknown type (events-unrouted) and one
#                              record that is not JSON (events-poison) to the notifications topic
#       --check                only list cluster metadata (kcat -L), the provider's connectivity check
#       --dry-run              print the kcat command (password masked) and the records; send nothing
#   -h, --help
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"

bootstrap="${KAFKA_BOOTSTRAP_SERVERS:-localhost:9094}"
username="${KAFKA_USERNAME:-${EVENTROUTER_KAFKA_USERNAME:-eventrouter}}"
password="${KAFKA_PASSWORD:-${EVENTROUTER_KAFKA_PASSWORD:-eventrouter-local-secret}}"
mechanism="SCRAM-SHA-512"
ca="$script_dir/certs/ca.crt"
topic="all"
notifications_topic="Notifications"
prices_topic="Prices"
repeat=1
include_invalid=0
mode="produce"

usage() { sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    -b|--bootstrap) bootstrap="$2"; shift 2 ;;
    -u|--username) username="$2"; shift 2 ;;
    --password-stdin) IFS= read -r password; shift ;;
    -m|--mechanism) mechanism="$2"; shift 2 ;;
    --ca) ca="$2"; shift 2 ;;
    -t|--topic) topic="$2"; shift 2 ;;
    --notifications-topic) notifications_topic="$2"; shift 2 ;;
    --prices-topic) prices_topic="$2"; shift 2 ;;
    -n|--repeat) repeat="$2"; shift 2 ;;
    --include-invalid) include_invalid=1; shift ;;
    --check) mode="check"; shift ;;
    --dry-run) mode="dry-run"; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

case "$mechanism" in
  SCRAM-SHA-512|SCRAM-SHA-256|PLAIN) ;;
  *) echo "error: --mechanism must be SCRAM-SHA-512, SCRAM-SHA-256 or PLAIN" >&2; exit 2 ;;
esac
case "$topic" in
  all|Notifications|Prices) ;;
  *) echo "error: --topic must be Notifications, Prices or all" >&2; exit 2 ;;
esac
[[ "$repeat" =~ ^[1-9][0-9]*$ ]] || { echo "error: --repeat must be a positive integer" >&2; exit 2; }

if [[ -n "$ca" && ! -s "$ca" && "$mode" != "dry-run" ]]; then
  echo "error: CA file '$ca' not found. Run infra/local/generate-certs.sh, or pass --ca \"\" for a publicly trusted broker." >&2
  exit 1
fi
if [[ "$mode" != "dry-run" ]] && ! command -v kcat >/dev/null 2>&1; then
  echo "error: kcat is required (Debian/Ubuntu: apt-get install kcat)." >&2
  exit 1
fi

new_uuid() {
  if [[ -r /proc/sys/kernel/random/uuid ]]; then cat /proc/sys/kernel/random/uuid
  elif command -v uuidgen >/dev/null 2>&1; then uuidgen | tr 'A-Z' 'a-z'
  else
    local h; h="$(openssl rand -hex 16)"
    printf '%s-%s-4%s-a%s-%s\n' "${h:0:8}" "${h:8:4}" "${h:13:3}" "${h:17:3}" "${h:20:12}"
  fi
}
now_rfc3339() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ 2>/dev/null | grep -v N || date -u +%Y-%m-%dT%H:%M:%SZ; }

# The categories come from infra/routes.json, the same list the templates create queues from.
mapfile -t categories < <(sed -n '/"categories"/,/\]/p' "$repo_root/infra/routes.json" | grep -o '"[A-Z][A-Z_]*"' | tr -d '"')
if [[ ${#categories[@]} -eq 0 ]]; then
  echo "error: no categories found in infra/routes.json" >&2
  exit 1
fi

# kcat reads the SASL password from a private configuration file rather than the command line,
# so it never shows up in the process list. The properties are the provider's kcat properties.
config="$(mktemp)"
records_dir="$(mktemp -d)"
trap 'rm -rf "$config" "$records_dir"' EXIT
chmod 600 "$config"
{
  echo "security.protocol=SASL_SSL"
  echo "sasl.mechanisms=$mechanism"
  echo "sasl.username=$username"
  echo "sasl.password=$password"
  [[ -n "$ca" ]] && echo "ssl.ca.location=$ca"
} > "$config"

show_command() {
  local args=("kcat" "$@" "-b" "$bootstrap" "-X" "security.protocol=SASL_SSL" "-X" "sasl.mechanisms=$mechanism"
              "-X" "sasl.username=$username" "-X" "sasl.password=****")
  [[ -n "$ca" ]] && args+=("-X" "ssl.ca.location=$ca")
  echo "${args[*]}"
}

if [[ "$mode" == "check" ]]; then
  echo "$(show_command -L)" >&2
  exec kcat -L -b "$bootstrap" -F "$config" -m 15
fi

# One record per line: <key><TAB><JSON value>. The key is the event's object id.
notifications="$records_dir/notifications.tsv"
prices="$records_dir/prices.tsv"
: > "$notifications"
: > "$prices"
for ((round = 1; round <= repeat; round++)); do
  for category in "${categories[@]}"; do
    object_id="$(new_uuid)"
    printf '%s\t{"id":"%s","created_at":"%s","type":"%s.CREATED","object":{"id":"%s","sample":true}}\n' \
      "$object_id" "$(new_uuid)" "$(now_rfc3339)" "$category" "$object_id" >> "$notifications"
  done
  for isin in DE0007164600 US0378331005 IE00B4L5Y983; do
    printf '%s\t{"id":"%s","created_at":"%s","type":"PRICE.UPDATED","object":{"isin":"%s","bid_price":"101.25","ask_price":"101.35","currency":"EUR","time":"%s"}}\n' \
      "$isin" "$(new_uuid)" "$(now_rfc3339)" "$isin" "$(now_rfc3339)" >> "$prices"
  done
done
if [[ $include_invalid -eq 1 ]]; then
  object_id="$(new_uuid)"
  printf '%s\t{"id":"%s","created_at":"%s","type":"SAMPLE_UNKNOWN.CREATED","object":{"id":"%s"}}\n' \
    "$object_id" "$(new_uuid)" "$(now_rfc3339)" "$object_id" >> "$notifications"
  printf 'not-json\tthis record is not JSON and must end up in events-poison\n' >> "$notifications"
fi

produce() {
  local file="$1" target="$2"
  [[ -s "$file" ]] || return 0
  local count; count="$(wc -l < "$file" | tr -d ' ')"
  if [[ "$mode" == "dry-run" ]]; then
    echo "# $(show_command -P -t "$target" -K '<TAB>')"
    cat "$file"
  else
    kcat -P -b "$bootstrap" -F "$config" -t "$target" -K $'\t' -l "$file"
    echo "Produced $count records to $target" >&2
  fi
}

if [[ "$topic" == "all" || "$topic" == "Notifications" ]]; then produce "$notifications" "$notifications_topic"; fi
if [[ "$topic" == "all" || "$topic" == "Prices" ]]; then produce "$prices" "$prices_topic"; fi
