import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { listRuns, type RunListing } from '../report/index.js';
import { defaultRecordRoot } from '../trajectory/index.js';
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
    run.status === 'running' ? 'running/killed' : `${run.outcome ?? '?'} (exit ${run.exitCode ?? '?'})`;
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

export const runsCommand: CommandModule<object, RunsArgs> = {
  command: 'runs',
  describe: 'List recent runs, newest first: when, outcome, actions, duration, task, record folder',
  builder: (yargs: Argv) =>
    yargs
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
