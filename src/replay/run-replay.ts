import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { focusedApplication } from '../../native-adapters/x11/focused-app.js';
import type { Provider } from '../client/providers.js';
import { openDesktop } from '../session/desktop.js';
import { STOP_EXIT_CODES, type StopReason } from '../session/run-events.js';
import { startProgram } from '../session/start-program.js';
import { prepareRecordRoot, RunRecord } from '../trajectory/index.js';
import { type CacheKey, cachedScript, storeScript } from './cache.js';
import type { ModelSettings } from './fallback.js';
import { checkParams, fillText, toPlaceholders } from './params.js';
import { replay, type ReplayEvent, type ReplayResult } from './replay.js';
import type { Script } from './script.js';

/**
 * A whole replay as the CLI makes it (`deskhand replay RUN`, `deskhand run --cache DIR`): the display
 * opened and taken for this process, the replay's own run record, held input released on every way
 * out, a cancel on SIGINT/SIGTERM/SIGHUP (a second one exits at once, the record closed first).
 */
export interface ReplayTaskOptions {
  /** A script to replay, or a cache to look the task up in (and store it into). */
  source: { script: Script } | { cache: string; task: string };
  display?: string;
  xvfb?: { width: number; height: number };
  startProgram?: string;
  waitForDisplayMs?: number;
  /** The model, for --fallback model and for a cache miss; with it: provider for the profile's coords. */
  model?: ModelSettings;
  provider?: Provider;
  fallback: 'model' | 'none';
  params: Record<string, string>;
  secrets: Record<string, string>;
  /** Strings never to write (the API key). */
  hidden?: string[];
  record: string | false;
  matchTimeoutMs?: number;
  maxEdge?: number;
  onEvent: (event: ReplayEvent) => void;
  onForcedExit?: (exitCode: number) => void;
}

export interface ReplayTaskResult extends ReplayResult {
  recordDir?: string;
  /** Where the cache entry is, when it was written. */
  cached?: string;
  cacheHit?: boolean;
}

export async function replayTask(options: ReplayTaskOptions): Promise<ReplayTaskResult> {
  const values = { ...options.params, ...options.secrets };
  if ('script' in options.source) checkParams(options.source.script, values);
  if (options.record !== false) await prepareRecordRoot(options.record, '--record');
  const provider = options.model?.provider ?? options.provider ?? 'lightcone';
  const desktop = await openDesktop({
    command: 'replay',
    display: options.display,
    xvfb: options.xvfb,
    waitForDisplayMs: options.waitForDisplayMs,
    provider,
    coords: 'auto',
    maxEdge: options.maxEdge ?? 1280,
  });
  const program =
    options.startProgram && desktop.displayName
      ? await startProgram(options.startProgram, desktop.displayName)
      : undefined;
  try {
    let script: Script;
    let key: CacheKey | undefined;
    let cacheHit: boolean | undefined;
    if ('script' in options.source) script = options.source.script;
    else {
      key = {
        task: options.source.task,
        display: { width: desktop.profile.display.width, height: desktop.profile.display.height },
        application: desktop.displayName ? await focusedApplication(desktop.displayName) : undefined,
      };
      const found = await cachedScript(options.source.cache, key);
      cacheHit = found !== undefined;
      script = found ?? { version: 1, task: key.task, profile: desktop.profile, steps: [] };
      checkParams(script, values);
    }
    const runId = crypto.randomUUID();
    // The cache needs the screenshots a record keeps: without a record, one in a temporary folder.
    const scratch =
      options.record === false && key ? await mkdtemp(join(tmpdir(), 'deskhand-replay-')) : undefined;
    const recordRoot = options.record === false ? scratch : options.record;
    const record =
      recordRoot === undefined
        ? undefined
        : await RunRecord.create(recordRoot, {
            runId,
            task: script.task,
            provider: options.model?.provider ?? 'replay',
            model: options.model?.model ?? 'none',
            profile: desktop.profile,
            startedAt: new Date().toISOString(),
            options: {
              display: desktop.displayName,
              replayOf: script.source,
              cache: 'cache' in options.source ? options.source.cache : undefined,
              cacheHit,
              fallback: options.fallback,
              steps: script.steps.length,
            },
            secrets: [...(options.hidden ?? []), ...Object.values(options.secrets)],
          });
    const controller = new AbortController();
    let stopped: StopReason | undefined;
    const stop = (reason: StopReason) => {
      if (!stopped) {
        stopped = reason;
        controller.abort(new Error(`cancelled (${reason})`));
        return;
      }
      if (!reason.startsWith('SIG')) return;
      const exitCode = STOP_EXIT_CODES[stopped];
      try {
        record?.finishNow({
          outcome: 'cancelled',
          exitCode,
          message: `cancelled (${stopped})`,
          endedAt: new Date().toISOString(),
        });
      } catch {
        // the process ends now either way
      }
      options.onForcedExit?.(exitCode);
      process.exit(exitCode);
    };
    const removeGuard = desktop.releaseHeldInputOnExit({
      onSignal: (signal) => stop(signal),
      releaseTimeoutMs: 300,
    });
    desktop.onLost(() => stop('display-lost'));
    options.onEvent({
      type: 'replay.started',
      steps: script.steps.length,
      task: script.task,
      source: script.source,
      recordDir: record?.dir,
      display: desktop.displayName,
    });
    try {
      const result = await replay({
        script,
        runner: desktop.runner,
        screen: desktop.screen,
        profile: desktop.profile,
        fallback: options.fallback,
        model: options.model,
        modelTask: fillText(script.task, options.params),
        values,
        secrets: options.secrets,
        recorder: record,
        matchTimeoutMs: options.matchTimeoutMs,
        signal: controller.signal,
        onEvent: options.onEvent,
        stoppedExitCode: () => (stopped ? STOP_EXIT_CODES[stopped] : 130),
      });
      let cached: string | undefined;
      if (key && 'cache' in options.source && result.outcome === 'success' && (result.updated || !cacheHit)) {
        const updated = result.updated ?? script;
        cached = await storeScript(options.source.cache, key, {
          ...updated,
          source: record?.dir,
          steps: updated.steps.map((step) => ({
            ...step,
            action: toPlaceholders(step.action, options.params),
          })),
        });
      }
      return { ...result, recordDir: scratch ? undefined : record?.dir, cached, cacheHit };
    } finally {
      removeGuard();
      if (scratch) await rm(scratch, { recursive: true, force: true });
    }
  } finally {
    program?.kill();
    await desktop.close();
  }
}
