#!/usr/bin/env bash
# Fuzzes one Jazzer @FuzzTest for real (its maxDuration, 10 minutes), at the lowest CPU priority.
#   fuzz/fuzz.sh MODULE CLASS METHOD
#   fuzz/fuzz.sh operators FrameDecoderFuzzTest decodesOrRejects
# A finding stops the run and is written as crash-<sha1> into the test's inputs folder
# (src/test/resources/<package>/<Class>Inputs/<method>/), where `mvn verify` replays it from then
# on; the inputs the fuzzer generated stay in MODULE/.cifuzz-corpus/ (not committed). The log goes to
# target/fuzz-CLASS-METHOD.log; its "Done N runs in S second(s)" line gives the executions.
set -euo pipefail
if [ $# -ne 3 ]; then
    echo "usage: $0 MODULE CLASS METHOD" >&2
    exit 2
fi
module=$1 class=$2 method=$3
cd "$(dirname "$0")/.."
mkdir -p target
log="target/fuzz-$class-$method.log"
# A 1 GB heap: an allocation sized by a length field the input cannot back fails as an
# OutOfMemoryError finding instead of passing unnoticed in a large heap.
JAZZER_FUZZ=1 nice -n 19 mvn -B -pl "$module" -am test \
    -Dtest="$class#$method" -Dsurefire.failIfNoSpecifiedTests=false \
    -Dspotless.check.skip=true -Dtest.argLine="-Xmx1g" >"$log" 2>&1 && status=0 || status=$?
grep -E "^Done [0-9]+ runs|^#[0-9]+.*(DONE|pulse)|FuzzTestFinding|Tests run:" "$log" | tail -5 || true
exit $status
