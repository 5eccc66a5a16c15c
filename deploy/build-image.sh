#!/usr/bin/env bash
# Builds the job jar and the deltatok container image(s).
#
#   deploy/build-image.sh [--tag REPO/deltatok:VERSION] [--gpu] [--push] [--skip-jar]
#
# Needs: JDK 17 + Maven (the jar), network access to Maven Central (ONNX Runtime jars) and a
# Docker engine with BuildKit (`docker build`). --gpu also builds REPO/deltatok:VERSION-gpu
# (target `gpu` of deploy/Dockerfile). --push pushes what was built.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ORT_VERSION=1.28.0   # not 1.29.0: it crashes TaskManagers with long command lines
TAG="deltatok:0.1.0"
GPU=false
PUSH=false
SKIP_JAR=false

while [[ $# -gt 0 ]]; do
    case "$1" in
        --tag) TAG="$2"; shift 2 ;;
        --gpu) GPU=true; shift ;;
        --push) PUSH=true; shift ;;
        --skip-jar) SKIP_JAR=true; shift ;;
        -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

command -v docker >/dev/null || { echo "docker not found: building the image needs a Docker engine" >&2; exit 1; }

cd "$ROOT"
if [[ "$SKIP_JAR" == false ]]; then
    # clean: `package` without it re-shades an old fat jar.
    mvn -B -DskipTests clean package -pl flink-jobs -am
fi
JAR=flink-jobs/target/deltatok-job.jar
[[ -f "$JAR" ]] || { echo "missing $JAR; run without --skip-jar" >&2; exit 1; }

# A small build context instead of the whole repository.
CTX=deploy/target/image
rm -rf "$CTX"
mkdir -p "$CTX/models/default" "$CTX/lib" "$CTX/lib-gpu"
cp "$JAR" "$CTX/deltatok-job.jar"
cp models/default/manifest.json models/default/encoder.onnx models/default/decoder.onnx "$CTX/models/default/"
mvn -B -q dependency:copy -Dartifact="com.microsoft.onnxruntime:onnxruntime:${ORT_VERSION}" \
    -DoutputDirectory="$CTX/lib"
if [[ "$GPU" == true ]]; then
    mvn -B -q dependency:copy -Dartifact="com.microsoft.onnxruntime:onnxruntime_gpu:${ORT_VERSION}" \
        -DoutputDirectory="$CTX/lib-gpu"
else
    # Placeholder so that a builder which builds every stage (DOCKER_BUILDKIT=0) finds the file;
    # BuildKit skips the gpu stage when --target cpu is asked for.
    touch "$CTX/lib-gpu/onnxruntime_gpu-${ORT_VERSION}.jar"
fi

DOCKER_BUILDKIT=1 docker build -f deploy/Dockerfile --target cpu -t "$TAG" "$CTX"
if [[ "$GPU" == true ]]; then
    DOCKER_BUILDKIT=1 docker build -f deploy/Dockerfile --target gpu -t "${TAG}-gpu" "$CTX"
fi

if [[ "$PUSH" == true ]]; then
    docker push "$TAG"
    if [[ "$GPU" == true ]]; then docker push "${TAG}-gpu"; fi
fi
if [[ "$GPU" == true ]]; then echo "built $TAG and ${TAG}-gpu"; else echo "built $TAG"; fi
