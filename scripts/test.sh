#!/usr/bin/env bash
# Runs every test EventRouter has on this machine: unit tests, integration tests against real
# Azurite and librdkafka's mock Kafka cluster, and the infrastructure checks. Installs what it
# needs first. The Functions project is not built here (its packages do not restore on this
# registry); EventRouter.Ci.slnf lists every other project. Extra arguments go to `dotnet test`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
dotnet build EventRouter.Ci.slnf --no-restore --configuration Release --verbosity quiet -nologo

log=$(mktemp)
status=0
dotnet test EventRouter.Ci.slnf --no-build --configuration Release "$@" 2>&1 | tee "$log" || status=$?

# One closing line over every test assembly: "N passed, N failed".
passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "tests: $passed passed, $failed failed"
exit "$status"
