import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DisplayError } from '../../native-adapters/display.js';
import { DisplayBusyError } from '../../native-adapters/display-lock.js';
import { ActionError } from '../protocol/errors.js';
import { actCommand } from './act.js';
import { calibrateCommand } from './calibrate.js';
import { demoCommand } from './demo.js';
import { enqueueCommand } from './enqueue.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { jobsCommand } from './jobs.js';
import { guardOutput, stderr } from './output.js';
import { apiKeysIn, protectSecrets, redactProcessOutput } from './redacted-output.js';
import { cancelCommand, deleteCommand, getCommand } from './responses.js';
import { mcpCommand } from './mcp.js';
import { checkOptions } from './option-rules.js';
import { replayCommand } from './replay.js';
import { policyCommand } from './policy.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';
import { runsCommand } from './runs.js';
import { screenshotCommand } from './screenshot.js';
import { workerCommand } from './worker.js';
import { optionsOf, readSettings, settingsFor, unknownSettings } from './settings.js';
import { deskhandVersion } from './version.js';

/** The exit code of an error that ends a command: 2 for "you asked for something we cannot do as asked". */
function exitCodeOf(error: unknown): number {
  if (error instanceof DisplayBusyError) return ExitCode.displayBusy;
  const usage = error instanceof UsageError || error instanceof ActionError || error instanceof DisplayError;
  return usage ? ExitCode.usage : ExitCode.failed;
}

const COMMANDS: CommandModule<object, never>[] = [
  runCommand,
  demoCommand,
  actCommand,
  screenshotCommand,
  calibrateCommand,
  getCommand,
  cancelCommand,
  deleteCommand,
  reportCommand,
  runsCommand,
  workerCommand,
  enqueueCommand,
  jobsCommand,
  mcpCommand,
  replayCommand,
  policyCommand,
] as unknown as CommandModule<object, never>[];

/** The command named on the command line (the first word that is not an option or --config's file). */
function commandIn(argv: readonly string[]): CommandModule | undefined {
  const words = argv.filter((arg, index) => !arg.startsWith('-') && argv[index - 1] !== '--config');
  return COMMANDS.find((command) => String(command.command).split(' ')[0] === words[0]) as
    CommandModule | undefined;
}

/**
 * `--xvfb` takes an optional size: `run --xvfb "Open the settings"` must not read the task as the
 * size, so a bare --xvfb followed by anything but a WxH size is made `--xvfb=` (the default size); and
 * `--out -` means stdout.
 */
export function withBareFlags(argv: readonly string[]): string[] {
  const result: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const next = argv[index + 1];
    if (arg === '--xvfb' && !/^\d+x\d+$/.test(next ?? '')) result.push('--xvfb=');
    else if (arg === '-' && argv[0] === 'act') result.push('--stdin');
    else if (TAKES_DASH.includes(arg) && next === '-') {
      // yargs reads a lone "-" as a positional argument, never as an option's value.
      result.push(`${arg}=-`);
      index++;
    } else result.push(arg);
  }
  return result;
}

/** Options whose value may be "-" (stdout or stdin). */
const TAKES_DASH = ['--out', '--task-file'];

/** A clearer word for yargs' complaints about the command line, where we can give one. */
function explain(message: string, argv: readonly string[], command: CommandModule | undefined): string {
  const name = command ? String(command.command).split(' ')[0] : undefined;
  const unknown = /^Unknown arguments?: (.*)$/.exec(message)?.[1]?.split(', ');
  if (unknown) {
    // Words the user typed as options are unknown options; bare words after a task are the task's rest.
    const flags = unknown.filter((word) =>
      argv.some((arg) => arg === `--${word}` || arg.startsWith(`--${word}=`)),
    );
    if (flags.length > 0)
      return `unknown option ${flags.map((flag) => `--${flag}`).join(', ')} (deskhand ${name ?? ''} --help lists the options)`;
    if (name === 'run')
      return `the task must be one argument: quote it, e.g. deskhand run "Open the settings" (${message})`;
  }
  if (command && /^Not enough non-option arguments/.test(message)) {
    const known = optionsOf(command);
    const unknown = argv.find(
      (arg) => arg.startsWith('--') && !known.has(arg.slice(2).split('=')[0]!.replace(/^no-/, '')),
    );
    if (unknown) return `unknown option ${unknown} (deskhand ${name} --help lists the options)`;
  }
  return message;
}

export async function main(rawArgv: string[] = hideBin(process.argv)): Promise<void> {
  // First: a closed stdout or stderr (| head) must end the command, never crash or spin (output.ts);
  // and no secret may reach either (redacted-output.ts).
  guardOutput();
  redactProcessOutput();
  protectSecrets(apiKeysIn(rawArgv, process.env));
  const argv = withBareFlags(rawArgv);
  const command = commandIn(argv);
  let settings: Record<string, unknown> = {};
  try {
    const found = readSettings(argv, process.env);
    for (const setting of unknownSettings(COMMANDS as CommandModule[], found))
      stderr.write(`deskhand: ${setting.source}: no command has an option "${setting.option}"; ignored\n`);
    if (command) settings = settingsFor(command, found);
  } catch (error) {
    stderr.write(`deskhand: ${(error as Error).message}\n`);
    process.exit(ExitCode.usage);
  }
  const cli = yargs(argv)
    .scriptName('deskhand')
    .usage(
      '$0 <command> [options]\n\nA desktop computer-use agent runtime: it sees the screen and acts on it.',
    )
    .command(COMMANDS)
    // `deskhand completion >> ~/.bashrc` (or ~/.zshrc); the script calls deskhand --get-yargs-completions.
    .completion('completion', 'Print a bash/zsh completion script: deskhand completion >> ~/.bashrc')
    .option('config', {
      type: 'string',
      describe: 'a JSON file of options, e.g. {"provider": "openai", "maxTurns": 20}',
    })
    // Options also come from DESKHAND_* variables and config files; each command takes its own.
    .config(settings)
    .check((parsed) => {
      const problem = checkOptions(parsed);
      if (problem) throw new UsageError(problem);
      return true;
    })
    .demandCommand(1, 'name a command (deskhand --help lists them)')
    .recommendCommands()
    .strict()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((message, error) => {
      if (error) throw error;
      stderr.write(
        `deskhand: ${explain(message, argv, command)}\nRun deskhand --help for the commands and options.\n`,
      );
      process.exit(ExitCode.usage);
    })
    .help()
    .version(deskhandVersion());
  try {
    await cli.parseAsync();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // The display advice of the native layer, completed for the commands that can start their own.
    const xvfb =
      error instanceof DisplayError &&
      command &&
      optionsOf(command).has('xvfb') &&
      !message.includes('--xvfb');
    stderr.write(`deskhand: ${message}${xvfb ? ' Or pass --xvfb to start a private one.' : ''}\n`);
    process.exit(exitCodeOf(error));
  }
}
