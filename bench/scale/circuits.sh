#!/usr/bin/env bash
# 200 open browser sessions (issue 18), by hand, not in CI. See bench/README.md ("Scale").
#   bench/scale/circuits.sh                              # 200 circuits on a container page of a 10k-image registry
#   BENCH_CIRCUITS=40 bench/scale/circuits.sh            # scaled down
# Headless Chromium pages (Playwright, as the browser tests drive it) each open a real Blazor circuit on a container page
# and stay idle; prints the server's memory per circuit and how long a fresh page takes to become interactive while they
# are open, and appends the row to bench/RESULTS.md (BENCH_RESULTS).
set -Eeuo pipefail
trap 'echo "circuits: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

REPO=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$REPO/bench/scale"
N=${BENCH_CIRCUITS:-200}
SEED=${BENCH_CIRCUIT_SEED:-10000}
WORK=${BENCH_DIR:-/var/tmp/registry-scale}/circuits
PORT=${BENCH_CIRCUIT_PORT:-18094}
RESULTS=${BENCH_RESULTS:-$REPO/bench/RESULTS.md}
REG="http://127.0.0.1:$PORT"
for t in sqlite3 curl dotnet; do command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 1; }; done

if [ -n "${BENCH_DLL:-}" ]; then DLL=$BENCH_DLL; else
  dotnet build "$REPO/Registry.Web" -c Release -v quiet -nologo >/dev/null
  DLL="$REPO/Registry.Web/bin/Release/net10.0/Registry.Web.dll"
fi
# The browser driver: the node and playwright-core that Microsoft.Playwright copies into the test project's output.
PW="$REPO/Registry.Tests/bin/Debug/net10.0/.playwright"
[ -d "$PW/package" ] || dotnet build "$REPO/Registry.Tests" -v quiet -nologo >/dev/null
NODE="$PW/node/linux-x64/node"; chmod +x "$NODE"

rm -rf "$WORK"; mkdir -p "$WORK/data"
env=(Registry__DataPath="$WORK/data" ASPNETCORE_ENVIRONMENT=Production Accounts__TermsVersion=0
  RateLimits__ApiPerTokenPerMinute=100000000 RateLimits__AnonymousPerAddressPerMinute=100000000
  Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.AspNetCore=Warning)
(cd "$(dirname "$DLL")" && env "${env[@]}" dotnet "$DLL" admin user add bench --password "Scale-bench-pass-1!" --accept-terms >/dev/null)
sqlite3 "$WORK/data/registry.db" ".parameter set @n $SEED" ".read $HERE/seed.sql"
PAGE=$(sqlite3 "$WORK/data/registry.db" "SELECT '/' || e.Name || '/' || c.Name || '/' || x.Name FROM Containers x
  JOIN Collections c ON c.Id = x.CollectionId JOIN Entities e ON e.Id = c.EntityId WHERE c.IsPrivate = 0 ORDER BY x.Id LIMIT 1")

(cd "$(dirname "$DLL")" && exec env "${env[@]}" dotnet "$DLL" --urls "$REG" >"$WORK/server.log" 2>&1) &
PID=$!
trap 'kill '"$PID"' 2>/dev/null || true' EXIT
until curl -fsS -o /dev/null "$REG/version" 2>/dev/null; do sleep 0.1; done
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
OUT=$("$NODE" "$HERE/circuits.js" "$PW/package" "$REG$PAGE" "$N" "$PID")
echo "$OUT"
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" <<<"$OUT"; }
ROW="| $N idle circuits on a container page ($(field circuits) opened, $(field alive) still interactive at the end, $(field errors) errors) | server RSS $(field rssBeforeMiB) → $(field rssOpenMiB) MiB: $(field perCircuitKiB) KiB per circuit | new page interactive in $(field freshMsMedian) ms median, $(field freshMsMax) ms max of 5 (each of the $N took $(field openMsMedian) ms median) | < 1 GiB total, < 1 s |"
{
  echo; echo "### circuits (bench/scale/circuits.sh): $(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$REPO" rev-parse --short HEAD), load $LOAD0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"; echo
  echo "| row | memory | time to interactive | target |"; echo "|---|---|---|---|"
  echo "$ROW"
} >> "$RESULTS"
kill "$PID"; wait "$PID" 2>/dev/null || true
trap - EXIT
