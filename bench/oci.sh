#!/usr/bin/env bash
# Registry's /v2/ (OCI distribution) data path against nginx on 127.0.0.1, run by hand (not in CI). See bench/README.md.
# A SIF of BENCH_OCI_MB MiB pushed with skopeo from an OCI layout shaped like apptainer's artifact (the SIF as the one
# layer) against nginx's WebDAV PUT of the same file; pulled with skopeo into a dir: and as one blob with curl against
# nginx's GET; the server's RSS growth during the push and the pull. Appends the table to bench/RESULTS.md.
#   BENCH_OCI_MB=2048 BENCH_DIR=/var/tmp/registry-bench-oci bench/oci.sh
set -Eeuo pipefail
trap 'echo "bench/oci: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

MB=${BENCH_OCI_MB:-2048}
WORK=${BENCH_DIR:-/var/tmp/registry-bench-oci}
REG_PORT=${BENCH_REGISTRY_PORT:-18091}
NGX_PORT=${BENCH_NGINX_PORT:-18090}
REPO=$(cd "$(dirname "$0")/.." && pwd)
REG="127.0.0.1:$REG_PORT"
NGX="http://127.0.0.1:$NGX_PORT"

log() { printf '\n== %s\n' "$*" >&2; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
mibps() { awk -v mb="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? mb / s : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; }
verdict() { if ge "$1" "$2"; then echo "met"; else echo "**missed**"; fi; }

log "tools (nginx with WebDAV, skopeo, siftool, jq) and a Release build of Registry"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-full skopeo siftool jq curl >/dev/null
fi
for t in nginx skopeo siftool jq curl dotnet sha256sum; do command -v "$t" >/dev/null || { echo "missing: $t" >&2; exit 1; }; done
rm -rf "$WORK"; mkdir -p "$WORK"/{files,out,nginx/root,nginx/tmp,nginx/logs,data,home}
avail_mb=$(df -Pm "$WORK" | awk 'NR==2 { print $4 }')
[ "$avail_mb" -ge $(( MB * 7 + 1024 )) ] || { echo "need about $(( MB * 7 + 1024 )) MiB free in $WORK, have $avail_mb" >&2; exit 1; }
dotnet build "$REPO/Registry.Web" -c Release -v quiet -nologo >/dev/null
DLL="$REPO/Registry.Web/bin/Release/net10.0/Registry.Web.dll"

cat > "$WORK/nginx/nginx.conf" <<EOF
user root;
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on; tcp_nopush on;
  client_body_temp_path $WORK/nginx/tmp;
  client_max_body_size 0;
  server { listen 127.0.0.1:$NGX_PORT; root $WORK/nginx/root; location / { dav_methods PUT DELETE; create_full_put_path on; } }
}
EOF
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx"
REG_ENV=(Registry__DataPath="$WORK/data" ASPNETCORE_ENVIRONMENT=Production Accounts__TermsVersion=0
  RateLimits__ApiPerTokenPerMinute=100000000 RateLimits__AnonymousPerAddressPerMinute=100000000
  Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.AspNetCore=Warning)
admin() { (cd "$(dirname "$DLL")" && env "${REG_ENV[@]}" dotnet "$DLL" admin "$@"); }
(cd "$(dirname "$DLL")" && exec env "${REG_ENV[@]}" dotnet "$DLL" --urls "http://$REG" >"$WORK/registry.log" 2>&1) & REG_PID=$!
for _ in $(seq 1 120); do curl -fsS "http://$REG/version" >/dev/null 2>&1 && break; sleep 0.5; done
NGX_MASTER=$(cat "$WORK/nginx/nginx.pid")
cleanup() { kill "$REG_PID" 2>/dev/null || true; kill "$NGX_MASTER" 2>/dev/null || true; [ -n "${RSS_PID:-}" ] && kill "$RSS_PID" 2>/dev/null || true; }
trap cleanup EXIT
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
HZ=$(getconf CLK_TCK)
reg_cpu() { awk -v hz="$HZ" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$REG_PID/stat"; }
cpu_since() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
rss_now() { awk '/VmRSS/ { print $2 }' "/proc/$REG_PID/status"; }
rss_start() { : > "$WORK/rss.$1"; ( while kill -0 "$REG_PID" 2>/dev/null; do rss_now >> "$WORK/rss.$1"; sleep 0.1; done ) & RSS_PID=$!; }
rss_stop() { kill "$RSS_PID" 2>/dev/null || true; wait "$RSS_PID" 2>/dev/null || true; RSS_PID=; sort -n "$WORK/rss.$1" | tail -n 1; }
fresh_cache() { sync; echo 1 > /proc/sys/vm/drop_caches 2>/dev/null || true; cat "$@" > /dev/null; }

admin user add bench --password "Bench-$(date +%s)-aZ9!" >/dev/null
TOKEN=$(admin token create bench | tail -n 1)
SKOPEO=(env HOME="$WORK/home" skopeo --insecure-policy)

# An OCI layout as apptainer pushes a SIF: config {} and the SIF as the one layer (the file hard-linked in, not copied).
mksif() {
  head -c "$(( $2 * 1024 * 1024 ))" /dev/urandom > "$1.bin"
  siftool new "$1" >/dev/null; siftool add "$1" "$1.bin" --datatype 4 --parttype 2 --partfs 4 --partarch 2 >/dev/null; rm -f "$1.bin"
}
mklayout() { # mklayout <dir> <sif>
  local b="$1/blobs/sha256" hash size config manifest
  mkdir -p "$b"; hash=$(sha256sum "$2" | cut -d' ' -f1); size=$(stat -c %s "$2"); ln "$2" "$b/$hash"
  printf '{}' > "$b/44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
  manifest=$(jq -cn --arg h "sha256:$hash" --argjson s "$size" --arg t "$(basename "$2")" '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {mediaType: "application/vnd.sylabs.sif.config.v1+json", digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", size: 2},
    layers: [{mediaType: "application/vnd.sylabs.sif.layer.v1.sif", digest: $h, size: $s, annotations: {"org.opencontainers.image.title": $t}}]}')
  printf '%s' "$manifest" > "$b/$(printf '%s' "$manifest" | sha256sum | cut -d' ' -f1)"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$1/oci-layout"
  jq -cn --arg d "sha256:$(printf '%s' "$manifest" | sha256sum | cut -d' ' -f1)" --argjson s "${#manifest}" \
    '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s, annotations: {"org.opencontainers.image.ref.name": "v1"}}]}' > "$1/index.json"
  echo "$hash"
}
push() { "${SKOPEO[@]}" copy -q --dest-creds "bench:$TOKEN" --dest-tls-verify=false "oci:$1:v1" "docker://$REG/bench/oci/$2:v1"; }

log "warm-up: three 64 MiB pushes and pulls through /v2/ (a registry runs for days; the JIT tiers up the request path)"
for i in 1 2 3; do
  mksif "$WORK/files/warm$i.sif" 64; mklayout "$WORK/files/warm$i" "$WORK/files/warm$i.sif" >/dev/null; push "$WORK/files/warm$i" "warm$i"
  "${SKOPEO[@]}" copy -q --src-tls-verify=false "docker://$REG/bench/oci/warm$i:v1" "dir:$WORK/out/warm$i"; rm -rf "$WORK/files/warm$i"* "$WORK/out/warm$i"
done

RESULTS=()
row() { RESULTS+=("$(printf '| %s | %s | %s | %s | %s | %s |' "$@")"); echo "${RESULTS[-1]}" >&2; }

log "push of a $MB MiB SIF: skopeo through /v2/ vs nginx PUT"
F="$WORK/files/push.sif"; mksif "$F" "$MB"; SZ_MB=$(( $(stat -c %s "$F") / 1048576 ))
HASH=$(mklayout "$WORK/files/layout" "$F")
fresh_cache "$F"; t0=$(now); curl -fsS -T "$F" "$NGX/push.sif" -o /dev/null; T_NGX_PUT=$(secs "$t0" "$(now)")
fresh_cache "$F"; RSS0=$(rss_now); rss_start push; c0=$(reg_cpu); t0=$(now)
push "$WORK/files/layout" push
T_PUSH=$(secs "$t0" "$(now)"); C_PUSH=$(cpu_since "$c0" "$(reg_cpu)"); PEAK_PUSH=$(rss_stop push); GROW_PUSH=$(( (PEAK_PUSH - RSS0) / 1024 ))
R=$(ratio "$T_NGX_PUT" "$T_PUSH")
row "push ${SZ_MB} MiB SIF, skopeo copy oci: → /v2/ (HEAD, POST, one PATCH, PUT ?digest= per blob; manifest PUT publishes the image)" "${T_PUSH} s ($(mibps "$SZ_MB" "$T_PUSH") MiB/s; server CPU ${C_PUSH} s)" "${T_NGX_PUT} s ($(mibps "$SZ_MB" "$T_NGX_PUT") MiB/s)" "$R" "≥ 0.90" "$(verdict "$R" 0.9)"
row "server RSS growth during that push" "${GROW_PUSH} MiB (peak $(( PEAK_PUSH / 1024 )) MiB)" "" "" "< 64 MiB" "$([ "$GROW_PUSH" -lt 64 ] && echo met || echo '**missed**')"

log "pull of the $MB MiB SIF: skopeo copy to dir: and curl of the blob vs nginx GET (to files on the same disk, best of 2)"
timed() { local t0; sync; t0=$(now); "$@"; secs "$t0" "$(now)"; }
ngx_get() { curl -fsS "$NGX/push.sif" -o "$WORK/out/ngx.sif"; }
blob_get() { curl -fsS "http://$REG/v2/bench/oci/push/blobs/sha256:$HASH" -o "$WORK/out/blob.sif"; }
skopeo_pull() { rm -rf "$WORK/out/dir"; "${SKOPEO[@]}" copy -q --src-tls-verify=false "docker://$REG/bench/oci/push:v1" "dir:$WORK/out/dir"; }
cat "$WORK/nginx/root/push.sif" "$WORK"/data/blobs/sha256/*/* > /dev/null
T_NGX_GET=$(best "$(timed ngx_get)" "$(timed ngx_get)")
RSS1=$(rss_now); rss_start pull; c0=$(reg_cpu)
T_BLOB=$(best "$(timed blob_get)" "$(timed blob_get)")
cmp -s "$F" "$WORK/out/blob.sif" || { echo "pulled blob differs" >&2; exit 1; }
T_SKOPEO=$(best "$(timed skopeo_pull)" "$(timed skopeo_pull)")
C_PULL=$(cpu_since "$c0" "$(reg_cpu)"); PEAK_PULL=$(rss_stop pull); GROW_PULL=$(( (PEAK_PULL - RSS1) / 1024 ))
cmp -s "$F" "$WORK/out/dir/$HASH" || { echo "skopeo's pulled layer differs" >&2; exit 1; }
rm -rf "$WORK/out"/*
R=$(ratio "$T_NGX_GET" "$T_BLOB")
row "pull ${SZ_MB} MiB, curl GET /v2/…/blobs/<digest> (anonymous, public) to a file" "${T_BLOB} s ($(mibps "$SZ_MB" "$T_BLOB") MiB/s)" "${T_NGX_GET} s ($(mibps "$SZ_MB" "$T_NGX_GET") MiB/s)" "$R" "≥ 0.95" "$(verdict "$R" 0.95)"
R=$(ratio "$T_NGX_GET" "$T_SKOPEO")
row "pull ${SZ_MB} MiB, skopeo copy docker:// → dir: (manifest GETs, one blob GET, its digest check)" "${T_SKOPEO} s ($(mibps "$SZ_MB" "$T_SKOPEO") MiB/s; server CPU for the four pulls ${C_PULL} s)" "${T_NGX_GET} s" "$R" "≥ 0.95" "$(verdict "$R" 0.95)"
row "server RSS growth during those pulls" "${GROW_PULL} MiB (peak $(( PEAK_PULL / 1024 )) MiB)" "" "" "< 64 MiB" "$([ "$GROW_PULL" -lt 64 ] && echo met || echo '**missed**')"

CPU=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
MACHINE="$(hostname), $(nproc) × $CPU, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(df -PT "$WORK" | awk 'NR==2 { print $2 }') at $WORK, .NET $(dotnet --version), nginx $(nginx -v 2>&1 | cut -d/ -f2), skopeo $(skopeo --version | awk '{ print $3 }')"
{
  echo; echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — /v2/ (bench/oci.sh) — $MACHINE"
  echo; echo "Size ${MB} MiB. Load average (1, 5, 15 min) at the start: $LOAD_START; at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo; echo "| measurement | Registry | nginx | ratio | target | |"; echo "|---|---|---|---|---|---|"; printf '%s\n' "${RESULTS[@]}"
} | tee -a "${BENCH_RESULTS:-$REPO/bench/RESULTS.md}"
