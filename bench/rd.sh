#!/usr/bin/env bash
# Rate-distortion curves of the tokenizer core on real footage (no Kafka, no Flink): full mode at
# 1 to 4 levels per patch and delta mode at several settings, side by side over every frame of each
# clip at 256x256, default model. Writes per clip a Markdown table, JSON and a PNG chart under
# bench/results/rd/.
#   bash bench/rd.sh                     # the clips below (installs opencv-doc when missing)
#   bash bench/rd.sh /path/to/clip.mp4   # other clips
# vtest.avi (a static street camera) is the clip the defaults were tuned on; Megamind.avi (a film
# clip: camera motion, cuts) and tree.avi (a hand-held clip) were kept aside while tuning.
set -euo pipefail
cd "$(dirname "$0")/.."
data=/usr/share/doc/opencv-doc/examples/data
if [ $# -eq 0 ]; then
    if [ ! -f "$data/vtest.avi" ]; then
        echo "rd.sh: installing opencv-doc for its example clips" >&2
        apt-get install -y opencv-doc >&2
    fi
    set -- "$data/vtest.avi" "$data/Megamind.avi" "$data/tree.avi"
fi
out=bench/results/rd
mkdir -p "$out"
for clip in "$@"; do
    name="$(basename "${clip%.*}")"
    ./deltatok eval --input "$clip" --sweep --json "$out/$name.json" --table "$out/$name.md" \
        --chart "$out/$name.png" ${FRAMES:+--max-frames "$FRAMES"}
    echo "done: $clip" >&2
done
