#!/usr/bin/env bash
# Throughput as a user meets it: N real bin/flocksy processes (default 3) on this machine, a file of SIZE MiB
# (default 256) written into node 1's box, timed from the start of the write until it is in every other box
# (files appear whole, renamed into place once verified; the script then checks they are byte-identical). Prints the
# goodput beside the limit from the same run: what one CURVE link carries here (each node measures it at start)
# divided by N(N-1), since every frame is encrypted and decrypted once per link, and the whole machine runs
# every node.
#   usage: scripts/bench-throughput.sh [size-MiB] [nodes] [extra config line, e.g. "rate = 4000"]
# FILES=10000 FILE_KIB=4 scripts/bench-throughput.sh 0 3   writes that many small files at once instead
# (one cp -r of a folder), timed until every peer holds all of them byte for byte.
# KEEP=1 keeps the nodes' homes and logs; NODE_JAVA_OPTS goes to every node's JVM (e.g. a JFR recording).
# Needs a built tree: mvn -B -q package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-256}
n=${2:-3}
extra=${3:-}
bin=$PWD/distribution/target/flocksy/bin/flocksy
[ -x "$bin" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 2; }
# The limit is computed from one CURVE link on an otherwise idle machine, measured before any node starts.
lib=$PWD/distribution/target/flocksy/lib
solo=$(java -Djava.io.tmpdir=/tmp -cp "$lib/*" org.flocksy.core.transport.CurveSpeed 3 2>/dev/null | tail -1)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; if [ -n "${KEEP:-}" ]; then echo "logs kept in $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT

base=$((20000 + RANDOM % 20000))
hosts=()
for ((i = 0; i < n; i++)); do hosts+=("tcp://127.0.0.1:$((base + i))"); done
entries=()
for ((i = 0; i < n; i++)); do
  home=$work/home$i
  mkdir -p "$home/box"
  entries+=("$(HOME=$home JAVA_OPTS=-Djava.io.tmpdir=$home "$bin" --create-private-keys -p "${hosts[$i]}" 2>/dev/null | grep '"tcp://')")
done
for ((i = 0; i < n; i++)); do
  home=$work/home$i
  { echo "{"; (IFS=,; echo "${entries[*]}"); echo "}"; } > "$home/.ssh/flocksy_keystore"
  {
    echo "hostname = ${hosts[$i]}"
    for ((j = 0; j < n; j++)); do [ "$j" = "$i" ] || echo "node = ${hosts[$j]}"; done
    echo "box = bench@$home/box"
    [ -z "$extra" ] || echo "$extra"
  } > "$home/.flocksy"
  HOME=$home JAVA_OPTS="-Djava.io.tmpdir=$home ${NODE_JAVA_OPTS:-}" "$bin" > "$home/log" 2>&1 &
  pids+=($!)
done
connected() { grep -l "($((n - 1))/$((n - 1)) connected)" "$work"/home*/log 2>/dev/null | wc -l; }
for _ in $(seq 1 240); do [ "$(connected)" -ge "$n" ] && break; sleep 0.5; done
[ "$(connected)" -ge "$n" ] || { echo "the nodes did not connect" >&2; tail -5 "$work"/home*/log >&2; exit 1; }
# The digests every node sends when peers join: wait until each went out and the flock is idle again.
digests() { grep -l "sent box 'bench': DIGEST" "$work"/home*/log 2>/dev/null | wc -l; }
for _ in $(seq 1 240); do [ "$(digests)" -ge "$n" ] && break; sleep 0.5; done
# SETTLE=70 lets every node measure its machine again first (20-60 s after start), as a daemon that has run a while has.
sleep "${SETTLE:-3}"
status=$(HOME=$work/home0 "$bin" ctl --json status)
link=$(sed -n 's/^\([0-9]*\) frames.*/\1/p' <<<"$solo")
limit=$(sed -n 's/.*"rate_limit" : \([0-9]*\).*/\1/p' <<<"$status" | head -1)
crypto=$(sed -n 's/.*"crypto" : "\([^"]*\)".*/\1/p' <<<"$status" | head -1)

files=${FILES:-0}
if [ "$files" -gt 0 ]; then
  mkdir -p "$work/many"
  for ((k = 0; k < files; k++)); do head -c $((${FILE_KIB:-4} * 1024)) /dev/urandom > "$work/many/f$k"; done
  size=$((files * ${FILE_KIB:-4} / 1024))
  sum=$(cd "$work/many" && find . -type f | sort | xargs cat | sha256sum | cut -d' ' -f1)
  start=$(date +%s.%N)
  cp -r "$work/many" "$work/home0/box/many"
  # Files appear whole (renamed into place once verified): counting them is the arrival, the checksum comes after.
  arrived() {
    for ((i = 1; i < n; i++)); do
      [ "$(find "$work/home$i/box/many" -type f 2>/dev/null | wc -l)" -eq "$files" ] || return 1
    done
  }
  identical() {
    for ((i = 1; i < n; i++)); do
      [ "$(cd "$work/home$i/box/many" && find . -type f | sort | xargs cat | sha256sum | cut -d' ' -f1)" = "$sum" ] || return 1
    done
  }
else
  head -c $((size * 1048576)) /dev/urandom > "$work/file.bin"
  sum=$(sha256sum < "$work/file.bin" | cut -d' ' -f1)
  start=$(date +%s.%N)
  cp "$work/file.bin" "$work/home0/box/file.bin"
  arrived() {
    for ((i = 1; i < n; i++)); do
      f=$work/home$i/box/file.bin
      [ -f "$f" ] && [ "$(stat -c %s "$f")" -eq $((size * 1048576)) ] || return 1
    done
  }
  identical() {
    for ((i = 1; i < n; i++)); do [ "$(sha256sum < "$work/home$i/box/file.bin" | cut -d' ' -f1)" = "$sum" ] || return 1; done
  }
fi
deadline=$(( $(date +%s) + 1800 ))
until arrived; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "the file did not arrive within 30 minutes" >&2; exit 1; }
  sleep 0.05
done
end=$(date +%s.%N)
identical || { echo "a peer's copy differs from what was written" >&2; exit 1; }
rate=$(HOME=$work/home0 "$bin" ctl log 400 | grep -o "sent box.*" | tail -3)
awk -v s="$size" -v a="$start" -v b="$end" -v n="$n" -v link="${link:-0}" -v lim="${limit:-0}" -v c="$crypto" -v f="$files" 'BEGIN {
  t = b - a; g = s / t; l = link * 4117 / 1048576 / (n * (n - 1));
  if (f > 0) printf "%d nodes, %d files (%d MiB), CURVE on %s: on every peer after %.1f s = %.0f files/s\n", n, f, s, c, t, f / t;
  else printf "%d nodes, %d MiB file, CURVE on %s: on every peer after %.1f s = %.2f MiB/s goodput\n", n, s, c, t, g;
  if (link > 0) printf "one CURVE link on this machine alone: %d frames/s = %.1f MiB/s; limit for %d nodes on it = %.1f MiB/s; goodput = %.0f %% of it\n", link, link * 4117 / 1048576, n, l, 100 * g / l;
  printf "rate limit of node 1: %d frames/s\n", lim;
}'
echo "$rate"
grep -h "abandoned\|went silent\|410" "$work"/home*/log | head -5 || true
