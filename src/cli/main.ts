import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DisplayError } from '../../native-adapters/display.js';
import { DisplayBusyError } from '../../native-adapters/display-lock.js';
import { ActionError } from '../protocol/lightcone-actions.js';
import { actCommand } from './act.js';
import { calibrateCommand } from './calibrate.js';
import { demoCommand } from './demo.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { guardOutput, stderr } from './output.js';
import { apiKeysIn, protectSecrets, redactProcessOutput } from './redacted-output.js';
import { cancelCommand, deleteCommand, getCommand } from './responses.js';
import { runCommand } from './run.js';
import { screenshotCommand } from './screenshot.js';
import { deskhandVersion } from './version.js';

/** The user's config file ($XDG_CONFIG_HOME/deskhand/config.json), when there is one. */
export function readDefaultConfig(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const path = join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'deskhand', 'config.json');
  if (!existsSync(path)) return {};
  try {
    const config: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof config !== 'object' || config === null || Array.isArray(config))
      throw new Error('not an object');
    return config as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(
      `${path} is not a JSON object of options (${(error as Error).message}): fix or remove it`,
    );
  }
}

/** The exit code of an error that ends a command: 2 for "you asked for something we cannot do as asked". */
function exitCodeOf(error: unknown): number {
  if (error instanceof DisplayBusyError) return ExitCode.displayBusy;
  const usage = error instanceof UsageError || error instanceof ActionError || error instanceof DisplayError;
  return usage ? ExitCode.usage : ExitCode.failed;
}

export async function main(argv: string[] = hideBin(process.argv)): Promise<void> {
  // First: a closed stdout or stderr (| head) must end the command, never crash or spin (output.ts);
  // and no secret may reach either (redacted-output.ts).
  guardOutput();
  redactProcessOutput();
  protectSecrets(apiKeysIn(argv, process.env));
  let defaults: Record<string, unknown> = {};
  try {
    defaults = readDefaultConfig();
  } catch (error) {
    stderr.write(`deskhand: ${(error as Error).message}\n`);
    process.exit(ExitCode.usage);
  }
  const cli = yargs(argv)
    .scriptName('deskhand')
    .usage(
      '$0 <command> [options]\n\nA desktop computer-use agent runtime: it sees the screen and acts on it.',
    )
    .command(runCommand)
    .command(demoCommand)
    .command(actCommand)
    .command(screenshotCommand)
    .command(calibrateCommand)
    .command(getCommand)
    .command(cancelCommand)
    .command(deleteCommand)
    // `deskhand completion >> ~/.bashrc` (or ~/.zshrc); the script calls deskhand --get-yargs-completions.
    .completion('completion', 'Print a bash/zsh completion script: deskhand completion >> ~/.bashrc')
    // Every option can also come from the environment (DESKHAND_MAX_STEPS=20) or a JSON config file:
    // --config FILE, else $XDG_CONFIG_HOME/deskhand/config.json when it exists.
    .env('DESKHAND')
    .config('config', 'a JSON file of options, e.g. {"provider": "openai", "maxSteps": 20}')
    .config(defaults)
    .demandCommand(1, 'name a command (deskhand --help lists them)')
    .strict()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((message, error) => {
      if (error) throw error;
      stderr.write(`deskhand: ${message}\nRun deskhand --help for the commands and options.\n`);
      process.exit(ExitCode.usage);
    })
    .help()
    .version(deskhandVersion());
  try {
    await cli.parseAsync();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    stderr.write(`deskhand: ${message}\n`);
    process.exit(exitCodeOf(error));
  }
}
