import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import { NOTES_LAYOUT, NotesApp } from '../../src/demo/notes-app.js';
import { type ModelServer, type Script, type Turn } from '../../src/model-server/index.js';
import type { RunEvent } from '../../src/session/run-events.js';
import { readRunRecord } from '../../src/trajectory/index.js';
import { collect, runCli, startCli } from '../support/cli.js';
import { modelServers } from '../support/model-servers.js';

/**
 * deskhand run end to end: the built CLI, the local model server over HTTP/SSE, and the demo notes app
 * on a private Xvfb observing every key and click. Then SIGINT/SIGTERM/SIGKILL at the awkward moments.
 */
let display: VirtualDisplay;
let app: NotesApp;

beforeAll(async () => {
  display = await startXvfb({ width: 1280, height: 800 });
  app = await NotesApp.start(display.name);
});

afterAll(async () => {
  await app?.close();
  await display?.stop();
});

const start = modelServers({ strictChaining: true });
const serve = (script: Script, options: { cancelDelayMs?: number } = {}): Promise<ModelServer> =>
  start({ script, ...options });

const point = (widget: keyof typeof NOTES_LAYOUT) => ({
  x: NOTES_LAYOUT[widget][0],
  y: NOTES_LAYOUT[widget][1],
});

function runArgs(server: ModelServer, record: string, ...extra: string[]): string[] {
  return [
    'run',
    'Edit the note',
    '--display',
    display.name,
    '--base-url',
    server.url,
    '--record',
    record,
    ...extra,
  ];
}

/** Resolves once `count` create requests have arrived (a request's turnIndex is only set once it is served). */
async function waitForCreates(server: ModelServer, count: number): Promise<void> {
  // The server reports a request more than once (arrival, answer): count distinct ones.
  const seen = new Set<unknown>();
  await server.waitForRequest((r) => {
    if (r.method === 'POST' && r.path === '/v1/responses') seen.add(r);
    return seen.size >= count;
  }, 15_000);
}

const recordRoot = () => mkdtempSync(join(tmpdir(), 'deskhand-e2e-'));
const onlyRun = (root: string) => join(root, readdirSync(root)[0] as string);
const parseEvents = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RunEvent);

/** Clears the app's fields through the CLI itself (select everything + delete in each field). */
async function resetApp(): Promise<void> {
  const actions = [
    // In a Tk entry Ctrl+A moves to the start (Emacs style); End then Shift+Home selects the line.
    { type: 'click', ...point('title') },
    { type: 'key', keys: ['End'] },
    { type: 'key', keys: ['shift', 'Home'] },
    { type: 'key', keys: ['Delete'] },
    { type: 'click', ...point('notes') },
    { type: 'key', keys: ['ctrl', 'Home'] },
    { type: 'key', keys: ['ctrl', 'shift', 'End'] },
    { type: 'key', keys: ['Delete'] },
  ];
  const args = ['act', '--display', display.name, '--coords', 'normalized'];
  const result = await runCli([...args, ...actions.map((action) => JSON.stringify(action))]);
  expect(result.code, result.stderr).toBe(0);
  const state = await app.state();
  expect([state.title, state.notes]).toEqual(['', '']);
}

describe('deskhand run with a real app', () => {
  it('completes the task: every action lands, requests are chained, images match the declared display', async () => {
    await resetApp();
    const server = await serve([
      { reasoning: 'Click the title.', actions: [{ type: 'click', ...point('title') }] },
      { actions: [{ type: 'type', text: 'Größe: 10 × 20 — “ok” ✓ 日本' }] },
      {
        batch: true,
        actions: [
          { type: 'click', ...point('notes') },
          { type: 'type', text: 'line one;\n\tline two: {a|b} ~^`' },
        ],
      },
      { actions: [{ type: 'key', keys: ['ctrl', 's'] }] },
      { actions: [{ type: 'answer', result: 'The note is saved.' }] },
    ]);
    const root = recordRoot();
    const result = await runCli(runArgs(server, root, '--json'));
    expect(result.stderr).toBe('');
    expect(result.code, result.stderr).toBe(0);
    const events = parseEvents(result.stdout);
    expect(events.at(-1)).toMatchObject({
      type: 'run.finished',
      outcome: 'success',
      result: 'The note is saved.',
    });

    const state = await app.state();
    expect(state.title).toBe('Größe: 10 × 20 — “ok” ✓ 日本');
    expect(state.notes).toBe('line one;\n\tline two: {a|b} ~^`');
    expect(state.saved).toEqual({ title: state.title, notes: state.notes });
    expect(state.held).toEqual([]);

    const creates = server.requests.filter((r) => r.method === 'POST');
    expect(creates).toHaveLength(5);
    const ids = server.responseIds();
    creates.forEach((request, i) => {
      expect(request.chainError).toBeUndefined();
      expect(request.warnings).toEqual([]);
      expect((request.body as { previous_response_id?: string }).previous_response_id).toBe(
        i === 0 ? undefined : ids[i - 1],
      );
      const tool = (request.body as { tools: { display_width: number; display_height: number }[] }).tools[0];
      expect([tool?.display_width, tool?.display_height]).toEqual([1280, 800]);
      for (const image of request.images) expect([image.width, image.height]).toEqual([1280, 800]);
    });

    const { run, steps } = await readRunRecord(onlyRun(root));
    expect(run).toMatchObject({ status: 'finished', outcome: 'success', exitCode: 0 });
    expect(steps.filter((s) => s.type === 'action')).toHaveLength(5);
    expect(steps.at(-1)).toMatchObject({ type: 'end', outcome: 'success' });
    expect(readdirSync(join(onlyRun(root), 'screenshots'))).toHaveLength(5);
  });

  it('speaks OpenAI: screenshot-pixel coordinates, background streaming, chained', async () => {
    await resetApp();
    const server = await start({
      dialect: 'openai',
      script: [
        { actions: [{ type: 'click', button: 'left', x: 550, y: 104 }] },
        { actions: [{ type: 'type', text: 'From OpenAI: ok ✓' }] },
        { message: 'Typed.' },
      ],
    });
    const result = await runCli([...runArgs(server, recordRoot()), '--provider', 'openai']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('Typed.\n');
    expect((await app.state()).title).toBe('From OpenAI: ok ✓');
    const creates = server.requests.filter((r) => r.method === 'POST');
    expect(creates.map((r) => r.chainError)).toEqual([undefined, undefined, undefined]);
    expect((creates[0]?.body as { background?: boolean }).background).toBe(true);
  });

  it('speaks OpenAI with the GA computer tool: batched actions land in order, --json shows the reasoning', async () => {
    await resetApp();
    const server = await start({
      dialect: 'openai',
      script: [
        {
          reasoning: 'Focus the title, then type into it.',
          actions: [
            { type: 'click', button: 'left', x: 550, y: 104 },
            { type: 'type', text: 'GA tool: ok ✓' },
            { type: 'keypress', keys: ['CTRL', 'S'] },
          ],
        },
        { message: 'Typed and saved.' },
      ],
    });
    const result = await runCli([
      ...runArgs(server, recordRoot()),
      '--provider',
      'openai',
      '--model',
      'gpt-5.4',
      '--openai-tool',
      'computer',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const events = parseEvents(result.stdout);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'reasoning', text: 'Focus the title, then type into it.' }),
    );
    expect(events.filter((event) => event.type === 'action.started')).toHaveLength(3);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', result: 'Typed and saved.' });
    const state = await app.state();
    expect(state.title).toBe('GA tool: ok ✓');
    expect(state.saved?.title).toBe('GA tool: ok ✓');
    const creates = server.requests.filter((r) => r.method === 'POST');
    expect(creates.map((r) => r.chainError)).toEqual([undefined, undefined]);
    expect(creates[0]?.body).toMatchObject({ tools: [{ type: 'computer' }], reasoning: { summary: 'auto' } });
    expect(creates[1]?.warnings).toEqual([]);
  });

  it('prints plain progress lines without a TTY and the answer alone on stdout', async () => {
    const server = await serve([
      { reasoning: 'Scroll the list.', actions: [{ type: 'scroll', ...point('items'), scroll_y: 300 }] },
      { message: 'Scrolled.' },
    ]);
    const result = await runCli(runArgs(server, recordRoot()));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('Scrolled.\n');
    expect(result.stderr).toMatch(/action 1 scroll down 300 at \(1088, 448\)/);
    expect(result.stderr).toMatch(/run record: /);
    expect((await app.state()).itemsTop).toBeGreaterThan(0);
  });

  it('--dry-run describes the actions and performs none', async () => {
    await resetApp();
    const before = await app.state();
    const server = await serve([{ actions: [{ type: 'type', text: 'not typed' }] }, { message: 'ok' }]);
    const result = await runCli(runArgs(server, recordRoot(), '--dry-run'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/type "not typed" \(dry run\)/);
    const after = await app.state();
    expect(after.presses).toBe(before.presses);
  });

  it('a usage error exits 2 naming the option', async () => {
    const result = await runCli([
      'run',
      'x',
      '--display',
      display.name,
      '--max-steps',
      '0',
      '--base-url',
      'http://127.0.0.1:9',
    ]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/--max-turns must be a whole number, 1 or more, got 0/);
  });
});

describe('stopping a run', () => {
  /** Turn 1 holds Shift; turn 2 is the given one. Resolves once turn 2's request has arrived. */
  async function holdShiftThen(turn2: Turn, options: { cancelDelayMs?: number } = {}) {
    const server = await serve([{ actions: [{ type: 'key_down', keys: ['shift'] }] }, turn2], options);
    const root = recordRoot();
    const started = startCli(runArgs(server, root, '--json'));
    const done = collect(started);
    await waitForCreates(server, 2);
    expect((await app.state()).held).toEqual(['Shift_L']);
    return { server, root, child: started, done };
  }

  async function expectCancelled(
    run: Awaited<ReturnType<typeof holdShiftThen>>,
    signal: 'SIGINT' | 'SIGTERM',
    exitCode: number,
  ) {
    const sentAt = Date.now();
    run.child.kill(signal);
    const result = await run.done;
    const exitedAfter = Date.now() - sentAt;
    expect(result.code).toBe(exitCode);
    const turn2 = run.server.responseIds()[1];
    expect(run.server.cancelCalls()).toContain(turn2);
    const cancelRequest = run.server.requests.find((r) => r.path.endsWith('/cancel'));
    const cancelAfter = (cancelRequest?.time ?? Infinity) - sentAt;
    expect(cancelAfter).toBeLessThan(500);
    expect(exitedAfter).toBeLessThan(2000);
    expect((await app.state()).held).toEqual([]);
    const events = parseEvents(result.stdout);
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', outcome: 'cancelled', exitCode });
    const { run: meta, steps } = await readRunRecord(onlyRun(run.root));
    expect(meta.outcome).toBe('cancelled');
    expect(steps.at(-1)).toMatchObject({ type: 'end', outcome: 'cancelled' });
    return { cancelAfter, exitedAfter };
  }

  it('SIGINT while the model is streaming: cancel on the server, Shift released, exit 130', async () => {
    const run = await holdShiftThen({
      reasoning: 'Thinking slowly about what to do next, word by word, for a long time.',
      fault: { eventDelayMs: 400 },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expectCancelled(run, 'SIGINT', 130);
  });

  it('SIGINT while an action runs (the response still in progress): exit 130', async () => {
    const run = await holdShiftThen({
      actions: [{ type: 'wait', ms: 5000 }],
      fault: { completedDelayMs: 8000 },
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await expectCancelled(run, 'SIGINT', 130);
  });

  it('SIGTERM during a hung response: exit 143', async () => {
    const run = await holdShiftThen({ fault: { hang: true } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expectCancelled(run, 'SIGTERM', 143);
  });

  it('a second SIGINT exits at once while the cancel is still waiting for the server, still releasing Shift', async () => {
    const run = await holdShiftThen({ fault: { hang: true } }, { cancelDelayMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sentAt = Date.now();
    run.child.kill('SIGINT');
    await run.server.waitForRequest((r) => r.path.endsWith('/cancel'), 5000);
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code, result.stderr).toBe(130);
    expect(Date.now() - sentAt).toBeLessThan(1500);
    expect((await app.state()).held).toEqual([]);
    // Closed, not left "running" like a SIGKILLed run.
    const { run: meta, steps } = await readRunRecord(onlyRun(run.root));
    expect(meta).toMatchObject({ status: 'finished', outcome: 'cancelled', exitCode: 130 });
    expect(steps.at(-1)).toMatchObject({ type: 'end', outcome: 'cancelled' });
  });

  it('SIGKILL leaves a valid record up to the last step, and --xvfb is cleaned up', async () => {
    const server = await serve(() => ({ actions: [{ type: 'wait', ms: 50 }] }));
    const root = recordRoot();
    const child = startCli([
      'run',
      'loop',
      '--xvfb',
      '640x480',
      '--base-url',
      server.url,
      '--record',
      root,
      '--json',
    ]);
    const done = collect(child);
    let steps = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      steps += chunk
        .toString()
        .split('\n')
        .filter((line) => line.includes('"action.finished"')).length;
    });
    await waitForCreates(server, 5);
    child.kill('SIGKILL');
    await done;
    const { run, steps: lines } = await readRunRecord(onlyRun(root));
    expect(run.status).toBe('running');
    const finished = lines.filter((line) => line.type === 'action');
    expect(finished.length).toBeGreaterThanOrEqual(3);
    expect(finished.every((line) => line.ok === true)).toBe(true);
    // Every finished action has its started line before it.
    expect(lines.filter((line) => line.type === 'action.started').length).toBeGreaterThanOrEqual(
      finished.length,
    );
    expect(steps).toBeGreaterThanOrEqual(3);
    // The watchdog stops the private Xvfb once deskhand is gone.
    const lock = `/tmp/.X${String(run.options?.display).slice(1)}-lock`;
    expect(run.options?.display).toMatch(/^:\d+$/);
    for (let i = 0; i < 40 && existsSync(lock); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(existsSync(lock)).toBe(false);
  });
});
