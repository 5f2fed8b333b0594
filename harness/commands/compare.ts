// topo-shapr compare: runs (any folds, any configs) → statistics table and a single-file HTML report.
import type { Command } from 'commander';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { getGpu, type Gpu } from '../../src/gpu/device.ts';
import { compareRuns } from '../../src/report/compare.ts';
import { renderReport } from '../../src/report/report.ts';
import { drawSurfaces } from '../../src/report/surfaces.ts';
import { writeFileAtomic } from '../../src/util/atomic.ts';
import { UserError } from '../../src/util/errors.ts';
import { isWithin } from './paths.ts';
import { toolVersion } from '../version.ts';
import { formatPValue } from '../../src/eval/wilcoxon.ts';

/**
 * Refuses, before any work, a report path inside one of the runs or over a file that is not an earlier
 * report (compare --out RUN/config.json used to ruin the run), or in a folder that does not exist.
 */
function checkReportPath(dirs: string[], out: string): void {
  const run = dirs.find((d) => isWithin(out, d));
  if (run) throw new UserError(`--out ${out}: lies inside the run ${run}; write the report elsewhere`);
  if (existsSync(out)) {
    const head = statSync(out).isFile() ? readFileSync(out).subarray(0, 256).toString('utf8') : '';
    if (!/^<!doctype html>.*<title>topo-shapr/.test(head)) throw new UserError(`--out ${out}: exists and is not an earlier report; choose another file`);
  } else if (!existsSync(dirname(out))) throw new UserError(`--out ${out}: no folder ${dirname(out)}`);
}

/**
 * Writes the report of `dirs` to `out`. `gpu` is asked for only if there are examples to draw in 3D; when it
 * fails, or drawing does, the report is written without 3D views and says why (so does stderr).
 */
export async function writeReport(dirs: string[], out: string, meta: Record<string, string>, gpu: () => Promise<Gpu>): Promise<string> {
  checkReportPath(dirs, out);
  const input = compareRuns(dirs, { meta: { 'made by': `topo-shapr ${toolVersion()}`, ...meta } });
  const note = input.meta['example pictures'];
  if (note) console.error(`compare: the report has no example pictures (${note.replace(/^none: /, '')})`);
  if (input.examples.length) {
    // NOTE: the statistics need no GPU; only the 3D views do (a missing or failing adapter costs only them)
    try {
      await drawSurfaces(input, await gpu());
    } catch (e) {
      const why = (e as Error).message.replace(/\s*\n\s*/g, ' ');
      input.meta['3D views'] = `none: ${why}`;
      for (const x of input.examples) x.surfaces = [];
      console.error(`compare: the report has no 3D views (${why})`);
    }
  }
  if (input.meta['test samples']) console.error(`compare: test samples per configuration: ${input.meta['test samples']}`);
  // NOTE: said, since the default --out (beside the first run) is shared by every comparison of its siblings
  if (existsSync(out)) console.error(`compare: replacing the earlier report ${out}`);
  writeFileAtomic(out, renderReport(input));
  // the table on the terminal too
  for (const m of input.methods) {
    const s = m.stats.all;
    console.log(`${m.label.padEnd(34)} IoU err ${s.iou_error.mean.toFixed(3)}  volume err ${s.volume_error.mean.toFixed(3)}  surface err ${s.surface_error.mean.toFixed(3)}  roughness err ${s.roughness_error.mean.toFixed(3)}  Betti err ${s.betti_error.mean.toFixed(2)}  (n=${s.iou_error.n})`);
  }
  for (const t of input.tests) {
    // NOTE: n as the report gives it, the pairs with a non-zero difference (the test drops the others)
    const what = t.result
      ? `p = ${formatPValue(t.result.pvalue)} (${t.result.method}, n = ${t.result.n} of ${t.pairs} pairs with a non-zero difference)`
      : t.pairs ? `no non-zero differences (${t.pairs} pairs)` : 'no samples in common (different test folds or data?)';
    console.log(`Wilcoxon ${t.metric}, ${t.a} vs ${t.b}: ${what}`);
  }
  return out;
}

export function register(program: Command): void {
  program
    .command('compare')
    .description('compare runs (folds of the same config are pooled): paper-style table, Wilcoxon tests, HTML report')
    .argument('<runs...>', 'run directories written by train')
    .option('--out <file>', 'report file (single HTML, opens offline; default: report.html beside the first run directory)')
    .action(async (runs: string[], o) => {
      const out = o.out ?? join(runs[0], '..', 'report.html');
      await writeReport(runs, out, {}, getGpu);
      console.log(`report: ${out}`);
    });
}
