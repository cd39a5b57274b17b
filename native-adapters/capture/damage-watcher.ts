import type { ScreenChanges } from './capturer.js';

/** DAMAGE ReportLevel NonEmpty: one event when the damage region becomes non-empty. */
const REPORT_NON_EMPTY = 3;

/* eslint-disable @typescript-eslint/no-explicit-any -- the x11 package is untyped */

/**
 * Counts changes to the root window through the X DAMAGE extension. At level NonEmpty the server sends
 * one event, then none until the region is emptied again; emptying it (Subtract) at each event re-arms
 * it, so a redraw costs one event and one small request, however many rectangles it draws. The
 * software cursor of Xvfb and Xorg does not count as damage: a pointer move alone is no change.
 */
export class DamageWatcher implements ScreenChanges {
  count = 0;
  lastAt = -Infinity;
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly client: any,
    private readonly damage: any,
    private readonly id: number,
  ) {
    client.on('event', (event: any) => {
      if (event?.name !== 'DamageNotify' || event.damage !== id) return;
      this.count++;
      this.lastAt = performance.now();
      damage.Subtract(id, 0, 0);
      for (const wake of [...this.waiters]) wake();
    });
  }

  /** Watches `root` on `client`; undefined when the server has no DAMAGE extension. */
  static attach(client: any, root: number): Promise<DamageWatcher | undefined> {
    return new Promise((resolve) => {
      try {
        client.require('damage', (error: Error | null, damage: any) => {
          if (error || !damage) return resolve(undefined);
          const id = client.AllocID();
          damage.Create(id, root, REPORT_NON_EMPTY);
          resolve(new DamageWatcher(client, damage, id));
        });
      } catch {
        // The package's QueryExtension callback throws when the server does not list the extension.
        resolve(undefined);
      }
    });
  }

  next(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
      const stop = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', onAbort);
      };
      const done = () => {
        stop();
        resolve();
      };
      const onAbort = () => {
        stop();
        reject(signal?.reason ?? new Error('aborted'));
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waiters.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  close(): void {
    try {
      this.damage.Destroy(this.id);
    } catch {
      // the connection is already gone
    }
  }
}
