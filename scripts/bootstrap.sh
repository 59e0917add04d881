#!/usr/bin/env bash
# Installs what EventRouter's sandbox and tests need on a fresh Debian machine, skipping whatever
# is already there: kcat (the independent Kafka client), the npm dev tools (Azurite), and the
# NuGet packages (dotnet restore), librdkafka and the Bicep compiler among them: EventRouter, its
# mock broker and its tests load the librdkafka.redist package's library, never a system one.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v kcat >/dev/null 2>&1 || need_apt+=(kcat)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
# The benchmark charts (bench/EventRouter.Charts) draw their text with DejaVu Sans from a file.
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need_apt+=(fonts-dejavu-core)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "bootstrap: installing ${need_apt[*]} (apt)"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

command -v node >/dev/null 2>&1 || { echo "bootstrap: Node.js is required (apt-get install nodejs npm)" >&2; exit 1; }
if [ ! -x node_modules/.bin/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: installing npm dev tools (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi

command -v dotnet >/dev/null 2>&1 || { echo "bootstrap: the .NET 10 SDK is required" >&2; exit 1; }
echo "bootstrap: restoring NuGet packages"
# KafkaTrigger=false: this registry lacks the Functions Kafka extension (docs/functions.md).
dotnet restore EventRouter.Ci.slnf -p:KafkaTrigger=false --verbosity quiet
