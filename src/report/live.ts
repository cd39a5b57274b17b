import { writeReport } from './write.js';

/** A report.html kept current while its run goes on (`deskhand run --report`). */
export interface LiveReport {
  /** The record changed: rewrite the page soon (writes never overlap; a burst makes one write). */
  update(): void;
  /** The run is over: waits for a write in flight, then writes the final page (no reloading). */
  finish(): Promise<string>;
}

/**
 * Keeps `dir`/report.html current: a live page that reloads itself every `reloadMs` (the browser's own
 * reload of a file: no server, works offline). Errors are handed to `onError` and the run goes on: a
 * report that cannot be written must not stop a run.
 */
export function liveReport(
  dir: string,
  options: { reloadMs?: number; onError?: (error: Error) => void } = {},
): LiveReport {
  const reloadMs = options.reloadMs ?? 1000;
  let writing: Promise<void> | undefined;
  let dirty = false;
  let finished = false;
  const write = (): void => {
    dirty = false;
    writing = writeReport(dir, { live: { reloadMs, updatedAt: new Date().toISOString() } })
      .then(
        () => {},
        (error: Error) => options.onError?.(error),
      )
      .finally(() => {
        writing = undefined;
        if (dirty && !finished) write();
      });
  };
  return {
    update() {
      if (finished) return;
      if (writing) dirty = true;
      else write();
    },
    async finish() {
      finished = true;
      while (writing) await writing;
      return writeReport(dir);
    },
  };
}
