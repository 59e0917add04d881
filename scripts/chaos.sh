#!/usr/bin/env bash
# Chaos run: N events (default 100,000) through the real `eventrouter run --ingest-only` while the
# broker goes down and up, Azurite is killed and restarted, and the router is SIGKILLed and
# restarted three times; then every record is reconciled and the figures are printed
# (events, duplicates, poison, lost, time to recover after each fault).
# A thin wrapper around tests/EventRouter.IntegrationTests/Chaos/ChaosTests.cs, which CI runs
# with 3,000 events (EVENTROUTER_CHAOS_EVENTS unset).   Usage: scripts/chaos.sh [--events N]
set -euo pipefail
cd "$(dirname "$0")/.."
events=100000
if [[ "${1:-}" == "--events" ]]; then events="$2"; fi
scripts/bootstrap.sh
dotnet build tests/EventRouter.IntegrationTests --no-restore --configuration Release --verbosity quiet -nologo
EVENTROUTER_CHAOS_EVENTS="$events" dotnet test tests/EventRouter.IntegrationTests --no-build --configuration Release \
  --filter "FullyQualifiedName~EventRouter.IntegrationTests.Chaos.ChaosTests" --logger "console;verbosity=detailed" \
  | tee /dev/stderr | grep -E '^\s*(produced|SIGKILL|broker|Azurite|RESULT|RECOVERY)' || true
