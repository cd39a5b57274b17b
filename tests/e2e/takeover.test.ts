import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { XConnection } from '../../native-adapters/x11/x11-connection.js';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import type { ModelServer, Script } from '../../src/model-server/index.js';
import type { RunEvent } from '../../src/session/run-events.js';
import { readRunRecord } from '../../src/trajectory/index.js';
import { collect, startCli } from '../support/cli.js';
import { modelServers } from '../support/model-servers.js';
import { type ObservedEvent, Observer } from '../support/observer.js';

/**
 * A person (xdotool, from another process: it injects through XTEST like deskhand does) uses the
 * desktop during a scripted `deskhand run`. The observer app (a full-screen Tk text widget) sees every
 * event with the X server's timestamp, so the order of the person's input and deskhand's is the one the
 * application saw.
 */
const run = promisify(execFile);
let display: VirtualDisplay;
let observer: Observer;
let x: XConnection;
const RESUME_AFTER_S = 1;

beforeAll(async () => {
  display = await startXvfb({ width: 1024, height: 768 });
  observer = await Observer.start(display.name);
  x = await XConnection.open(display.name);
}, 60_000);

afterAll(async () => {
  x?.close();
  await observer?.stop();
  await display?.stop();
});

/** Where this test's events start in the observer's list. */
let from = 0;
beforeEach(async () => {
  await observer.clear();
  from = observer.mark();
});

const serve = modelServers({ strictChaining: true });
const person = (...args: string[]) =>
  run('xdotool', args, { env: { ...process.env, DISPLAY: display.name } });

/** A running `deskhand run --json`: its events as they arrive. */
function startRun(server: ModelServer, ...extra: string[]) {
  const record = mkdtempSync(join(tmpdir(), 'deskhand-takeover-'));
  const child = startCli([
    'run',
    'Type in the text box',
    '--display',
    display.name,
    '--base-url',
    server.url,
    '--record',
    record,
    '--json',
    ...(extra.includes('--resume-after') ? [] : ['--resume-after', String(RESUME_AFTER_S)]),
    ...extra,
  ]);
  const events: RunEvent[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as RunEvent);
    for (const wake of waiters) wake();
  });
  const done = collect(child);
  const waitForEvent = (predicate: (event: RunEvent) => boolean, timeoutMs = 60_000) =>
    new Promise<RunEvent>((resolve, reject) => {
      const check = () => {
        const found = events.find(predicate);
        if (!found) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(`no such event within ${timeoutMs} ms; got ${events.map((e) => e.type).join(', ')}`),
        );
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  const recordDir = () => join(record, readdirSync(record)[0] as string);
  return { child, events, done, waitForEvent, recordDir };
}

/** What the model was told in the request after the takeover (its input_text items). */
function toldInRequest(server: ModelServer, index: number): string {
  const creates = server.requests.filter((r) => r.method === 'POST' && r.path === '/v1/responses');
  return JSON.stringify((creates[index]?.body as { input?: unknown }).input ?? '');
}

/** Nothing is held on the display: no key down, no button down. */
async function expectNothingHeld() {
  expect(await x.keysDown()).toEqual([]);
  expect((await x.queryPointer()).mask & 0x1f00).toBe(0);
}

const keyEvents = (events: ObservedEvent[], keysym: string) =>
  events.filter((e) => e.type === 'key' && e.keysym === keysym) as (ObservedEvent & { time: number })[];
const timeOf = (e: ObservedEvent) => (e as ObservedEvent & { time: number }).time;

describe('a person using the desktop pauses the run', () => {
  it('a key pressed during a long type stops the typing; nothing more lands until the desk was idle', async () => {
    // Long enough that the person's key comes mid-way even on a loaded machine (unstopped: ~20 s).
    const long = 'x'.repeat(12_000);
    const server = await serve({
      script: [
        {
          actions: [
            { type: 'click', x: 500, y: 500 },
            { type: 'type', text: long },
            { type: 'type', text: 'STALE' },
          ],
        },
        { actions: [{ type: 'type', text: 'done' }] },
        { actions: [{ type: 'terminate', status: 'success', result: 'ok' }] },
      ],
    });
    const r = startRun(server);
    // The person presses a key once deskhand is well into the text.
    await observer.waitFor(
      (e) => e.type === 'key' && e.keysym === 'x' && observer.events.length - from > 120,
      15_000,
      from,
    );
    await person('key', 'q');
    const result = await r.done;
    expect(result.code, result.stderr).toBe(0);

    const seen = observer.since(from);
    const q = keyEvents(seen, 'q')[0];
    expect(q).toBeDefined();
    const afterQ = seen.slice(seen.indexOf(q as ObservedEvent) + 1);
    // In flight when the server took the person's key: at most a batch or two of characters.
    const lateX = keyEvents(afterQ, 'x').length;
    expect(lateX).toBeLessThanOrEqual(3 * 64);
    // The rest of that turn (STALE) never ran; the next turn came only after the idle time.
    expect(keyEvents(seen, 'S')).toEqual([]);
    const firstD = keyEvents(seen, 'd')[0];
    expect(firstD).toBeDefined();
    expect(timeOf(firstD as ObservedEvent) - timeOf(q as ObservedEvent)).toBeGreaterThanOrEqual(
      RESUME_AFTER_S * 1000,
    );
    expect(keyEvents(seen, 'x').length).toBeLessThan(long.length);
    await expectNothingHeld();

    const types = r.events.map((e) => e.type);
    expect(types.indexOf('takeover.started')).toBeGreaterThan(0);
    expect(types.indexOf('takeover.ended')).toBeGreaterThan(types.indexOf('takeover.started'));
    expect(r.events.find((e) => e.type === 'takeover.started')).toMatchObject({
      message: 'paused: someone is using the desktop',
      step: 2,
    });
    expect(toldInRequest(server, 1)).toContain('the user interacted with the desktop');
    expect(toldInRequest(server, 1)).toContain('Action not performed: a person used the desktop');

    const { steps } = await readRunRecord(r.recordDir());
    const lines = steps as Record<string, unknown>[];
    expect(lines.find((l) => l.type === 'takeover.started')).toMatchObject({ step: 2, turn: 1 });
    expect(lines.find((l) => l.type === 'action' && l.step === 2)).toHaveProperty('interrupted');
    expect(lines.some((l) => l.type === 'takeover.ended')).toBe(true);
    console.log(
      `takeover (key): ${lateX} characters landed after the person's key; resumed ${timeOf(firstD as ObservedEvent) - timeOf(q as ObservedEvent)} ms after it`,
    );
  }, 120_000);

  it('moving the pointer during a wait releases a held key and skips the rest of the turn', async () => {
    const server = await serve({
      script: [
        {
          actions: [
            { type: 'key_down', keys: ['shift'] },
            { type: 'wait', ms: 20_000 },
            { type: 'click', x: 100, y: 100 },
          ],
        },
        { actions: [{ type: 'click', x: 900, y: 900 }] },
        { actions: [{ type: 'terminate', status: 'success', result: 'ok' }] },
      ],
    });
    const r = startRun(server);
    await r.waitForEvent((e) => e.type === 'action.started' && e.action.type === 'wait');
    await person('mousemove', '40', '40');
    await r.waitForEvent((e) => e.type === 'takeover.started');
    // Held input is released at once, before the run goes on.
    await expect.poll(() => x.keysDown(), { timeout: 2000 }).toEqual([]);
    const result = await r.done;
    expect(result.code, result.stderr).toBe(0);

    const seen = observer.since(from);
    const personMove = seen.find((e) => e.type === 'motion' && e.x === 40 && e.y === 40);
    expect(personMove).toBeDefined();
    const presses = seen.filter((e) => e.type === 'press');
    // Only the next turn's click (at 900/999 of the screen), never the stale one at (100, 100) in model units.
    expect(presses).toHaveLength(1);
    expect(presses[0]?.x).toBeGreaterThan(800);
    expect(timeOf(presses[0] as ObservedEvent) - timeOf(personMove as ObservedEvent)).toBeGreaterThanOrEqual(
      RESUME_AFTER_S * 1000,
    );
    await expectNothingHeld();
    expect(toldInRequest(server, 1)).toContain('the user interacted with the desktop');
  }, 120_000);

  it("a click while the model is thinking: the answer's actions are not performed on the stale screen", async () => {
    // The model answers only once deskhand has seen the person: its answer is based on a stale screen.
    let personSeen = () => {};
    const seen = new Promise<void>((resolve) => {
      personSeen = resolve;
    });
    const script: Script = [
      async () => {
        await seen;
        return { actions: [{ type: 'type', text: 'stale' }] };
      },
      { actions: [{ type: 'type', text: 'fresh' }] },
      { actions: [{ type: 'terminate', status: 'success', result: 'ok' }] },
    ];
    const server = await serve({ script });
    const r = startRun(server);
    await r.waitForEvent((e) => e.type === 'turn.started');
    await server.waitForRequest((req) => req.method === 'POST', 60_000);
    await person('mousemove', '300', '300', 'click', '1');
    await r.waitForEvent((e) => e.type === 'takeover.started');
    personSeen();
    const result = await r.done;
    expect(result.code, result.stderr).toBe(0);
    const text = await observer.text();
    expect(text).toBe('fresh');
    const rejected = r.events.find((e) => e.type === 'action.rejected');
    expect(rejected).toMatchObject({ rule: 'takeover' });
    const { steps } = await readRunRecord(r.recordDir());
    expect((steps as Record<string, unknown>[]).find((l) => l.type === 'rejected')).toMatchObject({
      rule: 'takeover',
    });
    expect(toldInRequest(server, 1)).toContain('the user interacted with the desktop');
    await expectNothingHeld();
  }, 120_000);

  it('--resume-after 0 waits for SIGUSR1, however idle the desk is', async () => {
    const server = await serve({
      script: [
        { actions: [{ type: 'wait', ms: 20_000 }] },
        { actions: [{ type: 'terminate', status: 'success', result: 'ok' }] },
      ],
    });
    const r = startRun(server, '--resume-after', '0');
    await r.waitForEvent((e) => e.type === 'action.started' && e.action.type === 'wait');
    await person('key', 'z');
    const started = await r.waitForEvent((e) => e.type === 'takeover.started');
    expect((started as { resumes: string }).resumes).toContain(`kill -USR1 ${r.child.pid}`);
    // Idle for longer than any --resume-after would need: still paused, no second request.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(r.events.some((e) => e.type === 'takeover.ended')).toBe(false);
    expect(server.requests.filter((req) => req.method === 'POST')).toHaveLength(1);
    r.child.kill('SIGUSR1');
    const result = await r.done;
    expect(result.code, result.stderr).toBe(0);
    expect(r.events.some((e) => e.type === 'takeover.ended')).toBe(true);
  }, 120_000);

  it('--on-takeover cancel ends the run (exit 130) and releases everything', async () => {
    const server = await serve({
      script: [
        {
          actions: [
            { type: 'key_down', keys: ['ctrl'] },
            { type: 'wait', ms: 20_000 },
          ],
        },
      ],
    });
    const r = startRun(server, '--on-takeover', 'cancel');
    await r.waitForEvent((e) => e.type === 'action.started' && e.action.type === 'wait');
    await person('key', 'z');
    const result = await r.done;
    expect(result.code).toBe(130);
    expect(r.events.at(-1)).toMatchObject({
      type: 'run.finished',
      outcome: 'cancelled',
      message: 'cancelled: someone used the desktop (--on-takeover cancel)',
    });
    await expectNothingHeld();
  }, 120_000);
});
