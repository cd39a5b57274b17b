import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import type { ModelServer } from '../../src/model-server/index.js';
import type { RunEvent } from '../../src/session/run-events.js';
import { readRunRecord } from '../../src/trajectory/index.js';
import { ClassWindow } from '../support/class-window.js';
import { runCli } from '../support/cli.js';
import { modelServers } from '../support/model-servers.js';

/**
 * `deskhand run --policy` with two real windows side by side on Xvfb: "Allowed" (left half) and
 * "Denied" (right half, denied by WM_CLASS). Each window reports the events it receives itself.
 */
let display: VirtualDisplay;
let allowed: ClassWindow;
let denied: ClassWindow;

beforeAll(async () => {
  display = await startXvfb({ width: 1000, height: 700 });
  [allowed, denied] = await Promise.all([
    ClassWindow.start(display.name, 'Allowed', 'Notes – allowed', '490x700+0+0'),
    ClassWindow.start(display.name, 'Denied', 'Bank – denied', '490x700+510+0'),
  ]);
}, 60_000);

afterAll(async () => {
  allowed?.stop();
  denied?.stop();
  await display?.stop();
});

const serve = modelServers({ strictChaining: true });
const tmp = () => mkdtempSync(join(tmpdir(), 'deskhand-policy-'));

function writePolicy(text: string): string {
  const file = join(tmp(), 'policy.yaml');
  writeFileSync(file, text);
  return file;
}

const requestInput = (server: ModelServer, index: number) =>
  JSON.stringify(
    (server.requests.filter((r) => r.method === 'POST')[index]?.body as { input?: unknown }).input ?? '',
  );

describe('deskhand run --policy', () => {
  it('refuses actions on a denied window, denied chords and long text; the model is told why; the record shows it', async () => {
    const policy = writePolicy(
      ['windows:', '  deny:', '    - class: Denied', 'keys:', '  maxTypeLength: 20'].join('\n'),
    );
    // Pixels: the left window is x 0..489, the right one x 510..999.
    const server = await serve({
      script: [
        {
          actions: [
            { type: 'click', x: 200, y: 300 },
            { type: 'type', text: 'hello' },
          ],
        },
        { actions: [{ type: 'click', x: 800, y: 300 }] },
        {
          actions: [
            { type: 'key', keys: ['ctrl', 'alt', 'F1'] },
            { type: 'type', text: 'y'.repeat(50) },
          ],
        },
        { actions: [{ type: 'terminate', status: 'success', result: 'ok' }] },
      ],
    });
    const record = tmp();
    const result = await runCli([
      'run',
      'Type hello',
      '--display',
      display.name,
      '--base-url',
      server.url,
      '--coords',
      'pixels',
      '--record',
      record,
      '--policy',
      policy,
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);

    // The denied window received nothing at all; the allowed one the click and the text.
    expect(denied.received()).toEqual([]);
    expect(allowed.received().filter((e) => e.type === 'press')).toHaveLength(1);
    expect(
      allowed
        .received()
        .filter((e) => e.type === 'key')
        .map((e) => e.keysym)
        .join(''),
    ).toBe('hello');

    // The model is told why, in the request after each refusal.
    expect(requestInput(server, 2)).toContain('windows.deny[0]');
    expect(requestInput(server, 2)).toContain('Bank – denied');
    expect(requestInput(server, 3)).toContain('ctrl+alt+f1');
    expect(requestInput(server, 3)).toContain('keys.maxTypeLength');

    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RunEvent);
    const rejected = events.filter((e) => e.type === 'action.rejected');
    expect(rejected.map((e) => (e as { rule?: string }).rule)).toEqual([
      'windows.deny[0]',
      'keys (default deny list)',
      'keys.maxTypeLength',
    ]);

    const { steps } = await readRunRecord(join(record, readdirSync(record)[0] as string));
    const lines = (steps as Record<string, unknown>[]).filter((l) => l.type === 'rejected');
    expect(lines.map((l) => l.rule)).toEqual([
      'windows.deny[0]',
      'keys (default deny list)',
      'keys.maxTypeLength',
    ]);
    expect(lines[0]).toMatchObject({ turn: 2, action: { type: 'click' } });
    expect(String(lines[0]?.message)).toContain('Bank – denied');
  }, 120_000);

  it('with an allow list, a confirm rule and no terminal: only the allowed window, and confirm refuses', async () => {
    const policy = writePolicy(
      JSON.stringify({
        windows: { allow: [{ class: 'allowed', title: 'Notes*' }] },
        confirm: [{ action: 'type', text: '*delete*', message: 'typing the word delete' }],
      }),
    );
    const before = { allowed: allowed.events.length, denied: denied.events.length };
    const server = await serve({
      script: [
        {
          actions: [
            { type: 'click', x: 700, y: 300 },
            { type: 'click', x: 100, y: 300 },
            { type: 'type', text: 'please delete it' },
            { type: 'type', text: 'ok' },
          ],
        },
        { actions: [{ type: 'terminate', status: 'success', result: 'ok' }] },
      ],
    });
    const result = await runCli([
      'run',
      'Type',
      '--display',
      display.name,
      '--base-url',
      server.url,
      '--coords',
      'pixels',
      '--no-record',
      '--policy',
      policy,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(denied.events.slice(before.denied)).toEqual([]);
    const keys = allowed.events
      .slice(before.allowed)
      .filter((e) => e.type === 'key')
      .map((e) => e.keysym)
      .join('');
    expect(keys).toBe('ok');
    const told = requestInput(server, 1);
    expect(told).toContain('windows.allow');
    expect(told).toContain('confirm[0]');
    expect(told).toContain('there is no terminal to ask on');
    expect(result.stderr).toContain('rejected');
  }, 120_000);

  it('a bad policy file: exit 2 naming the file, the line and the field', async () => {
    const policy = writePolicy('windows:\n  deny:\n    - klass: xterm\nrate:\n  actionsPerMinute: 0\n');
    const server = await serve({ script: [] });
    const result = await runCli([
      'run',
      'x',
      '--display',
      display.name,
      '--base-url',
      server.url,
      '--policy',
      policy,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${policy}:3:7: windows.deny[0].klass: unknown field`);
    expect(result.stderr).toContain(`${policy}:5:21: rate.actionsPerMinute`);
    expect(server.requests).toEqual([]);

    const check = await runCli(['policy', 'check', policy]);
    expect(check.code).toBe(2);
    expect(check.stderr).toContain(`${policy}:3:7`);
    const good = await runCli(['policy', 'check', writePolicy('keys:\n  deny: ["ctrl+q"]\n')]);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toContain('ctrl+q');

    // A replay does not check a policy yet: run --cache with one is refused, not run without it.
    const cached = await runCli([
      'run',
      'x',
      '--display',
      display.name,
      '--base-url',
      server.url,
      '--cache',
      mkdtempSync(join(tmpdir(), 'deskhand-cache-')),
      '--policy',
      writePolicy('keys:\n  deny: ["ctrl+q"]\n'),
    ]);
    expect(cached.code).toBe(2);
    expect(cached.stderr).toContain('--policy is not applied to replayed steps yet');
    expect(server.requests).toEqual([]);
  }, 120_000);
});
