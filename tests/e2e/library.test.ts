import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { XConnection } from '../../native-adapters/x11/x11-connection.js';
import { startXvfb, type VirtualDisplay } from '../../native-adapters/x11/xvfb.js';
import { type ModelServer, startModelServer } from '../../src/model-server/index.js';
import { readRunRecord } from '../../src/trajectory/index.js';
import { collect } from '../support/cli.js';
import { ShiftMask } from '../support/observer.js';

/*
 * deskhand as a library keeps the CLI's promises: a script that calls runTask, stopped by Ctrl+C while
 * the model holds Shift, leaves nothing held, a finished record, and exit 130.
 */

const SCRIPT = fileURLToPath(new URL('../support/library-script.mjs', import.meta.url));
const INDEX = fileURLToPath(new URL('../../dist/src/index.js', import.meta.url));

let display: VirtualDisplay;
let x: XConnection;
let server: ModelServer;

beforeAll(async () => {
  display = await startXvfb({ width: 800, height: 600 });
  x = await XConnection.open(display.name);
});
afterAll(async () => {
  await server?.close();
  x?.close();
  await display?.stop();
});

/** Resolves when the child has printed this line. */
function printed(child: ChildProcessWithoutNullStreams, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.split('\n').includes(line)) resolve();
    });
    child.once('close', () => reject(new Error(`exited before printing ${line}: ${text}`)));
  });
}

it('runTask: SIGINT after a key_down shift releases Shift, closes the record, exits 130', async () => {
  server = await startModelServer({
    dialect: 'lightcone',
    script: [
      { actions: [{ type: 'key_down', keys: ['shift'] }] },
      { message: 'never', fault: { hang: true } },
    ],
  });
  const root = mkdtempSync(join(tmpdir(), 'deskhand-library-'));
  const child = spawn(process.execPath, [SCRIPT, INDEX, server.url, display.name, root]);
  // The second turn is under way: Shift is held by then.
  await printed(child, 'turn.started');
  const posts = new Set<unknown>();
  await server.waitForRequest((request) => {
    if (request.method === 'POST') posts.add(request);
    return posts.size >= 2;
  }, 10_000);
  expect((await x.queryPointer()).mask & ShiftMask).toBe(ShiftMask);
  child.kill('SIGINT');
  const result = await collect(child);
  expect(result.code, result.stderr).toBe(130);
  expect((await x.queryPointer()).mask & ShiftMask).toBe(0);
  const { run } = await readRunRecord(join(root, readdirSync(root)[0]!));
  expect(run).toMatchObject({ status: 'finished', outcome: 'cancelled', exitCode: 130 });
  expect(server.cancelCalls()).toHaveLength(1);
});
