import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { Row } from './scenario';
import { ROOT } from './settings';
import { round } from './stats';

/** What a run reports: the machine, the table on stdout and bench/results.json. */

export const machine = () => ({
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  memoryGb: round(os.totalmem() / 2 ** 30, 1),
  node: process.version,
  os: `${os.type()} ${os.release()}`,
});

const HEADER: Row = ['scenario', 'measured', 'compared with', 'target'];

export function printTable(rows: readonly Row[]): void {
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c].length), HEADER[c].length));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |`;
  process.stdout.write([line(HEADER), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n') + '\n');
}

export function writeResults(results: Record<string, unknown>): void {
  writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write('\nwritten: bench/results.json\n');
}
