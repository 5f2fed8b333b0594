#!/usr/bin/env python3
"""The PyTorch side of the shapr-step benchmark (issue 6): the same SHAPR network as src/model/shapr_layout.ts,
timed the same way as harness/bench/shapr_step.ts (forward in eval mode without autograd; training step =
forward in training mode + (2*Dice + BCE)/2 + backward + Adam), at batch 1, 3 and 6, on CPU or CUDA.
Prints one JSON row per batch: {"bench": "shapr-step", "impl": "torch", "device": ..., "batch": ..., "median_ms": ...}.
Needs torch where it runs (not a project dependency), e.g. Debian's python3-torch:
    /usr/bin/python3 harness/bench/torch_shapr_step.py [--device cpu|cuda] [--batch 1,3,6] [--repeats 3] [--threads N]
"""
import argparse
import json
import math
import os
import platform
import statistics
import time

import torch
from torch import nn


class Enc(nn.Sequential):
    """[Conv3d(1,3,3), no bias -> BatchNorm3d -> ReLU] x 2, as SHAPR's encoder/decoder blocks."""

    def __init__(self, cin, cout):
        layers = []
        for i, o in ((cin, cout), (cout, cout)):
            layers += [nn.Conv3d(i, o, (1, 3, 3), padding=(0, 1, 1), bias=False), nn.BatchNorm3d(o), nn.ReLU(inplace=True)]
        super().__init__(*layers)


class Shapr(nn.Module):
    """SHAPR for side s (power of two, 4..64) and filter base f; layer list of src/model/shapr_layout.ts."""

    def __init__(self, side=64, f=10):
        super().__init__()
        doublings = [int(math.log2(side)) - 2]

        def depth_up(c):
            k = (2, 1, 1) if doublings[0] > 0 else (1, 1, 1)
            doublings[0] -= 1
            return nn.ConvTranspose3d(c, c, k, stride=k)

        self.net = nn.Sequential(
            Enc(2, f), nn.MaxPool3d((1, 2, 2)), Enc(f, 2 * f), nn.MaxPool3d((1, 2, 2)), Enc(2 * f, 4 * f),
            nn.Conv3d(4 * f, 8 * f, (1, 3, 3), padding=(0, 1, 1), bias=False), nn.Sigmoid(),
            Enc(8 * f, 8 * f), depth_up(8 * f), Enc(8 * f, 8 * f), depth_up(8 * f),
            Enc(8 * f, 4 * f), nn.ConvTranspose3d(4 * f, 4 * f, 2, stride=2), Enc(4 * f, 4 * f), depth_up(4 * f),
            Enc(4 * f, 2 * f), depth_up(2 * f), Enc(2 * f, f), nn.ConvTranspose3d(f, f, 2, stride=2),
            nn.Conv3d(f, 1, 3, padding=1, bias=False), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.net(x)


def dice_loss(p, g):
    """1 - soft F1 over the whole batch, as src/loss/dice.ts."""
    tp = (p * g).sum()
    fp = (p * (1 - g)).sum()
    fn = ((1 - p) * g).sum()
    prec = (tp + 1) / (tp + fp + 1)
    rec = (tp + 1) / (tp + fn + 1)
    return 1 - 2 * prec * rec / (prec + rec + 1e-8)


def supervised_loss(p, g):
    return (2 * dice_loss(p, g) + nn.functional.binary_cross_entropy(p, g)) / 2


def timed(fn, warmup, repeats, sync):
    """Wall times (ms) of the timed runs, and the median process CPU time (all threads) per run."""
    for _ in range(warmup):
        fn()
        sync()
    ms, cpu = [], []
    for _ in range(repeats):
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        sync()
        ms.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return ms, statistics.median(cpu)


def iqr(v):
    if len(v) < 2:
        return 0.0
    q = statistics.quantiles(v, n=4, method='inclusive')
    return q[2] - q[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--side', type=int, default=64)
    ap.add_argument('--filters', type=int, default=10)
    ap.add_argument('--batch', default='1,3,6')
    ap.add_argument('--repeats', type=int, default=3)
    ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('--threads', type=int, default=os.cpu_count() or 1, help='CPU threads for torch')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    dev = torch.device(a.device)
    sync = (lambda: torch.cuda.synchronize(dev)) if dev.type == 'cuda' else (lambda: None)
    model = Shapr(a.side, a.filters).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    name = torch.cuda.get_device_name(dev) if dev.type == 'cuda' else (platform.processor() or platform.machine())
    s = a.side
    for batch in [int(b) for b in a.batch.split(',')]:
        g = torch.Generator().manual_seed(2 + batch)
        yy, xx = torch.meshgrid(torch.arange(s), torch.arange(s), indexing='ij')
        mask = ((yy - s / 2) ** 2 + (xx - s / 2) ** 2 < (s / 3) ** 2).float()
        x = torch.stack([mask.expand(batch, s, s), mask * torch.rand(batch, s, s, generator=g)], 1).unsqueeze(2).to(dev)
        target = (torch.rand(batch, 1, s, s, s, generator=g) < 0.3).float().to(dev)

        def forward():
            model.eval()
            with torch.no_grad():
                model(x)

        def step():
            model.train()
            opt.zero_grad(set_to_none=True)
            loss = supervised_loss(model(x), target)
            loss.backward()
            opt.step()

        f, _ = timed(forward, a.warmup, a.repeats, sync)
        st, st_cpu = timed(step, a.warmup, a.repeats, sync)
        row = {
            'bench': 'shapr-step', 'impl': 'torch', 'torch': torch.__version__, 'device': a.device, 'adapter': name,
            'threads': torch.get_num_threads(), 'side': s, 'filters': a.filters, 'batch': batch,
            'median_ms': round(statistics.median(st), 3), 'spread_ms': round(iqr(st), 3), 'min_ms': round(min(st), 3),
            'cpu_ms': round(st_cpu, 1), 'repeats': a.repeats, 'forward_ms': round(statistics.median(f), 3), 'forward_spread_ms': round(iqr(f), 3),
            'samples_per_s': round(1000 * batch / statistics.median(st), 3),
        }
        if dev.type == 'cuda':
            row['gpu_peak_mb'] = round(torch.cuda.max_memory_allocated(dev) / 2 ** 20, 1)
        print(json.dumps(row), flush=True)


if __name__ == '__main__':
    main()
