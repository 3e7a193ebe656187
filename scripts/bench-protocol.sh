#!/usr/bin/env bash
# Protocol benchmark: schedule error of file frames (p50/p99), CPU per node idle and during a run, and the
# time and goodput of a 2 MiB run, for 3 and 8 nodes on loopback and for rates 200–1600 frames/s on 3.
# Takes about five minutes; prints its table at the end. Not part of `mvn -B verify`.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
log=$(mktemp)
trap 'rm -f "$log"' EXIT
mvn -B -Pbenchmark test -pl core > "$log" 2>&1 || { tail -50 "$log"; exit 1; }
sed -n '/=== flocksy protocol benchmark ===/,$p' "$log" | grep -E '^(===|nodes=)'
