#!/usr/bin/env bash
# Motion sweep at 8 cameras: static, corridor, busy, noise (override with SCENES="static busy").
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for scene in ${SCENES:-static corridor busy noise}; do
    bench "motion-$scene" --cameras 8 --scene "$scene" --size 256
done
