#!/usr/bin/env bash
# Measures what an idle flocksy node costs: CPU share and resident memory of each of three daemons
# started by hand exactly as README.md describes, after a warm-up.
#   usage: scripts/idle-cost.sh [warmup-seconds] [measure-seconds]     (defaults 20 and 60)
# Needs a built tree: mvn -B -q package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
warmup=${1:-20}
measure=${2:-60}
bin=$PWD/distribution/target/flocksy/bin/flocksy
[ -x "$bin" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 2; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

base=$((20000 + RANDOM % 20000))
hosts=("tcp://127.0.0.1:$base" "tcp://127.0.0.1:$((base + 1))" "tcp://127.0.0.1:$((base + 2))")
entries=()
for i in 0 1 2; do
  home=$work/home$i
  mkdir -p "$home/box"
  entries+=("$(HOME=$home "$bin" --create-private-keys -p "${hosts[$i]}" 2>/dev/null | grep '"tcp://')")
done
for i in 0 1 2; do
  home=$work/home$i
  { echo "{"; printf '%s\n' "${entries[0]}," "${entries[1]}," "${entries[2]}"; echo "}"; } | sed 's/,,/,/' > "$home/.ssh/flocksy_keystore"
  {
    echo "hostname = ${hosts[$i]}"
    for j in 0 1 2; do [ "$j" = "$i" ] || echo "node = ${hosts[$j]}"; done
    echo "box = idle@$home/box"
  } > "$home/.flocksy"
  HOME=$home "$bin" > "$home/log" 2>&1 &
  pids+=($!)
done
# The launcher execs java, so each pid is the JVM itself.
sleep "$warmup"
ticks=$(getconf CLK_TCK)
declare -A before
for p in "${pids[@]}"; do before[$p]=$(awk '{print $14 + $15}' "/proc/$p/stat"); done
sleep "$measure"
echo "idle cost over ${measure} s after ${warmup} s warm-up (3 nodes, heartbeats only):"
for i in 0 1 2; do
  p=${pids[$i]}
  after=$(awk '{print $14 + $15}' "/proc/$p/stat")
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$p/status")
  awk -v n="node$((i + 1))" -v d=$((after - before[$p])) -v t="$ticks" -v s="$measure" -v r="$rss" \
    'BEGIN { printf "%s  cpu %.2f %% of one core  rss %.0f MiB\n", n, 100 * d / t / s, r / 1024 }'
done
grep -h "connected (2/2" "$work"/home*/log | wc -l | awk '{ print "peers fully connected: " $1 "/3" }'
