#!/usr/bin/env bash
# What one push costs the server, by client, on one warmed server (issue 17): skopeo through /v2/ (HEAD, POST, PATCH,
# PUT, manifest PUT), the same blob by curl through /v2/ (POST, one PATCH, PUT ?digest=), and the sregistry /upload
# (multipart). Per push: wall time, server CPU seconds (/proc/<pid>/stat), and the server's rchar/wchar/read_bytes
# (/proc/<pid>/io), so a second read or a copy of the bytes shows. Prints lines, appends nothing. See bench/README.md.
#   sudo BENCH_DLL=/tmp/rel/Registry.Web.dll BENCH_OCI_MB=1024 BENCH_ROUNDS=2 bench/oci-cost.sh
# BENCH_PERF=skopeo|v2curl|upload records that push of the last round with perf (DOTNET_PerfMapEnabled=1) into $WORK.
set -Eeuo pipefail
DLL=${BENCH_DLL:?a Release build: BENCH_DLL=/path/Registry.Web.dll}; MB=${BENCH_OCI_MB:-1024}; ROUNDS=${BENCH_ROUNDS:-2}; PERFV=${BENCH_PERF:-}
WORK=${BENCH_DIR:-/var/tmp/registry-bench-oci-cost}; PORT=${BENCH_REGISTRY_PORT:-18391}; REG=127.0.0.1:$PORT
rm -rf "$WORK"; mkdir -p "$WORK"/{files,data,home}
REG_ENV=(Registry__DataPath="$WORK/data" ASPNETCORE_ENVIRONMENT=Production Accounts__TermsVersion=0
  RateLimits__ApiPerTokenPerMinute=100000000 RateLimits__AnonymousPerAddressPerMinute=100000000
  Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.AspNetCore=Warning)
admin() { (cd "$(dirname "$DLL")" && env "${REG_ENV[@]}" dotnet "$DLL" admin "$@"); }
admin user add bench --password "Bench-$(date +%s)-aZ9!" >/dev/null
TOKEN=$(admin token create bench | tail -n 1)
(cd "$(dirname "$DLL")" && exec env "${REG_ENV[@]}" DOTNET_PerfMapEnabled=1 dotnet "$DLL" --urls "http://$REG" >"$WORK/registry.log" 2>&1) & PID=$!
echo "server pid $PID" >&2
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -fsS "http://$REG/version" >/dev/null 2>&1 && break; sleep 0.5; done
HZ=$(getconf CLK_TCK)
cpu() { awk -v hz="$HZ" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$PID/stat"; }
iof() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$PID/io"; }
SKOPEO=(env HOME="$WORK/home" skopeo --insecure-policy)
mksif() { head -c "$(( $2 * 1024 * 1024 ))" /dev/urandom > "$1.bin"; siftool new "$1" >/dev/null; siftool add "$1" "$1.bin" --datatype 4 --parttype 2 --partfs 4 --partarch 2 >/dev/null; rm -f "$1.bin"; }
flip_last() { local last; last=$(tail -c 1 "$1" | od -An -tu1 | tr -d ' ')
  printf "\\x$(printf %02x $(( (last + 1) % 256 )))" | dd of="$1" bs=1 seek=$(( $(stat -c %s "$1") - 1 )) conv=notrunc status=none; }
mklayout() {
  rm -rf "$1"; local b="$1/blobs/sha256" hash size manifest
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
sign() { local ts; ts=$(date -u +%Y%m%dT%HZ)
  printf 'SREGISTRY-HMAC-SHA256 Credential=%s/%s/%s,Signature=%s' "$1" "$(printf bench | base64)" "$ts" \
    "$(printf '%s|%s|%s|%s|%s|' "$1" "$2" "$ts" "$3" "$4" | openssl dgst -sha256 -hmac "$5" | awk '{ print $NF }')"; }
do_skopeo() { mklayout "$WORK/files/layout" "$1" >/dev/null; M0; "${SKOPEO[@]}" copy -q --dest-creds "bench:$TOKEN" --dest-tls-verify=false "oci:$WORK/files/layout:v1" "docker://$REG/bench/oci/$2:v1"; M1; }
do_v2curl() {
  local hash bt loc; hash=$(sha256sum "$1" | cut -d' ' -f1)
  bt=$(curl -fsS -u "bench:$TOKEN" "http://$REG/v2/token?scope=repository:bench/oci/$2:pull,push&service=x" | jq -r '.token // .access_token')
  M0
  loc=$(curl -fsS -o /dev/null -D - -X POST -H "Authorization: Bearer $bt" "http://$REG/v2/bench/oci/$2/blobs/uploads/" | awk 'tolower($1)=="location:" { print $2 }' | tr -d '\r')
  curl -fsS -o /dev/null -X PATCH -H "Authorization: Bearer $bt" -H "Content-Type: application/octet-stream" -T "$1" "http://$REG$loc"
  curl -fsS -o /dev/null -X PUT -H "Authorization: Bearer $bt" "http://$REG$loc?digest=sha256:$hash"
  M1
}
do_upload() {
  local cid event; cid=$(curl -fsS -H "Authorization: $(sign push ab push "$2" "$TOKEN")" -H "Content-Type: application/json" \
    -d "{\"collection\":\"ab\",\"name\":\"push\",\"tag\":\"$2\"}" "http://$REG/api/upload/chunked_upload" | jq -r .cid)
  event=$(sign upload ab push "$2" "$TOKEN")
  M0; curl -fsS -H "Authorization: $event" -F "SREGISTRY_EVENT=$event" -F name=push -F "collection=$cid" -F "tag=$2" -F "file1=@$1;type=text/plain" "http://$REG/upload" -o /dev/null; M1
}
PERFNOW=
M0() { sync; C0=$(cpu); R0=$(iof rchar); W0=$(iof wchar); RB0=$(iof read_bytes); T0=$(date +%s.%N); L0=$(cut -d' ' -f1 /proc/loadavg)
  if [ -n "$PERFNOW" ]; then perf record -F 999 -g -p "$PID" -o "$WORK/perf.data" 2>/dev/null & PP=$!; sleep 0.3; fi; }
M1() { T1=$(date +%s.%N); C1=$(cpu)
  if [ -n "$PERFNOW" ]; then kill -INT $PP; wait $PP || true; fi
  printf '%-8s %s: wall %6.2f s  cpu %5.2f s  rchar %6d MiB  wchar %6d MiB  read_bytes %6d MiB  load %s->%s\n' "$VAR" "$TAGN" \
    "$(awk -v a=$T0 -v b=$T1 'BEGIN{print b-a}')" "$(awk -v a=$C0 -v b=$C1 'BEGIN{print b-a}')" \
    $(( ($(iof rchar) - R0) >> 20 )) $(( ($(iof wchar) - W0) >> 20 )) $(( ($(iof read_bytes) - RB0) >> 20 )) "$L0" "$(cut -d' ' -f1 /proc/loadavg)"; }
W="$WORK/files/warm.sif"; mksif "$W" 64
for i in 1 2 3; do for v in skopeo v2curl upload; do flip_last "$W"; VAR=$v TAGN=warm$i do_$v "$W" "w$v$i" >/dev/null; done; done
F="$WORK/files/push.sif"; mksif "$F" "$MB"
for r in $(seq 1 "$ROUNDS"); do
  for v in ${BENCH_VARIANTS:-skopeo v2curl upload}; do
    flip_last "$F"; cat "$F" > /dev/null
    PERFNOW=; [ "$r" = "$ROUNDS" ] && [ "$v" = "$PERFV" ] && PERFNOW=1
    VAR=$v TAGN=r$r do_$v "$F" "$v$r"
    rm -rf "$WORK/data/blobs/sha256"/*/* 2>/dev/null || true
  done
done
if [ -n "$PERFV" ]; then
  perf report -i "$WORK/perf.data" --no-children --sort dso -g none --stdio 2>/dev/null | grep '%' | head -15 > "$WORK/perf-dso.txt" || true
  perf report -i "$WORK/perf.data" --no-children --sort symbol --stdio -g none 2>/dev/null | grep '%' | head -70 > "$WORK/perf-sym.txt" || true
fi
