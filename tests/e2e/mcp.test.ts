import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XConnection } from '../../native-adapters/x11/x11-connection.js';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import { type ModelServer, startModelServer } from '../../src/model-server/index.js';
import { readRunRecord } from '../../src/trajectory/index.js';
import { DESKHAND, runCli } from '../support/cli.js';
import { Observer, ShiftMask } from '../support/observer.js';

/**
 * deskhand mcp end to end: the built CLI as an MCP server, driven by the SDK's own Client over stdio,
 * on a private Xvfb with the observer app reporting every event it gets, and the local model server
 * for run_task. The screen is 1280x800 and the screenshots 640x400 (--max-edge 640), so every
 * coordinate the client sends goes through the viewport-to-screen map.
 */
let display: VirtualDisplay;
let observer: Observer;
let x: XConnection;
let model: ModelServer;

// Each server is a Node process opening the display: seconds on a loaded 2-core machine.
const SLOW = 90_000;
/** run_task's key: the model server requires it, and no byte deskhand writes may hold it. */
const API_KEY = 'sk-mcp-e2e-4f9d2a7c1b';

beforeAll(async () => {
  display = await startXvfb({ width: 1280, height: 800 });
  observer = await Observer.start(display.name);
  x = await XConnection.open(display.name);
  model = await startModelServer({
    dialect: 'lightcone',
    apiKey: API_KEY,
    script: [
      {
        reasoning: 'The text area fills the window.',
        actions: [
          { type: 'click', x: 500, y: 500 },
          { type: 'type', text: 'the model typed ✓' },
        ],
      },
      { actions: [{ type: 'terminate', status: 'success', result: 'Typed it.' }] },
    ],
  });
}, SLOW);

afterAll(async () => {
  await model?.close();
  x?.close();
  await observer?.stop();
  await display?.stop();
});

interface Served {
  client: Client;
  transport: StdioClientTransport;
  stderr: () => string;
  /** Errors the client saw on the stream (a byte on stdout that is no MCP message would be one). */
  errors: Error[];
  records: string;
}

async function serve(...extra: string[]): Promise<Served> {
  const records = mkdtempSync(join(tmpdir(), 'deskhand-mcp-'));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [DESKHAND, 'mcp', '--display', display.name, '--max-edge', '640', '--record', records, ...extra],
    env: { ...(process.env as Record<string, string>) },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const errors: Error[] = [];
  const client = new Client({ name: 'deskhand-e2e', version: '1.0.0' });
  client.onerror = (error) => errors.push(error);
  await client.connect(transport).catch((error: Error) => {
    throw new Error(`${error.message}; the server said: ${stderr}`);
  });
  return { client, transport, stderr: () => stderr, errors, records };
}

const textOf = (result: CallToolResult) =>
  result.content.map((block) => (block.type === 'text' ? block.text : '')).join('\n');
const call = async (served: Served, name: string, args: Record<string, unknown> = {}) =>
  (await served.client.callTool({ name, arguments: args })) as CallToolResult;

/** The X server's word on Shift, polled until `held` or the deadline (a release takes a moment). */
async function shiftHeld(held: boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const down = ((await x.queryPointer()).mask & ShiftMask) !== 0;
    if (down === held || Date.now() > deadline) return down;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('deskhand mcp', { timeout: SLOW }, () => {
  let served: Served;

  beforeAll(async () => {
    served = await serve('--base-url', model.url, '--require-done', '--api-key', API_KEY);
  }, SLOW);

  afterAll(async () => {
    await served?.client.close();
  });

  it('lists its tools, with the act schema naming the action types', async () => {
    const { tools } = await served.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['act', 'display_info', 'run_task', 'screenshot']);
    const act = tools.find((tool) => tool.name === 'act')!;
    expect(JSON.stringify(act.inputSchema)).toContain('key_down');
    expect(act.inputSchema.required).toEqual(['actions']);
  });

  it('takes a screenshot at the viewport size, says the size, and describes the display', async () => {
    const result = await call(served, 'screenshot');
    const image = result.content.find((block) => block.type === 'image');
    // JPEG, deskhand's default --image-format (docs/benchmarks.md: bytes per turn).
    expect(image?.mimeType).toBe('image/jpeg');
    const meta = await sharp(Buffer.from(image!.data, 'base64')).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 640, 400]);
    expect(textOf(result)).toContain('screenshot 640x400');
    expect(textOf(result)).toContain('screen 1280x800');

    const info = JSON.parse(textOf(await call(served, 'display_info')));
    expect(info).toMatchObject({
      display: display.name,
      screen: { width: 1280, height: 800 },
      viewport: { width: 640, height: 400 },
      scaleFactor: 1,
      coordinates: { mode: 'pixels', range: { x: [0, 639], y: [0, 399] } },
    });
    expect(info.monitors).toHaveLength(1);
  });

  it('clicks and types Unicode text that the application receives exactly', async () => {
    await observer.clear();
    const from = observer.mark();
    const result = await call(served, 'act', {
      actions: [
        { type: 'click', x: 320, y: 200 },
        { type: 'type', text: 'café É ñ 日本' },
      ],
      screenshot: true,
    });
    expect(result.isError).toBeFalsy();
    const lines = textOf(result)
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({ ok: true, type: 'click', screen: { x: 640, y: 400 } });
    expect(lines[1]).toMatchObject({ ok: true, type: 'type' });
    // Screenshot pixel (320, 200) is screen pixel (640, 400).
    const press = await observer.waitFor((e) => e.type === 'press', 2000, from);
    expect(press).toMatchObject({ x: 640, y: 400, button: 1 });
    expect(await observer.text()).toBe('café É ñ 日本');
    expect(result.content.some((block) => block.type === 'image')).toBe(true);
  });

  it('refuses a point off the screenshot before performing anything', async () => {
    const from = observer.mark();
    const result = await call(served, 'act', {
      actions: [
        { type: 'click', x: 10, y: 10 },
        { type: 'click', x: 640, y: 10 },
      ],
    });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('action 2: (640, 10) is off the screenshot: x 0..639, y 0..399');
    await observer.text();
    expect(observer.since(from).filter((e) => e.type === 'press')).toHaveLength(0);
  });

  it('runs a task with the local model server, with progress, and returns the answer and its record', async () => {
    await observer.clear();
    const progress: Progress[] = [];
    const result = (await served.client.callTool(
      { name: 'run_task', arguments: { task: 'Type something' } },
      undefined,
      { onprogress: (params) => progress.push(params), resetTimeoutOnProgress: true },
    )) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect((result.content[0] as { text: string }).text).toBe('Typed it.');
    const summary = JSON.parse((result.content[1] as { text: string }).text);
    expect(summary).toMatchObject({ outcome: 'success', exitCode: 0, answer: 'Typed it.', steps: 2 });
    expect(await observer.text()).toBe('the model typed ✓');
    expect(progress.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        'turn 1: asking the model',
        expect.stringMatching(/^step 1: click/),
        expect.stringMatching(/^step 2: type/),
      ]),
    );
    const { run } = await readRunRecord(summary.record);
    expect(run).toMatchObject({ task: 'Type something', outcome: 'success', exitCode: 0 });
    const report = await runCli(['report', summary.record]);
    expect(report.code).toBe(0);
    expect(existsSync(join(summary.record, 'report.html'))).toBe(true);
  });

  it('releases a key held with key_down when the client disconnects, and closes the session record', async () => {
    const result = await call(served, 'act', { actions: [{ type: 'key_down', keys: ['shift'] }] });
    expect(result.isError).toBeFalsy();
    expect(await shiftHeld(true)).toBe(true);
    await served.client.close();
    expect(await shiftHeld(false)).toBe(false);

    expect(served.errors).toEqual([]);
    expect(served.stderr()).toContain('ended (disconnected), exit 0');
    const sessions = await Promise.all(
      readdirSync(served.records).map(async (name) => ({
        dir: join(served.records, name),
        ...(await readRunRecord(join(served.records, name))),
      })),
    );
    // The session's record and run_task's own, side by side.
    expect(sessions.map((s) => s.run.provider).sort()).toEqual(['lightcone', 'mcp']);
    const mcp = sessions.find((s) => s.run.provider === 'mcp')!;
    expect(mcp.run).toMatchObject({
      status: 'finished',
      outcome: 'success',
      exitCode: 0,
      model: 'deskhand-e2e 1.0.0',
    });
    const tools = mcp.steps.filter((s) => s.type === 'call').map((s) => s.tool);
    expect(tools).toEqual(['screenshot', 'display_info', 'act', 'act', 'run_task', 'act']);
    const actions = mcp.steps
      .filter((s) => s.type === 'action')
      .map((s) => (s.action as { type: string }).type);
    expect(actions).toEqual(['click', 'type', 'key_down']);
    const report = await runCli(['report', mcp.dir]);
    expect(report.code).toBe(0);

    // The key was used (the model server requires it) and is nowhere: records, reports, stderr.
    const files = readdirSync(served.records, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name));
    expect(files.length).toBeGreaterThan(6);
    for (const file of files) expect(readFileSync(file).includes(API_KEY), file).toBe(false);
    expect(served.stderr()).not.toContain(API_KEY);
  });
});

describe('deskhand mcp killed by SIGKILL', { timeout: SLOW }, () => {
  it('leaves no key held: the input guardian releases it', async () => {
    // --no-record after serve's --record: the last one wins.
    const served = await serve('--no-record');
    try {
      await call(served, 'act', { actions: [{ type: 'key_down', keys: ['shift'] }] });
      expect(await shiftHeld(true)).toBe(true);
      const killedAt = performance.now();
      process.kill(served.transport.pid!, 'SIGKILL');
      expect(await shiftHeld(false)).toBe(false);
      console.log(`Shift released ${Math.round(performance.now() - killedAt)} ms after the SIGKILL`);
      expect(readdirSync(served.records)).toEqual([]);
    } finally {
      await served.client.close();
    }
  });
});

describe('deskhand mcp stopped by SIGTERM', { timeout: SLOW }, () => {
  it('releases a held key, closes its record as cancelled and exits 143', async () => {
    const served = await serve();
    try {
      await call(served, 'act', { actions: [{ type: 'key_down', keys: ['shift'] }] });
      expect(await shiftHeld(true)).toBe(true);
      const closed = served.transport.onclose;
      const exited = new Promise((resolve) => {
        served.transport.onclose = () => {
          closed?.();
          resolve(undefined);
        };
      });
      process.kill(served.transport.pid!, 'SIGTERM');
      await exited;
      expect(await shiftHeld(false, 0)).toBe(false);
      expect(served.stderr()).toContain('ended (signal), exit 143');
      const [dir] = readdirSync(served.records);
      const { run, steps } = await readRunRecord(join(served.records, dir!));
      expect(run).toMatchObject({ status: 'finished', outcome: 'cancelled', exitCode: 143 });
      expect(steps.at(-1)).toMatchObject({ type: 'end', message: 'stopped by SIGTERM' });
    } finally {
      await served.client.close();
    }
  });
});

describe('deskhand mcp while run_task runs', { timeout: SLOW }, () => {
  it('refuses act meanwhile, and cancelling the call cancels the run', async () => {
    const hanging = await startModelServer({ dialect: 'lightcone', script: [{ fault: { hang: true } }] });
    const served = await serve('--base-url', hanging.url);
    try {
      const controller = new AbortController();
      const progress: Progress[] = [];
      const running = served.client.callTool({ name: 'run_task', arguments: { task: 'Wait' } }, undefined, {
        signal: controller.signal,
        onprogress: (params) => progress.push(params),
      });
      await hanging.waitForRequest((r) => r.method === 'POST' && r.path === '/v1/responses', 15_000);
      const refused = await call(served, 'act', { actions: [{ type: 'click', x: 1, y: 1 }] });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain('a run_task is using the display');
      expect(progress[0]?.message).toBe('turn 1: asking the model');

      controller.abort();
      await expect(running).rejects.toThrow();
      // The run ends cancelled and gives the display back: act works again.
      let moved: CallToolResult | undefined;
      for (let tries = 0; tries < 100 && !(moved && !moved.isError); tries++) {
        if (moved) await new Promise((resolve) => setTimeout(resolve, 50));
        moved = await call(served, 'act', { actions: [{ type: 'move', x: 5, y: 5 }] });
      }
      expect(moved?.isError).toBeFalsy();
      const records = await Promise.all(
        readdirSync(served.records).map((name) => readRunRecord(join(served.records, name))),
      );
      const run = records.find((record) => record.run.provider === 'lightcone')!.run;
      expect(run).toMatchObject({ status: 'finished', outcome: 'cancelled', exitCode: 130 });
      expect(run.message).toContain('the MCP client cancelled the call');
    } finally {
      await served.client.close();
      await hanging.close();
    }
  });
});
