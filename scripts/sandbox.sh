#!/usr/bin/env bash
# The local sandbox: an embedded Kafka-protocol broker, Azurite, sample events and the full
# pipeline, with a live table. Installs what it needs first. Arguments go to `eventrouter dev`
# (for example --events 5000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
dotnet build src/EventRouter.Cli --no-restore --configuration Release --verbosity quiet -nologo
exec src/EventRouter.Cli/bin/Release/net10.0/eventrouter dev "$@"
