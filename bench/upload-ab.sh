#!/usr/bin/env bash
# A/B of the sregistry POST /upload row (run.sh's row 1b) between two Release builds on a shared machine, where absolute
# figures move 2× between minutes: both servers run side by side, and each round times nginx's PUT of the file right
# before each build's push, alternating A, B, A, B. Prints one line per push: seconds, server CPU, ratio ÷ that nginx PUT,
# load average. Run by hand as root (drops the page cache), after run.sh's tools are installed:
#   BENCH_A_DLL=/tmp/a/Registry.Web.dll BENCH_B_DLL=/tmp/b/Registry.Web.dll BENCH_PUSH_MB=1024 BENCH_ROUNDS=4 bench/upload-ab.sh
set -Eeuo pipefail
A_DLL=${BENCH_A_DLL:?the baseline build}; B_DLL=${BENCH_B_DLL:?the build to compare}
PUSH_MB=${BENCH_PUSH_MB:-1024}; ROUNDS=${BENCH_ROUNDS:-4}
WORK=${BENCH_DIR:-/var/tmp/registry-upload-ab}; PORT=${BENCH_PORT:-18300}
NGX="http://127.0.0.1:$PORT"
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
HZ=$(getconf CLK_TCK)
cpu_of() { awk -v hz="$HZ" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
fresh_cache() { sync; echo 1 > /proc/sys/vm/drop_caches 2>/dev/null || true; cat "$@" > /dev/null; }
flip_last() {
  local last; last=$(tail -c 1 "$1" | od -An -tu1 | tr -d ' ')
  printf "\\x$(printf %02x $(( (last + 1) % 256 )))" | dd of="$1" bs=1 seek=$(( $(stat -c %s "$1") - 1 )) conv=notrunc status=none
}

rm -rf "$WORK"; mkdir -p "$WORK"/{nginx/root,nginx/tmp,nginx/logs,a,b}
cat > "$WORK/nginx/nginx.conf" <<CONF
user root; worker_processes auto; pid $WORK/nginx/nginx.pid; error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $WORK/nginx/tmp; client_max_body_size 0;
  server { listen 127.0.0.1:$PORT; root $WORK/nginx/root; location / { dav_methods PUT DELETE; } } }
CONF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx"
PIDS=("$(cat "$WORK/nginx/nginx.pid")")
trap 'kill "${PIDS[@]}" 2>/dev/null || true' EXIT

# start <name> <dll> <port>: a server on its own data folder, a user "bench" and its token in $WORK/<name>/token.
start() {
  local env=(Registry__DataPath="$WORK/$1/data" ASPNETCORE_ENVIRONMENT=Production Accounts__TermsVersion=0
    RateLimits__ApiPerTokenPerMinute=100000000 Logging__LogLevel__Default=Warning)
  (cd "$(dirname "$2")" && env "${env[@]}" dotnet "$2" admin user add bench --password "Bench-$(date +%s)-aZ9!" >/dev/null
   env "${env[@]}" dotnet "$2" admin token create bench | tail -n 1 > "$WORK/$1/token")
  (cd "$(dirname "$2")" && exec env "${env[@]}" dotnet "$2" --urls "http://127.0.0.1:$3" >"$WORK/$1/log" 2>&1) &
  PIDS+=("$!"); echo "$!" > "$WORK/$1/pid"
  for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$3/version" >/dev/null 2>&1 && return; sleep 0.5; done
  echo "server $1 did not start" >&2; exit 1
}
# sregistry-cli's HMAC: kind|collection|timestamp|name|tag| keyed by the token.
sign() { local ts; ts=$(date -u +%Y%m%dT%HZ)
  printf 'SREGISTRY-HMAC-SHA256 Credential=%s/%s/%s,Signature=%s' "$1" "$(printf bench | base64)" "$ts" \
    "$(printf '%s|%s|%s|%s|%s|' "$1" "$2" "$ts" "$3" "$4" | openssl dgst -sha256 -hmac "$5" | awk '{ print $NF }')"; }
# push <name> <port> <file> <tag>: chunked_upload, then the timed multipart POST /upload; prints seconds and server CPU.
push() {
  local token cid event c0 t0 t1; token=$(cat "$WORK/$1/token")
  cid=$(curl -fsS -H "Authorization: $(sign push ab push "$4" "$token")" -H "Content-Type: application/json" \
    -d "{\"collection\":\"ab\",\"name\":\"push\",\"tag\":\"$4\"}" "http://127.0.0.1:$2/api/upload/chunked_upload" | jq -r .cid)
  event=$(sign upload ab push "$4" "$token")
  c0=$(cpu_of "$(cat "$WORK/$1/pid")"); t0=$(now)
  curl -fsS -H "Authorization: $event" -F "SREGISTRY_EVENT=$event" -F name=push -F "collection=$cid" -F "tag=$4" \
    -F "file1=@$3;type=text/plain" "http://127.0.0.1:$2/upload" -o /dev/null
  t1=$(now); echo "$(secs "$t0" "$t1") $(cpu_since "$c0" "$(cpu_of "$(cat "$WORK/$1/pid")")")"
  rm -rf "$WORK/$1/data/blobs/sha256"/* # the next push is a new digest anyway; keeps the disk free
}
cpu_since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

start a "$A_DLL" $((PORT + 1)); start b "$B_DLL" $((PORT + 2))
mksif() { # a SIF of $2 MiB random payload at $1
  head -c "$(( $2 * 1024 * 1024 ))" /dev/urandom > "$1.bin"; siftool new "$1" >/dev/null
  siftool add "$1" "$1.bin" --datatype 4 --parttype 2 --partfs 4 --partarch 2 >/dev/null; rm -f "$1.bin"
}
F="$WORK/push.sif"; mksif "$F" "$PUSH_MB"; mksif "$WORK/warm.sif" 80
for i in 1 2 3; do flip_last "$WORK/warm.sif"; push a $((PORT + 1)) "$WORK/warm.sif" warm$i >/dev/null; push b $((PORT + 2)) "$WORK/warm.sif" warm$i >/dev/null; done

echo "| round | build | /upload s | server CPU s | nginx PUT s | ratio | load (1 min) |"
echo "|---|---|---|---|---|---|---|"
for r in $(seq 1 "$ROUNDS"); do
  for side in a b; do
    port=$((PORT + 1)); [ "$side" = b ] && port=$((PORT + 2))
    fresh_cache "$F"; t0=$(now); curl -fsS -T "$F" "$NGX/push.sif" -o /dev/null; t1=$(now); ngx=$(secs "$t0" "$t1")
    rm -f "$WORK/nginx/root/push.sif"; flip_last "$F"; fresh_cache "$F"
    read -r t cpu < <(push "$side" "$port" "$F" "r$r")
    echo "| $r | $side | $t | $cpu | $ngx | $(awk -v a="$ngx" -v b="$t" 'BEGIN { printf "%.2f", a / b }') | $(cut -d' ' -f1 /proc/loadavg) |"
  done
done
