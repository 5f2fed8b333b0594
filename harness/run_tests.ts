// The test command: runs every test/**/*.test.ts with uvu in one process (one GPU device for all),
// then prints the plain closing line "N passed, N failed, N skipped" that CI reads.
// Usage: tsx harness/run_tests.ts [substring filter on the file path]
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { exitWhenFlushed } from './exit.ts';

function listTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...listTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filter = process.argv[2] ?? '';
const files = listTests(resolve('test')).filter((f) => f.includes(filter));

// uvu prints its totals on stdout; keep a copy to count from.
let captured = '';
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
  captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
  return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stdout.write;

(globalThis as Record<string, unknown>).UVU_DEFER = 1;
const uvu = await import('uvu');
const queue = (globalThis as unknown as { UVU_QUEUE: unknown[][] }).UVU_QUEUE;
let loadFailures = 0;
for (const [i, file] of files.entries()) {
  (globalThis as Record<string, unknown>).UVU_INDEX = i;
  queue.push([file.slice(resolve('test').length + 1)]);
  try {
    await import(pathToFileURL(file).href);
  } catch (err) {
    loadFailures++;
    console.error(`failed to load ${file}: ${(err as Error).stack ?? err}`);
  }
}
await uvu.exec(false);

const plain = captured.replace(/\x1b\[[0-9;]*m/g, '');
const num = (label: string) => Number(/\s*(\d+)/.exec(plain.split(label).pop() ?? '')?.[1] ?? 0);
const total = num('Total:');
const passed = num('Passed:');
const skipped = num('Skipped:');
const failed = total - passed + loadFailures;
write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
// dawn.node keeps the process alive while a GPU instance exists: exit explicitly.
exitWhenFlushed(failed > 0 || files.length === 0 ? 1 : 0);
