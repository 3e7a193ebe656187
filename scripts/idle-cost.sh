#!/usr/bin/env bash
# Measures what an idle flocksy node costs: CPU share, resident memory and bytes sent of each of N daemons
# (default 3) started by hand exactly as README.md describes, after a warm-up. The warm-up default (70 s) lets
# every node's second measurement of the machine (20-60 s after start, for rate = auto) pass first.
#   usage: scripts/idle-cost.sh [warmup-seconds] [measure-seconds] [nodes]     (defaults 70, 60 and 3)
# Needs a built tree: mvn -B -q package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
warmup=${1:-70}
measure=${2:-60}
n=${3:-3}
bin=$PWD/distribution/target/flocksy/bin/flocksy
[ -x "$bin" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 2; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

base=$((20000 + RANDOM % 20000))
hosts=()
for ((i = 0; i < n; i++)); do hosts+=("tcp://127.0.0.1:$((base + i))"); done
entries=()
for ((i = 0; i < n; i++)); do
  home=$work/home$i
  mkdir -p "$home/box"
  entries+=("$(HOME=$home "$bin" --create-private-keys -p "${hosts[$i]}" 2>/dev/null | grep '"tcp://')")
done
for ((i = 0; i < n; i++)); do
  home=$work/home$i
  { echo "{"; (IFS=,; echo "${entries[*]}"); echo "}"; } > "$home/.ssh/flocksy_keystore"
  {
    echo "hostname = ${hosts[$i]}"
    for ((j = 0; j < n; j++)); do [ "$j" = "$i" ] || echo "node = ${hosts[$j]}"; done
    echo "box = idle@$home/box"
  } > "$home/.flocksy"
  HOME=$home "$bin" > "$home/log" 2>&1 &
  pids+=($!)
done
# The launcher execs java, so each pid is the JVM itself.
sleep "$warmup"
# CPU time from the scheduler's own clock (nanoseconds on a CPU, summed over the JVM's threads): the tick-
# sampled utime/stime of /proc/PID/stat charged a whole tick to threads that wake on a timer, and said 1.5 %
# where perf stat's task-clock said 0.8 %.
oncpu() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }'; }
declare -A before
for p in "${pids[@]}"; do before[$p]=$(oncpu "$p"); done
# Every node talks over loopback only: what lo carries is the flock's egress (TCP/IP headers included).
lo_before=$(awk '/^ *lo:/ {print $10}' /proc/net/dev)
sleep "$measure"
lo_after=$(awk '/^ *lo:/ {print $10}' /proc/net/dev)
echo "idle cost over ${measure} s after ${warmup} s warm-up ($n nodes, heartbeats only):"
total=0
for ((i = 0; i < n; i++)); do
  p=${pids[$i]}
  after=$(oncpu "$p")
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$p/status")
  total=$((total + after - before[$p]))
  awk -v n="node$((i + 1))" -v d=$((after - before[$p])) -v s="$measure" -v r="$rss" \
    'BEGIN { printf "%s  cpu %.2f %% of one core  rss %.0f MiB\n", n, 100 * d / 1e9 / s, r / 1024 }'
done
awk -v d="$total" -v s="$measure" -v n="$n" -v lo=$((lo_after - lo_before)) \
  'BEGIN { printf "mean per node: cpu %.2f %% of one core, %.1f KiB/s sent (loopback bytes / nodes)\n", 100 * d / 1e9 / s / n, lo / s / n / 1024 }'
grep -h "connected ($((n - 1))/$((n - 1))" "$work"/home*/log | wc -l | awk -v n="$n" '{ print "peers fully connected: " $1 "/" n }'
