#!/usr/bin/env bash
# Delivery sweep at 8 corridor cameras: exactly-once (visible at each 1 s checkpoint) and
# at-least-once; latency is paced at half the measured throughput in both.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for delivery in exactly-once at-least-once; do
    bench "delivery-$delivery" --cameras 8 --scene corridor --delivery "$delivery"
done
