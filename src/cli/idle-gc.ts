import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection while the model is thinking. Each step makes ~50 MB of short-lived buffers
 * (raw frames, the PNG, its base64, the JSON body) that V8 otherwise collects late, after letting the
 * old space grow: peak RSS of a 300-step run on a busy 1920x1080 screen was ~300 MB with a live heap
 * of ~15 MB. Collected once per turn, after the request has gone out (a full GC of that heap takes a
 * few ms, hidden behind the model's seconds), the peak stays near 200 MB.
 *
 * `gc` is not exposed without --expose-gc on the node command line, which `node bin/deskhand` does not
 * get; the flag set at runtime exposes it in a new context. Where that fails this does nothing.
 */
export function idleGarbageCollector(): () => void {
  let gc: (() => void) | undefined;
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  } catch {
    return () => {};
  }
  /** Delay after the turn starts: the request is written by then. */
  const AFTER_MS = 20;
  return () => {
    setTimeout(() => gc?.(), AFTER_MS).unref();
  };
}
