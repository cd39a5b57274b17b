import os from 'node:os';
import { type Job, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { RunEvent } from '../session/run-events.js';
import { cancelChannel, cancelKey } from './cancel.js';
import { redisTarget } from './connection.js';
import { DEFAULT_QUEUE, type JobData, JobDataSchema, type JobProgress, type JobResult } from './job-data.js';
import { Slot } from './slot.js';

export interface QueueWorkerOptions {
  redis: string;
  queue?: string;
  slots?: number;
  /** One display used as it is (then one slot); otherwise each slot starts a private Xvfb. */
  display?: string;
  size?: { width: number; height: number };
  /** Worker name stored on every job it runs (default host:pid). */
  name?: string;
  recordRoot?: string;
  /**
   * Stalled-job recovery: a worker holds a lock per job, renewed every half `lockDurationMs`; when a
   * worker dies its locks expire, and another worker's check (every `stalledIntervalMs`) puts the job
   * back in the queue, at most `maxStalledCount` times. BullMQ's defaults (30 s, 30 s, 1) are kept: a
   * dead machine's job runs again within about a minute.
   */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  maxStalledCount?: number;
  /** A line for the worker's log (stderr for the CLI). */
  log?: (line: string) => void;
}

export interface QueueWorker {
  readonly name: string;
  readonly displays: string[];
  /**
   * Stops taking jobs; the running ones may finish within `graceMs`, then are cancelled (server-side
   * cancel, input released) and given back to the queue for another worker. Resolves once all is closed.
   */
  stop(graceMs: number): Promise<void>;
  /** Cancels and gives back every running job at once (a second Ctrl+C). */
  stopNow(): void;
}

type StopReason = 'cancel' | 'shutdown' | 'lock-lost';

export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const queue = options.queue ?? DEFAULT_QUEUE;
  const name = options.name ?? `${os.hostname()}:${process.pid}`;
  const log = options.log ?? (() => {});
  const target = redisTarget(options.redis, 'worker');
  const count = options.display ? 1 : (options.slots ?? 1);
  const slots = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      Slot.open({
        index: index + 1,
        worker: name,
        display: options.display,
        size: options.size ?? { width: 1280, height: 800 },
        recordRoot: options.recordRoot,
      }),
    ),
  );
  const free = [...slots];
  const running = new Map<string, Slot>();
  const stopReasons = new Map<string, StopReason>();
  const subscriber = new Redis(options.redis, { maxRetriesPerRequest: null });
  const commands = new Redis(options.redis, { maxRetriesPerRequest: null });

  const stopJob = (jobId: string, reason: StopReason) => {
    if (!running.has(jobId) || stopReasons.has(jobId)) return;
    stopReasons.set(jobId, reason);
    worker.cancelJob(jobId, reason);
  };

  const processJob = async (job: Job<JobData, JobResult>, token?: string, signal?: AbortSignal) => {
    const parsed = JobDataSchema.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(
        `job ${job.id} is not a deskhand job: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      );
    const id = job.id as string;
    const slot = free.shift();
    // BullMQ runs at most `concurrency` (= slots) jobs at once, so a slot is always free here.
    if (!slot) throw new Error(`worker ${name} has no free slot (a bug: concurrency exceeds slots)`);
    running.set(id, slot);
    try {
      // A cancel that came before this worker took the job (or between taking it and here).
      if (await commands.exists(cancelKey(queue, id)))
        throw new UnrecoverableError('cancelled (deskhand jobs cancel) before it started');
      const attempt = job.attemptsStarted;
      log(`job ${id} started on slot ${slot.options.index} (${slot.display}), attempt ${attempt}`);
      let seq = 0;
      let last: RunEvent | undefined;
      let writes: Promise<unknown> = Promise.resolve();
      const report = (event: RunEvent, result?: JobResult) => {
        const progress: JobProgress = {
          seq: seq++,
          attempt,
          worker: name,
          slot: slot.options.index,
          display: slot.display,
          event: event as unknown as JobProgress['event'],
          ...(result ? { result } : {}),
        };
        // In order, one at a time; a failed write (Redis away) must not fail the run itself.
        writes = writes
          .then(() =>
            Promise.all([
              result ? undefined : job.log(JSON.stringify({ attempt, event })),
              job.updateProgress(progress),
            ]),
          )
          .catch((error: Error) => log(`job ${id}: could not write its progress: ${error.message}`));
      };
      const result = await slot.run(
        parsed.data,
        (event) => {
          last = event;
          report(event);
        },
        signal ?? new AbortController().signal,
      );
      report(
        last ?? { type: 'run.failed', at: 0, exitCode: result.exitCode, message: result.message ?? '' },
        result,
      );
      await writes;
      const reason = stopReasons.get(id);
      log(
        `job ${id} ended on slot ${slot.options.index}: ${result.outcome}, exit ${result.exitCode} (${(result.durationMs / 1000).toFixed(1)} s)${reason ? `, ${reason}` : ''}`,
      );
      if (result.exitCode === 4 && !options.display) await slot.restartDisplay();
      if (result.exitCode === 0) return result;
      if (reason === 'shutdown' && token) {
        // Back to the queue, as if never taken: another worker runs it.
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (reason === 'cancel') throw new UnrecoverableError('cancelled (deskhand jobs cancel)');
      if (reason === 'lock-lost')
        throw new Error(`worker ${name} lost the job's lock (Redis unreachable?) and stopped its run`);
      const failure = `exit ${result.exitCode} (${result.outcome})${result.message ? `: ${result.message}` : ''}`;
      // A usage error fails the same way on every attempt.
      if (result.exitCode === 2) throw new UnrecoverableError(failure);
      throw new Error(failure);
    } finally {
      running.delete(id);
      stopReasons.delete(id);
      free.push(slot);
    }
  };

  const worker: Worker<JobData, JobResult> = new Worker<JobData, JobResult>(queue, processJob, {
    connection: target.connection,
    concurrency: count,
    name,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: options.maxStalledCount ?? 1,
    autorun: false,
  });
  // Redis away: ioredis retries every second or so, each retry an error; say it once per half minute.
  let lastWarning = { text: '', at: 0 };
  const warn = (text: string) => {
    if (text === lastWarning.text && Date.now() - lastWarning.at < 30_000) return;
    lastWarning = { text, at: Date.now() };
    log(`warning: ${text} (Redis at ${target.shown}; retrying)`);
  };
  worker.on('error', (error) => warn(error.message));
  worker.on('stalled', (jobId) => log(`job ${jobId} stalled (its worker went away): back in the queue`));
  // A lock this worker could not renew may already be another worker's: stop the run, never run twice.
  worker.on('lockRenewalFailed', (jobIds) => {
    for (const jobId of jobIds) stopJob(jobId, 'lock-lost');
  });
  subscriber.on('message', (_channel, jobId: string) => stopJob(jobId, 'cancel'));
  subscriber.on('error', (error: Error) => warn(error.message));
  commands.on('error', (error: Error) => warn(error.message));
  await subscriber.subscribe(cancelChannel(queue));
  void worker.run().catch((error: Error) => log(`warning: the worker stopped: ${error.message}`));
  await worker.waitUntilReady();

  let stopping: Promise<void> | undefined;
  const stopNow = () => {
    for (const jobId of running.keys()) stopJob(jobId, 'shutdown');
  };
  return {
    name,
    displays: slots.map((slot) => slot.display),
    stopNow,
    stop(graceMs) {
      stopping ??= (async () => {
        const closing = worker.close();
        const timer = setTimeout(() => {
          if (running.size > 0)
            log(
              `grace time over: cancelling ${running.size} running job(s) and giving them back to the queue`,
            );
          stopNow();
        }, graceMs);
        await closing;
        clearTimeout(timer);
        subscriber.disconnect();
        commands.disconnect();
        await Promise.all(slots.map((slot) => slot.close()));
      })();
      return stopping;
    },
  };
}
