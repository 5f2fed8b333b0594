#!/usr/bin/python3
"""Times GUDHI (python3-gudhi, Debian's /usr/bin/python3) on the volumes dumped by
`tsx harness/bench/persistence.ts --dump DIR` and checks that its diagrams equal ours exactly.
Usage: /usr/bin/python3 harness/bench/persistence_gudhi.py DIR [REPS]. One JSON object per line.
T-construction only (GUDHI's top_dimensional_cells of the negated volume = our superlevel T)."""
import glob, json, os, resource, sys, time
import numpy as np
import gudhi

d = sys.argv[1]
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
for path in sorted(glob.glob(os.path.join(d, '*.json'))):
    ours = json.load(open(path))
    if ours['construction'] != 'T':
        continue
    v = np.fromfile(path[:-5] + '.f32', dtype='<f4').reshape(ours['shape'])
    times, cpu = [], []
    for _ in range(reps):
        t, c = time.perf_counter(), time.process_time()
        cc = gudhi.CubicalComplex(top_dimensional_cells=-v)
        pers = cc.persistence(homology_coeff_field=2, min_persistence=0)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    same = True
    for k in range(3):
        g = sorted((float(np.float32(-b)), None if np.isinf(e) else float(np.float32(-e)))
                   for dim, (b, e) in pers if dim == k and b != e)
        o = sorted((b, e) for b, e in ours['diagrams'][str(k)])
        same = same and g == o
    times.sort()
    cpu.sort()
    print(json.dumps({'bench': 'gudhi', 'case': os.path.basename(path)[:-5], 'median_ms': round(1000 * times[len(times) // 2], 1),
                      'min_ms': round(1000 * times[0], 1),
                      'median_cpu_ms': round(1000 * cpu[len(cpu) // 2], 1), 'pairs': sum(1 for _, (b, e) in pers if b != e),
                      'same_diagrams': same, 'max_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
