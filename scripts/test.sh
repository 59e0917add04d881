#!/usr/bin/env bash
# Runs every test EventRouter has on this machine: unit tests, integration tests against real
# Azurite and librdkafka's mock Kafka cluster, the Functions app as the worker SDK built it, and the
# infrastructure compiled and linted by the Bicep CLI. Installs what it needs first. The Functions
# app is built with -p:KafkaTrigger=false: this registry lacks the Kafka extension, so its
# Kafka-triggered functions are left out (docs/functions.md). Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
dotnet build EventRouter.Ci.slnf -p:KafkaTrigger=false --no-restore --configuration Release --verbosity quiet -nologo

log=$(mktemp)
status=0
dotnet test EventRouter.Ci.slnf -p:KafkaTrigger=false --no-build --configuration Release "$@" 2>&1 | tee "$log" || status=$?

# One closing line over every test assembly: "N passed, N failed".
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "tests: $passed passed, $failed failed"
exit "$status"
