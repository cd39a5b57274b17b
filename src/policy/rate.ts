/** At most `perMinute` actions in any 60 s: an action over the limit waits for its turn. */
export class RateLimit {
  private readonly times: number[] = [];

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** How long the next action must wait (0: it may go now). */
  waitMs(): number {
    const now = this.now();
    while (this.times.length > 0 && (this.times[0] as number) <= now - 60_000) this.times.shift();
    if (this.times.length < this.perMinute) return 0;
    return (this.times[0] as number) + 60_000 - now;
  }

  /** Counts an action performed now. */
  take(): void {
    this.times.push(this.now());
  }
}
