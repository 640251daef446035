#!/usr/bin/env python3
"""PyTorch peer of `npm run bench`: the same BWSNN run as float inference in PyTorch on the CPU.

Usage: torch_peer.py GRAPH.json INPUTS.npy [--batch 256] [--repeat 1] [--threads K]

GRAPH.json is written by bench/peers/graph-json.ts (the Graph IR with weights unpacked); INPUTS.npy
holds [N, ...inputShape] float32 inputs in the model's encoding (what models/float-exec.ts takes).
The network is evaluated with the float executor's semantics (models/float-exec.ts): per time step
every node in order, recurrent inputs read the previous step, IF/LIF with soft or hard reset.
Prints one JSON line: inferences, seconds (inference only, after one warm-up batch), inferences per
second, torch version and threads, and the predictions (so the bench can check that both sides
computed the same network).
"""
import json
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def build(graph):
    nodes = graph["nodes"]
    index = {n["name"]: i for i, n in enumerate(nodes)}
    params = {}
    for n in nodes:
        op = n["op"]
        p = {}
        if op in ("binary_linear", "linear"):
            p["w"] = torch.tensor(n["weight"], dtype=torch.float32).reshape(n["outFeatures"], n["inFeatures"])
            p["s"] = torch.tensor(n["scale"], dtype=torch.float32)
        elif op in ("binary_conv2d", "conv2d"):
            kh, kw = n["kernel"]
            p["w"] = torch.tensor(n["weight"], dtype=torch.float32).reshape(n["outChannels"], n["inChannels"], kh, kw)
            p["s"] = torch.tensor(n["scale"], dtype=torch.float32).reshape(1, -1, 1, 1)
        elif op == "batchnorm":
            g = torch.tensor(n["gamma"], dtype=torch.float64)
            a = g / torch.sqrt(torch.tensor(n["var"], dtype=torch.float64) + n["eps"])
            b = torch.tensor(n["beta"], dtype=torch.float64) - torch.tensor(n["mean"], dtype=torch.float64) * a
            shape = [1, -1] + [1] * (len(n["shape"]) - 1)
            p["a"] = a.float().reshape(shape)
            p["b"] = b.float().reshape(shape)
        elif op == "bias":
            bias = torch.tensor(n["bias"], dtype=torch.float32)
            size = int(np.prod(n["shape"]))
            if bias.numel() == size:
                p["b"] = bias.reshape([1] + n["shape"])
            else:
                p["b"] = bias.reshape([1, -1] + [1] * (len(n["shape"]) - 1))
        elif op in ("if", "lif", "threshold"):
            th = torch.tensor(n["threshold"], dtype=torch.float32)
            p["th"] = th if th.numel() == 1 else th.reshape([1] + n["shape"])
            if op != "threshold":
                vr = torch.tensor(n["vReset"], dtype=torch.float32)
                p["vr"] = vr if vr.numel() == 1 else vr.reshape([1] + n["shape"])
        params[n["name"]] = p
    return nodes, index, params


def run(graph, built, x):
    """x: [B, ...inputShape] float32 tensor. Returns the readout membrane [B, classes]."""
    nodes, index, params = built
    T = graph["timesteps"]
    B = x.shape[0]
    out = {}
    state = {}
    prev = {}
    recurrent = set()
    for i, n in enumerate(nodes):
        for s in n["inputs"]:
            if index[s] >= i:
                recurrent.add(s)
    for s in recurrent:
        prev[s] = torch.zeros([B] + nodes[index[s]]["shape"])
    readout = None
    for t in range(T):
        for i, n in enumerate(nodes):
            op, name = n["op"], n["name"]
            src = [prev[s] if index[s] >= i else out[s] for s in n["inputs"]]
            p = params[name]
            if op == "input":
                enc = n["encoding"]
                y = (x >= enc["threshold"]).float() if enc["kind"] == "binary" else x
            elif op in ("binary_linear", "linear"):
                y = F.linear(src[0], p["w"]) * p["s"]
            elif op in ("binary_conv2d", "conv2d"):
                y = F.conv2d(src[0], p["w"], stride=tuple(n["stride"]), padding=tuple(n["padding"])) * p["s"]
            elif op == "batchnorm":
                y = src[0] * p["a"] + p["b"]
            elif op == "bias":
                y = src[0] + p["b"]
            elif op == "add":
                y = src[0]
                for s in src[1:]:
                    y = y + s
            elif op in ("if", "lif"):
                v = state.get(name)
                if v is None:
                    v = torch.zeros_like(src[0])
                if op == "lif":
                    v = v - v * (2.0 ** -n["leak"])
                v = v + src[0]
                fire = v > p["th"] if n["fireOn"] == "gt" else v >= p["th"]
                if n["reset"] == "hard":
                    v = torch.where(fire, p["vr"].expand_as(v), v)
                else:
                    v = v - fire.float() * p["th"]
                state[name] = v
                y = fire.float()
            elif op == "threshold":
                y = (src[0] > p["th"] if n["fireOn"] == "gt" else src[0] >= p["th"]).float()
            elif op == "sumpool":
                kh, kw = n["kernel"]
                y = F.avg_pool2d(src[0], n["kernel"], n["stride"], n["padding"], count_include_pad=True) * (kh * kw)
            elif op == "avgpool":
                y = F.avg_pool2d(src[0], n["kernel"], n["stride"], n["padding"], count_include_pad=True)
            elif op == "maxpool":
                y = F.max_pool2d(src[0], n["kernel"], n["stride"], n["padding"]).clamp(min=0)
            elif op == "flatten":
                y = src[0].reshape(B, -1)
            elif op == "readout":
                v = state.get(name)
                if v is None:
                    v = torch.zeros_like(src[0])
                if n["leak"] > 0:
                    v = v - v * (2.0 ** -n["leak"])
                v = v + src[0]
                state[name] = v
                y = v
                readout = v
            else:
                raise ValueError(f"node {name}: op {op} not supported by the peer")
            out[name] = y
        for s in recurrent:
            prev[s] = out[s]
    return readout


def blas_libraries():
    """The BLAS/LAPACK shared objects this process loaded (Debian's torch uses whichever libblas.so.3
    the alternatives system points to: reference BLAS is about 10x slower than OpenBLAS)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() or "lapack" in line.lower()}
        return sorted(l for l in libs if l.startswith("/"))
    except OSError:
        return []


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    opts = {"--batch": 256, "--repeat": 1, "--threads": 0}
    for k in list(opts):
        if k in args:
            i = args.index(k)
            opts[k] = int(args[i + 1])
            del args[i : i + 2]
    with open(args[0]) as f:
        graph = json.load(f)
    data = np.load(args[1]).astype(np.float32)
    if opts["--threads"] > 0:
        torch.set_num_threads(opts["--threads"])
    built = build(graph)
    xs = torch.from_numpy(data)
    batch = opts["--batch"]
    preds = []
    with torch.inference_mode():
        run(graph, built, xs[:batch])  # warm-up
        t0 = time.perf_counter()
        for _ in range(opts["--repeat"]):
            preds = []
            for i in range(0, xs.shape[0], batch):
                r = run(graph, built, xs[i : i + batch])
                preds.append(torch.argmax(r, dim=1))
        seconds = time.perf_counter() - t0
    n = xs.shape[0] * opts["--repeat"]
    p = torch.cat(preds).tolist()
    print(json.dumps({
        "inferences": n,
        "seconds": seconds,
        "perSecond": n / seconds,
        "batch": batch,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": blas_libraries(),
        "predictions": p,
    }))


if __name__ == "__main__":
    main()
