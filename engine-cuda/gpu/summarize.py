#!/usr/bin/python3
"""Joins CudaCheck's and the PyTorch peer's JSON lines (the last line of each log) into one JSON line with ratios."""
import json
import sys


def last_json(path):
    with open(path) as f:
        lines = [l for l in f.read().splitlines() if l.startswith("{")]
    return json.loads(lines[-1]) if lines else {}


cuda = last_json(sys.argv[1])
torch = last_json(sys.argv[2]) if len(sys.argv) > 2 else {}
out = {"device": cuda.get("device"), "torch_version": torch.get("torch"), "parity_ok": cuda.get("parity_ok"),
       "gemm_tflops": cuda.get("gemm_tflops")}
for key in ("parity_small", "parity_large", "parity_small_tf32", "parity_large_tf32"):
    if key in cuda:
        out[key + "_max_abs"] = cuda[key].get("max_abs_probability_diff")
for model in ("large", "small"):
    ours = cuda.get("bench_" + model, {})
    peer = torch.get("results", {}).get(model, {})
    for b, row in ours.items():
        tag = "%s_b%s" % (model, b)
        out[tag + "_events_per_s"] = round(row["events_per_s"])
        out[tag + "_gemm_share"] = row.get("gemm_share")
        out[tag + "_device_resident_events_per_s"] = round(row["device_resident_events_per_s"])
        if b in peer:
            out[tag + "_torch_host"] = round(peer[b]["host"])
            out[tag + "_torch_device"] = round(peer[b]["device"])
            out[tag + "_over_torch"] = round(row["events_per_s"] / peer[b]["host"], 3)
            out[tag + "_over_torch_device"] = round(row["events_per_s"] / peer[b]["device"], 3)
errors = {k: v for k, v in cuda.items() if k.endswith("_error")}
if errors:
    out["errors"] = errors
print(json.dumps(out))
