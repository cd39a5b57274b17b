import { setTimeout as delay } from 'node:timers/promises';

/** Waits `ms`; rejects as soon as `signal` aborts. No wait at all for 0, so instant turns stay synchronous. */
export async function sleep(ms: number | undefined, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  if (ms === undefined || ms <= 0) return;
  await delay(ms, undefined, { signal });
}

/** Never resolves; rejects when `signal` aborts (a hung model). */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
