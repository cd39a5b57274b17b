import type { Actuator } from './actuator.js';

export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
type GuardedSignal = keyof typeof SIGNAL_EXIT_CODES;

export interface ExitGuardOptions {
  /**
   * Called on SIGINT/SIGTERM/SIGHUP after input is released; the default exits with 128 + signal.
   * The session controller passes its own to cancel the run first.
   */
  onSignal?: (signal: GuardedSignal) => void;
  /** Upper bound on waiting for the release before exiting anyway. */
  releaseTimeoutMs?: number;
}

/**
 * Makes every way out of the process release what the actuator holds: signals, an uncaught exception
 * or rejection (release, report, exit 1), and plain exit (a synchronous best effort). Returns a
 * function that removes the handlers.
 */
export function releaseHeldInputOnExit(actuator: Actuator, options: ExitGuardOptions = {}): () => void {
  const timeoutMs = options.releaseTimeoutMs ?? 1000;
  const release = () => {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      actuator.releaseAll().catch(() => actuator.releaseNow()),
      new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]).finally(() => clearTimeout(timer));
  };

  const onSignal = (signal: GuardedSignal) => {
    void release().then(() => {
      if (options.onSignal) options.onSignal(signal);
      else process.exit(SIGNAL_EXIT_CODES[signal]);
    });
  };
  // Once only: a report that fails (stderr a closed pipe) must not crash again, and again, forever.
  let crashed = false;
  const onCrash = (error: unknown) => {
    if (crashed) return;
    crashed = true;
    const broken = (error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
    const what = broken
      ? `${(error as Error).message} (an output was closed)`
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
    try {
      if (!process.stderr.destroyed) process.stderr.write(`deskhand: crashed: ${what}\n`);
    } catch {
      // stderr is gone too: the exit code says it
    }
    void release().then(() => process.exit(1));
  };
  const onExit = () => actuator.releaseNow();

  const handlers = (Object.keys(SIGNAL_EXIT_CODES) as GuardedSignal[]).map((signal) => {
    const handler = () => onSignal(signal);
    process.on(signal, handler);
    return () => process.removeListener(signal, handler);
  });
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  process.on('exit', onExit);
  return () => {
    for (const remove of handlers) remove();
    process.removeListener('uncaughtException', onCrash);
    process.removeListener('unhandledRejection', onCrash);
    process.removeListener('exit', onExit);
  };
}
