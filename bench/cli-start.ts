/**
 * Start time of the CLI for commands that need none of the desktop's libraries: `deskhand --version`
 * and `deskhand runs`. Ours loads only the command definitions (each handler loads its libraries);
 * the baseline is the same CLI with every command's libraries imported first, as when every command
 * module imported them at its top. Both run through the same `node -e` harness, so the figures differ
 * only by what is loaded.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alternate, type BenchGroup, compare } from './metric.js';

const RUNS = 10;
const dist = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

/** What the command modules imported at their top before they loaded their libraries in handlers. */
const EAGER = [
  'src/session/run-task.js',
  'src/mcp/index.js',
  'src/replay/run-replay.js',
  'src/replay/script.js',
  'src/report/index.js',
  'src/policy/index.js',
  'src/queue/job-data.js',
  'src/cli/provider-client.js',
  'native-adapters/capture/index.js',
  'native-adapters/input/actuator.js',
  'native-adapters/input/open-input.js',
  'native-adapters/x11/display-watch.js',
  'native-adapters/x11/x11-connection.js',
  'src/protocol/lightcone-actions.js',
].map(dist);

/** Milliseconds from spawn to exit of `deskhand ...args`, after importing `first`; rejects on a failure. */
function startTime(args: string[], first: string[]): Promise<number> {
  const script =
    `await Promise.all(${JSON.stringify(first)}.map((path) => import(path)));` +
    `const { main } = await import(${JSON.stringify(dist('src/cli/main.js'))});` +
    `await main(${JSON.stringify(args)});`;
  const started = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    // The MCP SDK resolves from the package: run where node_modules is.
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0
        ? resolve(performance.now() - started)
        : reject(new Error(`deskhand ${args.join(' ')} exited ${code}: ${stderr}`)),
    ),
  );
}

export const cliStartGroup: BenchGroup = {
  name: 'cli-start',
  async run() {
    const root = mkdtempSync(join(tmpdir(), 'deskhand-bench-runs-'));
    try {
      const commands: [string, string[]][] = [
        ['version', ['--version']],
        ['runs', ['runs', '--record-root', root]],
      ];
      const metrics = [];
      for (const [name, args] of commands) {
        const [ours, eager] = await alternate(RUNS, [
          () => startTime(args, []),
          () => startTime(args, EAGER),
        ]);
        metrics.push(
          compare({
            name: `cli_start_${name}_ms`,
            ours: ours ?? [],
            baseline: eager ?? [],
            unit: 'ms',
            better: 'lower',
            target: 'faster than eager imports',
            met: (_ours, _baseline, ratio) => ratio > 1,
            note: `deskhand ${args[0]}: spawn to exit; baseline: every command's libraries (sharp, x11, zod schemas, MCP SDK, YAML) imported first`,
          }),
        );
      }
      return metrics;
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};
