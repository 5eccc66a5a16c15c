#!/usr/bin/env bash
# Copies ONNX Runtime 1.28.0 (not 1.29.0, which crashes TaskManagers with long command lines)
# from Maven Central into a Flink installation's lib/ folder. Run on every node, then restart
# the TaskManagers.
#
#   deploy/standalone/install-lib.sh FLINK_HOME [onnxruntime|onnxruntime_gpu]
set -euo pipefail
FLINK_HOME="${1:?usage: $0 FLINK_HOME [onnxruntime|onnxruntime_gpu]}"
ARTIFACT="${2:-onnxruntime}"
VERSION=1.28.0
[[ -d "$FLINK_HOME/lib" ]] || { echo "$FLINK_HOME/lib not found" >&2; exit 1; }
if ls "$FLINK_HOME"/lib/onnxruntime*.jar >/dev/null 2>&1; then
    echo "already present:" "$FLINK_HOME"/lib/onnxruntime*.jar
    exit 0
fi
mvn -B -q dependency:copy -Dartifact="com.microsoft.onnxruntime:${ARTIFACT}:${VERSION}" \
    -DoutputDirectory="$FLINK_HOME/lib"
echo "installed $FLINK_HOME/lib/${ARTIFACT}-${VERSION}.jar"
