#!/usr/bin/env bash
# Scan benchmark: the first scan of a folder new to flocksy (100 000 files, 1 GiB by default: walked, each file
# hashed once, the index filled) beside b2sum over the same tree; then every bundle written one after the
# other (what sending it all copies, run by run); a rescan with nothing changed; the index's size and heap per file. Needs ~3 GiB free in core/target. Not part of `mvn -B verify`.
# BENCH_SCAN_FILES=N and BENCH_SCAN_BYTES=B change the tree.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# The daemon's JVM (bin/flocksy): with the default heap, first touches of a large young generation cost the scan
# 0.7 s of page clearing that no user pays.
daemon_jvm=$(sed -n 's/^exec "\$JAVA" \(.*\) \\$/\1/p' distribution/src/main/dist/bin/flocksy)
mvn -B -Pbenchmark test -pl core -Dtest=ScanBenchmarkTest -Dbench.scan.files="${BENCH_SCAN_FILES:-100000}" \
    "-Dtest.argLine=-Djava.io.tmpdir=$PWD/core/target --enable-native-access=ALL-UNNAMED -Dguice_bytecode_gen_option=DISABLED $daemon_jvm" \
    -Dbench.scan.bytes="${BENCH_SCAN_BYTES:-1073741824}" > "$log" 2>&1 || { tail -50 "$log"; exit 1; }
sed -n '/=== flocksy scan benchmark ===/,$p' "$log" | grep -E "^(===|files=|b2sum|first scan|CPU during|every bundle|rescan|index:|heap)"
