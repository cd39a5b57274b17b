/*
 * What each numeric option accepts, in one table for the command line, the environment and the config
 * file alike: `--max-edge 0`, `--token-budget -5` or `--max-turns 1.5` are usage errors (exit 2), never
 * taken silently.
 */

type Rule = (value: number) => string | undefined;

const whole =
  (min: number, max = Number.MAX_SAFE_INTEGER): Rule =>
  (value) =>
    Number.isInteger(value) && value >= min && value <= max
      ? undefined
      : max === Number.MAX_SAFE_INTEGER
        ? `must be a whole number, ${min} or more`
        : `must be a whole number from ${min} to ${max}`;

const positive: Rule = (value) => (value > 0 ? undefined : 'must be more than 0');
const atLeastZero: Rule = (value) => (value >= 0 ? undefined : 'must be 0 or more');

const RULES: Record<string, Rule> = {
  'max-turns': whole(1),
  'max-steps': whole(1),
  'max-actions': whole(1),
  'token-budget': whole(1),
  'keep-screenshots': whole(1),
  'max-edge': whole(16),
  'scale-factor': positive,
  quality: whole(1, 100),
  'image-quality': whole(1, 100),
  'pixels-per-notch': positive,
  timeout: positive,
  'idle-timeout': positive,
  'request-timeout': positive,
  'max-retries': whole(0, 100),
  'wait-for-display': atLeastZero,
  pace: atLeastZero,
  slots: whole(1, 64),
  grace: atLeastZero,
  attempts: whole(1, 100),
  limit: whole(1),
  'lock-duration': positive,
  'stalled-interval': positive,
  'max-stalled': whole(0),
};

/** What is wrong with the value of the option (dashed name), or undefined when it is fine. */
export function problemWith(option: string, value: unknown): string | undefined {
  const rule = RULES[option];
  if (!rule || value === undefined) return undefined;
  if (typeof value !== 'number' || Number.isNaN(value))
    return `must be a number, got ${JSON.stringify(value)}`;
  return rule(value);
}

/** The first problem among the parsed options (yargs gives NaN for `--token-budget abc`), as a message. */
export function checkOptions(argv: Record<string, unknown>): string | undefined {
  for (const option of Object.keys(RULES)) {
    const value = argv[option];
    if (value === undefined) continue;
    const problem = problemWith(option, value);
    if (problem) return `--${option} ${problem}${problem.includes('got') ? '' : `, got ${String(value)}`}`;
  }
  return undefined;
}
