#!/usr/bin/env bash
# Chaos run: N events (default 100,000) through the real `eventrouter run --ingest-only` while the
# broker goes down and up, Azurite is killed and restarted, and the router is SIGKILLed and
# restarted three times; then every record is reconciled and the figures are printed
# (events, duplicates, poison, lost, time to recover after each fault).
# A thin wrapper around tests/EventRouter.IntegrationTests/Chaos/ChaosTests.cs, which CI runs
# with 3,000 events (EVENTROUTER_CHAOS_EVENTS unset).   Usage: scripts/chaos.sh [--events N]
#
# With --group: three `eventrouter run` processes in one group (one joins late, one is SIGKILLed, one
# stopped with SIGTERM) while 30,000 events arrive at 100/s (GroupChaosTests.cs; CI runs 3,000 at
# 40/s); it prints where the partitions went after each change, the pause each caused, and the
# reconciliation, and writes the per-second timeline and the workers' logs to /tmp.
#   Usage: scripts/chaos.sh --group [--events N] [--rate R]
set -euo pipefail
cd "$(dirname "$0")/.."
events=100000
group=false
rate=100
while [[ $# -gt 0 ]]; do
  case "$1" in
    --group) group=true; events=30000; shift ;;
    --events) events="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    *) echo "chaos.sh: unknown option $1 (use --group, --events N, --rate R)" >&2; exit 2 ;;
  esac
done
scripts/bootstrap.sh
dotnet build tests/EventRouter.IntegrationTests --no-restore --configuration Release --verbosity quiet -nologo
if [[ "$group" == true ]]; then
  EVENTROUTER_GROUP_CHAOS_EVENTS="$events" EVENTROUTER_GROUP_CHAOS_RATE="$rate" \
  EVENTROUTER_GROUP_CHAOS_TIMELINE=/tmp/eventrouter-group-chaos-timeline.csv EVENTROUTER_GROUP_CHAOS_WORKER_LOG=/tmp/eventrouter-group-chaos-workers.log \
    dotnet test tests/EventRouter.IntegrationTests --no-build --configuration Release \
    --filter "FullyQualifiedName~EventRouter.IntegrationTests.Chaos.GroupChaosTests" --logger "console;verbosity=detailed" \
    | tee /dev/stderr | grep -F '[group-chaos]' || true
  exit "${PIPESTATUS[0]}" # the test's verdict, not grep's
fi
EVENTROUTER_CHAOS_EVENTS="$events" dotnet test tests/EventRouter.IntegrationTests --no-build --configuration Release \
  --filter "FullyQualifiedName~EventRouter.IntegrationTests.Chaos.ChaosTests" --logger "console;verbosity=detailed" \
  | tee /dev/stderr | grep -E '^\s*(produced|SIGKILL|broker|Azurite|RESULT|RECOVERY)' || true
