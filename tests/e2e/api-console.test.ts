import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import { type ModelServer, type Script } from '../../src/model-server/index.js';
import { type CliResult, runCli } from '../support/cli.js';
import { modelServers } from '../support/model-servers.js';

/*
 * What the console shows when a server misbehaves: the API key never, whatever path its echo takes
 * (JSON-escaped in an error body, a failed response, an error event, the reasoning, the answer, an
 * action or key name), and a bounded amount of whatever the model sends.
 */

const KEY = 'tzk-live-5a8f1c9e3b7d2a6f4e0c';
/** The key as a JSON string escapes it: only its first letter as \u0074, which JSON.parse undoes. */
const ESCAPED = `\\u0074${KEY.slice(1)}`;

let display: VirtualDisplay;
const plain: Server[] = [];

beforeAll(async () => {
  display = await startXvfb({ width: 1024, height: 768 });
});
afterAll(async () => display?.stop());
afterEach(async () => {
  await Promise.all(plain.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

const start = modelServers({ apiKey: KEY });
const serve = (script: Script): Promise<ModelServer> => start({ script });

/** A server that answers everything with one status and a raw JSON text. */
async function answering(status: number, text: string): Promise<string> {
  const server = createServer((request, response) => {
    request.resume();
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(text);
  });
  plain.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const run = (url: string, ...extra: string[]) =>
  runCli(
    ['run', 'Do it', '--display', display.name, '--base-url', url, '--no-record', '--dry-run', ...extra],
    {
      TZAFON_API_KEY: KEY,
    },
  );

function expectNoKey(result: CliResult): void {
  const output = result.stdout + result.stderr;
  expect(output).not.toContain(KEY);
  expect(output).not.toContain(KEY.slice(1));
}

describe('the API key never reaches the console', () => {
  it.each([[[]], [['--json']]])('echoed by the model everywhere it can speak (%j)', async (flags) => {
    const server = await serve([
      {
        reasoning: `Thinking about ${KEY}.`,
        message: `Your key is ${KEY}`,
        actions: [
          { type: KEY, x: 1, y: 2 },
          { type: 'key', keys: [KEY] },
        ],
      },
      { actions: [{ type: 'answer', result: `Done with ${KEY}` }] },
    ]);
    const result = await run(server.url, ...flags);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toContain('[redacted]');
    expectNoKey(result);
  });

  it('in a failed response and in an error event', async () => {
    const failed = await serve([
      { status: 'failed', error: { code: 'bad_key', message: `Key ${KEY} is revoked` } },
    ]);
    const first = await run(failed.url);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('is revoked');
    expectNoKey(first);
    const errored = await serve([
      { message: 'x', fault: { errorBeforeCreated: { code: 'bad_key', message: `Key ${KEY} is revoked` } } },
    ]);
    const second = await run(errored.url);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('is revoked');
    expectNoKey(second);
  });

  it('JSON-escaped in a 401 body: run, get, cancel and delete', async () => {
    const url = await answering(401, `{"error": {"message": "Incorrect API key provided: ${ESCAPED}"}}`);
    const results = [
      await run(url),
      ...(await Promise.all(
        ['get', 'cancel', 'delete'].map((command) =>
          runCli([command, 'resp_1', '--base-url', url], { TZAFON_API_KEY: KEY }),
        ),
      )),
    ];
    for (const result of results) {
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('Incorrect API key provided: [redacted]');
      expectNoKey(result);
    }
  });

  it('in a 500 answer to cancel', async () => {
    const url = await answering(500, JSON.stringify({ error: { message: `upstream rejected ${KEY}` } }));
    const result = await runCli(['cancel', 'resp_1', '--base-url', url, '--max-retries', '0'], {
      TZAFON_API_KEY: KEY,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('upstream rejected');
    expectNoKey(result);
  });
});

describe('bounded output', () => {
  it('a 10 MB reasoning is not printed whole, in lines or in --json', async () => {
    const reasoning = 'x'.repeat(10 * 1024 * 1024);
    const script: Script = [{ reasoning, actions: [{ type: 'answer', result: 'ok' }] }];
    const lines = await run((await serve(script)).url);
    expect(lines.code, lines.stderr.slice(0, 500)).toBe(0);
    expect(lines.stderr.length).toBeLessThan(20_000);
    expect(lines.stderr).toContain('more characters]');
    const json = await run((await serve(script)).url, '--json');
    expect(json.code).toBe(0);
    expect(json.stdout.length).toBeLessThan(200_000);
    const event = json.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; truncated?: string[] })
      .find((candidate) => candidate.type === 'reasoning');
    expect(event?.truncated).toEqual(['text']);
  });
});
