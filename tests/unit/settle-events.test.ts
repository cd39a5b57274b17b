import { describe, expect, it } from 'vitest';
import type { Capturer, Screenshot, ScreenChanges } from '../../native-adapters/capture/capturer.js';
import { captureWhenSettled } from '../../native-adapters/capture/settle.js';

/** Screen changes made by the test: `change()` is one redraw. */
class FakeChanges implements ScreenChanges {
  count = 0;
  lastAt = -Infinity;
  private readonly waiters = new Set<() => void>();

  change(): void {
    this.count++;
    this.lastAt = performance.now();
    for (const wake of [...this.waiters]) wake();
  }

  next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waiters.add(done);
    });
  }
}

/** A capturer whose screenshots carry the change count they were taken at (their `data` says it too). */
function capturerOf(changes: FakeChanges): Capturer & { taken: number } {
  const capturer = {
    taken: 0,
    changes,
    async capture(): Promise<Screenshot> {
      capturer.taken++;
      const changeCount = changes.count;
      await new Promise((resolve) => setTimeout(resolve, 2));
      return {
        data: Buffer.from(String(changeCount)),
        format: 'png',
        mimeType: 'image/png',
        width: 1,
        height: 1,
        screenWidth: 1,
        screenHeight: 1,
        durationMs: 2,
        changeCount,
      };
    },
  };
  return capturer;
}

describe('settling on change events', () => {
  it('keeps the first capture of a still screen', async () => {
    const changes = new FakeChanges();
    const shot = await captureWhenSettled(capturerOf(changes));
    expect(shot).toMatchObject({ settled: true, captures: 1, changeCount: 0 });
  });

  it('after a burst of changes, keeps a capture taken after the last one', async () => {
    const changes = new FakeChanges();
    changes.change();
    let left = 11;
    const timer = setInterval(() => {
      changes.change();
      if (--left === 0) clearInterval(timer);
    }, 10);
    // A quiet window no gap between two timer ticks reaches, even on a loaded machine.
    const shot = await captureWhenSettled(capturerOf(changes), { quietMs: 200 });
    expect(left).toBe(0);
    expect(shot).toMatchObject({ settled: true, changeCount: 12 });
  });

  it('gives the newest capture, unsettled, when the screen never stops changing', async () => {
    const changes = new FakeChanges();
    const timer = setInterval(() => changes.change(), 5);
    try {
      const shot = await captureWhenSettled(capturerOf(changes), { maxWaitMs: 150 });
      expect(shot.settled).toBe(false);
      expect(shot.changeCount).toBeGreaterThan(0);
    } finally {
      clearInterval(timer);
    }
  });

  it('stops waiting when the signal aborts', async () => {
    const changes = new FakeChanges();
    changes.change();
    const timer = setInterval(() => changes.change(), 5);
    try {
      // A quiet window it cannot reach before the abort, however the timers run on a loaded machine.
      const settle = captureWhenSettled(capturerOf(changes), {
        quietMs: 60_000,
        signal: AbortSignal.timeout(50),
      });
      await expect(settle).rejects.toThrow();
    } finally {
      clearInterval(timer);
    }
  });
});
