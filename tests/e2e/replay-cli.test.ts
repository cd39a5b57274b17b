import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import type { ModelServer, Script } from '../../src/model-server/index.js';
import { readRunRecord } from '../../src/trajectory/index.js';
import { collect, linesOut, runCli, startCli } from '../support/cli.js';
import { modelServers } from '../support/model-servers.js';
import { ReplayApp } from '../support/replay-app.js';

/**
 * deskhand replay and run --cache end to end: the built CLI, a real Tk form on a private Xvfb (moved,
 * covered by a dialog, or replaced by another application), and the local model server, whose
 * requests are counted.
 */
let display: VirtualDisplay;
let app: ReplayApp | undefined;
const serve = modelServers();

beforeAll(async () => {
  display = await startXvfb({ width: 1280, height: 800 });
});
afterAll(async () => {
  await display?.stop();
});
afterEach(async () => {
  await app?.stop();
  app = undefined;
});

/** Screen pixels -> the 0-999 grid of a 1280x800 screen. */
const grid = ([x, y]: [number, number]) => ({
  x: Math.round((x * 1000) / 1280),
  y: Math.round((y * 1000) / 800),
});

function formScript(pixels: Record<string, [number, number]>): Script {
  return [
    {
      actions: [
        { type: 'click', ...grid(pixels.customer!) },
        { type: 'type', text: 'Acme Corp' },
      ],
    },
    {
      actions: [
        { type: 'click', ...grid(pixels.amount!) },
        { type: 'type', text: '42' },
      ],
    },
    { actions: [{ type: 'click', ...grid(pixels.submit!) }] },
    { actions: [{ type: 'terminate', status: 'success', result: 'Submitted.' }] },
  ];
}

const creates = (server: ModelServer) =>
  new Set(server.requests.filter((r) => r.method === 'POST' && r.path === '/v1/responses')).size;

/**
 * The recorded run's model answers each turn after this long (real APIs take longer): the comparison
 * of its time with the replay's is then robust on a loaded machine (4 turns: 4 s the replay never waits).
 */
const MODEL_LATENCY_MS = 1000;

async function recordRun(root: string): Promise<{ dir: string; ms: number; requests: number }> {
  app = await ReplayApp.start(display.name);
  const server = await serve({ script: formScript(app.pixels), faults: { delayMs: MODEL_LATENCY_MS } });
  const started = performance.now();
  const run = await runCli([
    'run',
    'Submit the invoice form',
    '--display',
    display.name,
    '--base-url',
    server.url,
    '--record',
    root,
  ]);
  const ms = performance.now() - started;
  expect(run.code, run.stderr).toBe(0);
  expect((await app.state()).submitted).toEqual([{ customer: 'Acme Corp', amount: '42' }]);
  await app.stop();
  return { dir: join(root, readdirSync(root)[0]!), ms, requests: creates(server) };
}

// Each test runs the CLI once or more: generous limits for a loaded machine (no timing is asserted).
describe('deskhand replay', { timeout: 120_000 }, () => {
  let recorded: { dir: string; ms: number; requests: number };
  const replays = mkdtempSync(join(tmpdir(), 'deskhand-replays-'));

  beforeAll(async () => {
    recorded = await recordRun(mkdtempSync(join(tmpdir(), 'deskhand-recorded-')));
  }, 120_000);

  it('replays a recorded run on the unchanged application with no model request, faster than the model run', async () => {
    app = await ReplayApp.start(display.name);
    const server = await serve({ script: [] });
    const started = performance.now();
    const result = await runCli([
      'replay',
      recorded.dir,
      '--display',
      display.name,
      '--base-url',
      server.url,
      '--record',
      replays,
      '--json',
    ]);
    const ms = performance.now() - started;
    expect(result.code, result.stderr).toBe(0);
    expect(creates(server)).toBe(0);
    expect((await app.state()).submitted).toEqual([{ customer: 'Acme Corp', amount: '42' }]);
    const finished = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
    expect(finished).toMatchObject({
      type: 'replay.finished',
      outcome: 'success',
      replayed: 5,
      healed: 0,
      modelRequests: 0,
    });
    console.log(
      `replay: model run ${Math.round(recorded.ms)} ms (${recorded.requests} requests, the model answering in ` +
        `${MODEL_LATENCY_MS} ms), replay ${Math.round(ms)} ms (0 requests), ${Math.round(finished.msPerStep)} ms ` +
        `per step (process start included in both)`,
    );
    expect(ms).toBeLessThan(recorded.ms);
  });

  it('heals when the widgets moved by tens of pixels: acts at the new places, no model request', async () => {
    app = await ReplayApp.start(display.name, { offset: [40, 30] });
    const server = await serve({ script: [] });
    const result = await runCli([
      'replay',
      recorded.dir,
      '--display',
      display.name,
      '--base-url',
      server.url,
      '--record',
      replays,
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(creates(server)).toBe(0);
    expect((await app.state()).submitted).toEqual([{ customer: 'Acme Corp', amount: '42' }]);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const healed = events.filter((e) => e.type === 'replay.step' && e.status === 'healed');
    expect(healed.length).toBe(3);
    expect(healed[0].shift).toEqual({ x: 40, y: 30 });
  });

  it('stops before acting on the wrong application with --fallback none: exit 7, the step named, nothing typed', async () => {
    app = await ReplayApp.start(display.name, { wrong: true });
    const result = await runCli([
      'replay',
      recorded.dir,
      '--display',
      display.name,
      '--fallback',
      'none',
      '--match-timeout',
      '1',
      '--record',
      replays,
    ]);
    expect(result.code, result.stderr).toBe(7);
    expect(result.stderr).toMatch(/step 1\/5 diverged: the screen is not the recorded one/);
    expect(result.stderr).toMatch(/expected vs found: .*step-001-expected-vs-found\.png/);
    expect((await app.state()).customer).toBe('');
    const dir = /replay record: (.*)/.exec(result.stderr)![1]!;
    const { run } = await readRunRecord(dir);
    expect(run.exitCode).toBe(7);
    expect(readdirSync(join(dir, 'divergence')).sort()).toEqual([
      'step-001-expected-vs-found.png',
      'step-001-expected.png',
      'step-001-found.png',
    ]);
  });
  it('stops on Ctrl+C while waiting for the recorded screen: exit 130, the record closed', async () => {
    app = await ReplayApp.start(display.name, { wrong: true });
    const child = startCli([
      'replay',
      recorded.dir,
      '--display',
      display.name,
      '--fallback',
      'none',
      '--match-timeout',
      '60',
      '--record',
      replays,
      '--json',
    ]);
    const done = collect(child);
    const [first] = await linesOut(child, 1);
    const started = JSON.parse(first!);
    expect(started.type).toBe('replay.started');
    child.kill('SIGINT');
    const result = await done;
    expect(result.code, result.stderr).toBe(130);
    const { run } = await readRunRecord(started.recordDir);
    expect(run).toMatchObject({ status: 'finished', outcome: 'cancelled', exitCode: 130 });
    expect((await app.state()).customer).toBe('');
  });
});

describe('deskhand run --cache', { timeout: 180_000 }, () => {
  it('records the first run, then falls back to the model past an unexpected dialog, resumes, and updates the cache', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'deskhand-cache-'));
    const records = mkdtempSync(join(tmpdir(), 'deskhand-cached-runs-'));
    const task = ['Submit the invoice form for {{CUSTOMER}}', '--param', 'CUSTOMER=Acme Corp'];
    const common = ['--display', display.name, '--record', records, '--cache', cache, '--match-timeout', '1'];

    // First run: a cache miss, the model does it, the script is stored.
    app = await ReplayApp.start(display.name);
    const first = await serve({ script: formScript(app.pixels) });
    const miss = await runCli(['run', ...task, ...common, '--base-url', first.url]);
    expect(miss.code, miss.stderr).toBe(0);
    expect(creates(first)).toBe(4);
    const [entry] = readdirSync(cache).filter((name) => !name.includes('.'));
    const scriptPath = join(cache, entry!, 'script.json');
    const stored = JSON.parse(readFileSync(scriptPath, 'utf8'));
    expect(stored.steps).toHaveLength(5);
    expect(stored.steps[1].action).toEqual({ type: 'type', text: '{{CUSTOMER}}' });
    await app.stop();

    // Second run: a dialog in the way; the model (scripted to close it) takes over, then the replay resumes.
    app = await ReplayApp.start(display.name, { dialog: true });
    const second = await serve({
      script: [{ actions: [{ type: 'click', ...grid(app.pixels.close!) }] }, { message: 'not expected' }],
    });
    const before = statSync(scriptPath).mtimeMs;
    const hit = await runCli([
      'run',
      'Submit the invoice form for {{CUSTOMER}}',
      '--param',
      'CUSTOMER=Globex',
      ...common,
      '--base-url',
      second.url,
    ]);
    expect(hit.code, hit.stderr).toBe(0);
    expect(creates(second)).toBe(1);
    expect(hit.stderr).toMatch(/the model takes over/);
    expect(hit.stderr).toMatch(/replay resumes at step 1/);
    const state = await app.state();
    expect(state.dialog).toBe(false);
    expect(state.submitted).toEqual([{ customer: 'Globex', amount: '42' }]);
    const updated = JSON.parse(readFileSync(scriptPath, 'utf8'));
    expect(statSync(scriptPath).mtimeMs).toBeGreaterThan(before);
    expect(updated.steps).toHaveLength(6);
    expect(updated.steps[1].action).toEqual({
      type: 'click',
      x: expect.any(Number),
      y: expect.any(Number),
      button: 'left',
      count: 1,
    });
    expect(updated.steps[2].action).toEqual({ type: 'type', text: '{{CUSTOMER}}' });
    await app.stop();

    // Third run: no dialog this time: the close step is skipped, no model request.
    app = await ReplayApp.start(display.name);
    const third = await serve({ script: [] });
    const again = await runCli([
      'run',
      'Submit the invoice form for {{CUSTOMER}}',
      '--param',
      'CUSTOMER=Initech',
      ...common,
      '--base-url',
      third.url,
    ]);
    expect(again.code, again.stderr).toBe(0);
    expect(creates(third)).toBe(0);
    expect((await app.state()).submitted).toEqual([{ customer: 'Initech', amount: '42' }]);
  });
});
