/** The CLI's exit codes (DESIGN.md, CLI contract). */
export const ExitCode = {
  finished: 0,
  failed: 1,
  usage: 2,
  limit: 3,
  sigint: 130,
  sigterm: 143,
} as const;

/** An error the user caused by what they asked for: exit 2 with the message, no stack. */
export class UsageError extends Error {
  override name = 'UsageError';
}
