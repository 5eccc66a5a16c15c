#!/usr/bin/env bash
# State backend sweep at 8 corridor cameras: heap (hashmap) and RocksDB.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
for backend in hashmap rocksdb; do
    bench "state-$backend" --cameras 8 --scene corridor --state-backend "$backend"
done
