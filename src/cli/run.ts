import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { pathToFileURL } from 'node:url';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { CoordSetting } from '../../calibration/index.js';
import { DEFAULT_IMAGE, IMAGE_FORMATS, type ImageFormat } from '../../native-adapters/capture/capturer.js';
import { DisplayError } from '../../native-adapters/display.js';
import { DisplayBusyError } from '../../native-adapters/display-lock.js';
import type { SafetyCheck } from '../protocol/index.js';
import type { RunEvent } from '../session/run-events.js';
import type { RunHandle } from '../session/run-task.js';
import { prepareRecordRoot, RecordRootError } from '../trajectory/record-root.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { idleGarbageCollector } from './idle-gc.js';
import { describeClosed, onOutputClosed, stderr, stdout } from './output.js';
import { PROVIDERS, type ProviderArgs, withProviderOptions } from './provider-options.js';
import { protectSecrets } from './redacted-output.js';
import { runCached } from './replay.js';
import { createRunPrinter } from './run-output.js';
import { recordOption } from './record-option.js';

export interface RunArgs extends ProviderArgs {
  task?: string;
  taskFile?: string;
  model?: string;
  display?: string;
  xvfb?: string;
  maxTurns: number;
  maxActions?: number;
  requireDone: boolean;
  xvfbStart?: string;
  tokenBudget?: number;
  coords: CoordSetting;
  maxEdge: number;
  imageFormat?: ImageFormat;
  imageQuality?: number;
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
  /** Replay cache folder (run --cache DIR): replay the task's cached script, or record one. */
  cache?: string;
  param?: string[];
  matchTimeout?: number;
  onTakeover: 'pause' | 'cancel' | 'ignore';
  resumeAfter: number;
  policy?: string;
  /** Keep report.html in the record current after every step. */
  report?: boolean;
}

/** --resume-after S as milliseconds; a usage error unless S >= 0. */
export function resumeAfterMs(seconds: number): number {
  if (!(seconds >= 0) || !Number.isFinite(seconds))
    throw new UsageError(
      `--resume-after must be a number of seconds, 0 or more (0: wait for Enter or SIGUSR1); got ${seconds}`,
    );
  return seconds * 1000;
}

/** A person's yes on the terminal for an action a policy confirm rule names; none without a terminal. */
function policyConfirm(): ((question: string) => Promise<boolean>) | undefined {
  if (!(process.stdin.isTTY && process.stderr.isTTY)) return undefined;
  return async (question) => {
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = await prompt.question(`\npolicy: ${question}\nAllow it? [y/N] `);
      return /^y(es)?$/i.test(answer.trim());
    } finally {
      prompt.close();
    }
  };
}

/** With --resume-after 0 on a terminal: Enter makes a paused run go on (SIGUSR1 does, anywhere). */
function enterOnTerminal(): ((signal: AbortSignal) => Promise<void>) | undefined {
  if (!process.stdin.isTTY) return undefined;
  return async (signal) => {
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    try {
      await prompt.question('press Enter to let deskhand go on ', { signal }).catch(() => undefined);
    } finally {
      prompt.close();
    }
  };
}

/** --image-format and --image-quality, as `run` and `mcp` take them. */
export const imageFormatOption = {
  choices: IMAGE_FORMATS,
  default: DEFAULT_IMAGE.format,
  describe: 'format of the screenshots sent (jpeg: ~3x fewer bytes than png, see docs/benchmarks.md)',
};
export const imageQualityOption = {
  type: 'number' as const,
  describe: `jpeg and webp quality, 1-100 (default ${DEFAULT_IMAGE.quality})`,
};

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
  const size = { width: Number(match[1]), height: Number(match[2]) };
  // A screen smaller than this shows a model nothing it could work with.
  if (size.width < 320 || size.height < 200 || size.width > 8192 || size.height > 8192)
    throw new UsageError(`--xvfb ${value}: the size must be from 320x200 to 8192x8192`);
  return size;
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
  const task = readTask(args);
  if (args.report && args.record === false)
    throw new UsageError('--report writes into the run record: drop --no-record, or drop --report');
  // A replay checks each step against its recording but not yet against a policy: refuse rather than
  // run a policy-bound task without it.
  if (args.cache !== undefined && args.policy !== undefined)
    throw new UsageError(
      '--policy is not applied to replayed steps yet: drop --cache to run the task under the policy',
    );
  if (args.cache !== undefined) return runCached({ ...args, task, cache: args.cache });
  if (args.param?.length) throw new UsageError('--param goes with --cache (or deskhand replay)');
  const secrets = readSecrets(args.secret);
  // Loaded here, not at the top: every command's definition is loaded to parse any command line, and
  // the run's libraries (capture, input, the client's schemas, the policy's YAML) take a while to load.
  const [{ startRun }, { PolicyError }, { liveReport }, { clientFromArgs }] = await Promise.all([
    import('../session/run-task.js'),
    import('../policy/index.js'),
    import('../report/live.js'),
    import('./provider-client.js'),
  ]);
  const apiKey = args.apiKey ?? process.env[PROVIDERS[args.provider].keyEnv];
  protectSecrets([apiKey, ...Object.values(secrets)]);
  const printer = createRunPrinter({
    mode: args.json ? 'json' : process.stderr.isTTY ? 'tty' : 'plain',
    stdout,
    stderr,
    color: process.stderr.isTTY && !process.env.NO_COLOR,
    verbose: args.verbose,
  });
  let run: RunHandle;
  try {
    // Checked here first, to name the flag in the message.
    if (args.record !== false && args.record !== undefined) await prepareRecordRoot(args.record, '--record');
    run = await startRun({
      task,
      provider: args.provider,
      model: args.model,
      client: clientFromArgs(args),
      apiKey,
      display: args.display,
      xvfb: parseXvfbSize(args.xvfb),
      waitForDisplayMs: waitForDisplayMs(args.waitForDisplay),
      record: args.record,
      coords: args.coords,
      maxEdge: args.maxEdge,
      imageFormat: args.imageFormat,
      imageQuality: args.imageQuality,
      scaleFactor: args.scaleFactor,
      monitor: args.monitor,
      pixelsPerNotch: args.pixelsPerNotch,
      maxTurns: args.maxTurns,
      maxActions: args.maxActions,
      tokenBudget: args.tokenBudget,
      requireDone: args.requireDone,
      instructions: args.instructions,
      stream: args.stream,
      chain: args.chain,
      keepScreenshots: args.keepScreenshots,
      dryRun: args.dryRun,
      secrets,
      approveSafetyChecks: safetyPolicy(args.ackSafetyChecks),
      openaiTool: args.openaiTool,
      doneTool: args.doneTool,
      screenshotOutput: args.screenshotOutput,
      startProgram: args.xvfbStart,
      onTakeover: args.onTakeover,
      resumeAfterMs: resumeAfterMs(args.resumeAfter),
      waitForResume: enterOnTerminal(),
      policy: args.policy,
      confirmAction: policyConfirm(),
      onForcedExit: (event) => {
        printer.print(event);
        printer.close();
      },
    });
  } catch (error) {
    const failure =
      error instanceof RecordRootError || error instanceof PolicyError
        ? new UsageError(error.message)
        : error;
    // --json promises a JSON ending even when the run could not start (no display, display busy).
    if (args.json) printer.print(notStarted(failure));
    throw failure;
  }
  const stopOnClosedOutput = onOutputClosed((name, error) =>
    run.stop('output-closed', `cancelled (${describeClosed(name, error)})`),
  );
  const collectGarbage = idleGarbageCollector();
  const report =
    args.report && run.recordDir
      ? liveReport(run.recordDir, {
          onError: (error) => printer.print({ type: 'warning', at: 0, message: `report: ${error.message}` }),
        })
      : undefined;
  if (report && run.recordDir) {
    report.update();
    if (!args.json) stderr.write(`live report: ${pathToFileURL(`${run.recordDir}/report.html`).href}\n`);
  }
  try {
    for await (const event of run.events) {
      printer.print(event);
      if (event.type === 'turn.started') collectGarbage();
      if (event.type !== 'reasoning.delta') report?.update();
    }
    const result = await run.result;
    const written = await report?.finish().catch(() => undefined);
    if (run.recordDir && !args.json) stderr.write(`run record: ${run.recordDir}\n`);
    if (written && !args.json) stderr.write(`report: ${pathToFileURL(written).href}\n`);
    return result.exitCode;
  } finally {
    printer.close();
    stopOnClosedOutput();
  }
}

/** The task: the argument, or --task-file FILE (- for stdin) for one too long for a command line. */
function readTask(args: RunArgs): string {
  if (args.taskFile !== undefined && args.task !== undefined)
    throw new UsageError('give the task either as an argument or with --task-file, not both');
  let task = args.task;
  if (args.taskFile !== undefined) {
    try {
      task = readFileSync(args.taskFile === '-' ? 0 : args.taskFile, 'utf8');
    } catch (error) {
      throw new UsageError(
        `--task-file ${args.taskFile}: cannot read it (${(error as NodeJS.ErrnoException).code})`,
      );
    }
  }
  if (!task?.trim())
    throw new UsageError('the task is empty: say what to do, e.g. deskhand run "Open the settings"');
  return task;
}

/** The JSON ending of a run that could not start, with the exit code the process is about to use. */
function notStarted(error: unknown): RunEvent {
  const message = error instanceof Error ? error.message : String(error);
  const exitCode =
    error instanceof DisplayBusyError
      ? ExitCode.displayBusy
      : error instanceof UsageError || error instanceof DisplayError
        ? ExitCode.usage
        : ExitCode.failed;
  return { type: 'run.failed', at: 0, exitCode, message };
}

/** --wait-for-display, shared by the commands that send input to a display. */
export const waitForDisplayOption = {
  type: 'number',
  default: 0,
  describe:
    'seconds to wait while another deskhand process uses the display (0: exit 5 at once, naming its pid)',
} as const;

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run [task]',
  describe: 'Let the model do a task on the desktop; the final answer is printed on stdout',
  builder: (yargs: Argv) =>
    withProviderOptions(
      yargs
        .positional('task', { type: 'string', describe: 'what to do, in words (quoted: one argument)' })
        .option('task-file', {
          type: 'string',
          describe: 'read the task from a file (- for stdin), for a task too long for a command line',
        })
        .option('model', {
          type: 'string',
          describe: 'model name (default: tzafon.northstar-cua-fast / computer-use-preview)',
        })
        .option('display', { type: 'string', describe: 'X display to work on, e.g. :1 (default: $DISPLAY)' })
        .option('xvfb', {
          type: 'string',
          describe: 'start a private virtual display of this size (default 1280x800) and work there',
        })
        .option('xvfb-start', {
          type: 'string',
          describe: 'a command to start on the display before the run (e.g. "firefox"); stopped after it',
        })
        .option('max-turns', {
          type: 'number',
          default: 50,
          alias: 'max-steps',
          describe: 'model requests before stopping (exit 3); --max-steps is its old name',
        })
        .option('max-actions', {
          type: 'number',
          describe: 'actions performed before stopping (exit 3; default: no limit)',
        })
        .option('require-done', {
          type: 'boolean',
          default: false,
          describe:
            'exit 0 only when the model says the task is done (terminate, answer, done); a bare message exits 6',
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
        .option('image-format', imageFormatOption)
        .option('image-quality', imageQualityOption)
        .option('scale-factor', { type: 'number', describe: 'HiDPI scale, overriding detection' })
        .option('monitor', { type: 'string', describe: 'work on one monitor (RandR name or index)' })
        .option(
          'record',
          recordOption(
            'folder for the run record (default: ~/.local/state/deskhand/runs); --no-record for none',
          ),
        )
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
          // One name per --secret, so that `--secret NAME "Log in"` keeps the task.
          nargs: 1,
          describe:
            'NAME of an environment variable holding a secret (repeatable): the model types it as {{NAME}}; the output and record never show it, screenshots do unless the field masks it',
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
        .option('wait-for-display', waitForDisplayOption)
        .option('cache', {
          type: 'string',
          describe:
            'replay cache folder: replay the cached script of this task (the model only where it diverges), or record one',
        })
        .option('param', {
          type: 'string',
          array: true,
          nargs: 1,
          describe: 'with --cache: NAME=value, typed where the task says {{NAME}}; cached as {{NAME}}',
        })
        .option('match-timeout', {
          type: 'number',
          describe: 'with --cache: seconds each replayed step waits for its recorded screen (default 5)',
        })
        .option('on-takeover', {
          choices: ['pause', 'cancel', 'ignore'] as const,
          default: 'pause' as const,
          describe:
            'when someone else uses the desktop: pause until it is idle, cancel the run (exit 130), or ignore it',
        })
        .option('resume-after', {
          type: 'number',
          default: 3,
          describe:
            'seconds the desktop must be idle before a paused run goes on (0: wait for Enter or SIGUSR1)',
        })
        .option('policy', {
          type: 'string',
          describe: 'a policy file (YAML or JSON) of what the model may do; see deskhand policy check',
        })
        .option('report', {
          type: 'boolean',
          default: false,
          describe:
            'keep report.html in the run record current after every step (the page reloads itself): watch a headless run',
        }),
    ) as unknown as Argv<RunArgs>,
  handler: async (args: ArgumentsCamelCase<RunArgs>) => {
    process.exitCode = await runTask(args);
  },
};
