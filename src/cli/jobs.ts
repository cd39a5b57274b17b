import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { JobSummary, ScheduleSummary } from '../queue/jobs.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { stderr, stdout } from './output.js';
import { againstRedis, checkedRedis, type QueueArgs, withQueueOptions } from './queue-options.js';
import { createRunPrinter } from './run-output.js';

interface JobsArgs extends QueueArgs {
  action: 'list' | 'cancel' | 'watch';
  id?: string;
  limit: number;
  json: boolean;
  timeout: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const clock = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
const oneLine = (text: string, max = 100) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** A job in a few lines: what, where, how it ended, and where its record is. */
export function describeJob(job: JobSummary): string {
  const result = job.result;
  const ending = result
    ? `${result.outcome} (exit ${result.exitCode})`
    : job.state === 'failed'
      ? 'failed'
      : '';
  const where = job.worker ? ` on ${job.worker}${job.display ? ` ${job.display}` : ''}` : '';
  const took = result ? `, ${seconds(result.durationMs)}` : '';
  const tries = job.attempts > 1 ? `, ${job.attempts} attempts` : '';
  const lines = [`job ${job.id}  ${job.state}${ending ? `  ${ending}` : ''}${where}${took}${tries}`];
  if (job.task !== undefined) lines.push(`  task    ${oneLine(job.task)}`);
  if (result?.answer) lines.push(`  answer  ${oneLine(result.answer)}`);
  const reason = result?.message ?? job.failedReason;
  if (reason && result?.outcome !== 'success') lines.push(`  why     ${oneLine(job.failedReason || reason)}`);
  if (result?.recordDir) lines.push(`  record  ${result.recordDir}`);
  if (job.schedule) lines.push(`  from    schedule ${job.schedule}`);
  return lines.join('\n');
}

function describeSchedule(schedule: ScheduleSummary): string {
  const when = schedule.every
    ? `every ${schedule.every / 1000} s`
    : `"${schedule.pattern}"${schedule.tz ? ` ${schedule.tz}` : ''}`;
  const next = schedule.next ? `, next ${clock(schedule.next)}` : '';
  const count = schedule.count !== undefined ? `, ${schedule.count} job(s) so far` : '';
  return `schedule ${schedule.id}  ${when}${next}${count}\n  task    ${oneLine(schedule.task ?? '?')}`;
}

/**
 * Shows a job's run as `deskhand run` shows a local one (the same lines, or NDJSON with --json) until it
 * ends; returns its exit code: the run's, or 1 when it ended with no run result (cancelled before it
 * started, its worker died too often).
 */
export async function followJob(args: QueueArgs, shown: string, id: string, json: boolean): Promise<number> {
  const printer = createRunPrinter({
    mode: json ? 'json' : process.stderr.isTTY ? 'tty' : 'plain',
    stdout,
    stderr,
    color: process.stderr.isTTY && !process.env.NO_COLOR,
  });
  let lastAttempt = 0;
  const { watchJob } = await import('../queue/jobs.js');
  const job = await againstRedis(args, shown, () =>
    watchJob(args.redis, args.queue, id, (event, attempt) => {
      if (!json && attempt !== lastAttempt && lastAttempt !== 0) stderr.write(`attempt ${attempt}:\n`);
      lastAttempt = attempt;
      printer.print(event);
    }),
  );
  printer.close();
  if (!job) throw new Error(`no job ${id} in queue "${args.queue}" (deskhand jobs lists them)`);
  if (json) stdout.write(`${JSON.stringify({ type: 'job.finished', ...job })}\n`);
  else stderr.write(`${describeJob(job)}\n`);
  return job.result?.exitCode ?? (job.state === 'completed' ? 0 : ExitCode.failed);
}

async function jobs(args: JobsArgs): Promise<number> {
  const shown = checkedRedis(args);
  if (args.action !== 'list' && !args.id) throw new UsageError(`deskhand jobs ${args.action} needs a job id`);
  const id = args.id as string;
  // Loaded here: BullMQ takes a while to load, and the other commands need none of it.
  const { cancelJob, listJobs } = await import('../queue/jobs.js');
  if (args.action === 'watch') return followJob(args, shown, id, args.json);
  if (args.action === 'cancel') {
    const outcome = await againstRedis(args, shown, () =>
      cancelJob(args.redis, args.queue, id, args.timeout * 1000),
    );
    if (args.json) stdout.write(`${JSON.stringify(outcome)}\n`);
    switch (outcome.what) {
      case 'not-found':
        stderr.write(
          `deskhand: no job or schedule ${id} in queue "${args.queue}" (deskhand jobs lists them)\n`,
        );
        return ExitCode.failed;
      case 'schedule-removed':
        if (!args.json) stdout.write(`schedule ${id} removed: it adds no more jobs\n`);
        return 0;
      case 'removed':
        if (!args.json) stdout.write(`job ${id} removed from the queue before it started\n`);
        return 0;
      case 'finished':
        if (!args.json) stdout.write(`job ${id} had already ended:\n${describeJob(outcome.job)}\n`);
        return 0;
      case 'cancelled':
        if (!args.json) stdout.write(`job ${id} cancelled:\n${describeJob(outcome.job)}\n`);
        return 0;
      case 'still-running':
        stderr.write(
          `deskhand: job ${id} did not end within ${args.timeout} s of the cancel; its worker may be gone (the stalled check will fail or requeue it)\n`,
        );
        return ExitCode.failed;
    }
  }
  const listing = await againstRedis(args, shown, () => listJobs(args.redis, args.queue, args.limit));
  if (args.json) {
    stdout.write(`${JSON.stringify(listing, null, 2)}\n`);
    return 0;
  }
  const counts = Object.entries(listing.counts)
    .map(([state, count]) => `${count} ${state}`)
    .join(', ');
  stdout.write(`queue "${args.queue}" at ${shown}: ${counts}\n`);
  for (const job of listing.jobs) stdout.write(`\n${describeJob(job)}\n`);
  for (const schedule of listing.schedules) stdout.write(`\n${describeSchedule(schedule)}\n`);
  return 0;
}

export const jobsCommand: CommandModule<object, JobsArgs> = {
  command: 'jobs [action] [id]',
  describe:
    'The queue: jobs and schedules (list), follow a job (watch ID), cancel a job or schedule (cancel ID)',
  builder: (yargs: Argv) =>
    withQueueOptions(yargs)
      .positional('action', {
        choices: ['list', 'cancel', 'watch'] as const,
        default: 'list' as const,
        describe: 'list (default), watch ID, or cancel ID',
      })
      .positional('id', { type: 'string', describe: 'a job id, or for cancel a schedule id' })
      .option('limit', { type: 'number', default: 20, describe: 'list: the newest N jobs of each state' })
      .option('timeout', {
        type: 'number',
        default: 30,
        describe: 'cancel: seconds to wait for the running job to end',
      })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'JSON output (watch: the run events as NDJSON, as deskhand run --json)',
      }) as unknown as Argv<JobsArgs>,
  handler: async (args: ArgumentsCamelCase<JobsArgs>) => {
    process.exitCode = await jobs(args);
  },
};
