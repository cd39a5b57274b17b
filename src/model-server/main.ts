/**
 * Runs the local model server by hand:
 *   node dist/src/model-server/main.js --dialect lightcone --script turns.json [--port 8787] [--api-key KEY]
 * The script file holds a JSON array of turns. Prints the base URL, logs each request to stderr, and
 * stops on SIGINT/SIGTERM.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startModelServer } from './server.js';
import type { Dialect, Turn } from './types.js';

const { values } = parseArgs({
  options: {
    dialect: { type: 'string', default: 'lightcone' },
    script: { type: 'string' },
    port: { type: 'string', default: '0' },
    'api-key': { type: 'string' },
    'strict-chaining': { type: 'boolean', default: false },
  },
});

const dialect = values.dialect;
if (dialect !== 'lightcone' && dialect !== 'openai') {
  process.stderr.write(`--dialect must be lightcone or openai, not ${dialect}\n`);
  process.exit(2);
}
const script: Turn[] = values.script ? (JSON.parse(await readFile(values.script, 'utf8')) as Turn[]) : [];
if (!Array.isArray(script)) {
  process.stderr.write(`${values.script} must hold a JSON array of turns\n`);
  process.exit(2);
}

const server = await startModelServer({
  dialect: dialect satisfies Dialect,
  script,
  port: Number(values.port),
  strictChaining: values['strict-chaining'],
  ...(values['api-key'] ? { apiKey: values['api-key'] } : {}),
});
process.stdout.write(`${server.url}\n`);

let logged = 0;
const log = setInterval(() => {
  for (const request of server.requests.slice(logged)) {
    const notes = [request.chainError, ...request.warnings].filter(Boolean).join('; ');
    process.stderr.write(`${request.method} ${request.path} ${request.responseId ?? ''} ${notes}\n`);
  }
  logged = server.requests.length;
}, 200);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    clearInterval(log);
    void server.close().then(() => process.exit(0));
  });
}
