#!/usr/bin/env bash
# The README's test command: installs what the tests need (Debian packages) and runs every test.
# Ends with one line "N passed, M failed" counting every test run.
set -uo pipefail
cd "$(dirname "$0")/.."

packages=(postgresql golang-go golang-github-apptainer-container-library-client-dev golang-github-apptainer-container-key-client-dev golang-github-sylabs-sif-dev golang-github-protonmail-go-crypto-dev golang-oras-oras-go-dev siftool chromium skopeo docker-registry jq haproxy openssl)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "installing: ${missing[*]}"
  $sudo apt-get update -q || exit 1
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}" || exit 1
fi

results=$(mktemp -d)
dotnet test Registry.Tests --logger "console;verbosity=normal" --logger "trx;LogFileName=results.trx" --results-directory "$results"
status=$?

# Totals from the TRX report: <Counters total="…" executed="…" passed="…" failed="…" …/>
counter() { grep -ho "<Counters [^>]*" "$results"/*.trx 2>/dev/null | grep -o " $1=\"[0-9]*\"" | grep -o "[0-9]*" | awk '{s+=$1} END {print s+0}'; }
passed=$(counter passed)
failed=$(counter failed)
rm -rf "$results"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi  # a build or host failure counts as a failure
echo "$passed passed, $failed failed"
exit "$status"
