#!/usr/bin/env bash
# Large-file benchmark: a 1 GiB file (BENCH_LARGE_BYTES) through the sender's bundle, the read-ahead pump
# and the receiver's verify-and-place path in a JVM with -Xmx256m. Needs ~4 GiB free in core/target.
# Not part of `mvn -B verify`.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
log=$(mktemp)
trap 'rm -f "$log"' EXIT
mvn -B -Pbenchmark test -pl core -Dtest=LargeFileBenchmarkTest -Dbench.large.bytes="${BENCH_LARGE_BYTES:-1073741824}" > "$log" 2>&1 \
    || { tail -50 "$log"; exit 1; }
grep -E '^large file:' "$log"
