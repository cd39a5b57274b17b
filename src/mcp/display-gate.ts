/**
 * One user of the display's input at a time. MCP clients may send tool calls in parallel; two `act`
 * calls interleaving their events would mix a held Shift into the other's typing, so calls that send
 * input wait their turn here, in order. A `run_task` holds the display for a whole run: an `act` sent
 * meanwhile is refused at once rather than left waiting for minutes.
 */
export class DisplayGate {
  private queue: Promise<unknown> = Promise.resolve();
  /** run_task calls running or waiting. */
  private tasks = 0;

  /** Runs `work` once the calls before it are done. */
  use<T>(what: 'act' | 'run_task', work: () => Promise<T>): Promise<T> {
    if (what === 'act' && this.tasks > 0)
      return Promise.reject(
        new Error(
          'a run_task is using the display: wait for it to end (or cancel that call) before sending input',
        ),
      );
    if (what === 'run_task') this.tasks++;
    const next = this.queue.then(work).finally(() => {
      if (what === 'run_task') this.tasks--;
    });
    this.queue = next.catch(() => {});
    return next;
  }

  /** The calls in flight and queued, settled (for a clean shutdown). */
  idle(): Promise<void> {
    return this.queue.then(() => {});
  }
}
