#!/usr/bin/env bash
# README's test command. Installs what the tests need beyond JDK 17 and Maven (Debian packages
# through apt-get, as root or with sudo; the Dockerfile linter from npm) when it is missing, checks
# the Python scripts with pyflakes3, runs the Python client's unit tests (pytest), then
# `mvn -B verify`: every unit, integration and end-to-end test, none skipped.
# Arguments go to Maven, e.g. dev/test.sh -pl operators -am.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

log() { printf '[test] %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        log "not root and no sudo: install these yourself: ${*: -1}"
        return 1
    fi
}

need_pkgs=()
command -v java >/dev/null 2>&1 || need_pkgs+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need_pkgs+=(maven)
# Video files and live cameras are read through ffmpeg (FrameSourcesTest, IngestCommandITCase).
command -v ffmpeg >/dev/null 2>&1 || need_pkgs+=(ffmpeg)
# The viewer's browser test drives Debian's chromium through its chromedriver.
command -v chromium >/dev/null 2>&1 || need_pkgs+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_pkgs+=(chromium-driver)
# The training and benchmark scripts (Python) are checked for undefined names and the like.
command -v pyflakes3 >/dev/null 2>&1 || need_pkgs+=(pyflakes3)
command -v npm >/dev/null 2>&1 || need_pkgs+=(npm)
# deploy/k8s is rendered with kubectl's built-in kustomize (e2e-tests DeployManifestsTest).
command -v kubectl >/dev/null 2>&1 || need_pkgs+=(kubectl)
# The Python client (clients/python) runs on Debian's packages; its cross-language ITCase runs
# /usr/bin/python3 -m deltatok against the job's deltas and fails without them.
# IngestCommandITCase serves a clip as a live RTSP camera with Debian's GStreamer RTSP server.
for pkg in python3-confluent-kafka python3-avro python3-numpy python3-pytest \
        python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-rtsp gstreamer1.0-plugins-base \
        gstreamer1.0-plugins-good gstreamer1.0-plugins-ugly; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_pkgs+=("$pkg")
done
# deploy/ checks (e2e-tests Deploy*Test): ShellCheck for the scripts, promtool (Debian's
# prometheus package, without its recommended exporters) for the alert rules.
deploy_pkgs=()
command -v shellcheck >/dev/null 2>&1 || deploy_pkgs+=(shellcheck)
command -v promtool >/dev/null 2>&1 || deploy_pkgs+=(prometheus)
if [ ${#need_pkgs[@]} -gt 0 ] || [ ${#deploy_pkgs[@]} -gt 0 ]; then
    log "installing ${need_pkgs[*]} ${deploy_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq || { log "apt-get update failed"; exit 1; }
    if [ ${#need_pkgs[@]} -gt 0 ]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null \
            || { log "apt-get install ${need_pkgs[*]} failed"; exit 1; }
    fi
    if [ ${#deploy_pkgs[@]} -gt 0 ]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${deploy_pkgs[@]}" >/dev/null || { log "apt-get install ${deploy_pkgs[*]} failed"; exit 1; }
    fi
fi
# The Dockerfile linter (the Dockerfile language service's), from npm.
if ! command -v dockerfile-utils >/dev/null 2>&1; then
    log "installing dockerfile-utils"
    as_root npm install -g -s dockerfile-utils@0.16.3 >/dev/null || { log "npm install failed"; exit 1; }
fi

java -version 2>&1 | head -1
mvn -v 2>/dev/null | head -1

log "pyflakes3 models/train bench clients/python"
if ! pyflakes3 models/train bench clients/python; then
    log "pyflakes3 found problems in the Python scripts"
    exit 1
fi

log "pytest clients/python/tests"
if ! /usr/bin/python3 -m pytest -q -p no:cacheprovider clients/python/tests; then
    log "the Python client's unit tests failed"
    exit 1
fi

log "mvn -B verify $*"
exec mvn -B verify "$@"
