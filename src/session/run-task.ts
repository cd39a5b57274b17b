import type { ImageFormat } from '../../native-adapters/capture/capturer.js';
import { type CoordSetting, resolveCoordMode } from '../../calibration/index.js';
import { clientFor, PROVIDERS, type Provider } from '../client/providers.js';
import type { ClientOptions, ResponsesClient } from '../client/responses-client.js';
import type { SafetyCheck, ScreenshotOutputType } from '../protocol/index.js';
import { loadPolicyFile, Policy, type PolicyFile } from '../policy/index.js';
import { defaultRecordRoot, prepareRecordRoot, RunRecord } from '../trajectory/index.js';
import { type Desktop, openDesktop } from './desktop.js';
import { type RunEvent, type RunResult, STOP_EXIT_CODES, type StopReason } from './run-events.js';
import { createSession } from './session.js';
import { startProgram } from './start-program.js';

/**
 * A whole run as the CLI makes it, for a library caller: the display opened (or a private Xvfb), the
 * run record written as it goes, held input released on every way out of the process, a cancel on
 * SIGINT/SIGTERM/SIGHUP (a second signal ends the process at once, the record closed first), and every
 * setting's default as the CLI has it.
 */
export interface RunTaskOptions {
  task: string;
  provider?: Provider;
  /** Default: the provider's (tzafon.northstar-cua-fast / computer-use-preview). */
  model?: string;
  /** Default: $LIGHTCONE_BASE_URL / $OPENAI_BASE_URL, else the provider's. */
  baseUrl?: string;
  /** Default: $TZAFON_API_KEY / $OPENAI_API_KEY. */
  apiKey?: string;
  /** Or a client of your own (then baseUrl, apiKey and clientOptions are not used). */
  client?: ResponsesClient;
  clientOptions?: Partial<Omit<ClientOptions, 'baseUrl' | 'apiKey'>>;
  /** An X display (`:N`); default $DISPLAY. */
  display?: string;
  /** Start a private virtual display of this size instead. */
  xvfb?: { width: number; height: number };
  /**
   * Or a desktop you opened (openDesktop) and keep: the run uses its display, input and capture and
   * leaves it open (the MCP server's run_task). Its own options then apply (display, xvfb, maxEdge,
   * scaleFactor, monitor, pixelsPerNotch, dryRun; `coords` still sets the model's coordinates), and
   * the exit guard and signals are yours: the run installs none.
   */
  desktop?: Desktop;
  /** Wait this long for another deskhand process to give the display up (default 0). */
  waitForDisplayMs?: number;
  /** Where the run record goes (default ~/.local/state/deskhand/runs); false for none. */
  record?: string | false;
  coords?: CoordSetting;
  maxEdge?: number;
  /** Screenshot format sent to the model (default jpeg) and its quality for jpeg and webp (default 80). */
  imageFormat?: ImageFormat;
  imageQuality?: number;
  scaleFactor?: number;
  monitor?: string;
  pixelsPerNotch?: number;
  maxTurns?: number;
  maxActions?: number;
  tokenBudget?: number;
  requireDone?: boolean;
  instructions?: string;
  stream?: boolean;
  chain?: boolean;
  keepScreenshots?: number;
  dryRun?: boolean;
  /** Values typed for `{{NAME}}`; never shown to the model, the events or the record. */
  secrets?: Record<string, string>;
  /** Decides pending safety checks (default: refuse, which ends the run). */
  approveSafetyChecks?: (checks: SafetyCheck[]) => Promise<boolean>;
  openaiTool?: 'computer' | 'computer_use_preview';
  doneTool?: boolean;
  screenshotOutput?: ScreenshotOutputType;
  /**
   * A program to start on the display before the first screenshot (a shell command line): the run
   * waits for its first window, and stops it at the end.
   */
  startProgram?: string;
  /** Cancel on SIGINT, SIGTERM and SIGHUP (default true); held input is released on exit either way. */
  handleSignals?: boolean;
  /**
   * When a person (or another program) uses the desktop: pause until it is idle (default), cancel the
   * run (exit 130), or ignore it (act on regardless, as before).
   */
  onTakeover?: 'pause' | 'cancel' | 'ignore';
  /** Idle time before a paused run goes on (default 3000); 0: wait for SIGUSR1 (or waitForResume). */
  resumeAfterMs?: number;
  /** With resumeAfterMs 0: resolves when the run may go on (default: on SIGUSR1). */
  waitForResume?: (signal: AbortSignal) => Promise<void>;
  /** What the model may do: a policy file's path, or its contents (src/policy/schema.ts). */
  policy?: string | PolicyFile;
  /** Asks a person about an action a policy confirm rule names (default: nobody to ask: refused). */
  confirmAction?: (question: string) => Promise<boolean>;
  /** The run's events as they happen. */
  onEvent?: (event: RunEvent) => void;
  /** Called with the ending a second signal writes, just before the process exits. */
  onForcedExit?: (event: RunEvent & { type: 'run.finished' }) => void;
}

/** A started run: read `events` (or pass onEvent), await `result`, `stop()` to end it early. */
export interface RunHandle {
  runId: string;
  /** The private display's name, or the one used. */
  displayName: string | undefined;
  recordDir: string | undefined;
  events: AsyncIterable<RunEvent>;
  /** Resolves once the run is over and the display is closed (never rejects). */
  result: Promise<RunResult>;
  /** Stops the run like a signal would: the response cancelled on the server, input released. */
  stop(reason: StopReason, message?: string): void;
}

/** Runs a task to its end; resolves with how it ended (see RunResult.exitCode). */
export async function runTask(options: RunTaskOptions): Promise<RunResult> {
  const run = await startRun(options);
  for await (const event of run.events) options.onEvent?.(event);
  return run.result;
}

/** Opens the display and the record, and starts the run (see runTask). */
export async function startRun(options: RunTaskOptions): Promise<RunHandle> {
  const provider = options.provider ?? 'lightcone';
  const model = options.model ?? PROVIDERS[provider].model;
  const apiKey = options.apiKey ?? process.env[PROVIDERS[provider].keyEnv];
  const client =
    options.client ??
    clientFor({ provider, baseUrl: options.baseUrl, apiKey: options.apiKey, ...options.clientOptions });
  // A bad policy fails before the display is taken (PolicyError names the file, line and field).
  const policy =
    options.policy === undefined
      ? undefined
      : new Policy(typeof options.policy === 'string' ? loadPolicyFile(options.policy) : options.policy);
  const recordRoot = options.record === false ? undefined : (options.record ?? defaultRecordRoot());
  if (recordRoot !== undefined) await prepareRecordRoot(recordRoot, 'the run record folder');
  const owned = options.desktop === undefined;
  const desktop = options.desktop
    ? withCoords(options.desktop, resolveCoordMode(options.coords ?? 'auto', provider))
    : await openDesktop({
        command: 'run',
        waitForDisplayMs: options.waitForDisplayMs,
        display: options.display,
        xvfb: options.xvfb,
        provider,
        coords: options.coords ?? 'auto',
        maxEdge: options.maxEdge ?? 1280,
        imageFormat: options.imageFormat,
        imageQuality: options.imageQuality,
        scaleFactor: options.scaleFactor,
        monitor: options.monitor,
        pixelsPerNotch: options.pixelsPerNotch,
        dryRun: options.dryRun,
      });
  const program =
    options.startProgram && desktop.displayName
      ? await startProgram(options.startProgram, desktop.displayName)
      : undefined;
  const watching = (options.onTakeover ?? 'pause') !== 'ignore' && !options.dryRun && desktop.displayName;
  const resumeAfterMs = options.resumeAfterMs ?? 3000;
  let watch: Awaited<ReturnType<typeof desktop.watchInput>> | undefined;
  let windows: Awaited<ReturnType<typeof desktop.windows>> | undefined;
  try {
    if (watching) watch = await desktop.watchInput();
    if (policy?.file.windows || policy?.file.confirm?.some((rule) => rule.window))
      windows = await desktop.windows();
  } catch (error) {
    program?.kill();
    await desktop.close();
    throw error;
  }
  // SIGUSR1 resumes a paused run when it waits for a person (--resume-after 0); a handler for the
  // whole run, so that a signal at another time does not end the process (its default action).
  const resumeSignal = new EventTarget();
  const onUsr1 = () => resumeSignal.dispatchEvent(new Event('resume'));
  if (watch && resumeAfterMs === 0) process.on('SIGUSR1', onUsr1);
  const onUsr1Signal = (signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        resumeSignal.removeEventListener('resume', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      resumeSignal.addEventListener('resume', done);
      signal.addEventListener('abort', done);
    });
  // SIGUSR1, or the caller's own way (the CLI: Enter on the terminal), whichever comes first.
  const waitForResume = async (signal: AbortSignal) => {
    const waiting = new AbortController();
    const stop = () => waiting.abort();
    signal.addEventListener('abort', stop);
    try {
      await Promise.race([
        onUsr1Signal(waiting.signal),
        options.waitForResume?.(waiting.signal) ?? onUsr1Signal(waiting.signal),
      ]);
    } finally {
      waiting.abort();
      signal.removeEventListener('abort', stop);
    }
  };
  const runId = crypto.randomUUID();
  const secrets = options.secrets ?? {};
  const recorder =
    recordRoot === undefined
      ? undefined
      : await RunRecord.create(recordRoot, {
          runId,
          task: options.task,
          provider,
          model,
          profile: desktop.profile,
          startedAt: new Date().toISOString(),
          options: {
            display: desktop.displayName,
            maxTurns: options.maxTurns,
            maxActions: options.maxActions,
            coords: options.coords ?? 'auto',
            monitor: options.monitor,
            dryRun: options.dryRun ?? false,
            onTakeover: options.onTakeover ?? 'pause',
            resumeAfterMs,
            policy: typeof options.policy === 'string' ? options.policy : options.policy && 'inline',
          },
          secrets: [...(apiKey ? [apiKey] : []), ...Object.values(secrets)],
        }).catch(async (error: unknown) => {
          if (owned) await desktop.close();
          throw error;
        });
  const session = createSession({
    runId,
    task: options.task,
    provider,
    model,
    client,
    actuator: desktop.runner,
    screen: desktop.screen,
    profile: desktop.profile,
    displayName: desktop.displayName,
    instructions: options.instructions,
    maxTurns: options.maxTurns,
    maxActions: options.maxActions,
    tokenBudget: options.tokenBudget,
    requireDone: options.requireDone,
    stream: options.stream,
    chain: options.chain,
    keepScreenshots: options.keepScreenshots,
    approveSafetyChecks: options.approveSafetyChecks,
    dryRun: options.dryRun,
    recorder,
    recordDir: recorder?.dir,
    secrets,
    openaiTool: options.openaiTool,
    doneTool: options.doneTool,
    screenshotOutput: options.screenshotOutput,
    takeover: watch && {
      watch,
      mode: options.onTakeover === 'cancel' ? 'cancel' : 'pause',
      resumeAfterMs,
      waitForResume,
      resumeHint: `when told to go on (kill -USR1 ${process.pid})`,
    },
    policy: policy && { policy, windows, confirm: options.confirmAction },
  });

  // What the run has done so far, from its events: for an ending written without the session.
  const tally: Pick<RunResult, 'steps' | 'turns' | 'usage'> = {
    steps: 0,
    turns: 0,
    usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 },
  };
  const startedAt = performance.now();
  // The first stop (a signal, closed output, the display gone) cancels the run: server cancel, input
  // released, record closed. A second signal exits at once: input is released (the exit guard does it
  // before calling us) and the record is closed synchronously, so it never reads "running".
  let stopped: { reason: StopReason; message: string } | undefined;
  const stop = (reason: StopReason, message = `cancelled (${reason})`) => {
    if (!stopped) {
      stopped = { reason, message };
      session.cancel(reason, message);
      return;
    }
    if (!reason.startsWith('SIG')) return;
    const exitCode = STOP_EXIT_CODES[stopped.reason];
    const result: RunResult = {
      runId,
      recordDir: recorder?.dir,
      outcome: stopped.reason === 'display-lost' ? 'display_lost' : 'cancelled',
      exitCode,
      message: `${stopped.message}; a second ${reason} ended it without waiting for the server to confirm the cancel`,
      ...tally,
      durationMs: performance.now() - startedAt,
    };
    try {
      recorder?.finishNow({ ...result, endedAt: new Date().toISOString() });
    } catch {
      // The process ends now either way; the record may stay "running".
    }
    options.onForcedExit?.({ type: 'run.finished', at: Math.round(result.durationMs), ...result });
    process.exit(exitCode);
  };
  const removeGuard = owned
    ? desktop.releaseHeldInputOnExit({
        onSignal: options.handleSignals === false ? undefined : (signal) => stop(signal),
        releaseTimeoutMs: 300,
      })
    : () => {};
  desktop.onLost((message) => stop('display-lost', message));

  const events: AsyncIterable<RunEvent> = {
    async *[Symbol.asyncIterator]() {
      for await (const event of session.events) {
        if (event.type === 'action.started') tally.steps = event.step;
        else if (event.type === 'turn.started') tally.turns = event.turn;
        else if (event.type === 'usage') tally.usage = event.total;
        yield event;
      }
    },
  };
  const result = session.result.finally(async () => {
    process.off('SIGUSR1', onUsr1);
    program?.kill();
    if (owned) await desktop.close();
    removeGuard();
  });
  return {
    runId,
    displayName: desktop.displayName,
    recordDir: recorder?.dir,
    events,
    result,
    stop,
  };
}

/** The same desktop with the model's coordinate mode of this run (the viewport stays the desktop's). */
function withCoords(desktop: Desktop, coordMode: Desktop['profile']['coordMode']): Desktop {
  return { ...desktop, profile: { ...desktop.profile, coordMode } };
}
