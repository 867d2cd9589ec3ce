#!/usr/bin/env bash
# Before/after on a loaded machine: two servers (two builds) on copies of the same seeded folder, each path requested
# alone, alternately, once to warm up (JIT) and then BENCH_TIMES (3) times; prints the best time of each. On a machine whose
# load makes concurrent rows meaningless, this is the steadier figure. Usage: alone.sh URL_BEFORE URL_AFTER PATH...
set -uo pipefail
b=$1 a=$2; shift 2
t() { curl -s -o /dev/null -m 300 -w '%{time_total}' "$1" || echo 300; }
echo "| path (alone, best of ${BENCH_TIMES:-3} after a warm-up) | before ms | after ms | after ÷ before |"
echo "|---|---|---|---|"
for p in "$@"; do
  t "$b$p" >/dev/null; t "$a$p" >/dev/null
  bb=999999 aa=999999
  for _ in $(seq 1 "${BENCH_TIMES:-3}"); do
    x=$(t "$b$p"); bb=$(awk -v x="$x" -v m="$bb" 'BEGIN { x *= 1000; print (x < m ? x : m) }')
    y=$(t "$a$p"); aa=$(awk -v y="$y" -v m="$aa" 'BEGIN { y *= 1000; print (y < m ? y : m) }')
  done
  awk -v p="$p" -v b="$bb" -v a="$aa" 'BEGIN { printf "| %s | %.0f | %.0f | %.2f |\n", p, b, a, a / b }'
done
