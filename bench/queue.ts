/**
 * Jobs per minute through the job queue: a real redis-server, one `deskhand worker` with 1, 2 and 4
 * slots (each slot a private Xvfb running the job as `deskhand run`), and the local model server
 * thinking 1 s then 0.5 s per job, as a model would (a job that mostly waits, the common case). The same
 * JOBS jobs for each slot count; the ratio is against one slot. Runs on its own displays, not the
 * bench's (a slot owns its display).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { type ScriptContext, startModelServer, type Turn } from '../src/model-server/index.js';
import { enqueue } from '../src/queue/enqueue.js';
import { DESKHAND } from './cli-cancel.js';
import { type BenchGroup, type NamedMetric, round, sleep } from './metric.js';

const JOBS = 8;
const SLOTS = [1, 2, 4];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startRedis(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ]);
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
  });
  return { url: `redis://127.0.0.1:${port}`, child };
}

/** First turn: think 1 s, click; second: think 0.5 s, done. Stateless, so runs may overlap freely. */
function script({ previous }: ScriptContext): Turn {
  if (!previous)
    return { reasoning: 'Clicking.', actions: [{ type: 'click', x: 500, y: 500 }], fault: { delayMs: 1000 } };
  return { actions: [{ type: 'terminate', status: 'success', result: 'done' }], fault: { delayMs: 500 } };
}

/** Starts a worker and resolves once its slots are up. */
function startWorker(redis: string, queue: string, slots: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [
    DESKHAND,
    'worker',
    '--redis',
    redis,
    '--queue',
    queue,
    '--slots',
    String(slots),
  ]);
  child.stdout.resume();
  return new Promise((resolve, reject) => {
    let log = '';
    child.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (/slot\(s\) on/.test(log)) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`deskhand worker exited with ${code}: ${log}`)));
  });
}

/** Jobs per minute for one worker with `slots` slots, from the first enqueue to the last job done. */
async function jobsPerMinute(redis: string, baseUrl: string, slots: number): Promise<number> {
  const name = `bench-${slots}`;
  const worker = await startWorker(redis, name, slots);
  const queue = new Queue(name, { connection: { url: redis, maxRetriesPerRequest: 1 } });
  try {
    const started = performance.now();
    for (let n = 0; n < JOBS; n++)
      await enqueue({
        redis,
        queue: name,
        task: `bench job ${n}`,
        options: { 'base-url': baseUrl, record: false },
      });
    for (;;) {
      const { completed = 0, failed = 0 } = await queue.getJobCounts('completed', 'failed');
      if (failed > 0)
        throw new Error(`${failed} bench job(s) failed: ${(await queue.getFailed())[0]?.failedReason}`);
      if (completed >= JOBS) break;
      await sleep(100);
    }
    return (JOBS / (performance.now() - started)) * 60_000;
  } finally {
    await queue.close();
    worker.kill('SIGTERM');
  }
}

export const queueGroup: BenchGroup = {
  name: 'queue',
  async run() {
    const dir = mkdtempSync(join(tmpdir(), 'deskhand-bench-redis-'));
    const redis = await startRedis(dir);
    const server = await startModelServer({ dialect: 'lightcone', script });
    try {
      const rates: number[] = [];
      for (const slots of SLOTS) rates.push(await jobsPerMinute(redis.url, server.url, slots));
      const one = rates[0] as number;
      return SLOTS.map((slots, index): NamedMetric => {
        const rate = rates[index] as number;
        const ratio = rate / one;
        const target = slots === 1 ? 'reference' : `>= ${slots === 2 ? 1.5 : 2}x one slot`;
        return {
          name: `queue: jobs per minute, 1 worker x ${slots} slot${slots > 1 ? 's' : ''}`,
          ours: round(rate),
          baseline: round(one),
          ratio: Math.round(ratio * 100) / 100,
          unit: 'jobs/min',
          target,
          met: slots === 1 || ratio >= (slots === 2 ? 1.5 : 2),
          note: `${JOBS} jobs of 2 turns (the model thinking 1 s + 0.5 s), each a deskhand run on the slot's own Xvfb; baseline: the same on 1 slot (n=1 per slot count; a busy machine moves it)`,
        };
      });
    } finally {
      await server.close();
      redis.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
