import { describe, expect, it } from 'vitest';
import { DisplayBusyError, lockDisplay, lockName } from '../../native-adapters/display-lock.js';

describe('display lock', () => {
  it('names one lock per X server, whatever the spelling', () => {
    expect(lockName(':90')).toBe(lockName(':90.0'));
    expect(lockName(':90')).toBe(lockName('unix:90'));
    expect(lockName(':90')).toBe(lockName('localhost:90'));
    expect(lockName(':90')).not.toBe(lockName(':91'));
    expect(lockName(':90')).not.toBe(lockName('otherhost:90'));
    expect(lockName(':90').startsWith('\0')).toBe(true);
  });

  it('a second taker is refused naming the owner; after release it gets the display', async () => {
    const display = `:${7000 + (process.pid % 1000)}`;
    const first = await lockDisplay(display, { command: 'run' });
    const refused = await lockDisplay(display, { command: 'act' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DisplayBusyError);
    expect((refused as DisplayBusyError).owner).toMatchObject({ pid: process.pid, command: 'run' });
    expect((refused as Error).message).toContain(`pid ${process.pid}, deskhand run`);
    // A waiter starts the moment the owner releases, not at the end of its wait.
    const waiting = lockDisplay(display, { command: 'act', waitMs: 10_000 });
    const releasedAt = performance.now();
    first.release();
    const second = await waiting;
    expect(performance.now() - releasedAt).toBeLessThan(1000);
    second.release();
  });
});
