#!/usr/bin/env bash
# Several nodes against one, run by hand (not in CI). See bench/README.md ("Nodes").
# One node on SQLite (the default deployment) against three nodes on one PostgreSQL database and one data folder behind
# HAProxy (round robin, the README's configuration without TLS: TLS would cost the same in front of one node), for
# concurrent pushes with the real client, concurrent pulls, and the metadata row (GET /v1/images ÷ /version) on
# PostgreSQL against SQLite. Appends the table to bench/RESULTS.md with date, machine and load average.
#
#   BENCH_NODES_PUSHES=32 BENCH_NODES_PUSH_MB=1024 BENCH_NODES_PULLS=100 BENCH_NODES_PULL_MB=1024 BENCH_NODES_IMAGES=10000
#   BENCH_NODES_SECONDS=15 BENCH_DIR=/var/tmp/registry-nodes
set -Eeuo pipefail
trap 'echo "bench: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

PUSHES=${BENCH_NODES_PUSHES:-32}
PUSH_MB=${BENCH_NODES_PUSH_MB:-1024}
PULLS=${BENCH_NODES_PULLS:-100}
PULL_MB=${BENCH_NODES_PULL_MB:-1024}
IMAGES=${BENCH_NODES_IMAGES:-10000}
WRK_S=${BENCH_NODES_SECONDS:-15}
WORK=${BENCH_DIR:-/var/tmp/registry-nodes}
PORT=${BENCH_PORT:-18100} # one node: PORT; three: PORT+1..3; HAProxy PORT+4; PostgreSQL PORT+5
REPO=$(cd "$(dirname "$0")/.." && pwd)
ONE="http://127.0.0.1:$PORT"
LB="http://127.0.0.1:$(( PORT + 4 ))"
PG_PORT=$(( PORT + 5 ))

log() { printf '\n== %s\n' "$*" >&2; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
mibps() { awk -v mb="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? mb / s : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

log "installing tools (haproxy, postgresql, wrk, jq, siftool, Go + the Apptainer library client)"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q haproxy postgresql wrk jq curl siftool golang-go sqlite3 \
    golang-github-apptainer-container-library-client-dev >/dev/null
fi
for t in haproxy wrk jq curl siftool go sqlite3 dotnet runuser; do command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 1; }; done
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

rm -rf "$WORK"; mkdir -p "$WORK"/{files,one,shared,pg}
avail_mb=$(df -Pm "$WORK" | awk 'NR==2 { print $4 }')
need_mb=$(( PUSHES * PUSH_MB * 2 + PULL_MB * 3 + 2048 ))
[ "$avail_mb" -ge "$need_mb" ] || { echo "need about $need_mb MiB free in $WORK, have $avail_mb; scale down with BENCH_NODES_*" >&2; exit 1; }

log "building Registry (Release) and the Go library-client driver"
dotnet build "$REPO/Registry.Web" -c Release -v quiet -nologo >/dev/null
DLL="$REPO/Registry.Web/bin/Release/net10.0/Registry.Web.dll"
(cd "$REPO/Registry.Tests/EndToEnd/libclient" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= CGO_ENABLED=0 go build -o "$WORK/libclient" .)

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/pg/data/postmaster.pid" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m fast stop >/dev/null 2>&1 || true; }
trap cleanup EXIT

log "PostgreSQL on 127.0.0.1:$PG_PORT"
chown postgres "$WORK/pg"
runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg/data" -U postgres -A trust --no-locale -E UTF8 >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/server.log" -w start \
  -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c max_connections=400" >/dev/null
psql() { command psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -q "$@"; }
psql -c "CREATE DATABASE registry"
PG_ENV=(Registry__Database=PostgreSql "Registry__DatabaseConnection=Host=127.0.0.1;Port=$PG_PORT;Database=registry;Username=postgres;Maximum Pool Size=200")

BASE_ENV=(ASPNETCORE_ENVIRONMENT=Production Accounts__TermsVersion=0 Registry__GcInterval=00:00:00
  RateLimits__ApiPerTokenPerMinute=100000000 RateLimits__AnonymousPerAddressPerMinute=100000000
  ReverseProxy__KnownProxies__0=127.0.0.1 Logging__LogLevel__Default=Warning)
NODE_ENV=() # the settings of the nodes being measured (data folder, database)
# launch <log name> <url>: a server in the background (its PID in PIDS); ready <url>: back when /version answers.
launch() { (cd "$(dirname "$DLL")" && exec env "${BASE_ENV[@]}" "${NODE_ENV[@]}" dotnet "$DLL" --urls "$2" >"$WORK/$1.log" 2>&1) & PIDS+=($!); }
ready() { for _ in $(seq 1 240); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done; echo "bench: $1 did not answer" >&2; exit 1; }
admin() { (cd "$(dirname "$DLL")" && env "${BASE_ENV[@]}" "${NODE_ENV[@]}" dotnet "$DLL" admin "$@"); }
stop_nodes() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; PIDS=(); }

mksif() { head -c "$(( $2 * 1024 * 1024 ))" /dev/urandom > "$1.bin"; siftool new "$1" >/dev/null
  siftool add "$1" "$1.bin" --datatype 4 --parttype 2 --partfs 4 --partarch 2 >/dev/null; rm -f "$1.bin"; }
flip_last() { local last; last=$(tail -c 1 "$1" | od -An -tu1 | tr -d ' ')
  printf "\\x$(printf %02x $(( (last + 1) % 256 )))" | dd of="$1" bs=1 seek=$(( $(stat -c %s "$1") - 1 )) conv=notrunc status=none; }

log "files: $PUSHES × ${PUSH_MB} MiB (each differs), one ${PULL_MB} MiB"
mksif "$WORK/files/p1.sif" "$PUSH_MB"
for i in $(seq 2 "$PUSHES"); do cp "$WORK/files/p$(( i - 1 )).sif" "$WORK/files/p$i.sif"; flip_last "$WORK/files/p$i.sif"; done
mksif "$WORK/files/pull.sif" "$PULL_MB"; mksif "$WORK/files/seed.sif" 1
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# measure <url> <label>: pushes, pulls and the metadata row against the registry at <url> (NODE_ENV its settings); sets
# T_PUSH, OK_PUSH, T_PULL, OK_PULL, RPS_IMAGES, RPS_VERSION, NON2XX.
measure() {
  local url=$1 label=$2
  admin user add bench --password "Bench-$(date +%s)-aZ9!" >/dev/null
  TOKEN=$(admin token create bench | tail -n 1)
  lib() { "$WORK/libclient" -url "$url" -token "$TOKEN" "$@"; }
  lib push "$WORK/files/seed.sif" bench/warm/x0 latest >/dev/null 2>&1 # the collections exist first, as in daily use
  lib push "$WORK/files/seed.sif" bench/conc/x0 latest >/dev/null 2>&1
  log "$label: $PUSHES concurrent pushes"
  rm -f "$WORK"/files/*.ok; sync; local t0 t1 i p
  t0=$(now); p=(); for i in $(seq 1 "$PUSHES"); do ( lib push "$WORK/files/p$i.sif" bench/conc/x$i latest >/dev/null 2>"$WORK/files/p$i.err" && touch "$WORK/files/p$i.ok" ) & p+=($!); done
  wait "${p[@]}" || true; t1=$(now); T_PUSH=$(secs "$t0" "$t1"); OK_PUSH=$(find "$WORK/files" -name "p*.ok" | wc -l)
  log "$label: $PULLS concurrent pulls"
  lib push "$WORK/files/pull.sif" bench/c/pull latest >/dev/null 2>&1
  curl -fsSL -H "Authorization: Bearer $TOKEN" "$url/v1/imagefile/bench/c/pull:latest?arch=amd64" -o "$WORK/files/pulled.sif"
  cmp -s "$WORK/files/pull.sif" "$WORK/files/pulled.sif" || { echo "bench: pulled bytes differ" >&2; exit 1; }; rm -f "$WORK/files/pulled.sif"
  rm -f "$WORK"/files/*.ok
  t0=$(now); p=(); for i in $(seq 1 "$PULLS"); do ( curl -fsSL -H "Authorization: Bearer $TOKEN" "$url/v1/imagefile/bench/c/pull:latest?arch=amd64" -o /dev/null && touch "$WORK/files/g$i.ok" ) & p+=($!); done
  wait "${p[@]}" || true; t1=$(now); T_PULL=$(secs "$t0" "$t1"); OK_PULL=$(find "$WORK/files" -name "g*.ok" | wc -l)
  log "$label: metadata ($IMAGES images)"
  lib push "$WORK/files/seed.sif" bench/seed/x0 latest >/dev/null 2>&1
  seed_images "$url"
  printf 'math.randomseed(42)\nrequest = function() return wrk.format("GET", "/v1/images/bench/seed/x" .. math.random(1, %d) .. ":latest?arch=amd64", { ["Authorization"] = "Bearer %s" }) end\n' "$IMAGES" "$TOKEN" > "$WORK/images.lua"
  wrk -t2 -c32 -d5s "$url/version" >/dev/null; wrk -t2 -c32 -d5s -s "$WORK/images.lua" "$url" >/dev/null # warm-up
  RPS_VERSION=$(wrk -t2 -c32 -d"${WRK_S}s" "$url/version" | awk '/Requests\/sec/ { print $2 }')
  local out; out=$(wrk -t2 -c32 -d"${WRK_S}s" -s "$WORK/images.lua" "$url")
  RPS_IMAGES=$(awk '/Requests\/sec/ { print $2 }' <<<"$out"); NON2XX=$(awk '/Non-2xx/ { print $NF }' <<<"$out"); NON2XX=${NON2XX:-0}
}

# Clones bench/seed/x0's container, image and tag $IMAGES times (ids rewritten), in SQLite or PostgreSQL.
seed_images() {
  local x0 i0 t; x0=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$1/v1/containers/bench/seed/x0" | jq -r .data.id)
  i0=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$1/v1/images/bench/seed/x0:latest?arch=amd64" | jq -r .data.id)
  for t in "Containers:\"Id\" = '$x0'" "Images:\"Id\" = '$i0'" "Tags:\"ImageId\" = '$i0'"; do clone_"$DB_KIND" "${t%%:*}" "${t#*:}"; done
}
# The SELECT list that copies table $1's row with new ids: Containers x1…xN, Images and Tags pointing at them.
# Ids are 24 characters, as Ids.New makes them: three letters of the table and the row's number in 21 digits ($PAD).
clone_columns() { # $1 table, $2 column names, one a line (Tags without its generated Id)
  local c out=
  while read -r c; do
    case "$c" in
      Id) out+="'${1:0:3}' || $PAD," ;;
      ContainerId) out+="'Con' || $PAD," ;;
      ImageId) out+="'Ima' || $PAD," ;;
      Name) [ "$1" = Containers ] && out+="'x' || n," || out+="t.\"Name\"," ;;
      *) out+="t.\"$c\"," ;;
    esac
  done <<<"$2"; echo "${out%,}"
}
clone_sqlite() {
  local PAD="printf('%021d', n)" db="$WORK/one/registry.db" names; names=$(sqlite3 "$db" "SELECT name FROM pragma_table_info('$1')")
  [ "$1" = Tags ] && names=$(grep -vx Id <<<"$names")
  sqlite3 "$db" >/dev/null "PRAGMA busy_timeout=10000; WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < $IMAGES)
    INSERT INTO \"$1\" ($(sed 's/.*/"&"/' <<<"$names" | paste -sd,)) SELECT $(clone_columns "$1" "$names") FROM s, \"$1\" t WHERE $2;"
}
clone_pg() {
  local PAD="lpad(n::text, 21, '0')" names; names=$(psql -d registry -Atc "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '$1' ORDER BY ordinal_position")
  [ "$1" = Tags ] && names=$(grep -vx Id <<<"$names")
  psql -d registry -c "INSERT INTO \"$1\" ($(sed 's/.*/"&"/' <<<"$names" | paste -sd,)) SELECT $(clone_columns "$1" "$names") FROM generate_series(1, $IMAGES) s(n), \"$1\" t WHERE $2;"
}

# ---------------------------------------------------------------- one node, SQLite
log "one node on SQLite at $ONE"
DB_KIND=sqlite NODE_ENV=(Registry__DataPath="$WORK/one")
launch one "$ONE"; ready "$ONE/version"
measure "$ONE" "one node"
T1_PUSH=$T_PUSH OK1_PUSH=$OK_PUSH T1_PULL=$T_PULL OK1_PULL=$OK_PULL RPS1_IMAGES=$RPS_IMAGES RPS1_VERSION=$RPS_VERSION N1=$NON2XX
stop_nodes; rm -rf "$WORK/one"

# ---------------------------------------------------------------- three nodes, PostgreSQL, HAProxy
log "three nodes on PostgreSQL and $WORK/shared behind HAProxy at $LB"
DB_KIND=pg NODE_ENV=(Registry__DataPath="$WORK/shared" "${PG_ENV[@]}")
for i in 1 2 3; do launch "node$i" "http://127.0.0.1:$(( PORT + i ))"; done # at once: one applies the migrations
for i in 1 2 3; do ready "http://127.0.0.1:$(( PORT + i ))/version"; done
cat > "$WORK/haproxy.cfg" <<EOF
defaults
    mode http
    timeout connect 5s
    timeout client 10m
    timeout server 10m
    timeout http-request 30s
    option redispatch
    retries 2
    retry-on conn-failure empty-response
frontend registry
    bind 127.0.0.1:$(( PORT + 4 ))
    http-request set-header X-Forwarded-Proto http
    http-request set-header X-Forwarded-Host %[req.hdr(host)]
    option forwardfor
    http-request disable-l7-retry unless METH_GET
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk
    http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host registry-check
    http-check expect status 200
$(for i in 1 2 3; do echo "    server node$i 127.0.0.1:$(( PORT + i )) check inter 2s fall 2 rise 2"; done)
EOF
haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 & PIDS+=($!)
ready "$LB/readyz"; sleep 5 # every node passed its checks (rise 2, inter 2s)
measure "$LB" "three nodes"
T3_PUSH=$T_PUSH OK3_PUSH=$OK_PUSH T3_PULL=$T_PULL OK3_PULL=$OK_PULL RPS3_IMAGES=$RPS_IMAGES RPS3_VERSION=$RPS_VERSION N3=$NON2XX
log "one PostgreSQL node directly: metadata"
RPSP_VERSION=$(wrk -t2 -c32 -d"${WRK_S}s" "http://127.0.0.1:$(( PORT + 1 ))/version" | awk '/Requests\/sec/ { print $2 }')
OUT=$(wrk -t2 -c32 -d"${WRK_S}s" -s "$WORK/images.lua" "http://127.0.0.1:$(( PORT + 1 ))")
RPSP_IMAGES=$(awk '/Requests\/sec/ { print $2 }' <<<"$OUT"); NP=$(awk '/Non-2xx/ { print $NF }' <<<"$OUT"); NP=${NP:-0}
stop_nodes

# ---------------------------------------------------------------- table
RESULTS=()
row() { RESULTS+=("$(printf '| %s | %s | %s | %s | %s | %s |' "$@")"); }
verdict() { if [ "$3" = "$4" ] && [ "$5" = "$6" ] && ge "$1" "$2"; then echo met; else echo '**missed**'; fi; }
TOTAL=$(( PUSHES * PUSH_MB )); PTOTAL=$(( PULLS * PULL_MB ))
R=$(ratio "$T1_PUSH" "$T3_PUSH")
row "$PUSHES concurrent pushes of ${PUSH_MB} MiB, real client (three: $OK3_PUSH/$PUSHES ok; one: $OK1_PUSH/$PUSHES ok)" "${T3_PUSH} s ($(mibps "$TOTAL" "$T3_PUSH") MiB/s)" "${T1_PUSH} s ($(mibps "$TOTAL" "$T1_PUSH") MiB/s)" "$R" "all ok, ≥ 0.80" "$(verdict "$R" 0.8 "$OK3_PUSH" "$PUSHES" "$OK1_PUSH" "$PUSHES")"
R=$(ratio "$T1_PULL" "$T3_PULL")
row "$PULLS concurrent pulls of ${PULL_MB} MiB (curl, 303 followed, to /dev/null; three: $OK3_PULL/$PULLS ok; one: $OK1_PULL/$PULLS ok)" "${T3_PULL} s ($(mibps "$PTOTAL" "$T3_PULL") MiB/s)" "${T1_PULL} s ($(mibps "$PTOTAL" "$T1_PULL") MiB/s)" "$R" "all ok, ≥ 0.80" "$(verdict "$R" 0.8 "$OK3_PULL" "$PULLS" "$OK1_PULL" "$PULLS")"
R=$(ratio "$RPS3_IMAGES" "$RPS1_IMAGES")
row "GET /v1/images/… ($IMAGES images, random refs; three: $N3 non-2xx), three nodes behind HAProxy ÷ one node" "$RPS3_IMAGES req/s (/version $RPS3_VERSION)" "$RPS1_IMAGES req/s (/version $RPS1_VERSION)" "$R" "no errors, ≥ 0.80" "$(verdict "$R" 0.8 "$N3" 0 0 0)"
R=$(ratio "$RPSP_IMAGES" "$RPS1_IMAGES")
row "GET /v1/images/…, one node: PostgreSQL ÷ SQLite (÷ /version: $(ratio "$RPSP_IMAGES" "$RPSP_VERSION") on PostgreSQL, $(ratio "$RPS1_IMAGES" "$RPS1_VERSION") on SQLite; $NP / $N1 non-2xx)" "$RPSP_IMAGES req/s (/version $RPSP_VERSION)" "$RPS1_IMAGES req/s (/version $RPS1_VERSION)" "$R" "no errors, ≥ 0.80" "$(verdict "$R" 0.8 "$NP" 0 "$N1" 0)"
CPU=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
{
  echo; echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — nodes: three behind HAProxy on PostgreSQL vs one on SQLite — $(hostname), $(nproc) × $CPU, $(uname -r), .NET $(dotnet --version), $(haproxy -v | head -n 1 | cut -d' ' -f1-3), PostgreSQL $("$PGBIN/postgres" --version | awk '{ print $NF }')"
  echo; echo "Sizes: $PUSHES × ${PUSH_MB} MiB pushes, $PULLS × ${PULL_MB} MiB pulls, $IMAGES images, wrk ${WRK_S} s at 32 connections. Load average (1, 5, 15 min) at the start: $LOAD_START; at the end: $(cut -d' ' -f1-3 /proc/loadavg). Every node, HAProxy, PostgreSQL and the clients share this machine's cores; ratios are one node's time ÷ three nodes' (pushes, pulls) and three nodes' rate ÷ one node's (reads)."
  echo; echo "| measurement | three nodes (or PostgreSQL) | one node (SQLite) | ratio | target | |"; echo "|---|---|---|---|---|---|"; printf '%s\n' "${RESULTS[@]}"
} | tee -a "${BENCH_RESULTS:-$REPO/bench/RESULTS.md}"
