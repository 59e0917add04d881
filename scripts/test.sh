#!/usr/bin/env bash
# Runs every test EventRouter has on this machine: unit tests, integration tests against real
# Azurite and librdkafka's mock Kafka cluster, and the infrastructure checks. Installs what it
# needs first. The Functions project is not built here (its packages do not restore on this
# registry); EventRouter.Ci.slnf lists every other project.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
dotnet build EventRouter.Ci.slnf --no-restore --configuration Release --verbosity quiet -nologo
dotnet test EventRouter.Ci.slnf --no-build --configuration Release --logger "console;verbosity=normal" "$@"
