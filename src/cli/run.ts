import { createInterface } from 'node:readline/promises';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { CoordSetting } from '../../calibration/index.js';
import { releaseHeldInputOnExit } from '../../native-adapters/input/exit-guard.js';
import type { SafetyCheck } from '../protocol/index.js';
import { openDesktop } from '../session/desktop.js';
import type { RunResult, StopReason } from '../session/run-events.js';
import { STOP_EXIT_CODES } from '../session/run-events.js';
import { createSession } from '../session/session.js';
import { defaultRecordRoot, prepareRecordRoot, RecordRootError, RunRecord } from '../trajectory/index.js';
import { UsageError } from './exit-codes.js';
import { describeClosed, onOutputClosed, stderr, stdout } from './output.js';
import { clientFromArgs, PROVIDERS, type ProviderArgs, withProviderOptions } from './provider-options.js';
import { idleGarbageCollector } from './idle-gc.js';
import { protectSecrets } from './redacted-output.js';
import { createRunPrinter } from './run-output.js';

export interface RunArgs extends ProviderArgs {
  task: string;
  model?: string;
  display?: string;
  xvfb?: string;
  maxSteps: number;
  tokenBudget?: number;
  coords: CoordSetting;
  maxEdge: number;
  scaleFactor?: number;
  monitor?: string;
  record?: string | false;
  json: boolean;
  stream: boolean;
  chain: boolean;
  keepScreenshots: number;
  dryRun: boolean;
  instructions?: string;
  ackSafetyChecks: 'prompt' | 'always' | 'never';
  pixelsPerNotch: number;
  verbose: boolean;
  secret?: string[];
  openaiTool?: 'computer' | 'computer_use_preview';
  doneTool: boolean;
  screenshotOutput: 'input_image' | 'computer_screenshot';
  /** Seconds to wait for another deskhand process to give the display up (0: fail at once). */
  waitForDisplay?: number;
}

/** --wait-for-display S as milliseconds; a usage error unless S >= 0. */
export function waitForDisplayMs(seconds: number | undefined): number {
  if (seconds === undefined) return 0;
  if (!(seconds >= 0))
    throw new UsageError(`--wait-for-display must be a number of seconds, 0 or more; got ${seconds}`);
  return seconds * 1000;
}

/** "1280x800" -> size; true (bare --xvfb) -> the default size. */
export function parseXvfbSize(
  value: string | boolean | undefined,
): { width: number; height: number } | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true || value === '') return { width: 1280, height: 800 };
  const match = /^(\d{2,5})x(\d{2,5})$/.exec(String(value));
  if (!match) throw new UsageError(`--xvfb ${JSON.stringify(value)}: expected a size like 1280x800`);
  return { width: Number(match[1]), height: Number(match[2]) };
}

/** How pending safety checks are decided: ask on a terminal, refuse without one, or approve all. */
function safetyPolicy(mode: RunArgs['ackSafetyChecks']): (checks: SafetyCheck[]) => Promise<boolean> {
  const interactive = process.stdin.isTTY && process.stderr.isTTY;
  if (mode === 'always') return async () => true;
  if (mode === 'never' || !interactive) return async () => false;
  return async (checks) => {
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    try {
      for (const check of checks)
        stderr.write(`\nsafety check ${check.code ?? check.id}: ${check.message ?? ''}\n`);
      const answer = await prompt.question('Approve and go on? [y/N] ');
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      prompt.close();
    }
  };
}

/** --secret NAME (repeatable): the value comes from the environment variable NAME, never the command line. */
export function readSecrets(
  names: string[] | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const secrets: Record<string, string> = {};
  for (const name of names ?? []) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new UsageError(
        `--secret ${JSON.stringify(name)}: expected the name of an environment variable, e.g. --secret LOGIN_PASSWORD`,
      );
    }
    const value = env[name];
    if (!value)
      throw new UsageError(
        `--secret ${name}: the environment variable ${name} is not set (export it before the run)`,
      );
    secrets[name] = value;
  }
  return secrets;
}

export async function runTask(args: RunArgs): Promise<number> {
  if (!args.task.trim())
    throw new UsageError('the task is empty: say what to do, e.g. deskhand run "Open the settings"');
  if (!(args.maxSteps >= 1)) throw new UsageError(`--max-steps must be at least 1, got ${args.maxSteps}`);
  const client = clientFromArgs(args);
  const secrets = readSecrets(args.secret);
  const apiKey = args.apiKey ?? process.env[PROVIDERS[args.provider].keyEnv];
  protectSecrets([apiKey, ...Object.values(secrets)]);
  const model = args.model ?? PROVIDERS[args.provider].model;
  const waitMs = waitForDisplayMs(args.waitForDisplay);
  const recordRoot = args.record === false ? undefined : (args.record ?? defaultRecordRoot());
  if (recordRoot !== undefined) {
    await prepareRecordRoot(
      recordRoot,
      args.record === undefined ? 'the run record folder' : '--record',
    ).catch((error: unknown) => {
      throw error instanceof RecordRootError ? new UsageError(error.message) : error;
    });
  }
  const desktop = await openDesktop({
    command: 'run',
    waitForDisplayMs: waitMs,
    display: args.display,
    xvfb: parseXvfbSize(args.xvfb),
    provider: args.provider,
    coords: args.coords,
    maxEdge: args.maxEdge,
    scaleFactor: args.scaleFactor,
    monitor: args.monitor,
    pixelsPerNotch: args.pixelsPerNotch,
    dryRun: args.dryRun,
  });
  const runId = crypto.randomUUID();
  const recorder =
    recordRoot === undefined
      ? undefined
      : await RunRecord.create(recordRoot, {
          runId,
          task: args.task,
          provider: args.provider,
          model,
          profile: desktop.profile,
          startedAt: new Date().toISOString(),
          options: {
            display: desktop.displayName,
            maxSteps: args.maxSteps,
            coords: args.coords,
            dryRun: args.dryRun,
          },
          secrets: [...(apiKey ? [apiKey] : []), ...Object.values(secrets)],
        });
  const printer = createRunPrinter({
    mode: args.json ? 'json' : process.stderr.isTTY ? 'tty' : 'plain',
    stdout,
    stderr,
    color: process.stderr.isTTY && !process.env.NO_COLOR,
    verbose: args.verbose,
  });
  const session = createSession({
    runId,
    task: args.task,
    provider: args.provider,
    model,
    client,
    actuator: desktop.runner,
    screen: desktop.screen,
    profile: desktop.profile,
    instructions: args.instructions,
    maxSteps: args.maxSteps,
    tokenBudget: args.tokenBudget,
    stream: args.stream,
    chain: args.chain,
    keepScreenshots: args.keepScreenshots,
    approveSafetyChecks: safetyPolicy(args.ackSafetyChecks),
    dryRun: args.dryRun,
    recorder,
    recordDir: recorder?.dir,
    secrets,
    openaiTool: args.openaiTool,
    doneTool: args.doneTool,
    screenshotOutput: args.screenshotOutput,
  });
  // What the run has done so far, from its events: for an ending written without the session.
  const tally: Pick<RunResult, 'steps' | 'turns' | 'usage'> = {
    steps: 0,
    turns: 0,
    usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 },
  };
  const startedAt = performance.now();
  // The first stop (a signal, closed output, the display gone) cancels the run: server cancel, input
  // released, record closed. A second signal exits at once: input is released (exit-guard does it
  // before calling us) and the record is closed synchronously, so it never reads "running".
  let stopped: { reason: StopReason; message: string } | undefined;
  const stop = (reason: StopReason, message: string) => {
    if (!stopped) {
      stopped = { reason, message };
      session.cancel(reason, message);
      return;
    }
    if (!reason.startsWith('SIG')) return;
    const exitCode = STOP_EXIT_CODES[stopped.reason];
    const result: RunResult = {
      outcome: stopped.reason === 'display-lost' ? 'display_lost' : 'cancelled',
      exitCode,
      message: `${stopped.message}; a second ${reason} ended it without waiting for the server to confirm the cancel`,
      ...tally,
      durationMs: performance.now() - startedAt,
    };
    try {
      recorder?.finishNow({ ...result, endedAt: new Date().toISOString() });
    } catch (error) {
      stderr.write(`deskhand: could not close the run record: ${(error as Error).message}\n`);
    }
    printer.print({ type: 'run.finished', at: Math.round(result.durationMs), ...result });
    printer.close();
    process.exit(exitCode);
  };
  const removeGuard = releaseHeldInputOnExit(desktop.actuator, {
    onSignal: (signal) => stop(signal, `cancelled (${signal})`),
    releaseTimeoutMs: 300,
  });
  const stopOnClosedOutput = onOutputClosed((name, error) =>
    stop('output-closed', `cancelled (${describeClosed(name, error)})`),
  );
  desktop.onLost((message) => stop('display-lost', message));
  const collectGarbage = idleGarbageCollector();
  try {
    for await (const event of session.events) {
      printer.print(event);
      if (event.type === 'action.started') tally.steps = event.step;
      else if (event.type === 'turn.started') {
        tally.turns = event.turn;
        collectGarbage();
      } else if (event.type === 'usage') tally.usage = event.total;
    }
    const result = await session.result;
    if (recorder && !args.json) stderr.write(`run record: ${recorder.dir}\n`);
    return result.exitCode;
  } finally {
    printer.close();
    await desktop.close();
    stopOnClosedOutput();
    removeGuard();
  }
}

/** --wait-for-display, shared by the commands that send input to a display. */
export const waitForDisplayOption = {
  type: 'number',
  default: 0,
  describe:
    'seconds to wait while another deskhand process uses the display (0: exit 5 at once, naming its pid)',
} as const;

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run <task>',
  describe: 'Let the model do a task on the desktop; the final answer is printed on stdout',
  builder: (yargs: Argv) =>
    withProviderOptions(
      yargs
        .positional('task', { type: 'string', demandOption: true, describe: 'what to do, in words' })
        .option('model', {
          type: 'string',
          describe: 'model name (default: tzafon.northstar-cua-fast / computer-use-preview)',
        })
        .option('display', { type: 'string', describe: 'X display to work on, e.g. :1 (default: $DISPLAY)' })
        .option('xvfb', {
          type: 'string',
          describe: 'start a private virtual display of this size (default 1280x800) and work there',
        })
        .option('max-steps', {
          type: 'number',
          default: 50,
          describe: 'model turns before stopping (exit 3)',
        })
        .option('token-budget', { type: 'number', describe: 'total tokens before stopping (exit 3)' })
        .option('coords', {
          choices: ['auto', 'normalized', 'pixels'] as const,
          default: 'auto' as const,
          describe:
            'model coordinates: 0-999 grid or screenshot pixels (auto: lightcone normalized, openai pixels)',
        })
        .option('max-edge', {
          type: 'number',
          default: 1280,
          describe: 'longest edge of the screenshots sent (never upscaled)',
        })
        .option('scale-factor', { type: 'number', describe: 'HiDPI scale, overriding detection' })
        .option('monitor', { type: 'string', describe: 'work on one monitor (RandR name or index)' })
        .option('record', {
          type: 'string',
          describe: 'folder for the run record (default: ~/.local/state/deskhand/runs); --no-record for none',
        })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'one run event per line on stdout (NDJSON), the result last',
        })
        .option('stream', {
          type: 'boolean',
          default: true,
          describe: 'stream responses (--no-stream: wait for each whole response)',
        })
        .option('chain', {
          type: 'boolean',
          default: true,
          describe: 'chain turns with previous_response_id (--no-chain: resend history)',
        })
        .option('keep-screenshots', {
          type: 'number',
          default: 3,
          describe: 'with --no-chain: screenshots kept in the resent history',
        })
        .option('dry-run', {
          type: 'boolean',
          default: false,
          describe: 'print the actions instead of performing them',
        })
        .option('instructions', { type: 'string', describe: 'system instructions for the model' })
        .option('ack-safety-checks', {
          choices: ['prompt', 'always', 'never'] as const,
          default: 'prompt' as const,
          describe: 'pending safety checks: ask on a terminal (never without one), always approve, or never',
        })
        .option('pixels-per-notch', {
          type: 'number',
          default: 100,
          describe: 'scroll amounts per mouse-wheel notch',
        })
        .option('secret', {
          type: 'string',
          array: true,
          describe:
            'NAME of an environment variable holding a secret; the model types it as {{NAME}}, records never show it',
        })
        .option('openai-tool', {
          choices: ['computer', 'computer_use_preview'] as const,
          describe:
            'OpenAI computer tool: GA "computer" (batched actions) or "computer_use_preview" (default: from --model)',
        })
        .option('done-tool', {
          type: 'boolean',
          default: true,
          describe: 'Lightcone: offer the model a "done" function to end the task (--no-done-tool: do not)',
        })
        .option('screenshot-output', {
          choices: ['input_image', 'computer_screenshot'] as const,
          default: 'input_image' as const,
          describe: 'Lightcone: the type of the screenshot answering each computer_call',
        })
        .option('verbose', {
          type: 'boolean',
          default: false,
          describe: 'more lines (screenshots, reasoning deltas in --json)',
        })
        .option('wait-for-display', waitForDisplayOption),
    ) as unknown as Argv<RunArgs>,
  handler: async (args: ArgumentsCamelCase<RunArgs>) => {
    process.exitCode = await runTask(args);
  },
};
