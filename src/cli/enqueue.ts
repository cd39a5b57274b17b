import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { ArgumentsCamelCase, Argv, CommandModule, Options } from 'yargs';
import { FORBIDDEN_OPTIONS } from '../queue/forbidden-options.js';
import type { RunOptions } from '../queue/job-data.js';
import { UsageError } from './exit-codes.js';
import { stderr, stdout } from './output.js';
import { againstRedis, checkedRedis, type QueueArgs, withQueueOptions } from './queue-options.js';
import { runCommand } from './run.js';
import { followJob } from './jobs.js';

interface EnqueueArgs extends QueueArgs {
  task?: string;
  taskFile?: string;
  every?: string;
  tz?: string;
  id?: string;
  attempts: number;
  wait: boolean;
  json: boolean;
  [option: string]: unknown;
}

/** `run` options that are the enqueuer's own business, not the job's. */
const NOT_JOB_OPTIONS = new Set(['task-file', 'json', 'max-steps']);

/** The `run` options a job may carry: every one of run's but those FORBIDDEN_OPTIONS explains. */
function jobOptionNames(): string[] {
  const names: string[] = [];
  declaredRunOptions((name) => names.push(name));
  return names.filter((name) => !NOT_JOB_OPTIONS.has(name) && !(name in FORBIDDEN_OPTIONS));
}

/**
 * Declares run's options on `yargs` (through `declare`), without their defaults: a job keeps only what
 * was given, and the worker's `deskhand run` applies every default.
 */
function declaredRunOptions(declare: (name: string, options: Options) => void): void {
  const probe: Record<string, unknown> = {};
  const proxy: unknown = new Proxy(probe, {
    get(_target, property) {
      if (property === 'option' || property === 'options')
        return (name: string, options: Options) => {
          declare(name, options);
          return proxy;
        };
      return () => proxy;
    },
  });
  (runCommand.builder as (yargs: Argv) => unknown)(proxy as Argv);
}

function withJobOptions(yargs: Argv): Argv {
  const allowed = new Set(jobOptionNames());
  declaredRunOptions((name, options) => {
    const { default: _default, ...rest } = options;
    void _default;
    if (allowed.has(name)) yargs.option(name, { ...rest, group: 'deskhand run options, for the job:' });
    // Known but refused, so that the refusal can say why (FORBIDDEN_OPTIONS) rather than "unknown option".
    else if (name in FORBIDDEN_OPTIONS && !NOT_JOB_OPTIONS.has(name))
      yargs.option(name, { ...rest, hidden: true });
  });
  return yargs;
}

/** The job's run options: those given, by dashed name (refused ones too: enqueue says why). */
function jobOptions(args: EnqueueArgs): RunOptions {
  const options: RunOptions = {};
  const refused = Object.keys(FORBIDDEN_OPTIONS).filter((name) => !NOT_JOB_OPTIONS.has(name));
  for (const name of [...jobOptionNames(), ...refused]) {
    const value = args[name];
    if (value !== undefined) options[name] = value as RunOptions[string];
  }
  return options;
}

function readTask(args: EnqueueArgs): string {
  if (args.taskFile !== undefined && args.task !== undefined)
    throw new UsageError('give the task either as an argument or with --task-file, not both');
  if (args.taskFile === undefined) return args.task ?? '';
  try {
    return readFileSync(args.taskFile === '-' ? 0 : args.taskFile, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--task-file ${args.taskFile}: cannot read it (${(error as NodeJS.ErrnoException).code})`,
    );
  }
}

async function enqueueTask(args: EnqueueArgs): Promise<number> {
  const shown = checkedRedis(args);
  const task = readTask(args);
  if (!task.trim())
    throw new UsageError('the task is empty: say what to do, e.g. deskhand enqueue "Export the report"');
  if (args.wait && args.every)
    throw new UsageError('--wait waits for one job: it cannot be used with --every');
  if ((args.tz || args.id) && !args.every)
    throw new UsageError('--tz and --id are for a schedule: add --every');
  // Loaded here: BullMQ takes a while to load, and the other commands need none of it.
  const { enqueue } = await import('../queue/enqueue.js');
  const added = await againstRedis(args, shown, () =>
    enqueue({
      redis: args.redis,
      queue: args.queue,
      task,
      options: jobOptions(args),
      attempts: args.attempts,
      schedule: args.every ? { every: args.every, tz: args.tz, id: args.id } : undefined,
      enqueuedBy: `${os.userInfo().username}@${os.hostname()}`,
    }),
  );
  if (added.kind === 'schedule') {
    if (args.json) stdout.write(`${JSON.stringify(added)}\n`);
    else {
      stdout.write(`${added.id}\n`);
      const when = added.every
        ? `every ${added.every / 1000} s`
        : `on "${added.pattern}"${added.tz ? ` (${added.tz})` : ''}`;
      const next = added.next ? `, next at ${new Date(added.next).toISOString()}` : '';
      stderr.write(
        `schedule ${added.id}: a job ${when}${next}; remove it with deskhand jobs cancel ${added.id}\n`,
      );
    }
    return 0;
  }
  if (!args.wait) {
    stdout.write(args.json ? `${JSON.stringify(added)}\n` : `${added.id}\n`);
    return 0;
  }
  if (args.json) stdout.write(`${JSON.stringify(added)}\n`);
  else stderr.write(`job ${added.id} queued on "${args.queue}"; waiting for it\n`);
  return followJob(args, shown, added.id, args.json);
}

export const enqueueCommand: CommandModule<object, EnqueueArgs> = {
  command: 'enqueue [task]',
  describe: 'Queue a task for the workers (or a schedule with --every); prints the job id',
  builder: (yargs: Argv) =>
    withJobOptions(
      withQueueOptions(yargs)
        .positional('task', { type: 'string', describe: 'what to do, in words (quoted: one argument)' })
        .option('task-file', { type: 'string', describe: 'read the task from a file (- for stdin)' })
        .option('every', {
          type: 'string',
          describe:
            'repeat on a cron pattern ("0 7 * * 1-5"; 6 fields: with seconds) or an interval (30s, 5m, 1h)',
        })
        .option('tz', { type: 'string', describe: 'the time zone of the --every pattern, e.g. Europe/Paris' })
        .option('id', {
          type: 'string',
          describe: 'the schedule id (default: generated); the same id replaces it',
        })
        .option('attempts', {
          type: 'number',
          default: 1,
          describe: 'runs before the job counts as failed (retries wait 5 s, then 10, 20...)',
        })
        .option('wait', {
          type: 'boolean',
          default: false,
          describe: "wait for the job, show its progress, and exit with the job's exit code",
        })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'JSON output: the job id as {"kind","id"}; with --wait, then its run events (NDJSON)',
        }),
    ) as unknown as Argv<EnqueueArgs>,
  handler: async (args: ArgumentsCamelCase<EnqueueArgs>) => {
    process.exitCode = await enqueueTask(args);
  },
};
