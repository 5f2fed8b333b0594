// Terminal progress for long jobs: a cli-progress bar on a terminal, plain periodic lines otherwise
// (CI logs, pipes), so long work always shows where it is and how long is left.
import cliProgress from 'cli-progress';

export interface Progress {
  start(total: number, label: string): void;
  update(value: number, fields?: Record<string, string | number>): void;
  stop(summary?: string): void;
}

export function progress(format = '{label} |{bar}| {value}/{total} {info} | ETA {eta_formatted}'): Progress {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar({ format, stream: process.stderr, hideCursor: true, etaBuffer: 20 }, cliProgress.Presets.shades_classic);
    return {
      start: (total, label) => bar.start(total, 0, { label, info: '' }),
      update: (value, fields) => bar.update(value, { info: fieldsText(fields) }),
      stop: (summary) => {
        bar.stop();
        if (summary) console.error(summary);
      },
    };
  }
  let label = '';
  let total = 0;
  let t0 = 0;
  let last = 0;
  return {
    start(n, l) {
      total = n;
      label = l;
      t0 = last = Date.now();
    },
    update(value, fields) {
      const now = Date.now();
      if (now - last < 10_000 && value < total) return;
      last = now;
      const eta = value > 0 ? ((now - t0) / value) * (total - value) / 1000 : NaN;
      console.error(`${label} ${value}/${total} ${fieldsText(fields)} ETA ${Number.isFinite(eta) ? eta.toFixed(0) + 's' : '?'}`);
    },
    stop(summary) {
      if (summary) console.error(summary);
    },
  };
}

function fieldsText(fields?: Record<string, string | number>): string {
  if (!fields) return '';
  return Object.entries(fields).map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(4) : v}`).join(' ');
}
