#!/usr/bin/env bash
# Cameras sweep: 1, 8, 32, 128 corridor cameras at 256x256 (override with CAMERAS="1 8").
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for n in ${CAMERAS:-1 8 32 128}; do
    bench "cameras-$n" --cameras "$n" --scene corridor --size 256
done
