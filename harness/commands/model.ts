// `topo-shapr model`: the network's layers, output shapes, parameter counts and forward FLOPs,
// for the default SHAPR configuration or a given side/filters (or the configuration stored in a weights file).
// Needs no GPU.
import type { Command } from 'commander';
import { SHAPR_DEFAULTS, type ShaprConfig, checkConfig, shaprSummary } from '../../src/model/shapr_layout.ts';
import { weightsConfig } from '../../src/model/weights.ts';
import { UserError } from '../../src/util/errors.ts';
import { readWeights } from '../../src/model/weights_node.ts';
import { integerOption } from './numbers.ts';

const fmt = (n: number) => n.toLocaleString('en-US');

/** The summary table as text. */
export function formatModelSummary(c: ShaprConfig): string {
  const rows = shaprSummary(c);
  const head = ['layer', 'type', 'output shape', 'params', 'MFLOP'];
  const body = rows.map((r) => [r.layer, r.description, `[${r.outShape.join(', ')}]`, fmt(r.params), (r.flops / 1e6).toFixed(1)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((x, i) => (i >= 3 ? x.padStart(widths[i]) : x.padEnd(widths[i]))).join('  ').trimEnd();
  const total = rows.reduce((s, r) => s + r.params, 0);
  const flops = rows.reduce((s, r) => s + r.flops, 0);
  return [
    `SHAPR (side ${c.side}, filters ${c.filters}): input [1, 2, 1, ${c.side}, ${c.side}] (mask, image × mask)`,
    line(head),
    ...body.map(line),
    `trainable parameters: ${fmt(total)}`,
    `forward: ${(flops / 1e9).toFixed(3)} GFLOP per sample (convolutions)`,
  ].join('\n');
}

export function register(program: Command): void {
  program
    .command('model')
    .description('describe the SHAPR network: layers, output shapes, trainable parameter count')
    .option('--side <n>', 'input side H = W and output side (4, 8, 16, 32, 64)', integerOption('side'), SHAPR_DEFAULTS.side)
    .option('--filters <n>', 'base number of filters (channels f, 2f, 4f, 8f)', integerOption('filters'), SHAPR_DEFAULTS.filters)
    .option('--weights <file>', 'take side and filters from a weights file (validates the file)')
    .option('--json', 'print the summary rows as JSON', false)
    .action(async (o: { side: number; filters: number; weights?: string; json: boolean }, cmd: Command) => {
      // NOTE: --side or --filters beside --weights was ignored without a word
      const clash = ['side', 'filters'].find((k) => cmd.getOptionValueSource(k) === 'cli');
      if (o.weights && clash) throw new UserError(`model: --weights takes side and filters from the file; drop --${clash}`);
      const config: ShaprConfig = o.weights ? weightsConfig(await readWeights(o.weights), o.weights) : { side: o.side, filters: o.filters };
      checkConfig(config);
      if (o.json) console.log(JSON.stringify({ config, layers: shaprSummary(config) }, null, 2));
      else console.log(formatModelSummary(config));
    });
}
