import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { QueueConfigError, redisTarget } from './connection.js';
import {
  DEFAULT_QUEUE,
  FORBIDDEN_OPTIONS,
  JOB_NAME,
  type JobData,
  JobDataSchema,
  type RunOptions,
} from './job-data.js';

export interface EnqueueOptions {
  redis: string;
  queue?: string;
  task: string;
  /** `deskhand run` options by dashed name, as given. */
  options?: RunOptions;
  /** Runs before the job counts as failed (default 1); retries wait 5 s, doubling. */
  attempts?: number;
  /** A repeating schedule instead of one job. */
  schedule?: { every: string; tz?: string; id?: string };
  enqueuedBy?: string;
}

export type Enqueued =
  | { kind: 'job'; id: string }
  | { kind: 'schedule'; id: string; every?: number; pattern?: string; tz?: string; next?: number };

/** Kept per queue so Redis does not grow without end under a schedule (the newest are shown by `jobs`). */
const KEEP = { removeOnComplete: { count: 1000 }, removeOnFail: { count: 5000 } };

/** "30s", "5m", "1h", "500ms" as milliseconds; undefined for anything else (then it is a cron pattern). */
export function parseInterval(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}

/** The job's data, checked: no option a job may not carry, secrets by name only. */
export function jobData(task: string, options: RunOptions = {}, enqueuedBy?: string): JobData {
  for (const name of Object.keys(options)) {
    const why = FORBIDDEN_OPTIONS[name];
    if (why) throw new QueueConfigError(`--${name} cannot be part of a job: ${why}`);
  }
  const secrets = options.secret === undefined ? [] : [options.secret].flat();
  for (const name of secrets.map(String)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new QueueConfigError(
        `--secret ${JSON.stringify(name)}: expected the name of an environment variable of the worker, e.g. --secret LOGIN_PASSWORD (the value is never put in the queue)`,
      );
  }
  if (!task.trim())
    throw new QueueConfigError(
      'the task is empty: say what to do, e.g. deskhand enqueue "Export the report"',
    );
  return JobDataSchema.parse({ task, options, enqueuedBy });
}

/** Adds one job, or a repeating schedule (a BullMQ job scheduler), and says what it added. */
export async function enqueue(options: EnqueueOptions): Promise<Enqueued> {
  const data = jobData(options.task, options.options, options.enqueuedBy);
  const attempts = options.attempts ?? 1;
  if (!Number.isInteger(attempts) || attempts < 1)
    throw new QueueConfigError(`--attempts must be a whole number, 1 or more; got ${attempts}`);
  const jobOptions = { attempts, backoff: { type: 'exponential', delay: 5000 }, ...KEEP };
  const queue = new Queue<JobData>(options.queue ?? DEFAULT_QUEUE, {
    connection: redisTarget(options.redis, 'client').connection,
  });
  queue.on('error', () => {});
  try {
    if (!options.schedule) {
      const job = await queue.add(JOB_NAME, data, jobOptions);
      return { kind: 'job', id: job.id as string };
    }
    const { every: text, tz } = options.schedule;
    const every = parseInterval(text);
    if (every !== undefined && every < 1000)
      throw new QueueConfigError(`--every ${text}: a schedule runs at most once a second`);
    if (every === undefined && !/^\S+(\s+\S+){4,5}$/.test(text.trim()))
      throw new QueueConfigError(
        `--every ${JSON.stringify(text)}: expected a cron pattern ("0 7 * * 1-5", or with seconds "*/30 * * * * *") or an interval (30s, 5m, 1h)`,
      );
    const id = options.schedule.id ?? `schedule-${randomUUID().slice(0, 8)}`;
    const repeat = every !== undefined ? { every } : { pattern: text.trim(), ...(tz ? { tz } : {}) };
    try {
      await queue.upsertJobScheduler(id, repeat, { name: JOB_NAME, data, opts: jobOptions });
    } catch (error) {
      // cron-parser's complaint about a pattern or a time zone.
      throw new QueueConfigError(
        `--every ${JSON.stringify(text)}${tz ? ` --tz ${tz}` : ''}: ${(error as Error).message}`,
      );
    }
    const scheduler = await queue.getJobScheduler(id);
    return {
      kind: 'schedule',
      id,
      ...(every !== undefined ? { every } : { pattern: text.trim(), tz }),
      next: scheduler?.next,
    };
  } finally {
    await queue.close();
  }
}
