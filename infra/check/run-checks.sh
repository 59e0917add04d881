#!/usr/bin/env bash
# Runs every infrastructure check that works without Azure or Docker, prints a table of results,
# and exits non-zero if any check failed. The Bicep templates are compiled, linted and their
# deployment predicted by tests/EventRouter.Infrastructure.Tests (the Bicep CLI comes with its
# NuGet package); the scripts here check the local containers and certificates.
#
# Usage: infra/check/run-checks.sh [--no-dotnet] [--verbose]
#   --no-dotnet  skip `dotnet test tests/EventRouter.Infrastructure.Tests` (bicep build, lint and
#                snapshot, and the same compose and certificate checks again as xunit tests)
#   --verbose    print every check's output, not only the output of failed checks
set -uo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
cd "$repo_root"

run_dotnet=1
verbose=0
for arg in "$@"; do
  case "$arg" in
    --no-dotnet) run_dotnet=0 ;;
    --verbose) verbose=1 ;;
    -h|--help) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "error: unknown argument '$arg'" >&2; exit 2 ;;
  esac
done

logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
names=()
states=()
times=()
failures=0

step() { # step NAME COMMAND...
  local name="$1"; shift
  local log="$logs/${#names[@]}.log" start end state
  start=$(date +%s)
  if "$@" >"$log" 2>&1; then state="passed"; else state="FAILED"; failures=$((failures + 1)); fi
  end=$(date +%s)
  names+=("$name"); states+=("$state"); times+=("$((end - start))s")
  if [[ "$state" == "FAILED" || $verbose -eq 1 ]]; then
    echo "---- $name ($state)"
    cat "$log"
  fi
}

missing=()
for pkg in yaml; do
  [[ -d "node_modules/$pkg" ]] || missing+=("$pkg")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "error: node_modules lacks ${missing[*]}. Run \`npm ci\` in $repo_root first." >&2
  exit 1
fi

sample_events_are_valid() {
  infra/local/produce-sample-events.sh --dry-run --include-invalid | node -e '
    const lines = require("fs").readFileSync(0, "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
    let valid = 0, invalid = 0;
    for (const line of lines) {
      const value = line.slice(line.indexOf("\t") + 1);
      try {
        const e = JSON.parse(value);
        for (const f of ["id", "created_at", "type", "object"]) if (!(f in e)) throw new Error(`missing ${f}: ${value}`);
        if (!/^[0-9a-f-]{36}$/.test(e.id)) throw new Error(`id is not a UUID: ${e.id}`);
        if (isNaN(Date.parse(e.created_at))) throw new Error(`created_at is not a date: ${e.created_at}`);
        valid++;
      } catch (err) {
        if (err instanceof SyntaxError) { invalid++; continue; }
        throw err;
      }
    }
    if (invalid !== 1) throw new Error(`expected exactly one deliberately invalid record, found ${invalid}`);
    console.log(`${valid} valid events, ${invalid} deliberately invalid record`);'
}

shell_syntax() {
  local rc=0 f
  while IFS= read -r f; do
    bash -n "$f" || { echo "syntax error in $f"; rc=1; }
  done < <(find infra -name '*.sh' -not -path '*/node_modules/*' | sort)
  return $rc
}

step "docker-compose.yml and mounted files"         node infra/check/check-compose.js
step "certificate script, openssl, librdkafka TLS"  infra/check/check-certs.sh
step "shell scripts parse (bash -n)"                shell_syntax
step "sample events are valid provider events"      sample_events_are_valid
if [[ $run_dotnet -eq 1 ]]; then
  step "xunit: Bicep build, lint, snapshot; compose"  dotnet test tests/EventRouter.Infrastructure.Tests --nologo
fi

echo
printf '%-48s %-8s %s\n' "check" "result" "time"
printf '%-48s %-8s %s\n' "-----" "------" "----"
for i in "${!names[@]}"; do
  printf '%-48s %-8s %s\n' "${names[$i]}" "${states[$i]}" "${times[$i]}"
done
echo
echo "$(( ${#names[@]} - failures )) passed, $failures failed"
[[ $failures -eq 0 ]]
