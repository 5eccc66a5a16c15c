#!/usr/bin/env bash
# Builds the job jar and the deltatok container image(s).
#
#   deploy/build-image.sh [--tag REPO/deltatok:VERSION] [--gpu] [--push] [--skip-jar]
#                         [--base IMAGE@sha256:DIGEST] [--stage-only] [--context DIR]
#                         [--ort-jar PATH] [--jar PATH]
#
# Needs: JDK 17 + Maven (the jar), python3 or jq (reads the model manifest), network access to
# Maven Central (ONNX Runtime jars) and a Docker engine with BuildKit (`docker build`).
# --gpu also builds REPO/deltatok:VERSION-gpu (target `gpu` of deploy/Dockerfile). --push pushes
# what was built and prints each image's digest for the overlays' `images:` field.
# --base: the Flink base image by digest; by default the Dockerfile's tag is pulled and resolved
# to its digest. --stage-only: stage the build context (default deploy/target/image, or
# --context DIR) and stop, without Docker. --ort-jar: stage this ONNX Runtime jar instead of
# downloading it. --jar: stage this job jar (implies --skip-jar).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ORT_VERSION=1.28.0   # not 1.29.0: it crashes TaskManagers with long command lines
TAG="deltatok:0.1.0"
GPU=false
PUSH=false
SKIP_JAR=false
STAGE_ONLY=false
CTX=""
BASE=""
ORT_JAR=""
JAR=flink-jobs/target/deltatok-job.jar

while [[ $# -gt 0 ]]; do
    case "$1" in
        --tag) TAG="$2"; shift 2 ;;
        --gpu) GPU=true; shift ;;
        --push) PUSH=true; shift ;;
        --skip-jar) SKIP_JAR=true; shift ;;
        --stage-only) STAGE_ONLY=true; shift ;;
        --context) CTX="$2"; shift 2 ;;
        --base) BASE="$2"; shift 2 ;;
        --ort-jar) ORT_JAR="$2"; shift 2 ;;
        --jar) JAR="$2"; SKIP_JAR=true; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

if [[ "$STAGE_ONLY" == false ]]; then
    command -v docker >/dev/null || { echo "docker not found: building the image needs a Docker engine" >&2; exit 1; }
fi

# The files models/default/manifest.json pins by sha256: the loader verifies every one of them,
# so the image must hold exactly these (DeployImageTest checks the staged set against the manifest).
model_files() {
    local manifest="$1"
    if command -v python3 >/dev/null; then
        python3 -c 'import json, sys; print("\n".join(sorted(json.load(open(sys.argv[1]))["files"])))' "$manifest"
    elif command -v jq >/dev/null; then
        jq -r '.files | keys[]' "$manifest"
    else
        echo "python3 or jq is needed to read $manifest" >&2
        return 1
    fi
}

cd "$ROOT"
if [[ "$SKIP_JAR" == false ]]; then
    # clean: `package` without it re-shades an old fat jar.
    mvn -B -DskipTests clean package -pl flink-jobs -am
fi
[[ -f "$JAR" ]] || { echo "missing $JAR; run without --skip-jar" >&2; exit 1; }

# A small build context instead of the whole repository.
CTX="${CTX:-deploy/target/image}"
rm -rf "$CTX"
mkdir -p "$CTX/models/default" "$CTX/lib" "$CTX/lib-gpu"
cp "$JAR" "$CTX/deltatok-job.jar"
cp models/default/manifest.json "$CTX/models/default/"
files="$(model_files models/default/manifest.json)"
[[ -n "$files" ]] || { echo "models/default/manifest.json pins no files" >&2; exit 1; }
while IFS= read -r f; do
    [[ "$f" != */* && "$f" != .* ]] || { echo "unexpected file name in the manifest: $f" >&2; exit 1; }
    cp "models/default/$f" "$CTX/models/default/$f"
done <<< "$files"
if [[ -n "$ORT_JAR" ]]; then
    cp "$ORT_JAR" "$CTX/lib/onnxruntime-${ORT_VERSION}.jar"
else
    mvn -B -q dependency:copy -Dartifact="com.microsoft.onnxruntime:onnxruntime:${ORT_VERSION}" \
        -DoutputDirectory="$CTX/lib"
fi
if [[ "$GPU" == true ]]; then
    mvn -B -q dependency:copy -Dartifact="com.microsoft.onnxruntime:onnxruntime_gpu:${ORT_VERSION}" \
        -DoutputDirectory="$CTX/lib-gpu"
else
    # Placeholder so that a builder which builds every stage (DOCKER_BUILDKIT=0) finds the file;
    # BuildKit skips the gpu stage when --target cpu is asked for.
    touch "$CTX/lib-gpu/onnxruntime_gpu-${ORT_VERSION}.jar"
fi

if [[ "$STAGE_ONLY" == true ]]; then
    echo "staged $CTX"
    exit 0
fi

# The base image by digest, so that a re-pushed tag cannot change what a rebuild contains.
if [[ -z "$BASE" ]]; then
    base_tag="$(sed -n 's/^ARG FLINK_IMAGE=//p' deploy/Dockerfile)"
    docker pull -q "$base_tag" >/dev/null
    BASE="${base_tag}@$(docker image inspect --format '{{index .RepoDigests 0}}' "$base_tag" | sed 's/.*@//')"
fi
[[ "$BASE" == *@sha256:* ]] || { echo "--base must name a digest (IMAGE@sha256:...), got $BASE" >&2; exit 2; }
echo "base image $BASE"

DOCKER_BUILDKIT=1 docker build -f deploy/Dockerfile --build-arg "FLINK_IMAGE=$BASE" --target cpu -t "$TAG" "$CTX"
if [[ "$GPU" == true ]]; then
    DOCKER_BUILDKIT=1 docker build -f deploy/Dockerfile --build-arg "FLINK_IMAGE=$BASE" --target gpu -t "${TAG}-gpu" "$CTX"
fi

if [[ "$PUSH" == true ]]; then
    # The overlays pin images by digest (kustomization.yaml, images:).
    for image in "$TAG" $([[ "$GPU" == true ]] && echo "${TAG}-gpu"); do
        docker push -q "$image" >/dev/null
        echo "pushed $(docker image inspect --format '{{index .RepoDigests 0}}' "$image")"
    done
fi
if [[ "$GPU" == true ]]; then echo "built $TAG and ${TAG}-gpu"; else echo "built $TAG"; fi
