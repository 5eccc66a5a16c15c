#!/usr/bin/env bash
# Input resolution sweep at 8 corridor cameras: 256x256, and 1280x720 resized by the job.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for size in ${SIZES:-256x256 1280x720}; do
    bench "resolution-$size" --cameras 8 --scene corridor --size "$size"
done
