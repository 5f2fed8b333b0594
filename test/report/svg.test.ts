// The report's plots: axis labels people read.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { linePlot } from '../../src/report/svg.ts';

/** The text of the y axis' tick labels (text-anchor end) and the x axis' (middle, below the plot). */
function tickLabels(svg: string): { y: string[]; x: string[] } {
  const y = [...svg.matchAll(/<text x="[\d.]+" y="[\d.-]+" text-anchor="end">([^<]*)<\/text>/g)].map((m) => m[1]);
  const x = [...svg.matchAll(/<text x="[\d.-]+" y="[\d.]+" text-anchor="middle">([^<]*)<\/text>/g)].map((m) => m[1]);
  const other = new Set(['TITLE', 'XLABEL', 'YLABEL', 'SERIES']);
  return { y: y.filter((t) => !other.has(t)), x: x.filter((t) => !other.has(t)) };
}

// 3 significant digits read a loss axis as 1.17, 1.18, 1.18, 1.19, 1.19.
test('tick labels are distinct and carry the decimals their step needs, on narrow, wide, tiny and huge ranges', () => {
  const cases: Array<[number[], number[]]> = [
    [[0, 1, 2, 3], [1.171, 1.18, 1.185, 1.189]],
    [[0, 1], [0.5191, 0.5203]],
    [[0, 5000, 30000], [1e-5, 3e-5, 2e-5]],
    [[1, 2, 3], [120000, 120500, 121000]],
    [[0, 10], [0, 1]],
  ];
  for (const [x, y] of cases) {
    const { y: ys, x: xs } = tickLabels(linePlot('TITLE', 'XLABEL', 'YLABEL', [{ name: 'SERIES', x, y }]));
    for (const labels of [ys, xs]) {
      assert.ok(labels.length >= 2, `${labels}`);
      assert.is(new Set(labels).size, labels.length, `repeated labels: ${labels}`);
      const values = labels.map(Number);
      assert.ok(values.every(Number.isFinite), `${labels}`);
      for (let i = 1; i < values.length; i++) assert.ok(values[i] > values[i - 1], `labels out of order: ${labels}`);
    }
  }
  assert.equal(tickLabels(linePlot('TITLE', 'XLABEL', 'YLABEL', [{ name: 'SERIES', x: [0, 1], y: [0, 1] }])).y, ['0.0', '0.5', '1.0']);
});

// A 3-epoch run's curves read 0.5, 1.5 on the epoch axis.
test('an axis of whole numbers (epochs) has whole ticks only; fractional x values keep theirs', () => {
  assert.equal(tickLabels(linePlot('TITLE', 'XLABEL', 'YLABEL', [{ name: 'SERIES', x: [1, 2, 3], y: [3, 2, 1] }])).x, ['1', '2', '3']);
  assert.ok(tickLabels(linePlot('TITLE', 'XLABEL', 'YLABEL', [{ name: 'SERIES', x: [1, 1.5, 3], y: [3, 2, 1] }])).x.includes('1.5'));
});

test.run();
