#!/usr/bin/env bash
# How Registry's cost grows with its size (issue 18), by hand, not in CI. See bench/README.md ("Scale").
#   bench/scale/run.sh 10000 100000 1000000  # one seeded data folder and one measured run per size, then pulls.sh and circuits.sh
#   BENCH_ROWS='search|bigco' BENCH_SKIP_JOBS=1 bench/scale/run.sh 10000  # only the rows whose label matches (and /version)
# Seeds a data folder per size with bench/scale/seed.sql, starts the Release build on it, and measures with wrk
# (concurrency 32) the API calls and the server-side render of the pages (the prerendered HTML of a GET) against the
# same server's /version, plus cold start, `admin gc --dry-run` and the database size. Prints a markdown table per
# size and appends it to bench/RESULTS.md (BENCH_RESULTS).
set -Eeuo pipefail
trap 'echo "scale: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

REPO=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$REPO/bench/scale"
WORK=${BENCH_DIR:-/var/tmp/registry-scale}
PORT=${BENCH_REGISTRY_PORT:-18091}
DUR=${BENCH_SECONDS:-5}
CONC=${BENCH_CONC:-32}
RESULTS=${BENCH_RESULTS:-$REPO/bench/RESULTS.md}
REG="http://127.0.0.1:$PORT"
PASS="Scale-bench-pass-1!"
for t in wrk sqlite3 curl dotnet; do command -v "$t" >/dev/null || { echo "missing: $t (apt-get install wrk sqlite3 curl)" >&2; exit 1; }; done

# BENCH_DLL: another build (a copy of an older commit's bin/Release) for before/after on the same data folders.
if [ -n "${BENCH_DLL:-}" ]; then DLL=$BENCH_DLL; else
  dotnet build "$REPO/Registry.Web" -c Release -v quiet -nologo >/dev/null
  DLL="$REPO/Registry.Web/bin/Release/net10.0/Registry.Web.dll"
fi
LABEL=${BENCH_LABEL:-$(git -C "$REPO" rev-parse --short HEAD)}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

measure_size() {
  local n=$1 data="$WORK/$1" out="$WORK/$1.md"
  local env=(Registry__DataPath="$data" ASPNETCORE_ENVIRONMENT=Production Accounts__TermsVersion=0
    RateLimits__ApiPerTokenPerMinute=100000000 RateLimits__AnonymousPerAddressPerMinute=100000000
    Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.AspNetCore=Warning)
  admin() { (cd "$(dirname "$DLL")" && env "${env[@]}" dotnet "$DLL" admin "$@"); }

  if [ -z "${BENCH_KEEP_DATA:-}" ] || [ ! -f "$data/bench.token" ]; then
    rm -rf "$data"; mkdir -p "$data"
    admin user add bench --password "$PASS" --accept-terms >/dev/null   # migrates; the first account is the admin
    local t0; t0=$(now)
    sqlite3 "$data/registry.db" ".parameter set @n $n" ".read $HERE/seed.sql"
    SEED_SECS=$(secs "$t0" "$(now)")
    admin token create bench | tail -n 1 > "$data/bench.token"
  else SEED_SECS="(kept)"; fi
  local token; token=$(cat "$data/bench.token")
  local images; images=$(sqlite3 "$data/registry.db" "SELECT count(*) FROM Images")
  sqlite3 "$data/registry.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  local dbsize; dbsize=$(du -m "$data/registry.db" | cut -f1)

  # Path lists (random public refs; sregistry names collections without their entity).
  local q="$WORK/paths-$n"; mkdir -p "$q"
  sqlite3 "$data/registry.db" "SELECT e.Name, c.Name, x.Name FROM Containers x JOIN Collections c ON c.Id = x.CollectionId
    JOIN Entities e ON e.Id = c.EntityId WHERE c.IsPrivate = 0 AND x.Id LIKE 'a6%' ORDER BY random() LIMIT 500" > "$q/refs"
  awk -F'|' '{ print "/v1/images/" $1 "/" $2 "/" $3 ":latest" }' "$q/refs" > "$q/images"
  awk -F'|' '{ print "/v1/entities/" $1 }' "$q/refs" > "$q/entities"
  awk -F'|' '{ print "/v1/collections/" $1 "/" $2 }' "$q/refs" > "$q/collections"
  awk -F'|' '{ print "/v1/containers/" $1 "/" $2 "/" $3 }' "$q/refs" > "$q/containers"
  awk -F'|' '{ print "/api/container/" $2 "/" $3 ":latest" }' "$q/refs" > "$q/shub"
  awk -F'|' '{ print "/" $1 "/" $2 }' "$q/refs" > "$q/collection-pages"
  awk -F'|' '{ print "/" $1 "/" $2 "/" $3 }' "$q/refs" > "$q/container-pages"
  one() { printf '%s\n' "$1" > "$q/$2"; echo "$q/$2"; }

  # Cold start: exec to the first answered /version, and to the first home page.
  local t0; t0=$(now)
  (cd "$(dirname "$DLL")" && exec env "${env[@]}" dotnet "$DLL" --urls "$REG" >"$WORK/server-$n.log" 2>&1) &
  local pid=$!
  until curl -fsS -o /dev/null "$REG/version" 2>/dev/null; do sleep 0.02; done
  local cold; cold=$(secs "$t0" "$(now)")
  curl -fsS -o /dev/null "$REG/"; local cold_home; cold_home=$(secs "$t0" "$(now)")
  trap 'kill '"$pid"' 2>/dev/null || true' EXIT

  # The admin's sign-in cookie for /admin.
  local jar="$WORK/cookies-$n"; rm -f "$jar"
  local af; af=$(curl -fsS -c "$jar" -b "$jar" "$REG/Account/Login" | grep -o 'name="__RequestVerificationToken"[^>]*value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
  curl -fsS -o /dev/null -c "$jar" -b "$jar" --data-urlencode "__RequestVerificationToken=$af" --data-urlencode "_handler=login" \
    --data-urlencode "Input.Email=bench" --data-urlencode "Input.Password=$PASS" "$REG/Account/Login"
  local cookie; cookie=$(awk '$6 ~ /AspNetCore.Identity.Application/ { printf "%s=%s", $6, $7 }' "$jar")

  # Warm-up: the JIT tiers up the request paths before anything is timed.
  WRK_PATHS="$q/images" wrk -t2 -c8 -d3s -s "$HERE/latency.lua" "$REG" >/dev/null
  WRK_PATHS="$(one / home)" wrk -t1 -c2 -d3s --timeout 30s -s "$HERE/latency.lua" "$REG" >/dev/null

  # Requests wrk gave up on go on running in the server: each row starts once the server is idle again
  # (under 0.2 CPU-seconds in a second; 120 s at most), so a slow row does not slow the next.
  local hz; hz=$(getconf CLK_TCK)
  cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0; }
  settle() {
    local a b
    for _ in $(seq 1 ${BENCH_SETTLE:-30}); do a=$(cpu); sleep 1; b=$(cpu); [ $(( b - a )) -lt $(( hz / 5 )) ] && return; done
    return 0 # still busy after BENCH_SETTLE seconds: measure anyway (the row after a timed-out one says so by its figures)
  }
  local ref_rps=""
  row() { # label, path file, extra wrk args...
    local label=$1 file=$2; shift 2
    # BENCH_ROWS (an extended regex): only the rows whose label matches, and the reference.
    if [ -n "$ref_rps" ] && [ -n "${BENCH_ROWS:-}" ] && ! [[ $label =~ $BENCH_ROWS ]]; then return; fi
    settle
    # One request alone first (the server idle): its latency without queueing, on a loaded machine the steadier figure.
    local alone; alone=$( (curl -s -o /dev/null -m 120 -w '%{time_total}' "$@" "$REG$(head -n 1 "$file")" || true) | awk '{ printf "%.0f", $1 * 1000 }')
    local c0; c0=$(cpu)
    local r; r=$(WRK_PATHS="$file" wrk -t2 -c"$CONC" -d"${DUR}s" --timeout 30s -s "$HERE/latency.lua" "$@" "$REG" | grep '^RESULT' | cut -d' ' -f2-)
    read -r p50 p95 p99 rps non2xx errs <<<"$r"
    settle
    # Server CPU per answered request, the work of requests wrk abandoned included (so an upper bound).
    local cpums; cpums=$(awk -v t=$(( $(cpu) - c0 )) -v hz="$hz" -v n="$(awk -v r="$rps" -v d="$DUR" 'BEGIN { printf "%d", r * d }')" \
      'BEGIN { if (n > 0) printf "%.1f", t * 1000 / hz / n; else printf "— (%.0f s, none answered)", t / hz }')
    [ -n "$ref_rps" ] || ref_rps=$rps
    if awk -v r="$rps" 'BEGIN { exit !(r == 0) }'; then p50="—"; p95="—"; p99="—"; fi
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$alone" "$p50" "$p95" "$p99" "$rps" \
      "$(awk -v a="$rps" -v b="$ref_rps" 'BEGIN { printf "%.2f", a / b }')" "$cpums" "$non2xx / $errs" >> "$out"
  }
  local auth=(-H "Authorization: Bearer $token") cook=(-H "Cookie: $cookie")
  {
    echo; echo "### $LABEL: $n images requested ($images image rows): $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"; echo
    echo "Seeding: ${SEED_SECS} s. Database: ${dbsize} MiB. Cold start to the first /version: ${cold} s; to the first home page: ${cold_home} s."
    echo; echo "| call | alone ms | p50 ms (c=$CONC, ${DUR} s) | p95 ms | p99 ms | req/s | ÷ /version | server CPU ms / answer | non-2xx / errors |"
    echo "|---|---|---|---|---|---|---|---|---|"
  } > "$out"
  row "GET /version (reference)" "$(one /version version)"
  row "GET /v1/images/… (token)" "$q/images" "${auth[@]}"
  row "GET /v1/images/… (anonymous)" "$q/images"
  row "GET /v1/entities/…" "$q/entities"
  row "GET /v1/collections/…" "$q/collections"
  row "GET /v1/containers/…" "$q/containers"
  row "GET shub manifest /api/container/…" "$q/shub"
  row "GET /v1/search?value=blast" "$(one '/v1/search?value=blast' s1)"
  row "GET /v1/search?value=samtools&arch=amd64" "$(one '/v1/search?value=samtools&arch=amd64' s2)"
  row "GET /api/labels/search/u00007/value (labels)" "$(one '/api/labels/search/u00007/value' s3)"
  row "GET /api/collections/?limit=25 (sregistry)" "$(one '/api/collections/?limit=25&offset=0' s4)"
  row "GET /api/collections/?limit=25&offset=deep" "$(one "/api/collections/?limit=25&offset=$(( n / 40 ))" s5)"
  row "page / (anonymous)" "$(one / p1)"
  row "page / (admin)" "$(one / p1)" "${cook[@]}"
  row "page /collections" "$(one /collections p2)"
  row "page /{entity}/{collection} (random)" "$q/collection-pages"
  row "page /bigco/wide (2,000 containers)" "$(one /bigco/wide p3)"
  row "page /{e}/{c}/{container} (random)" "$q/container-pages"
  row "page /bigco/deep/tall (500 tags)" "$(one /bigco/deep/tall p4)"
  row "page /search?q=blast" "$(one '/search?q=blast' p5)"
  row "page /treemap" "$(one /treemap p6)"
  row "page /admin (admin)" "$(one /admin p7)" "${cook[@]}"
  local g0; g0=$(now); admin gc --dry-run >/dev/null 2>&1 || true
  echo >> "$out"; echo "admin gc --dry-run (a CLI process: its start-up included): $(secs "$g0" "$(now)") s." >> "$out"
  local rss; rss=$(awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$pid/status")
  echo "Server RSS after the run: ${rss} MiB." >> "$out"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  trap - EXIT
  cat "$out"
}

mkdir -p "$WORK"
{ echo; echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — scale (issue 18), $LABEL, $(nproc) cores, $(uname -r)"; } >> "$RESULTS"
for n in "$@"; do measure_size "$n"; cat "$WORK/$n.md" >> "$RESULTS"; done
# The size-independent rows once per run (BENCH_SKIP_JOBS=1 leaves them out): the job array's 100 pulls of 1 GiB and
# 200 idle browser sessions (bench/scale/pulls.sh, bench/scale/circuits.sh; their own variables scale them down).
if [ -z "${BENCH_SKIP_JOBS:-}" ]; then
  BENCH_DLL="$DLL" BENCH_DIR="$WORK" BENCH_RESULTS="$RESULTS" "$HERE/pulls.sh"
  BENCH_DLL="$DLL" BENCH_DIR="$WORK" BENCH_RESULTS="$RESULTS" "$HERE/circuits.sh"
fi
