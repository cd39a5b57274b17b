/**
 * Replay against a model run of the same task: the invoice form of the replay tests
 * (tests/support/replay_app.py, full screen), filled and submitted (5 actions, 4 model turns) by the
 * session loop, then replayed from that run's record without the model, on the unchanged form and on
 * the form moved by (40, 30) px (healed). Per step: waiting for the screen to settle, capture,
 * matching, acting, recording.
 *
 * Two model runs each time: one with the local model server answering at once (the floor: only what
 * deskhand itself costs per turn), and one with it answering after REALISTIC_MODEL_MS to the first
 * action, still faster than the real APIs (seconds a turn). The target is on the realistic one.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ResponsesClient } from '../src/client/index.js';
import { startModelServer } from '../src/model-server/index.js';
import { replay } from '../src/replay/replay.js';
import { scriptFromRecord } from '../src/replay/script.js';
import { openDesktop } from '../src/session/desktop.js';
import { createSession } from '../src/session/session.js';
import { RunRecord } from '../src/trajectory/index.js';
import { type BenchGroup, compare, type NamedMetric } from './metric.js';

const RUNS = 3;
/** The realistic model's wait before each answer (time to the first action). */
const REALISTIC_MODEL_MS = 1000;
const app = fileURLToPath(new URL('../../tests/support/replay_app.py', import.meta.url));

async function startForm(display: string, offset?: [number, number]) {
  const child: ChildProcessWithoutNullStreams = spawn(
    '/usr/bin/python3',
    [app, ...(offset ? ['--offset', offset.join(',')] : [])],
    { env: { ...process.env, DISPLAY: display } },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 10_000;
  while (!output.includes('"ready"')) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('replay_app did not start');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const ready = JSON.parse(output.split('\n')[0]!) as {
    width: number;
    height: number;
    pixels: Record<string, [number, number]>;
  };
  const stop = async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end('quit\n');
    await exited;
  };
  return { ready, stop };
}

export const replayGroup: BenchGroup = {
  name: 'replay',
  async run({ display }) {
    const desktop = await openDesktop({ display, provider: 'lightcone', coords: 'auto', command: 'bench' });
    const root = mkdtempSync(join(tmpdir(), 'deskhand-bench-replay-'));
    const modelMs: number[] = [];
    const replayMs: number[] = [];
    const healedMs: number[] = [];
    const realisticMs: number[] = [];
    let requests = 0;
    let replayRequests = 0;
    /** The form filled by the session loop, the model answering after `delayMs`; recorded. */
    const modelRun = async (delayMs: number) => {
      const form = await startForm(display);
      const grid = ([x, y]: [number, number]) => ({
        x: Math.round((x * 1000) / form.ready.width),
        y: Math.round((y * 1000) / form.ready.height),
      });
      const px = form.ready.pixels;
      const server = await startModelServer({
        dialect: 'lightcone',
        faults: { delayMs },
        script: [
          {
            actions: [
              { type: 'click', ...grid(px.customer!) },
              { type: 'type', text: 'Acme Corp' },
            ],
          },
          {
            actions: [
              { type: 'click', ...grid(px.amount!) },
              { type: 'type', text: '42' },
            ],
          },
          { actions: [{ type: 'click', ...grid(px.submit!) }] },
          { actions: [{ type: 'terminate', status: 'success', result: 'Submitted.' }] },
        ],
      });
      const record = await RunRecord.create(root, {
        runId: crypto.randomUUID(),
        task: 'Submit the invoice form',
        provider: 'lightcone',
        model: 'scripted',
        profile: desktop.profile,
        startedAt: new Date().toISOString(),
      });
      const session = createSession({
        task: 'Submit the invoice form',
        provider: 'lightcone',
        model: 'scripted',
        client: new ResponsesClient({ baseUrl: server.url }),
        actuator: desktop.runner,
        screen: desktop.screen,
        profile: desktop.profile,
        recorder: record,
      });
      for await (const event of session.events) void event;
      const result = await session.result;
      await server.close();
      await form.stop();
      if (result.outcome !== 'success') throw new Error(`the model run ended ${result.outcome}`);
      return { msPerAction: result.durationMs / result.steps, turns: result.turns, record };
    };
    try {
      for (let run = 0; run < RUNS; run++) {
        // The model runs: instant (recorded, then replayed), and realistic.
        const recorded = await modelRun(0);
        modelMs.push(recorded.msPerAction);
        requests = recorded.turns;
        realisticMs.push((await modelRun(REALISTIC_MODEL_MS)).msPerAction);
        const record = recorded.record;

        // The replays: unchanged, then moved.
        const script = await scriptFromRecord(record.dir);
        for (const [offset, samples] of [
          [undefined, replayMs],
          [[40, 30], healedMs],
        ] as const) {
          const moved = await startForm(display, offset as [number, number] | undefined);
          const replayed = await replay({
            script,
            runner: desktop.runner,
            screen: desktop.screen,
            profile: desktop.profile,
            fallback: 'none',
            values: {},
            secrets: {},
            signal: new AbortController().signal,
            onEvent: () => {},
          });
          await moved.stop();
          if (replayed.outcome !== 'success')
            throw new Error(`the replay ended ${replayed.outcome}: ${replayed.message}`);
          samples.push(replayed.durationMs / script.steps.length);
          replayRequests += replayed.modelRequests;
        }
      }
    } finally {
      await desktop.close();
    }
    const note = 'per action, waiting for the screen + matching + acting + recording';
    return [
      compare({
        name: 'replay_step_ms',
        ours: replayMs,
        baseline: realisticMs,
        unit: 'ms',
        better: 'lower',
        target: `< model run (model answering in ${REALISTIC_MODEL_MS} ms)`,
        met: (ours, baseline) => ours < baseline,
        note: `replay of an unchanged form vs a model run of the same task whose model answers after ${REALISTIC_MODEL_MS} ms a turn (real APIs take longer), ${note}`,
      }),
      compare({
        name: 'replay_step_vs_instant_model_ms',
        ours: replayMs,
        baseline: modelMs,
        unit: 'ms',
        better: 'lower',
        target: 'printed (no target)',
        met: () => true,
        note: `the same replays vs the model run they were recorded from, whose model answers at once: what a turn costs deskhand itself, no model time at all`,
      }),
      compare({
        name: 'replay_healed_step_ms',
        ours: healedMs,
        baseline: realisticMs,
        unit: 'ms',
        better: 'lower',
        target: `< model run (model answering in ${REALISTIC_MODEL_MS} ms)`,
        met: (ours, baseline) => ours < baseline,
        note: `replay of the form moved by (40, 30) px, 3 of 5 steps healed, ${note}`,
      }),
      {
        name: 'replay_model_requests',
        ours: replayRequests / RUNS / 2,
        baseline: requests,
        ratio: requests / Math.max(replayRequests / RUNS / 2, 1),
        unit: 'requests',
        target: '0',
        met: replayRequests === 0,
        note: `model requests per run: replays (unchanged and healed) vs the model run; ratio = requests saved per run`,
      } satisfies NamedMetric,
    ];
  },
};
