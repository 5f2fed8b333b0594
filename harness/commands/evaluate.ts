// `topo-shapr evaluate --truth DIR --pred DIR [--against DIR] [--json]`: the paper's four errors per sample
// (IoU, volume, surface, roughness; SHAPR's max-normalisation + Otsu) and the Betti error, with summaries per
// class, and optionally a paired Wilcoxon signed-rank test against a second prediction folder.
import type { Command } from 'commander';
import { listTiffs } from '../../src/data/dataset.ts';
import { evaluateFolders, toJsonRows, volumeFolder, type SampleEvaluation } from '../../src/eval/evaluate_folders.ts';
import { METRICS } from '../../src/eval/metrics.ts';
import { summarize } from '../../src/eval/summary.ts';
import { formatPValue, wilcoxon } from '../../src/eval/wilcoxon.ts';
import { fileError, UserError } from '../../src/util/errors.ts';
import { progress } from '../progress.ts';

interface EvaluateFlags {
  truth: string; // folder of true volumes (or a dataset root with obj/)
  pred: string; // folder of predicted volumes, same file names
  against?: string; // a second prediction folder for a paired comparison
  json: boolean;
}

const fmt = (x: number) => (Number.isNaN(x) ? 'NaN' : x.toFixed(4));

function table(rows: readonly SampleEvaluation[]): string {
  const nw = Math.max(4, ...rows.map((r) => r.name.length));
  const cw = Math.max(5, ...rows.map((r) => r.className.length));
  const head = `${'name'.padEnd(nw)}  ${'class'.padEnd(cw)}  ${METRICS.map(([, j]) => j.padStart(16)).join('')}`;
  return [head, ...rows.map((r) => `${r.name.padEnd(nw)}  ${r.className.padEnd(cw)}  ${METRICS.map(([k]) => fmt(r[k]).padStart(16)).join('')}`)].join('\n');
}

function summaryTable(rows: readonly SampleEvaluation[]): string {
  const stats = summarize(rows, METRICS.map(([k]) => k), rows.map((r) => r.className));
  const gw = Math.max(5, ...Object.keys(stats).map((g) => g.length));
  const lines = [`${'group'.padEnd(gw)}  ${'metric'.padEnd(15)}  ${'n'.padStart(4)}  ${'mean'.padStart(8)}  ${'median'.padStart(8)}  ${'IQR'.padStart(8)}  NaN`];
  for (const [group, byMetric] of Object.entries(stats)) {
    for (const [k, json] of METRICS) {
      const s = byMetric[k];
      lines.push(`${group.padEnd(gw)}  ${json.padEnd(15)}  ${String(s.n).padStart(4)}  ${fmt(s.mean).padStart(8)}  ${fmt(s.median).padStart(8)}  ${fmt(s.iqr).padStart(8)}  ${s.nan}`);
    }
  }
  return lines.join('\n');
}

export function register(program: Command): void {
  program
    .command('evaluate')
    .description('per-sample IoU / volume / surface / roughness / Betti errors of predicted volumes against the truth (TIFF, matched by file name)')
    .requiredOption('--truth <dir>', 'true volumes (a folder of TIFF stacks, or a dataset root with obj/)')
    .requiredOption('--pred <dir>', 'predicted volumes named as their truths (truths without a prediction are left out)')
    .option('--against <dir>', 'second prediction folder: paired Wilcoxon signed-rank test per metric (pred vs against) over the samples both hold')
    .option('--json', 'print JSON (NaN as null): an array of {"name","className","iou_error","volume_error","surface_error","roughness_error","betti_error"}; with --against an object {"pred": [...], "against": [...], "paired": n, "wilcoxon": [...]}', false)
    .action((f: EvaluateFlags) => {
      // NOTE: progress on stderr, also when it is not a terminal (a batch job's log) and with --json (stdout)
      const evaluate = (dir: string) => {
        const bar = progress();
        const rows = evaluateFolders(f.truth, dir, (d, n) => {
          if (d === 0) bar.start(n, `evaluate ${dir}`);
          else bar.update(d);
        });
        bar.stop();
        return rows;
      };
      // NOTE: a missing or empty --against folder is named before the first folder's whole evaluation
      if (f.against && listTiffs(volumeFolder(f.against)).size === 0) throw fileError(volumeFolder(f.against), 'no .tif files in folder');
      const rows = evaluate(f.pred);
      const truths = listTiffs(volumeFolder(f.truth)).size;
      if (rows.length < truths) process.stderr.write(`${rows.length} of the ${truths} truth volumes have a prediction in ${f.pred}: evaluating those\n`);
      // NOTE: the second folder is checked before anything is printed, so a bad one gives only its error
      const other = f.against ? evaluate(f.against) : null;
      // the paired test takes the samples both folders predicted, by name (as compare's report does): a
      // baseline predicted on every fold against a model predicted on one is a usual comparison
      const byName = new Map(other?.map((r) => [r.name, r]));
      const pairs = rows.filter((r) => byName.has(r.name)).map((r) => [r, byName.get(r.name)!] as const);
      if (other && !pairs.length) throw new UserError(`${f.against}: no sample in common with ${f.pred}; the paired test needs predictions of the same samples`);
      if (other && (pairs.length < rows.length || pairs.length < other.length)) {
        process.stderr.write(`${pairs.length} samples are in both ${f.pred} (${rows.length}) and ${f.against} (${other.length}): the paired test takes those\n`);
      }
      if (f.json && !f.against) {
        console.log(JSON.stringify(toJsonRows(rows), null, 1));
        return;
      }
      if (!f.json) console.log(`${table(rows)}\n\n${summaryTable(rows)}`);
      const nan = rows.filter((r) => METRICS.some(([k]) => Number.isNaN(r[k]))).length;
      if (!f.json && nan > 0) console.log(`\n${nan} sample(s) with an undefined (NaN) relative error: the truth's measure is 0`);
      if (other) {
        const tests = METRICS.map(([k, json]) => ({ metric: json, ...wilcoxon(pairs.map(([a]) => a[k]), pairs.map(([, b]) => b[k])) }));
        if (f.json) {
          console.log(JSON.stringify({ pred: toJsonRows(rows), against: toJsonRows(other), paired: pairs.length, wilcoxon: tests }, null, 1));
          return;
        }
        console.log(`\npaired Wilcoxon signed-rank (two-sided), ${f.pred} vs ${f.against}, over the ${pairs.length} samples both hold:`);
        for (const t of tests) {
          // the means over the pairs the test compares
          const k = METRICS.find(([, j]) => j === t.metric)![0];
          const mean = (side: 0 | 1) => {
            const v = pairs.map((p) => p[side][k]).filter((x) => !Number.isNaN(x));
            return v.reduce((a, b) => a + b, 0) / v.length;
          };
          const test = t.n === 0 ? 'no non-zero differences' : `T = ${t.statistic}  p = ${formatPValue(t.pvalue)} (${t.method}, n = ${t.n})`;
          console.log(`  ${t.metric.padEnd(15)} mean ${fmt(mean(0))} vs ${fmt(mean(1))}  ${test}`);
        }
      }
    });
}
