/**
 * Memory of `deskhand run` over a long run: 300 steps (a click each) against the local model server
 * answering at once, on the busy screen so every screenshot has a realistic size. The CLI's resident
 * set (/proc/<pid>/status) is read at step 50 and at step 300, with its peak so far.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startModelServer } from '../src/model-server/index.js';
import { showBusyScreen } from './busy-screen.js';
import { firstRequest, startRun } from './cli-cancel.js';
import { type BenchGroup, type NamedMetric, round } from './metric.js';

const STEPS = 300;
const EARLY_STEP = 50;
const PEAK_TARGET_MB = 150;
const GROWTH_TARGET_MB = 20;

/** VmRSS and VmHWM (peak) of a process, in MB. */
function residentMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => {
    const kb = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
    if (!kb) throw new Error(`/proc/${pid}/status has no ${name}`);
    return Number(kb) / 1024;
  };
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

/** Resolves with `read()` once the run has printed its `step`th action.finished. */
function atStep<T>(stdout: NodeJS.ReadableStream, step: number, read: () => T): Promise<T> {
  return new Promise((resolve) => {
    let steps = 0;
    let partial = '';
    const onData = (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      steps += lines.filter((line) => line.includes('"type":"action.finished"')).length;
      if (steps < step) return;
      stdout.off('data', onData);
      resolve(read());
    };
    stdout.on('data', onData);
  });
}

export const memoryGroup: BenchGroup = {
  name: 'memory',
  async run({ display }) {
    const busy = await showBusyScreen(display);
    const server = await startModelServer({
      dialect: 'lightcone',
      // Clicks on the background and the terminals, a new point each turn (no repeat guard), then done.
      script: ({ turnIndex: i }) => ({
        actions: [
          i < STEPS
            ? { type: 'click', x: 50 + ((i * 37) % 900), y: 50 + ((i * 53) % 900) }
            : { type: 'terminate', status: 'success' },
        ],
      }),
    });
    // The server keeps every request; its screenshots would pile up in this process, not the CLI.
    const dropBodies = setInterval(() => {
      for (const request of server.requests) request.body = undefined;
    }, 1000);
    let child: ChildProcess | undefined;
    try {
      const started = performance.now();
      const run = startRun(display, server, '--max-steps', String(STEPS + 100));
      child = run.child;
      await firstRequest(server, run.exited);
      const pid = run.child.pid as number;
      const early = atStep(run.child.stdout, EARLY_STEP, () => residentMb(pid));
      const late = atStep(run.child.stdout, STEPS, () => residentMb(pid));
      const readings = await Promise.race([Promise.all([early, late]), run.exited.then(() => undefined)]);
      const exit = await run.exited;
      if (!readings)
        throw new Error(`deskhand run exited with ${exit.code} before step ${STEPS}: ${exit.stderr}`);
      const [at50, at300] = readings;
      if (exit.code !== 0) throw new Error(`deskhand run exited with ${exit.code}: ${exit.stderr}`);
      const seconds = (performance.now() - started) / 1000;
      const growth = at300.rss - at50.rss;
      const pace = `${STEPS} steps in ${seconds.toFixed(0)} s`;
      const metrics: NamedMetric[] = [
        {
          name: 'memory_peak_rss_mb',
          ours: round(at300.peak),
          baseline: PEAK_TARGET_MB,
          ratio: Math.round((PEAK_TARGET_MB / at300.peak) * 100) / 100,
          unit: 'MB',
          target: `<= ${PEAK_TARGET_MB} MB`,
          met: at300.peak <= PEAK_TARGET_MB,
          note: `VmHWM of deskhand run at step ${STEPS} (${pace}, busy 1920x1080 screen); baseline is the target, no runtime to compare`,
        },
        {
          name: 'memory_rss_step300_mb',
          ours: round(at300.rss),
          baseline: round(at50.rss),
          ratio: Math.round((at50.rss / at300.rss) * 100) / 100,
          unit: 'MB',
          target: `growth <= 10% or <= ${GROWTH_TARGET_MB} MB`,
          met: growth <= GROWTH_TARGET_MB || growth <= 0.1 * at50.rss,
          note: `VmRSS at step ${STEPS}; baseline: the same run's VmRSS at step ${EARLY_STEP}; growth ${round(growth)} MB`,
        },
      ];
      return metrics;
    } finally {
      child?.kill('SIGKILL');
      clearInterval(dropBodies);
      await server.close();
      busy.stop();
    }
  },
};
