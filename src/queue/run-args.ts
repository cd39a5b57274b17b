import type { RunOptions } from './job-data.js';

/**
 * The command line of the `deskhand run` that performs a job on a slot's display: the job's options as
 * given to `enqueue`, then what the slot decides (its display, --json for the events, the task on
 * stdin). `--name=value` keeps a value that starts with a dash a value.
 */
export function runArgv(options: RunOptions, slot: { display: string; recordRoot?: string }): string[] {
  const argv = ['run'];
  for (const [name, value] of Object.entries(options)) {
    if (value === true) argv.push(`--${name}`);
    else if (value === false) argv.push(`--no-${name}`);
    else if (Array.isArray(value)) for (const item of value) argv.push(`--${name}=${item}`);
    else argv.push(`--${name}=${value}`);
  }
  if (options.record === undefined && slot.recordRoot) argv.push(`--record=${slot.recordRoot}`);
  argv.push(`--display=${slot.display}`, '--json', '--task-file=-');
  return argv;
}
