#!/usr/bin/python3
"""The PyTorch peer of seqstream's stepping engine, run by `seqstream bench`.

The same architecture as the benchmark's DL4J models (Embedding(V, E) -> L stacked LSTM layers of width H ->
Linear(H, V) -> softmax), stepped one token at a time for batches of B keys drawn in turn from a pool of
keys, each key's (h, c) carried between steps: gathered with index_select, stepped, scattered back with
index_copy_, under torch.no_grad() with torch.set_num_threads(THREADS); then each key's next token scored as
seqstream's stream scores it (its probability, surprisal and rank, the top TOP_K, the top-TOP_G flag) and fed
to the key. Weights are random (speed does not depend on them).

Timing matches the Java side: per model a warm-up cycling through every batch size, then per batch size
REPEATS timed repeats of SECONDS each (at least one step), the median repeat in events (token steps) per
second.

Prints one JSON object on stdout:
  {"available": true, "torch": "1.13.0", "threads": 2, "blas": "openblas", "blas_library": "/usr/lib/...",
   "results": {"small": {"1": 4598.0, ...}, "large": {...}}}
or {"available": false, "reason": "..."} when PyTorch cannot be imported. Progress goes to stderr.

Debian: apt-get install -y python3-torch libopenblas0-pthread (the second switches libblas.so.3 from the
slow reference BLAS to OpenBLAS; the peer reports which one it ran with).
"""
import argparse
import json
import statistics
import sys
import time

# seqstream's defaults: score.top-k and score.top-g
TOP_K = 5
TOP_G = 9


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--models", default="small:128:32:128:1,large:5000:64:256:2",
                   help="comma-separated name:V:E:H:L")
    p.add_argument("--batch-sizes", default="1,8,64,256,1024")
    p.add_argument("--keys", type=int, default=10000, help="size of the key pool batches are drawn from")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up per model")
    p.add_argument("--seconds", type=float, default=0.7, help="seconds per timed repeat")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=42)
    return p.parse_args(argv)


def blas_in_use():
    """The BLAS library mapped into this process (after a matmul has run) and what kind it is."""
    paths = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                parts = line.split()
                if len(parts) >= 6 and ("blas" in parts[5].lower() or "mkl" in parts[5].lower()):
                    paths.add(parts[5])
    except OSError:
        return "unknown", None
    for path in sorted(paths):
        lower = path.lower()
        if "openblas" in lower:
            return "openblas", path
        if "mkl" in lower:
            return "mkl", path
        if "blis" in lower:
            return "blis", path
        if "atlas" in lower:
            return "atlas", path
    for path in sorted(paths):
        if "/blas/" in path or path.endswith("libblas.so.3"):
            return "reference", path
    return ("other", sorted(paths)[0]) if paths else ("builtin", None)


def main(argv):
    args = parse_args(argv)
    try:
        import torch
    except Exception as e:  # ImportError, or a broken install
        print(json.dumps({"available": False, "reason": "PyTorch cannot be imported: %s" % e}))
        return 0

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    batch_sizes = [int(b) for b in args.batch_sizes.split(",") if b]
    keys = max(args.keys, max(batch_sizes))

    with torch.no_grad():
        torch.mm(torch.rand(64, 64), torch.rand(64, 64))
    blas, blas_library = blas_in_use()
    print("torch %s, %d threads, BLAS: %s (%s)" % (torch.__version__, torch.get_num_threads(), blas,
                                                 blas_library), file=sys.stderr, flush=True)

    results = {}
    for spec in args.models.split(","):
        name, vocab, embedding, hidden, layers = spec.split(":")
        vocab, embedding, hidden, layers = int(vocab), int(embedding), int(hidden), int(layers)
        results[name] = run_model(torch, name, vocab, embedding, hidden, layers, batch_sizes, keys, args)

    print(json.dumps({"available": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "blas": blas, "blas_library": blas_library, "results": results}))
    return 0


def run_model(torch, name, vocab, embedding, hidden, layers, batch_sizes, keys, args):
    embed = torch.nn.Embedding(vocab, embedding).eval()
    lstm = torch.nn.LSTM(embedding, hidden, num_layers=layers).eval()
    project = torch.nn.Linear(hidden, vocab).eval()
    h_all = torch.zeros(layers, keys, hidden)
    c_all = torch.zeros(layers, keys, hidden)
    known = min(vocab, 128)
    pending = torch.randint(3, known, (keys,))
    state = {"next": 0, "sink": 0.0}

    def step(batch):
        start = state["next"]
        if start + batch > keys:
            start = 0
        state["next"] = start + batch
        idx = torch.arange(start, start + batch)
        h = h_all.index_select(1, idx)
        c = c_all.index_select(1, idx)
        x = embed(pending.index_select(0, idx)).unsqueeze(0)  # [1, B, E]
        out, (h_new, c_new) = lstm(x, (h, c))
        probs = torch.softmax(project(out[0]), dim=-1)  # [B, V]
        h_all.index_copy_(1, idx, h_new)
        c_all.index_copy_(1, idx, c_new)
        # score each key's next token as the stream does: probability, surprisal, rank, top-k, top-g flag
        observed = torch.randint(3, known, (batch,))
        p = probs.gather(1, observed.unsqueeze(1))  # [B, 1]
        surprisal = -torch.log(p.squeeze(1))
        rank = (probs > p).sum(dim=1) + 1
        top_p, top_ids = probs.topk(TOP_K, dim=1)
        anomaly = rank > TOP_G
        pending.index_copy_(0, idx, observed)
        return surprisal, rank, top_p, top_ids, anomaly

    results = {}
    with torch.no_grad():
        deadline = time.perf_counter() + args.warmup
        while True:
            for b in batch_sizes:
                step(b)
            if time.perf_counter() >= deadline:
                break
        for b in batch_sizes:
            step(b)
            repeats = []
            for _ in range(args.repeats):
                events = 0
                t0 = time.perf_counter()
                while True:
                    scores = step(b)
                    events += b
                    elapsed = time.perf_counter() - t0
                    if elapsed >= args.seconds:
                        break
                state["sink"] += float(scores[0][-1])
                repeats.append(events / elapsed)
            results[str(b)] = statistics.median(repeats)
            print("torch %s B=%d: %.0f events/s" % (name, b, results[str(b)]), file=sys.stderr, flush=True)
    return results


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
