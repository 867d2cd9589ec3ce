#!/usr/bin/env bash
# A job array starting (issue 18): 100 concurrent pulls of one 1 GiB image, by hand, not in CI. See bench/README.md ("Scale").
#   bench/scale/pulls.sh                                        # 100 pulls of 1 GiB
#   BENCH_PULLS=20 BENCH_PULL_MB=128 bench/scale/pulls.sh       # scaled down
# Each pull is what the library client does: GET /v1/imagefile/… answered 303, then the Location in 5 MiB ranges, 3 at a
# time (curl, to /dev/null: the server's data path without the client's hashing). Against nginx serving the same file to
# the same number of concurrent plain GETs. Aggregate throughput, errors, the server's RSS growth (peak during the pulls
# minus before); the row is appended to bench/RESULTS.md (BENCH_RESULTS).
set -Eeuo pipefail
trap 'echo "pulls: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

REPO=$(cd "$(dirname "$0")/../.." && pwd)
N=${BENCH_PULLS:-100}
MB=${BENCH_PULL_MB:-1024}
WORK=${BENCH_DIR:-/var/tmp/registry-scale}/pulls
REG_PORT=${BENCH_PULL_PORT:-18095}
NGX_PORT=${BENCH_PULL_NGINX_PORT:-18096}
RESULTS=${BENCH_RESULTS:-$REPO/bench/RESULTS.md}
REG="http://127.0.0.1:$REG_PORT"
NGX="http://127.0.0.1:$NGX_PORT"
for t in nginx curl siftool go dotnet; do command -v "$t" >/dev/null || { echo "missing: $t (see bench/README.md)" >&2; exit 1; }; done
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

if [ -n "${BENCH_DLL:-}" ]; then DLL=$BENCH_DLL; else
  dotnet build "$REPO/Registry.Web" -c Release -v quiet -nologo >/dev/null
  DLL="$REPO/Registry.Web/bin/Release/net10.0/Registry.Web.dll"
fi
rm -rf "$WORK"; mkdir -p "$WORK"/{data,nginx/root,nginx/logs,nginx/tmp,cfg}
(cd "$REPO/Registry.Tests/EndToEnd/libclient" && GO111MODULE=off GOPATH=/usr/share/gocode GOFLAGS= CGO_ENABLED=0 go build -o "$WORK/libclient" .)

cat > "$WORK/nginx/nginx.conf" <<EOF
$([ "$(id -u)" = 0 ] && echo "user root;")
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on; tcp_nopush on;
  client_body_temp_path $WORK/nginx/tmp;
  server { listen 127.0.0.1:$NGX_PORT; root $WORK/nginx/root; }
}
EOF
env=(Registry__DataPath="$WORK/data" ASPNETCORE_ENVIRONMENT=Production Accounts__TermsVersion=0
  RateLimits__ApiPerTokenPerMinute=100000000 RateLimits__AnonymousPerAddressPerMinute=100000000
  Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.AspNetCore=Warning)
admin() { (cd "$(dirname "$DLL")" && env "${env[@]}" dotnet "$DLL" admin "$@"); }
admin user add bench --password "Scale-bench-pass-1!" --accept-terms >/dev/null
TOKEN=$(admin token create bench | tail -n 1)
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx"
NGX_PID=$(cat "$WORK/nginx/nginx.pid")
(cd "$(dirname "$DLL")" && exec env "${env[@]}" dotnet "$DLL" --urls "$REG" >"$WORK/server.log" 2>&1) &
PID=$!
RSS_PID=
trap 'kill '"$PID"' '"$NGX_PID"' 2>/dev/null || true; [ -n "$RSS_PID" ] && kill "$RSS_PID" 2>/dev/null || true' EXIT
until curl -fsS -o /dev/null "$REG/version" 2>/dev/null; do sleep 0.1; done

# The image, pushed by the real client; nginx gets the same bytes.
F="$WORK/job.sif"
head -c "$(( MB * 1024 * 1024 ))" /dev/urandom > "$F.bin"
siftool new "$F" >/dev/null; siftool add "$F" "$F.bin" --datatype 4 --parttype 2 --partfs 4 --partarch 2 >/dev/null; rm -f "$F.bin"
"$WORK/libclient" -url "$REG" -token "$TOKEN" push "$F" bench/jobs/array latest >/dev/null 2>&1
mv "$F" "$WORK/nginx/root/job.sif"; F="$WORK/nginx/root/job.sif"; SIZE=$(stat -c %s "$F")
IMG="$REG/v1/imagefile/bench/jobs/array:latest?arch=amd64"
curl -fsSL -H "Authorization: Bearer $TOKEN" "$IMG" | cmp -s - "$F" || { echo "pulled bytes differ from the pushed file" >&2; exit 1; }
cat "$F" "$WORK"/data/blobs/sha256/*/* > /dev/null # both in the page cache: the same memory state for both servers

# One pull as the client does it: its own 303, then the Location's 5 MiB ranges, 3 at a time; fails on any HTTP error.
PART=$(( 5 * 1024 * 1024 ))
pull() {
  local loc cfg="$WORK/cfg/$1"
  loc=$(curl -fsS -o /dev/null -w '%{redirect_url}' -H "Authorization: Bearer $TOKEN" "$IMG") || return 1
  [ -n "$loc" ] || return 1
  awk -v url="$loc" -v size="$SIZE" -v part="$PART" 'BEGIN {
    for (off = 0; off < size; off += part) {
      if (off > 0) print "next"
      end = off + part - 1; if (end > size - 1) end = size - 1
      printf "url = \"%s\"\nrange = %d-%d\noutput = \"/dev/null\"\nfail\n", url, off, end
    } }' > "$cfg"
  curl -fsS --no-progress-meter --parallel --parallel-max 3 -K "$cfg"
}
pull warm # the data path compiled before the timed run

# nginx: N concurrent plain GETs of the same file.
for (( i = 0; i < N; i++ )); do [ "$i" -gt 0 ] && echo next; printf 'url = "%s/job.sif"\noutput = "/dev/null"\nfail\n' "$NGX"; done > "$WORK/cfg/nginx"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
t0=$(now); NGX_ERR=0; curl -fsS --no-progress-meter --parallel --parallel-max "$N" -K "$WORK/cfg/nginx" || NGX_ERR=$?; T_NGX=$(secs "$t0" "$(now)")

# Registry: N pulls at once, the server's RSS sampled every 100 ms.
RSS0=$(awk '/VmRSS/ { print $2 }' "/proc/$PID/status")
( while kill -0 "$PID" 2>/dev/null; do awk '/VmRSS/ { r = $2 } /Threads/ { t = $2 } END { print r, t }' "/proc/$PID/status"; sleep 0.1; done ) > "$WORK/rss" & RSS_PID=$!
t0=$(now)
pids=()
for (( i = 0; i < N; i++ )); do ( pull "p$i" >/dev/null 2>>"$WORK/pull-errors" || echo fail >> "$WORK/failed" ) & pids+=($!); done
wait "${pids[@]}"
T_REG=$(secs "$t0" "$(now)")
kill "$RSS_PID" 2>/dev/null || true; RSS_PID=
PEAK=$(sort -n "$WORK/rss" | tail -n 1 | cut -d' ' -f1); THREADS=$(sort -n -k2 "$WORK/rss" | tail -n 1 | cut -d' ' -f2)
FAILED=$( [ -f "$WORK/failed" ] && wc -l < "$WORK/failed" || echo 0)
GROW=$(( (PEAK - RSS0) / 1024 ))
TOTAL_MB=$(( N * SIZE / 1048576 ))
R=$(awk -v a="$T_NGX" -v b="$T_REG" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
ROW="| $N concurrent pulls of $(( SIZE / 1048576 )) MiB (303, then 5 MiB ranges 3 at a time; curl to /dev/null) vs $N concurrent nginx GETs | ${T_REG} s ($(awk -v m="$TOTAL_MB" -v s="$T_REG" 'BEGIN { printf "%.0f", m / s }') MiB/s), $FAILED failed pulls | ${T_NGX} s ($(awk -v m="$TOTAL_MB" -v s="$T_NGX" 'BEGIN { printf "%.0f", m / s }') MiB/s), curl exit $NGX_ERR | $R | RSS $(( RSS0 / 1024 )) → $(( PEAK / 1024 )) MiB (+$GROW MiB), $THREADS threads at most | ≥ 0.90, 0 errors, < 200 MiB |"
echo "$ROW"
{
  echo; echo "### job array (bench/scale/pulls.sh): $(date -u '+%Y-%m-%d %H:%M UTC'), $(git -C "$REPO" rev-parse --short HEAD), load $LOAD0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"; echo
  echo "| row | Registry | nginx | ratio | server RSS | target |"; echo "|---|---|---|---|---|---|"
  echo "$ROW"
} >> "$RESULTS"
[ -s "$WORK/pull-errors" ] && { echo "first errors:" >&2; head -n 5 "$WORK/pull-errors" >&2; }
kill "$PID" "$NGX_PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true
trap - EXIT
