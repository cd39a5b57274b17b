/** The CLI's exit codes (DESIGN.md, CLI contract; the README's table lists what each means). */
export const ExitCode = {
  finished: 0,
  failed: 1,
  usage: 2,
  limit: 3,
  /** The X display went away mid-run (its server died or dropped us). */
  displayLost: 4,
  /** Another deskhand process owns the display (and --wait-for-display ran out). */
  displayBusy: 5,
  /** A replay found another screen than the recorded one and --fallback none: stopped before acting. */
  replayDiverged: 7,
  sighup: 129,
  sigint: 130,
  /** stdout or stderr was closed under us (EPIPE): 128 + SIGPIPE, as a shell reports it. */
  outputClosed: 141,
  sigterm: 143,
} as const;

/** An error the user caused by what they asked for: exit 2 with the message, no stack. */
export class UsageError extends Error {
  override name = 'UsageError';
}
