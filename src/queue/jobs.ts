import { type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { RunEvent } from '../session/run-events.js';
import { CANCEL_MARK_SECONDS, cancelChannel, cancelKey } from './cancel.js';
import { redisTarget } from './connection.js';
import {
  DEFAULT_QUEUE,
  type JobData,
  JobDataSchema,
  JobLogLineSchema,
  JobProgressSchema,
  type JobResult,
  JobResultSchema,
} from './job-data.js';

/** What `deskhand jobs` shows of a job. */
export interface JobSummary {
  id: string;
  state: string;
  task?: string;
  enqueuedAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** Runs started (a retry or a stalled job's rerun counts). */
  attempts: number;
  /** The worker of the newest attempt. */
  worker?: string;
  display?: string;
  /** Once a run ended: its exit code, outcome, answer, message and record. */
  result?: JobResult;
  /** Why BullMQ failed it (the run's exit, a cancel, too many stalls). */
  failedReason?: string;
  /** The schedule that made it. */
  schedule?: string;
}

export interface ScheduleSummary {
  id: string;
  every?: number;
  pattern?: string;
  tz?: string;
  /** When it next adds a job (ms since the epoch). */
  next?: number;
  /** Jobs it has added so far. */
  count?: number;
  task?: string;
}

export const JOB_STATES = ['active', 'waiting', 'delayed', 'prioritized', 'completed', 'failed'] as const;

/** A queue for one short command; closed by `withQueue`. */
async function withQueue<T>(
  redis: string,
  name: string | undefined,
  use: (queue: Queue<JobData>) => Promise<T>,
) {
  const queue = new Queue<JobData>(name ?? DEFAULT_QUEUE, {
    connection: redisTarget(redis, 'client').connection,
  });
  queue.on('error', () => {});
  try {
    return await use(queue);
  } finally {
    await queue.close();
  }
}

export function summarize(job: Job, state: string): JobSummary {
  const data = JobDataSchema.safeParse(job.data);
  const progress = JobProgressSchema.safeParse(job.progress);
  const returned = JobResultSchema.safeParse(job.returnvalue);
  const result = returned.success ? returned.data : progress.success ? progress.data.result : undefined;
  const scheduler = (job as unknown as { repeatJobKey?: string }).repeatJobKey;
  return {
    id: job.id as string,
    state,
    task: data.success ? data.data.task : undefined,
    enqueuedAt: job.timestamp,
    startedAt: job.processedOn,
    finishedAt: job.finishedOn,
    attempts: job.attemptsStarted,
    worker: result?.worker ?? (progress.success ? progress.data.worker : job.processedBy),
    display: result?.display ?? (progress.success ? progress.data.display : undefined),
    result: state === 'completed' || state === 'failed' ? result : undefined,
    failedReason: job.failedReason || undefined,
    schedule: scheduler,
  };
}

export interface JobListing {
  jobs: JobSummary[];
  schedules: ScheduleSummary[];
  counts: Record<string, number>;
}

/** The newest `limit` jobs of each state, and every schedule. */
export async function listJobs(redis: string, queueName?: string, limit = 20): Promise<JobListing> {
  return withQueue(redis, queueName, async (queue) => {
    const counts = await queue.getJobCounts(...JOB_STATES);
    const jobs: JobSummary[] = [];
    for (const state of JOB_STATES) {
      const found = await queue.getJobs([state], 0, limit - 1, state === 'waiting' || state === 'delayed');
      for (const job of found.filter(Boolean)) jobs.push(summarize(job, state));
    }
    const schedules = (await queue.getJobSchedulers(0, -1, true)).map((scheduler) => ({
      id: scheduler.id ?? scheduler.key,
      every: scheduler.every,
      pattern: scheduler.pattern,
      tz: scheduler.tz,
      next: scheduler.next,
      count: scheduler.iterationCount,
      task: JobDataSchema.safeParse(scheduler.template?.data).data?.task,
    }));
    return { jobs, schedules, counts };
  });
}

export type CancelOutcome =
  /** It was running; its run was cancelled (the summary says how it ended). */
  | { what: 'cancelled'; job: JobSummary }
  /** It had not started: taken out of the queue. */
  | { what: 'removed'; job: JobSummary }
  | { what: 'schedule-removed'; id: string }
  | { what: 'finished'; job: JobSummary }
  /** Running, but no run ended within the wait (its worker may be gone: the stalled check will tell). */
  | { what: 'still-running'; job: JobSummary }
  | { what: 'not-found'; id: string };

/**
 * Cancels a job (or removes a schedule, by its id). A running job's worker cancels the model response
 * and releases held input, as Ctrl+C does a local run; the job then ends failed, "cancelled", and is not
 * retried. Waits up to `waitMs` for that end.
 */
export async function cancelJob(redis: string, queueName: string | undefined, id: string, waitMs = 30_000) {
  return withQueue(redis, queueName, async (queue): Promise<CancelOutcome> => {
    if (await queue.getJobScheduler(id)) {
      await queue.removeJobScheduler(id);
      return { what: 'schedule-removed', id };
    }
    const job = await queue.getJob(id);
    if (!job) return { what: 'not-found', id };
    const state = await job.getState();
    if (state === 'completed' || state === 'failed') return { what: 'finished', job: summarize(job, state) };
    const client = new Redis(redis, { maxRetriesPerRequest: 1 });
    client.on('error', () => {});
    try {
      // The mark first: a worker about to start the job sees it; a running one hears the call.
      await client.set(cancelKey(queue.name, id), '1', 'EX', CANCEL_MARK_SECONDS);
      if (state !== 'active') {
        try {
          await job.remove();
          return { what: 'removed', job: summarize(job, state) };
        } catch {
          // Taken by a worker meanwhile (its lock keeps it): cancel it running.
        }
      }
      await client.publish(cancelChannel(queue.name), id);
    } finally {
      client.disconnect();
    }
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      const now = await queue.getJobState(id);
      if (now === 'completed' || now === 'failed') {
        const ended = (await queue.getJob(id)) as Job;
        return { what: 'cancelled', job: summarize(ended, now) };
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { what: 'still-running', job: summarize((await queue.getJob(id)) ?? job, 'active') };
  });
}

/**
 * Follows a job: every run event it has logged so far, then the new ones as they come (each attempt's
 * run from its `run.started`), until the job is completed or failed. Resolves with its summary, or
 * undefined when there is no such job.
 */
export async function watchJob(
  redis: string,
  queueName: string | undefined,
  id: string,
  onEvent: (event: RunEvent, attempt: number) => void,
  pollMs = 150,
): Promise<JobSummary | undefined> {
  return withQueue(redis, queueName, async (queue) => {
    let seen = 0;
    for (;;) {
      // The state before the logs: a job that ended has written all its logs.
      const state = await queue.getJobState(id);
      if (state === 'unknown') return undefined;
      const { logs } = await queue.getJobLogs(id, seen, -1, true);
      for (const text of logs) {
        seen++;
        let parsed;
        try {
          parsed = JobLogLineSchema.safeParse(JSON.parse(text));
        } catch {
          continue;
        }
        if (parsed.success) onEvent(parsed.data.event as unknown as RunEvent, parsed.data.attempt);
      }
      if (state === 'completed' || state === 'failed') {
        const job = await queue.getJob(id);
        return job ? summarize(job, state) : undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  });
}
