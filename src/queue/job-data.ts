import { z } from 'zod';

/**
 * What deskhand keeps in Redis for a job: the task and its `run` options (data), what it ended with
 * (result), and its live progress. The zod schemas are the one source of these shapes: the enqueuer
 * writes them, the worker and `deskhand jobs` read them back through the same schemas, so a job written
 * by another version, or by hand, is an error that names the field, never a silent misread.
 */

export { DEFAULT_QUEUE } from './connection.js';

/** The BullMQ job name of every deskhand job (BullMQ wants one; the queue holds only these). */
export const JOB_NAME = 'run';

/** A `run` option's value as the command line gives it: `--max-turns 5`, `--no-stream`, `--secret A --secret B`. */
export const OptionValueSchema = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);

/**
 * `deskhand run` options by their dashed names, as given to `deskhand enqueue` (only those given: the
 * worker's `run` applies every default). Never an API key, a display or the output mode: the worker's
 * environment holds the key, its slots own the displays, and it reads the run as `--json`.
 */
export const RunOptionsSchema = z.record(z.string().regex(/^[a-z][a-z0-9-]*$/), OptionValueSchema);
export type RunOptions = z.infer<typeof RunOptionsSchema>;

export { FORBIDDEN_OPTIONS } from './forbidden-options.js';

export const JobDataSchema = z.object({
  /** The task, in words. */
  task: z.string().min(1),
  options: RunOptionsSchema.default({}),
  /** Who enqueued it (user@host), for `deskhand jobs`. */
  enqueuedBy: z.string().optional(),
});
export type JobData = z.infer<typeof JobDataSchema>;

/** What a finished run of a job ended with: the same facts `deskhand run` gives, and where it ran. */
export const JobResultSchema = z.object({
  exitCode: z.number().int(),
  /** The run's outcome (success, failure, limit, cancelled, ...), or `not_started`. */
  outcome: z.string(),
  /** The model's answer. */
  answer: z.string().optional(),
  /** Why it ended, in words. */
  message: z.string().optional(),
  recordDir: z.string().optional(),
  display: z.string().optional(),
  worker: z.string(),
  slot: z.number().int(),
  durationMs: z.number(),
  steps: z.number().int().optional(),
  turns: z.number().int().optional(),
});
export type JobResult = z.infer<typeof JobResultSchema>;

/**
 * A job's progress: the newest run event of its current attempt (the same events `deskhand run --json`
 * prints), numbered, with where the attempt runs; the last one carries the result.
 */
export const JobProgressSchema = z.object({
  seq: z.number().int(),
  attempt: z.number().int(),
  worker: z.string(),
  slot: z.number().int(),
  display: z.string(),
  event: z.record(z.string(), z.unknown()).and(z.object({ type: z.string() })),
  result: JobResultSchema.optional(),
});
export type JobProgress = z.infer<typeof JobProgressSchema>;

/** One line of a job's log (a Redis list, in order across attempts): a run event, what `jobs watch` replays. */
export const JobLogLineSchema = z.object({
  attempt: z.number().int(),
  event: z.record(z.string(), z.unknown()).and(z.object({ type: z.string() })),
});
export type JobLogLine = z.infer<typeof JobLogLineSchema>;
