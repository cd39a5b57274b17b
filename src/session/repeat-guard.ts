import { createHash } from 'node:crypto';
import type { Action } from '../protocol/actions.js';

export interface RepeatVerdict {
  /** How many times in a row the same actions met the same screen. */
  repeats: number;
  nudge: boolean;
  stop: boolean;
}

/**
 * Notices a model doing the same thing to an unchanged screen: after `nudgeAfter` repeats it says so
 * to the model; after `stopAfter` the run ends (exit 3) rather than loop until the step limit.
 */
export class RepeatGuard {
  private last: string | undefined;
  private repeats = 0;

  constructor(
    private readonly nudgeAfter = 3,
    private readonly stopAfter = 6,
  ) {}

  /** Call once per turn with the turn's actions and the screenshot taken after them. */
  observe(actions: Action[], screenshot: Buffer): RepeatVerdict {
    const key = createHash('sha1').update(JSON.stringify(actions)).update(screenshot).digest('hex');
    this.repeats = actions.length > 0 && key === this.last ? this.repeats + 1 : 0;
    this.last = key;
    return {
      repeats: this.repeats,
      nudge: this.repeats >= this.nudgeAfter && this.repeats < this.stopAfter,
      stop: this.repeats >= this.stopAfter,
    };
  }
}
