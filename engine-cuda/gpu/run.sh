#!/usr/bin/env bash
# Runs THERE, on the GPU machine (NVIDIA driver, CUDA 13 runtime/cuBLAS/NVRTC, python3 with PyTorch; no Java),
# with .gpu/ made by prepare.sh: parity of the CUDA engine with DL4J's reference, its
# bench, the PyTorch peer on the same GPU, and one final JSON line with the ratios. About 2-3 minutes.
set -uo pipefail
# It runs from engine-cuda/gpu/ or from the copy prepare.sh puts in .gpu/ (which then travels alone).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -d "$here/jre" ]]; then gpu="$here"; else gpu="$(cd "$here/../.." && pwd)/.gpu"; fi
out="${OUT:-/tmp/seqstream-gpu}"
mkdir -p "$out"
export LD_LIBRARY_PATH="/usr/local/cuda/targets/x86_64-linux/lib:/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
nvidia-smi -L 2>&1 | tee "$out/device.txt"
quick=""
[[ "${1:-}" == "--quick" ]] && quick="--quick"
timeout 240 "$gpu/jre/bin/java" -Xmx16g -Djava.io.tmpdir=/tmp -cp "$gpu/lib/*" io.seqstream.engine.cuda.CudaCheck \
  "$gpu/data" $quick 2>&1 | tee "$out/cuda-check.log"
models="large:5000:64:256:2:1024,4096,16384,65536;small:128:32:128:1:1024,4096"
[[ -n "$quick" ]] && models="large:5000:64:256:2:1024,4096;small:128:32:128:1:1024"
PYTHONUNBUFFERED=1 timeout 200 python3 "$here/torch_cuda_peer.py" --models "$models" 2>&1 | tee "$out/torch.log"
python3 "$here/summarize.py" "$out/cuda-check.log" "$out/torch.log" | tee "$out/summary.json"
