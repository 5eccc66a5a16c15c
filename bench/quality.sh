#!/usr/bin/env bash
# Token economy and quality of the tokenizer core per source (no Kafka, no Flink): delta mode
# against the full-grid baseline on the same frames, with the default model. Writes one JSON
# per source under bench/results/quality/ and prints the README table.
#   bash bench/quality.sh            # 150 frames per source
#   FRAMES=300 bash bench/quality.sh
set -euo pipefail
cd "$(dirname "$0")/.."
frames="${FRAMES:-150}"
out=bench/results/quality
mkdir -p "$out"
sources=(synthetic:static synthetic:corridor synthetic:busy synthetic:lighting synthetic:noise
         synthetic:cut synthetic:pan /usr/share/doc/opencv-doc/examples/data/vtest.avi)
for src in "${sources[@]}"; do
    name="$(basename "${src#synthetic:}" .avi)"
    ./deltatok eval --input "$src" --max-frames "$frames" --mode both --json "$out/$name.json" \
        > "$out/$name.txt"
    echo "done: $src"
done
python3 - "$out" "${sources[@]}" <<'PY'
import json, os, sys
out, sources = sys.argv[1], sys.argv[2:]
print("| source | delta tokens/frame (p95) | of the full grid | PSNR delta / full | "
      "SSIM delta / full | keyframes | bytes/frame delta / full |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for src in sources:
    name = os.path.basename(src.replace("synthetic:", "")).replace(".avi", "")
    modes = json.load(open(os.path.join(out, name + ".json")))["modes"]
    d, f = modes["delta"], modes["full"]
    print(f"| {src} | {d['tokensPerFrame']['mean']:.1f} ({d['tokensPerFrame']['p95']:.0f}) | "
          f"{100 * d['tokensPerFrame']['mean'] / d['gridTokensPerFrame']:.2f} % | "
          f"{d['psnrDb']['mean']:.2f} / {f['psnrDb']['mean']:.2f} dB | "
          f"{d['ssim']['mean']:.3f} / {f['ssim']['mean']:.3f} | {d['keyframes']} | "
          f"{d['bytesPerFrame']['mean']:.0f} / {f['bytesPerFrame']['mean']:.0f} |")
PY
