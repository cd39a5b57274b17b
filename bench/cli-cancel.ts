/**
 * Cancel latency of `deskhand run`: Ctrl-C (SIGINT) while the model is still generating, to the cancel
 * request arriving at the server and to the process exiting (with 130). There is no other runtime to
 * race: the exit figure is compared with the same CLI killed by SIGKILL (the floor, nothing cleaned up),
 * and the cancel-request figure with its target.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type ModelServer, startModelServer } from '../src/model-server/index.js';
import { alternate, type BenchGroup, compare, sleep } from './metric.js';

const RUNS = 5;
/** From dist/bench/ or bench/, the CLI launcher. */
export const DESKHAND = fileURLToPath(new URL('../../bin/deskhand', import.meta.url));

/** Starts `deskhand run` against the local model server on the bench's display; output is collected. */
export function startRun(display: string, server: ModelServer, ...extra: string[]) {
  const child = spawn(process.execPath, [
    DESKHAND,
    'run',
    'Open the settings',
    '--display',
    display,
    '--base-url',
    server.url,
    '--no-record',
    '--json',
    ...extra,
  ]);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2000);
  });
  const exited = new Promise<{ code: number | null; at: number; stderr: string }>((resolve) => {
    child.once('exit', (code) => resolve({ code, at: Date.now(), stderr }));
  });
  return { child, exited };
}

/** Resolves when the run's first create request has arrived; rejects when the run exits first. */
export async function firstRequest(
  server: ModelServer,
  exited: Promise<{ code: number | null; stderr: string }>,
) {
  const create = server.waitForRequest((r) => r.method === 'POST' && r.path === '/v1/responses', 15_000);
  const early = await Promise.race([create.then(() => undefined), exited]);
  if (early)
    throw new Error(`deskhand run exited with ${early.code} before its first request: ${early.stderr}`);
}

interface Cancelled {
  requestMs: number;
  exitMs: number;
}

/** One run: wait until the first response is generating, send `signal`, time what follows. */
async function interrupt(display: string, signal: 'SIGINT' | 'SIGKILL'): Promise<Cancelled> {
  const server = await startModelServer({
    dialect: 'lightcone',
    script: () => ({ reasoning: 'Thinking…', actions: [{ type: 'wait' }], fault: { hang: true } }),
  });
  let child: ChildProcess | undefined;
  try {
    const run = startRun(display, server);
    child = run.child;
    await firstRequest(server, run.exited);
    // Time for the event stream to open and the response id to reach the CLI.
    await sleep(200);
    // Date.now(): the clock the server stamps requests with.
    const sent = Date.now();
    child.kill(signal);
    const exit = await run.exited;
    if (signal === 'SIGKILL') return { requestMs: Number.NaN, exitMs: exit.at - sent };
    if (exit.code !== 130)
      throw new Error(`deskhand run exited with ${exit.code} after SIGINT, not 130: ${exit.stderr}`);
    const cancel = await server.waitForRequest(
      (r) => r.method === 'POST' && r.path.endsWith('/cancel'),
      2000,
    );
    return { requestMs: cancel.time - sent, exitMs: exit.at - sent };
  } finally {
    child?.kill('SIGKILL');
    await server.close();
  }
}

export const cliCancelGroup: BenchGroup = {
  name: 'cli cancel',
  async run({ display }) {
    // Warm-up: the file cache for node, the CLI's modules and the native libraries.
    await interrupt(display, 'SIGINT');
    const [sigint, sigkill] = await alternate(RUNS, [
      () => interrupt(display, 'SIGINT'),
      () => interrupt(display, 'SIGKILL'),
    ]);
    const requestMs = (sigint ?? []).map((run) => run.requestMs);
    return [
      compare({
        name: 'cli_cancel_request_ms',
        ours: requestMs,
        baseline: requestMs.map(() => 200),
        unit: 'ms',
        better: 'lower',
        target: '<= 200 ms',
        met: (o) => o <= 200,
        note: 'SIGINT to the cancel POST at the server, during a hanging response; no runtime to compare: baseline is the target',
      }),
      compare({
        name: 'cli_cancel_exit_ms',
        ours: (sigint ?? []).map((run) => run.exitMs),
        baseline: (sigkill ?? []).map((run) => run.exitMs),
        unit: 'ms',
        better: 'lower',
        target: '<= 500 ms, exit 130',
        met: (o) => o <= 500,
        note: 'SIGINT to process exit (code 130 checked each run); baseline: SIGKILL to exit, the floor (no cleanup)',
      }),
    ];
  },
};
