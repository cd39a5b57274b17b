/**
 * `npm run bench`: deskhand's speed side by side with the paths it replaces, on a private 1920x1080
 * Xvfb. Prints a table and writes bench/results.json. Not part of `npm test`.
 * `npm run bench -- capture settle` runs only the groups named; results.json keeps the other groups' last figures.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { startXvfb } from '../native-adapters/x11/xvfb.js';
import { cancelGroup } from './cancel.js';
import { captureGroup } from './capture.js';
import { cliCancelGroup } from './cli-cancel.js';
import { cliStartGroup } from './cli-start.js';
import { memoryGroup } from './memory.js';
import { queueGroup } from './queue.js';
import { replayGroup } from './replay.js';
import { settleGroup } from './settle.js';
import { reportGroup } from './report.js';
import type { BenchGroup, Metric, NamedMetric } from './metric.js';
import { stepOverheadGroup } from './step-overhead.js';
import { streamingGroup } from './streaming.js';
import { typingGroup } from './typing.js';

/** Every benchmark group, run in this order. A new group is a file in bench/ exporting a BenchGroup, listed here. */
const groups: BenchGroup[] = [
  captureGroup,
  typingGroup,
  streamingGroup,
  cancelGroup,
  stepOverheadGroup,
  settleGroup,
  cliCancelGroup,
  memoryGroup,
  queueGroup,
  replayGroup,
  reportGroup,
  cliStartGroup,
];

const resultsFile = fileURLToPath(new URL('../../bench/results.json', import.meta.url));

function machine() {
  const cpus = os.cpus();
  let release = `${os.type()} ${os.release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
    if (pretty) release = `${pretty} (${release})`;
  } catch {
    // not Linux, or no os-release: the kernel name will do
  }
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: release,
    node: process.version,
  };
}

function previousMetrics(): Record<string, Metric> {
  try {
    return (JSON.parse(readFileSync(resultsFile, 'utf8')) as { metrics: Record<string, Metric> }).metrics;
  } catch {
    return {};
  }
}

function printTable(metrics: NamedMetric[]): void {
  const rows = [
    ['metric', 'ours', 'baseline', 'ratio', 'unit', 'target', 'met'],
    ...metrics.map((m) => [m.name, m.ours, m.baseline, m.ratio, m.unit, m.target, m.met ? 'yes' : 'NO']),
  ].map((row) => row.map(String));
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  // Figures right-aligned, words left.
  const pad = (cell: string, column: number) =>
    column >= 1 && column <= 3 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0);
  const line = (row: string[]) => row.map(pad).join('  ');
  console.log(`\n${line(rows[0] ?? [])}`);
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows.slice(1)) console.log(line(row));
  console.log('\nratio > 1: ours is better (baseline/ours for ms and bytes, ours/baseline for rates).');
  for (const m of metrics) console.log(`  ${m.name}: ${m.note}`);
}

const only = process.argv.slice(2);
const unknown = only.filter((name) => !groups.some((group) => group.name === name));
if (unknown.length > 0) {
  console.error(
    `unknown bench group ${unknown.join(', ')}: the groups are ${groups.map((g) => `"${g.name}"`).join(', ')}`,
  );
  process.exit(2);
}
const chosen = only.length > 0 ? groups.filter((group) => only.includes(group.name)) : groups;

const started = performance.now();
// Stopped by its watchdog once this process is gone: stopping it before would make libnut's Xlib
// connection fail at exit and turn the exit code into 1 (see xvfb.ts).
const display = await startXvfb({ width: 1920, height: 1080, stopAfterProcessExit: true });
// Before anything loads nut-js: it binds to $DISPLAY on first use.
process.env.DISPLAY = display.name;
console.log(`bench on private Xvfb ${display.name} (1920x1080)`);

const metrics: NamedMetric[] = [];
const failures: string[] = [];
for (const group of chosen) {
  const groupStarted = performance.now();
  process.stdout.write(`${group.name}… `);
  try {
    metrics.push(...(await group.run({ display: display.name })));
    console.log(`${((performance.now() - groupStarted) / 1000).toFixed(1)} s`);
  } catch (error) {
    failures.push(`${group.name}: ${(error as Error).stack ?? String(error)}`);
    console.log('failed');
  }
}

printTable(metrics);
const results = {
  machine: machine(),
  date: new Date().toISOString(),
  metrics: Object.fromEntries([
    // A run of some groups only keeps the other groups' last figures.
    ...(only.length > 0 ? Object.entries(previousMetrics()) : []),
    ...metrics.map(({ name, ours, baseline, ratio, unit, target, met }): [string, Metric] => [
      name,
      { ours, baseline, ratio, unit, target, met },
    ]),
  ]),
};
writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
console.log(
  `\n${metrics.filter((m) => m.met).length}/${metrics.length} targets met; wrote ${resultsFile}${only.length > 0 ? " (the other groups' figures kept)" : ''} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
for (const failure of failures) console.error(`\nFAILED ${failure}`);
// X connections and the model servers' keep-alive sockets may hold the event loop; all is written.
process.exit(failures.length > 0 ? 1 : 0);
