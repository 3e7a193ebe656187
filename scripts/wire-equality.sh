#!/usr/bin/env bash
# What an observer of the wire sees: three real bin/flocksy processes on 127.0.0.1 at rate = auto, a tcpdump
# capture of loopback, and RUNS runs (default 30) whose originator rotates over the nodes, each a file of
# 1-8 MiB written into the originator's box. scripts/wire_analysis.py then prints, per run window, each node's
# egress (TCP payload of its PUB socket) and how often the usual single-feature rules (most/fewest bytes or
# packets, first/last bulk packet) name the originator, against chance.
#   usage: scripts/wire-equality.sh [runs] [nodes]        KEEP=1 keeps the capture and the logs; NODE_JAVA_OPTS goes to every node's JVM
# FILE_KIB=4 makes every file that small instead: then the median time from the write until the file is in
# every other box is the small-file latency a user sees.
# DELAY_MS=300 puts an adversary on node 1's path: its peers reach it through scripts/delay_relay.py, which
# holds back everything node 1 sends by that long; the analysis then reads node 1's traffic after the relay
# (what its peers and a watcher on their side see) and reports how its first and last bulk packets line up
# with the others' when it originates and when it does not.
# Installs tcpdump with apt-get if it is missing (needs root). Needs a built tree: mvn -B -q package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
n=${2:-3}
bin=$PWD/distribution/target/flocksy/bin/flocksy
[ -x "$bin" ] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 2; }
command -v tcpdump > /dev/null || { apt-get update -qq && apt-get install -y -qq tcpdump > /dev/null; }
work=$(mktemp -d)
pids=()
dump=
cleanup() {
  [ -z "$dump" ] || kill "$dump" 2>/dev/null || true
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then echo "capture and logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

base=$((20000 + RANDOM % 20000))
hosts=()
ports=()
for ((i = 0; i < n; i++)); do hosts+=("tcp://127.0.0.1:$((base + i))"); ports+=($((base + i))); done
seen=("${ports[@]}")
if [ -n "${DELAY_MS:-}" ]; then
  relay=$((base + n))
  python3 scripts/delay_relay.py "$relay" "${ports[0]}" "$DELAY_MS" &
  pids+=($!)
  seen[0]=$relay
fi
filter=$(printf "tcp port %s or " "${ports[@]}" ${relay:+"$relay"})
tcpdump -i lo -s 96 -B 65536 -n -w "$work/wire.pcap" "${filter% or }" 2> "$work/tcpdump.log" &
dump=$!
entries=()
for ((i = 0; i < n; i++)); do
  home=$work/home$i
  mkdir -p "$home/box"
  entries+=("$(HOME=$home JAVA_OPTS=-Djava.io.tmpdir=$home "$bin" --create-private-keys -p "${hosts[$i]}" 2>/dev/null | grep '"tcp://')")
done
for ((i = 0; i < n; i++)); do
  home=$work/home$i
  known=("${entries[@]}")
  peers=("${hosts[@]}")
  if [ -n "${relay:-}" ] && [ "$i" != 0 ]; then
    # The others know node 1 by the relay's address, with node 1's key.
    known[0]=${entries[0]/127.0.0.1:${ports[0]}/127.0.0.1:$relay}
    peers[0]=tcp://127.0.0.1:$relay
  fi
  { echo "{"; (IFS=,; echo "${known[*]}"); echo "}"; } > "$home/.ssh/flocksy_keystore"
  {
    echo "hostname = ${hosts[$i]}"
    for ((j = 0; j < n; j++)); do [ "$j" = "$i" ] || echo "node = ${peers[$j]}"; done
    echo "box = wire@$home/box"
  } > "$home/.flocksy"
  HOME=$home JAVA_OPTS="-Djava.io.tmpdir=$home ${NODE_JAVA_OPTS:-}" "$bin" > "$home/log" 2>&1 &
  pids+=($!)
done
connected() { grep -l "($((n - 1))/$((n - 1)) connected)" "$work"/home*/log 2>/dev/null | wc -l; }
for _ in $(seq 1 240); do [ "$(connected)" -ge "$n" ] && break; sleep 0.5; done
[ "$(connected)" -ge "$n" ] || { echo "the nodes did not connect" >&2; exit 1; }
delivered() { HOME=$work/home$1 "$bin" ctl --json status | sed -n 's/.*"delivered_runs" : \([0-9]*\).*/\1/p' | head -1; }
idle() {
  for ((i = 0; i < n; i++)); do
    HOME=$work/home$i "$bin" ctl --json status | grep -q '"state" : "READY"' || return 1
  done
}
# The digests every node sends when peers join go first; the windows start after them.
digests() { grep -l "sent box 'wire': DIGEST" "$work"/home*/log 2>/dev/null | wc -l; }
for _ in $(seq 1 240); do [ "$(digests)" -ge "$n" ] && break; sleep 0.5; done
until idle; do sleep 0.5; done
: > "$work/windows"
for ((k = 0; k < runs; k++)); do
  o=$((k % n))
  before=$(delivered "$o")
  if [ -n "${FILE_KIB:-}" ]; then size=$((FILE_KIB * 1024)); else size=$((1048576 + RANDOM * 224)); fi
  head -c "$size" /dev/urandom > "$work/file$k"
  start=$(date +%s.%N)
  cp "$work/file$k" "$work/home$o/box/file$k"
  # Files appear whole (renamed into place once verified): present with its size on every peer is arrival.
  for _ in $(seq 1 6000); do
    missing=0
    for ((i = 0; i < n; i++)); do
      [ "$i" = "$o" ] || [ "$(stat -c %s "$work/home$i/box/file$k" 2>/dev/null)" = "$size" ] || missing=1
    done
    [ "$missing" = 0 ] && break
    sleep 0.05
  done
  arrival=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  echo "$arrival" >> "$work/arrivals"
  for _ in $(seq 1 1200); do
    [ "$(delivered "$o")" -gt "$before" ] && idle && break
    sleep 0.25
  done
  [ "$(delivered "$o")" -gt "$before" ] || { echo "run $((k + 1)) from node$((o + 1)) did not complete in 5 minutes" >&2; exit 1; }
  sleep 0.5
  echo "$o $start $(date +%s.%N)" >> "$work/windows"
  echo "run $((k + 1))/$runs from node$((o + 1)): $((size / 1024)) KiB on every peer after $arrival s, $(grep -ho "sent box 'wire': FILE file$k .*" "$work/home$o/log" | grep -o "in [0-9]* ms at [0-9]* frames/s")"
done
sort -n "$work/arrivals" | awk '{ a[NR] = $1 } END { printf "write to arrival on every peer: median %.2f s, p90 %.2f s, max %.2f s over %d runs\n", a[int((NR + 1) / 2)], a[int(NR * 0.9 + 0.5)], a[NR], NR }'
sleep 1
kill -INT "$dump"
wait "$dump" 2>/dev/null || true
dump=
grep -h "captured\|dropped" "$work/tcpdump.log" || true
python3 scripts/wire_analysis.py "$work/wire.pcap" "$(IFS=,; echo "${seen[*]}")" "$work/windows" ${relay:+--delayed 0 "$DELAY_MS"}
