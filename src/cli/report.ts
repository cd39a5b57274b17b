import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { findRun, RunNotFoundError } from '../report/runs.js';
import { defaultRecordRoot } from '../trajectory/record-root.js';
import { UsageError } from './exit-codes.js';
import { stderr, stdout } from './output.js';

interface ReportArgs {
  run?: string;
  open: boolean;
  gif: boolean;
  webp: boolean;
  recordRoot?: string;
}

/** The record folder a RUN names, a RunNotFoundError made a usage error (exit 2). */
export async function recordFor(run: string | undefined, root: string): Promise<string> {
  try {
    return await findRun(run, root);
  } catch (error) {
    if (error instanceof RunNotFoundError) throw new UsageError(error.message);
    throw error;
  }
}

async function report(args: ArgumentsCamelCase<ReportArgs>): Promise<void> {
  const dir = await recordFor(args.run, args.recordRoot ?? defaultRecordRoot());
  // Loaded here, not at the top: the page's schemas and the animation's sharp take a while to load.
  const { writeAnimation, writeReport } = await import('../report/index.js');
  const url = pathToFileURL(await writeReport(dir)).href;
  stdout.write(`${url}\n`);
  // The animation's path on a line of its own, after the page's URL.
  for (const format of ['gif', 'webp'] as const)
    if (args[format]) stdout.write(`${await writeAnimation(dir, { format })}\n`);
  if (args.open) openInBrowser(url);
}

/** Hands the page to the desktop's browser (xdg-open); says so when there is none. */
function openInBrowser(url: string): void {
  const child = spawn('xdg-open', [url], { detached: true, stdio: 'ignore' });
  child.on('error', () => stderr.write(`deskhand: cannot run xdg-open; open ${url} in a browser\n`));
  child.unref();
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report [run]',
  describe: "Write a run's report.html (an offline page of its steps and screenshots) and print its URL",
  builder: (yargs: Argv) =>
    yargs
      .positional('run', {
        type: 'string',
        describe: 'a run id, a prefix of one, or a record folder (default: the latest run)',
      })
      .option('open', { type: 'boolean', default: false, describe: 'open the report in the browser' })
      .option('gif', {
        type: 'boolean',
        default: false,
        describe: 'also write run.gif: the steps animated, with their markers (for a PR or a bug report)',
      })
      .option('webp', {
        type: 'boolean',
        default: false,
        describe: 'also write run.webp, the same as an animated WebP',
      })
      .option('record-root', {
        type: 'string',
        describe: 'the folder of run records (default: $XDG_STATE_HOME/deskhand/runs)',
      }) as unknown as Argv<ReportArgs>,
  handler: report,
};
