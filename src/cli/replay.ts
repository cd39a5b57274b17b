import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { ParamError, parseParams } from '../replay/params.js';
import type { ReplayEvent } from '../replay/replay.js';
import type { ReplayTaskOptions } from '../replay/run-replay.js';
import type { Script } from '../replay/script.js';
import { defaultRecordRoot } from '../trajectory/record-root.js';
import { UsageError } from './exit-codes.js';
import { stderr, stdout } from './output.js';
import { PROVIDERS, type ProviderArgs, withProviderOptions } from './provider-options.js';
import { protectSecrets } from './redacted-output.js';
import { recordFor } from './report.js';
import { parseXvfbSize, readSecrets, waitForDisplayMs, waitForDisplayOption } from './run.js';
import { recordOption } from './record-option.js';

interface ReplayArgs extends ProviderArgs {
  run?: string;
  recordRoot?: string;
  display?: string;
  xvfb?: string;
  xvfbStart?: string;
  fallback?: 'model' | 'none';
  model?: string;
  param?: string[];
  secret?: string[];
  record?: string | false;
  matchTimeout: number;
  maxTurns: number;
  json: boolean;
  waitForDisplay?: number;
}

/** The options `run --cache` shares with `replay`. */
export interface CachedRunArgs extends ProviderArgs {
  task: string;
  cache: string;
  display?: string;
  xvfb?: string;
  xvfbStart?: string;
  model?: string;
  param?: string[];
  secret?: string[];
  record?: string | false;
  maxTurns: number;
  maxEdge: number;
  json: boolean;
  waitForDisplay?: number;
  fallback?: 'model' | 'none';
  matchTimeout?: number;
}

/** A model is configured when its key is set or a base URL is named (a local server needs no key). */
function modelConfigured(args: ProviderArgs): boolean {
  const provider = PROVIDERS[args.provider];
  return Boolean(
    args.apiKey ?? process.env[provider.keyEnv] ?? args.baseUrl ?? process.env[provider.baseUrlEnv],
  );
}

function params(values: string[] | undefined): Record<string, string> {
  try {
    return parseParams(values);
  } catch (error) {
    if (error instanceof ParamError) throw new UsageError(error.message);
    throw error;
  }
}

async function replayWith(
  args: ProviderArgs & {
    display?: string;
    xvfb?: string;
    xvfbStart?: string;
    model?: string;
    param?: string[];
    secret?: string[];
    record?: string | false;
    maxTurns: number;
    maxEdge?: number;
    json: boolean;
    waitForDisplay?: number;
    fallback?: 'model' | 'none';
    matchTimeout?: number;
  },
  source: ReplayTaskOptions['source'],
): Promise<number> {
  const fallback = args.fallback ?? (modelConfigured(args) ? 'model' : 'none');
  const secrets = readSecrets(args.secret);
  const apiKey = args.apiKey ?? process.env[PROVIDERS[args.provider].keyEnv];
  protectSecrets([apiKey, ...Object.values(secrets)]);
  if (!(args.matchTimeout === undefined || args.matchTimeout >= 0))
    throw new UsageError(`--match-timeout must be a number of seconds, 0 or more; got ${args.matchTimeout}`);
  const print = printer(args.json);
  // Loaded here, not at the top: the replay's libraries (sharp, capture, input) take a while to load.
  const [{ replayTask }, { ScriptError }, { clientFromArgs }] = await Promise.all([
    import('../replay/run-replay.js'),
    import('../replay/script.js'),
    import('./provider-client.js'),
  ]);
  try {
    const result = await replayTask({
      source,
      display: args.display,
      xvfb: parseXvfbSize(args.xvfb),
      startProgram: args.xvfbStart,
      waitForDisplayMs: waitForDisplayMs(args.waitForDisplay),
      provider: args.provider,
      model:
        fallback === 'model'
          ? {
              client: clientFromArgs(args),
              provider: args.provider,
              model: args.model ?? PROVIDERS[args.provider].model,
              maxTurns: args.maxTurns,
            }
          : undefined,
      fallback,
      params: params(args.param),
      secrets,
      hidden: apiKey ? [apiKey] : [],
      record: args.record === false ? false : (args.record ?? defaultRecordRoot()),
      matchTimeoutMs: args.matchTimeout === undefined ? undefined : args.matchTimeout * 1000,
      maxEdge: args.maxEdge,
      onEvent: print,
    });
    if (result.result && !args.json) stdout.write(`${result.result}\n`);
    if (!args.json) {
      if (result.cached) stderr.write(`cached script: ${result.cached}\n`);
      if (result.recordDir) stderr.write(`replay record: ${result.recordDir}\n`);
    }
    return result.exitCode;
  } catch (error) {
    if (error instanceof ParamError || error instanceof ScriptError) throw new UsageError(error.message);
    throw error;
  }
}

/** Progress on stderr (or NDJSON on stdout with --json). */
function printer(json: boolean): (event: ReplayEvent) => void {
  if (json) return (event) => stdout.write(`${JSON.stringify(event)}\n`);
  return (event) => {
    switch (event.type) {
      case 'replay.started':
        stderr.write(
          `replay of ${event.steps} step${event.steps === 1 ? '' : 's'}: ${event.task} (display ${event.display ?? '?'})\n`,
        );
        break;
      case 'replay.step': {
        const moved = event.status === 'healed' ? ` moved by (${event.shift.x}, ${event.shift.y}) px` : '';
        stderr.write(
          `step ${event.step}/${event.of} ${event.status}${moved}: ${event.description} ` +
            `(waited ${event.waitedMs} ms, matched in ${event.matchMs} ms)\n`,
        );
        break;
      }
      case 'replay.diverged':
        stderr.write(`step ${event.step}/${event.of} diverged: ${event.reason}\n`);
        if (event.sideBySide) stderr.write(`  expected vs found: ${event.sideBySide}\n`);
        break;
      case 'replay.fallback':
        stderr.write(`step ${event.step}: ${event.reason}; the model takes over\n`);
        break;
      case 'replay.resumed':
        stderr.write(
          `replay resumes at step ${event.step} (the model did ${event.modelSteps} actions in ${event.modelRequests} requests)\n`,
        );
        break;
      case 'action.started':
        stderr.write(`  model action ${event.step}: ${event.description}\n`);
        break;
      case 'replay.finished': {
        const parts = [
          `${event.replayed} replayed`,
          `${event.healed} healed`,
          `${event.modelSteps} by the model in ${event.modelRequests} requests`,
          `${(event.durationMs / 1000).toFixed(1)}s`,
          `exit ${event.exitCode}`,
        ];
        stderr.write(`${event.outcome} (${parts.join(', ')})${event.message ? `: ${event.message}` : ''}\n`);
        break;
      }
      default:
        break;
    }
  };
}

async function replayRun(args: ArgumentsCamelCase<ReplayArgs>): Promise<number> {
  const dir = await recordFor(args.run, args.recordRoot ?? defaultRecordRoot());
  const { ScriptError, scriptFromRecord } = await import('../replay/script.js');
  let script: Script;
  try {
    script = await scriptFromRecord(dir);
  } catch (error) {
    if (error instanceof ScriptError) throw new UsageError(error.message);
    throw error;
  }
  return replayWith(args, { script });
}

/** `deskhand run --cache DIR`: replay the cached script of the task, or run the model and cache it. */
export function runCached(args: CachedRunArgs): Promise<number> {
  return replayWith(args, { cache: args.cache, task: args.task });
}

export const replayCommand: CommandModule<object, ReplayArgs> = {
  command: 'replay [run]',
  describe:
    'Replay a recorded run without the model: each step verified on the screen, healed, or fallen back',
  builder: (yargs: Argv) =>
    withProviderOptions(
      yargs
        .positional('run', {
          type: 'string',
          describe: 'a run id, a prefix of one, or a record folder (default: the latest run)',
        })
        .option('record-root', {
          type: 'string',
          describe: 'the folder of run records RUN is looked for in (default: $XDG_STATE_HOME/deskhand/runs)',
        })
        .option('fallback', {
          choices: ['model', 'none'] as const,
          describe:
            'when the screen is not the recorded one: let the model take over, or stop (exit 7); default: model when one is configured',
        })
        .option('param', {
          type: 'string',
          array: true,
          nargs: 1,
          describe: 'NAME=value for {{NAME}} in the typed text of the script (repeatable)',
        })
        .option('secret', {
          type: 'string',
          array: true,
          nargs: 1,
          describe: 'NAME of an environment variable whose value is typed for {{NAME}}; never written',
        })
        .option('match-timeout', {
          type: 'number',
          default: 5,
          describe: 'seconds each step waits for the screen to show the recorded one',
        })
        .option('model', { type: 'string', describe: 'the model to fall back to' })
        .option('max-turns', {
          type: 'number',
          default: 50,
          describe: 'model requests before a fallback stops',
        })
        .option('display', { type: 'string', describe: 'X display to replay on (default: $DISPLAY)' })
        .option('xvfb', { type: 'string', describe: 'start a private virtual display of this size' })
        .option('xvfb-start', { type: 'string', describe: 'a command to start on the display first' })
        .option(
          'record',
          recordOption(
            "folder for the replay's own record (default: ~/.local/state/deskhand/runs); --no-record",
          ),
        )
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'one event per line on stdout (NDJSON)',
        })
        .option('wait-for-display', waitForDisplayOption),
    ) as unknown as Argv<ReplayArgs>,
  handler: async (args: ArgumentsCamelCase<ReplayArgs>) => {
    process.exitCode = await replayRun(args);
  },
};
