/** The scripted model: which turn answers the next create call, and which scripted failure comes first. */
import type { Dialect, Fault, HttpErrorFault, JsonObject, Script, Turn } from './types.js';

export const EXHAUSTED_TURN: Turn = { message: 'script exhausted' };

export interface NextTurn {
  turnIndex: number;
  attempt: number;
  turn: Turn;
  /** The server-wide fault defaults overlaid with the turn's own. */
  fault: Fault;
}

export class ScriptPlayer {
  #served = 0;
  readonly #attempts = new Map<number, number>();

  constructor(
    readonly dialect: Dialect,
    readonly script: Script,
    readonly defaults: Fault = {},
  ) {}

  /** The turn for the next create; it stays next until `served` is called (failed attempts retry it). */
  async next(body: JsonObject, previous: JsonObject | undefined): Promise<NextTurn> {
    const turnIndex = this.#served;
    const attempt = (this.#attempts.get(turnIndex) ?? 0) + 1;
    this.#attempts.set(turnIndex, attempt);
    const entry = typeof this.script === 'function' ? this.script : this.script[turnIndex];
    const context = { dialect: this.dialect, turnIndex, attempt, body, ...(previous ? { previous } : {}) };
    const turn =
      entry === undefined ? EXHAUSTED_TURN : typeof entry === 'function' ? await entry(context) : entry;
    return { turnIndex, attempt, turn, fault: { ...this.defaults, ...turn.fault } };
  }

  served(turnIndex: number): void {
    this.#served = Math.max(this.#served, turnIndex + 1);
  }
}

/** Attempts 1..connectionReset are reset, the next httpError.times get the HTTP error, then the turn is served. */
export function scriptedFailure(fault: Fault, attempt: number): 'reset' | HttpErrorFault | undefined {
  // (errorBeforeCreated and unusableStream are stream faults: see server.ts)
  const resets = fault.connectionReset ?? 0;
  if (attempt <= resets) return 'reset';
  if (fault.httpError && attempt <= resets + (fault.httpError.times ?? 1)) return fault.httpError;
  return undefined;
}
