#!/usr/bin/env bash
# Sync benchmark: 10 000 files of 4 KiB written into one node's box until they are on both other nodes
# (three nodes in one JVM over real CURVE sockets). Takes a few minutes; prints one line at the end.
# BENCH_FILES=N changes the number of files. Not part of `mvn -B verify`.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
log=$(mktemp)
trap 'rm -f "$log"' EXIT
mvn -B -Pbenchmark test -pl core -Dtest=SyncBenchmarkTest -Dbench.files="${BENCH_FILES:-10000}" > "$log" 2>&1 || { tail -50 "$log"; exit 1; }
sed -n '/=== flocksy sync benchmark ===/,$p' "$log" | grep -E '^(===|files=)'
