#!/usr/bin/python3
"""The PyTorch peer of seqstream's CUDA engine, run on the GPU machine by engine-cuda/gpu/run.sh.

The same work per step as CudaCheck's bench: a batch of B keys drawn in turn from a pool of 2*B_max keys, their
(h, c) gathered from a host-side store (index_select into pinned buffers), copied to the device, one step of
Embedding(V, E) -> nn.LSTM(E, H, L) (cuDNN) -> Linear(H, V), then softmax statistics, the observed token's
probability and rank and the top-5, copied back to the host with the new (h, c), which are scattered into the
store. fp32 with TF32 off. A second variant keeps the store on the device ("device"). Weights are random.

Prints one JSON line: {"torch": ..., "device": ..., "results": {"large": {"1024": {"host": eps, "device": eps}}}}
"""
import argparse
import json
import statistics
import sys
import time


def main(argv):
    p = argparse.ArgumentParser()
    p.add_argument("--models", default="large:5000:64:256:2:1024,4096,16384,65536;small:128:32:128:1:1024,4096")
    p.add_argument("--seconds", type=float, default=0.6)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    import torch
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    dev = torch.device("cuda")
    torch.manual_seed(42)
    out = {"torch": torch.__version__, "device": torch.cuda.get_device_name(0), "results": {}}
    for spec in args.models.split(";"):
        name, v, e, h, layers, batches = spec.split(":")
        v, e, h, layers = int(v), int(e), int(h), int(layers)
        batches = [int(b) for b in batches.split(",")]
        emb = torch.nn.Embedding(v, e).to(dev)
        lstm = torch.nn.LSTM(e, h, layers).to(dev)
        proj = torch.nn.Linear(h, v).to(dev)
        keys = 2 * max(batches)
        rows = {}
        for variant in ("host", "device"):
            where = "cpu" if variant == "host" else dev
            store_h = torch.randn(keys, layers, h, device=where) * 0.1
            store_c = torch.randn(keys, layers, h, device=where) * 0.1
            pool = torch.randint(3, v, (1 << 20,), dtype=torch.long)
            for b in batches:
                stage_h = torch.empty(b, layers, h, pin_memory=True)
                stage_c = torch.empty(b, layers, h, pin_memory=True)
                stage_tok = torch.empty(b, dtype=torch.long, pin_memory=True)
                stage_obs = torch.empty(b, dtype=torch.long, pin_memory=True)
                res_p = torch.empty(b, pin_memory=True)
                res_rank = torch.empty(b, dtype=torch.long, pin_memory=True)
                res_top = torch.empty(b, 5, dtype=torch.long, pin_memory=True)
                res_topp = torch.empty(b, 5, pin_memory=True)
                cursor = [0]

                def step():
                    first = cursor[0]
                    cursor[0] = (first + b) % keys
                    idx = (torch.arange(first, first + b) % keys)
                    t0 = (first * 7) % ((1 << 20) - b - 1)
                    stage_tok.copy_(pool[t0:t0 + b])
                    stage_obs.copy_(pool[t0 + 1:t0 + 1 + b])
                    tok = stage_tok.to(dev, non_blocking=True)
                    obs = stage_obs.to(dev, non_blocking=True)
                    if variant == "host":
                        torch.index_select(store_h, 0, idx, out=stage_h)
                        torch.index_select(store_c, 0, idx, out=stage_c)
                        hd = stage_h.to(dev, non_blocking=True)
                        cd = stage_c.to(dev, non_blocking=True)
                    else:
                        didx = idx.to(dev, non_blocking=True)
                        hd = store_h.index_select(0, didx)
                        cd = store_c.index_select(0, didx)
                    with torch.no_grad():
                        x = emb(tok).unsqueeze(0)
                        y, (hn, cn) = lstm(x, (hd.transpose(0, 1).contiguous(), cd.transpose(0, 1).contiguous()))
                        logits = proj(y[0])
                        mx = logits.max(dim=1, keepdim=True).values
                        total = torch.exp(logits - mx).sum(dim=1)
                        lo = logits.gather(1, obs.unsqueeze(1))
                        prob = torch.exp(lo.squeeze(1) - mx.squeeze(1)) / total
                        rank = (logits > lo).sum(dim=1) + 1
                        topv, topi = logits.topk(5, dim=1)
                        topp = torch.exp(topv - mx) / total.unsqueeze(1)
                    res_p.copy_(prob, non_blocking=True)
                    res_rank.copy_(rank, non_blocking=True)
                    res_top.copy_(topi, non_blocking=True)
                    res_topp.copy_(topp, non_blocking=True)
                    if variant == "host":
                        stage_h.copy_(hn.transpose(0, 1), non_blocking=True)
                        stage_c.copy_(cn.transpose(0, 1), non_blocking=True)
                        torch.cuda.synchronize()
                        store_h.index_copy_(0, idx, stage_h)
                        store_c.index_copy_(0, idx, stage_c)
                    else:
                        store_h.index_copy_(0, didx, hn.transpose(0, 1))
                        store_c.index_copy_(0, didx, cn.transpose(0, 1))
                        torch.cuda.synchronize()

                for _ in range(3):
                    step()
                rates = []
                for _ in range(args.repeats):
                    start = time.perf_counter()
                    steps = 0
                    while True:
                        step()
                        steps += 1
                        if time.perf_counter() - start >= args.seconds:
                            break
                    rates.append(steps * b / (time.perf_counter() - start))
                rate = statistics.median(rates)
                rows.setdefault(str(b), {})[variant] = rate
                print("torch %s B=%d %s: %.0f events/s" % (name, b, variant, rate), file=sys.stderr, flush=True)
            del store_h, store_c
            torch.cuda.empty_cache()
        out["results"][name] = rows
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
