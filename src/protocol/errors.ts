import type { z } from 'zod';

/** Longest excerpt of offending data kept on a ProtocolError (base64 screenshots can be megabytes). */
const MAX_DATA_CHARS = 600;

export interface ProtocolIssue {
  /** Where in the data, e.g. `output[0].call_id`; empty for the whole value. */
  field: string;
  message: string;
}

/**
 * Data from the server that breaks the wire protocol (a known event or a response with a malformed
 * field, a body that is not JSON). `field` names the first offending field, `data` is the offending
 * data as text, truncated.
 */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
  readonly data: string | undefined;
  readonly field: string | undefined;
  readonly issues: ProtocolIssue[];

  constructor(
    message: string,
    data?: unknown,
    options: ErrorOptions & { field?: string; issues?: ProtocolIssue[] } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.data = data === undefined ? undefined : truncate(data);
    this.field = options.field ?? options.issues?.[0]?.field;
    this.issues = options.issues ?? [];
  }

  /** From a failed zod parse of `data`; `what` says what was being read ("a response"). */
  static fromZod(what: string, error: z.ZodError, data: unknown): ProtocolError {
    const issues = error.issues
      .flatMap(deepest)
      .map((issue) => ({ field: formatPath(issue.path), message: issue.message }));
    const first = issues[0];
    const where = first?.field ? `"${first.field}"` : 'the value';
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem(s))` : '';
    return new ProtocolError(`${what} is malformed: ${where}: ${first?.message ?? 'invalid'}${more}`, data, {
      issues,
    });
  }
}

/**
 * An action from the model that cannot be run; `field` names the offending field. `kind` is
 * 'unknown_action' when the action type is not in the dialect's vocabulary, 'invalid_action' otherwise.
 */
export class ActionError extends Error {
  override name = 'ActionError';
  constructor(
    message: string,
    readonly field: string,
    readonly kind: 'unknown_action' | 'invalid_action' = 'invalid_action',
  ) {
    super(message);
  }
}

/**
 * A union that failed says only "Invalid input"; when one of its branches got further into the value
 * than the others (e.g. a content list whose part is wrong, rather than not a string), its issues say
 * more, so report those instead.
 */
function deepest(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
  const branches = issue.errors.map((branch) => branch.flatMap(deepest));
  const depth = (branch: z.core.$ZodIssue[]) => Math.max(0, ...branch.map((i) => i.path.length));
  const depths = branches.map(depth);
  const most = Math.max(...depths);
  if (most === 0 || depths.filter((d) => d === most).length > 1) return [issue];
  const best = branches[depths.indexOf(most)] ?? [];
  return best.map((i) => ({ ...i, path: [...issue.path, ...i.path] }));
}

/** `output[0].action.x` from ['output', 0, 'action', 'x']. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text === '' ? String(key) : `${text}.${String(key)}`;
  }, '');
}

function truncate(data: unknown): string {
  let text: string;
  if (typeof data === 'string') text = data;
  else {
    try {
      text = JSON.stringify(data) ?? String(data);
    } catch {
      text = String(data);
    }
  }
  return text.length <= MAX_DATA_CHARS
    ? text
    : `${text.slice(0, MAX_DATA_CHARS)}... (${text.length - MAX_DATA_CHARS} more characters)`;
}
