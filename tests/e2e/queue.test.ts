import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XConnection } from '../../native-adapters/x11/x11-connection.js';
import { type ModelServer, startModelServer } from '../../src/model-server/index.js';
import { enqueue } from '../../src/queue/enqueue.js';
import { runCli } from '../support/cli.js';
import {
  openQueue,
  queueScript,
  resultOf,
  startWorkerProcess,
  waitFor,
  type WorkerProcess,
} from '../support/queue-workers.js';
import { startRedis, type TestRedis } from '../support/redis.js';

/**
 * The job queue end to end: a real redis-server, `deskhand worker` processes whose slots each start a
 * private Xvfb and run jobs as `deskhand run`, the local model server playing the model, and the
 * commands a user types (`enqueue`, `jobs`). Timings are printed; the one timing assert (parallel under
 * half of one after another) has a wide margin, since the jobs mostly wait for the model.
 */
let redis: TestRedis;
let server: ModelServer;
const workers: WorkerProcess[] = [];
const records = mkdtempSync(join(tmpdir(), 'deskhand-queue-'));

beforeAll(async () => {
  [redis, server] = await Promise.all([
    startRedis(),
    startModelServer({ dialect: 'lightcone', script: queueScript }),
  ]);
});

afterAll(async () => {
  for (const worker of workers) worker.child.kill('SIGKILL');
  await Promise.all(workers.map((worker) => worker.exited));
  await server?.close();
  await redis?.stop();
});

async function worker(queue: string, name: string, ...extra: string[]): Promise<WorkerProcess> {
  const started = await startWorkerProcess(redis.url, queue, name, '--record', records, ...extra);
  workers.push(started);
  return started;
}

const add = (queue: string, task: string) =>
  enqueue({ redis: redis.url, queue, task, options: { 'base-url': server.url } }).then((added) => added.id);

async function allFinished(queueName: string, count: number, timeoutMs: number): Promise<Job[]> {
  const queue = openQueue(redis.url, queueName);
  try {
    return await waitFor(
      `${count} finished jobs in ${queueName}`,
      async () => {
        const done = await queue.getJobs(['completed', 'failed']);
        return done.length >= count ? done : undefined;
      },
      timeoutMs,
    );
  } finally {
    await queue.close();
  }
}

describe('workers with slots', () => {
  it('3 workers x 2 slots run 24 jobs once each, one job per display at a time, in under half the time of one after another', async () => {
    // One after another: one slot, 3 jobs.
    const single = await worker('queue-base', 'single');
    let started = Date.now();
    for (let n = 1; n <= 3; n++) await add('queue-base', `queue-test quick ${n}`);
    await allFinished('queue-base', 3, 90_000);
    const perJob = (Date.now() - started) / 3;
    single.child.kill('SIGTERM');

    const many = await Promise.all(
      ['w1', 'w2', 'w3'].map((name) => worker('queue-many', name, '--slots', '2')),
    );
    const displays = many.flatMap((w) => w.displays);
    expect(new Set(displays).size).toBe(6);
    started = Date.now();
    const ids = [];
    for (let n = 1; n <= 24; n++) ids.push(await add('queue-many', `queue-test quick ${n}`));
    const jobs = await allFinished('queue-many', 24, 150_000);
    const wall = Date.now() - started;
    console.log(
      `24 jobs on 3 workers x 2 slots: ${(wall / 1000).toFixed(1)} s; one after another (${(perJob / 1000).toFixed(1)} s a job on one slot): ${((24 * perJob) / 1000).toFixed(1)} s; ratio ${(wall / (24 * perJob)).toFixed(2)}`,
    );

    expect(jobs.map((job) => job.id).sort()).toEqual([...ids].sort());
    for (const job of jobs) {
      const result = resultOf(job.returnvalue);
      expect(job.failedReason, `job ${job.id}`).toBeFalsy();
      expect(job.attemptsStarted).toBe(1);
      expect(result.exitCode).toBe(0);
      expect(result.answer).toBe(`done quick ${(job.data as { task: string }).task.split(' ').at(-1)}`);
      expect(displays).toContain(result.display);
      expect(result.recordDir?.startsWith(records)).toBe(true);
    }
    // No display had two jobs at once: per display, each job starts after the one before ended.
    const byDisplay = new Map<string, Job[]>();
    for (const job of jobs) {
      const display = resultOf(job.returnvalue).display as string;
      byDisplay.set(display, [...(byDisplay.get(display) ?? []), job]);
    }
    for (const [, onDisplay] of byDisplay) {
      onDisplay.sort((a, b) => (a.processedOn ?? 0) - (b.processedOn ?? 0));
      for (let i = 1; i < onDisplay.length; i++)
        expect(onDisplay[i]!.processedOn).toBeGreaterThanOrEqual(onDisplay[i - 1]!.finishedOn!);
    }
    expect(byDisplay.size).toBeGreaterThanOrEqual(4);
    expect(wall).toBeLessThan((24 * perJob) / 2);
  }, 300_000);
});

describe('a worker that dies', () => {
  it('SIGKILL mid-job: another worker runs the job again, it succeeds once, and the dead worker`s Xvfb is gone', async () => {
    const fast = ['--lock-duration', '5', '--stalled-interval', '2'];
    const doomed = await worker('queue-kill', 'doomed', ...fast);
    const id = await add('queue-kill', 'queue-test slow 1');
    const queue = openQueue(redis.url, 'queue-kill');
    try {
      // Its run has started on the doomed worker's display.
      await waitFor('the run to start', async () => {
        const job = await queue.getJob(id);
        const progress = job?.progress as { event?: { type?: string } } | undefined;
        return progress?.event?.type === 'turn.started' ? true : undefined;
      });
      const display = doomed.displays[0] as string;
      doomed.child.kill('SIGKILL');
      await doomed.exited;
      const heir = await worker('queue-kill', 'heir', ...fast);
      const [job] = await allFinished('queue-kill', 1, 90_000);
      const result = resultOf(job!.returnvalue);
      expect(job!.id).toBe(id);
      expect(job!.failedReason).toBeFalsy();
      expect(result.exitCode).toBe(0);
      expect(result.worker).toBe('heir');
      expect(result.display).toBe(heir.displays[0]);
      expect(job!.attemptsStarted).toBe(2);
      expect(await queue.getJobCounts('completed', 'failed', 'active', 'waiting')).toEqual({
        completed: 1,
        failed: 0,
        active: 0,
        waiting: 0,
      });
      // Its Xvfb went with it (the lock file and socket are removed when Xvfb ends).
      const number = display.slice(1);
      await waitFor('the dead worker`s Xvfb to end', async () =>
        existsSync(`/tmp/.X11-unix/X${number}`) || existsSync(`/tmp/.X${number}-lock`) ? undefined : true,
      );
      // Its logged events show both runs, each from its start.
      const { logs } = await queue.getJobLogs(id);
      expect(
        logs
          .map((line) => (JSON.parse(line) as { event: { type: string } }).event.type)
          .filter((t) => t === 'run.started'),
      ).toHaveLength(2);
    } finally {
      await queue.close();
    }
  }, 180_000);

  it('SIGTERM: the running job gets --grace, then is cancelled on the model API and goes back to the queue', async () => {
    const leaving = await worker('queue-term', 'leaving', '--grace', '1');
    const id = await add('queue-term', 'queue-test hold 2');
    const queue = openQueue(redis.url, 'queue-term');
    try {
      const responseId = await waitFor('the second turn to be under way', async () => {
        const { logs } = await queue.getJobLogs(id);
        return logs
          .map(
            (line) =>
              (JSON.parse(line) as { event: { type: string; turn?: number; responseId?: string } }).event,
          )
          .find((event) => event.type === 'response.created' && event.turn === 2)?.responseId;
      });
      leaving.child.kill('SIGTERM');
      expect((await leaving.exited).code).toBe(143);
      expect(leaving.log()).toMatch(/grace time over: cancelling 1 running job/);
      expect(server.cancelCalls()).toContain(responseId);
      // Back in the queue for another worker, not failed.
      expect(await queue.getJobState(id)).toBe('waiting');
      expect((await queue.getJob(id))?.failedReason).toBeFalsy();
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  }, 120_000);
});

describe('schedules and cancel', () => {
  it('a schedule every 2 seconds fires 3 times in about 6 s and stops when removed', async () => {
    await worker('queue-schedule', 'scheduled', '--slots', '3');
    const added = await runCli([
      'enqueue',
      '--redis',
      redis.url,
      '--queue',
      'queue-schedule',
      '--every',
      '*/2 * * * * *',
      '--id',
      'every-2s',
      '--base-url',
      server.url,
      'queue-test tick 1',
    ]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout.trim()).toBe('every-2s');
    const queue = openQueue(redis.url, 'queue-schedule');
    try {
      const fired = await waitFor(
        '3 scheduled jobs to finish',
        async () => {
          const done = await queue.getJobs(['completed']);
          return done.length >= 3 ? done : undefined;
        },
        60_000,
      );
      // A scheduled job's id ends with the time it was due.
      const due = fired.map((job) => Number(String(job.id).split(':').at(-1))).sort((a, b) => a - b);
      const span = (due[2]! - due[0]!) / 1000;
      console.log(`3 scheduled jobs due over ${span.toFixed(1)} s (every 2 s)`);
      expect(span).toBe(4);
      for (const job of fired) expect(resultOf(job.returnvalue).answer).toBe('done tick 1');

      const removed = await runCli([
        'jobs',
        'cancel',
        'every-2s',
        '--redis',
        redis.url,
        '--queue',
        'queue-schedule',
      ]);
      expect(removed.code, removed.stderr).toBe(0);
      expect(removed.stdout).toMatch(/schedule every-2s removed/);
      expect(await queue.getJobSchedulers()).toEqual([]);
      const count = async () => (await queue.getJobs(['completed', 'active', 'waiting', 'delayed'])).length;
      const atRemoval = await count();
      await new Promise((resolve) => setTimeout(resolve, 4500));
      expect(await count()).toBeLessThanOrEqual(atRemoval);
    } finally {
      await queue.close();
    }
  }, 120_000);

  it('jobs cancel of a running job: it ends cancelled, the model server saw the cancel, no key is held', async () => {
    await worker('queue-cancel', 'canceller');
    const added = await runCli([
      'enqueue',
      '--redis',
      redis.url,
      '--queue',
      'queue-cancel',
      '--base-url',
      server.url,
      'queue-test hold 1',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const id = added.stdout.trim();
    const queue = openQueue(redis.url, 'queue-cancel');
    // The second turn hangs, with Shift held down since the first: its response id from the job's log.
    const responseId = await waitFor('the second turn to be under way', async () => {
      const { logs } = await queue.getJobLogs(id);
      const created = logs
        .map(
          (line) =>
            (JSON.parse(line) as { event: { type: string; turn?: number; responseId?: string } }).event,
        )
        .find((event) => event.type === 'response.created' && event.turn === 2);
      return created?.responseId;
    });

    const cancelled = await runCli(['jobs', 'cancel', id, '--redis', redis.url, '--queue', 'queue-cancel']);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toMatch(new RegExp(`job ${id} cancelled`));
    expect(cancelled.stdout).toMatch(/cancelled \(exit 130\)/);
    expect(server.cancelCalls()).toContain(responseId);

    try {
      const job = (await queue.getJob(id)) as Job;
      expect(await job.getState()).toBe('failed');
      expect(job.failedReason).toMatch(/cancelled/);
      expect(job.attemptsStarted).toBe(1);
      const display = (job.progress as { display: string }).display;
      const x = await XConnection.open(display);
      try {
        expect(await x.keysDown()).toEqual([]);
      } finally {
        x.close();
      }
      const listed = await runCli(['jobs', '--redis', redis.url, '--queue', 'queue-cancel']);
      expect(listed.stdout).toMatch(
        new RegExp(`job ${id}  failed  cancelled \\(exit 130\\) on canceller ${display}`),
      );
    } finally {
      await queue.close();
    }
  }, 120_000);
});
