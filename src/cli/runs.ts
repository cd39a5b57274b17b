import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { parseDuration, pruneRuns } from '../report/prune.js';
import { listRuns, type RunListing } from '../report/runs.js';
import { defaultRecordRoot } from '../trajectory/record-root.js';
import { UsageError } from './exit-codes.js';
import { stderr, stdout } from './output.js';

interface RunsArgs {
  json: boolean;
  failed: boolean;
  limit: number;
  recordRoot?: string;
}

/** A run failed when it finished with a non-zero exit, or never finished (killed). */
export const failed = (run: RunListing) => run.exitCode !== 0;

async function runs(args: ArgumentsCamelCase<RunsArgs>): Promise<void> {
  const root = args.recordRoot ?? defaultRecordRoot();
  const all = await listRuns(root);
  if (all.length === 0) stderr.write(`deskhand: no run records under ${root}\n`);
  const shown = (args.failed ? all.filter(failed) : all).slice(0, args.limit);
  if (args.json) {
    for (const run of shown) stdout.write(`${JSON.stringify(run)}\n`);
    return;
  }
  for (const run of shown) stdout.write(`${line(run)}\n`);
}

/** when, outcome (exit), actions, duration, task, record path: one line, the task cut to fit. */
export function line(run: RunListing): string {
  const when = run.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  const outcome =
    run.state === 'finished'
      ? `${run.outcome ?? '?'} (exit ${run.exitCode ?? '?'})`
      : run.state === 'unknown'
        ? 'running/killed'
        : run.state;
  const actions = run.actions === undefined ? '-' : `${run.actions} actions`;
  const took = run.durationMs === undefined ? '-' : `${(run.durationMs / 1000).toFixed(1)}s`;
  const task = run.task.replace(/\s+/g, ' ');
  const cut = task.length > 40 ? `${task.slice(0, 39)}…` : task;
  return [
    when,
    outcome.padEnd(22),
    actions.padStart(11),
    took.padStart(7),
    JSON.stringify(cut),
    run.dir,
  ].join('  ');
}

interface PruneArgs {
  keep?: number;
  olderThan?: string;
  dryRun: boolean;
  json: boolean;
  recordRoot?: string;
}

async function prune(args: ArgumentsCamelCase<PruneArgs>): Promise<void> {
  if (args.keep === undefined && args.olderThan === undefined)
    throw new UsageError('runs prune: say what to remove, e.g. --keep 20 or --older-than 30d (or both)');
  if (args.keep !== undefined && !(Number.isInteger(args.keep) && args.keep >= 0))
    throw new UsageError(`--keep ${args.keep}: expected a whole number of runs to keep, 0 or more`);
  const olderThanMs = args.olderThan === undefined ? undefined : parseDuration(args.olderThan);
  if (args.olderThan !== undefined && olderThanMs === undefined)
    throw new UsageError(
      `--older-than ${JSON.stringify(args.olderThan)}: expected a number and a unit, e.g. 30d, 12h, 90m, 2w`,
    );
  const root = args.recordRoot ?? defaultRecordRoot();
  const result = await pruneRuns(root, { keep: args.keep, olderThanMs, dryRun: args.dryRun });
  const verb = args.dryRun ? 'would remove' : 'removed';
  for (const run of result.removed)
    stdout.write(
      args.json ? `${JSON.stringify({ ...run, removed: !args.dryRun })}\n` : `${verb} ${line(run)}\n`,
    );
  for (const run of result.running)
    stderr.write(
      `kept (it may still be running: ${run.state === 'running' ? `pid ${run.pid ?? '?'}` : 'its record cannot say'}) ${run.dir}\n`,
    );
  const bytes = result.removed.reduce((sum, run) => sum + run.bytes, 0);
  stderr.write(
    `deskhand: ${verb} ${result.removed.length} run${result.removed.length === 1 ? '' : 's'} (${(bytes / 1e6).toFixed(1)} MB), kept ${result.kept}\n`,
  );
}

const pruneCommand: CommandModule<object, PruneArgs> = {
  command: 'prune',
  describe: 'Remove old run records (never one still running); prints each one removed',
  builder: (yargs: Argv) =>
    yargs
      .option('keep', { type: 'number', describe: 'keep the newest N runs' })
      .option('older-than', {
        type: 'string',
        describe: 'remove runs started longer ago than this (30d, 12h, 2w); with --keep, a run must be both',
      })
      .option('dry-run', {
        type: 'boolean',
        default: false,
        describe: 'say what would be removed, remove nothing',
      })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON object per run removed' })
      .option('record-root', {
        type: 'string',
        describe: 'the folder of run records (default: $XDG_STATE_HOME/deskhand/runs)',
      }) as unknown as Argv<PruneArgs>,
  handler: prune,
};

export const runsCommand: CommandModule<object, RunsArgs> = {
  command: 'runs',
  describe: 'List recent runs, newest first: when, outcome, actions, duration, task, record folder',
  builder: (yargs: Argv) =>
    yargs
      .command(pruneCommand as unknown as CommandModule)
      .option('json', { type: 'boolean', default: false, describe: 'one JSON object per run' })
      .option('failed', {
        type: 'boolean',
        default: false,
        describe: 'only runs that did not exit 0 (or never finished)',
      })
      .option('limit', { type: 'number', default: 20, describe: 'at most this many runs' })
      .option('record-root', {
        type: 'string',
        describe: 'the folder of run records (default: $XDG_STATE_HOME/deskhand/runs)',
      }) as unknown as Argv<RunsArgs>,
  handler: runs,
};
