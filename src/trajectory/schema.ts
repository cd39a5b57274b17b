import { z } from 'zod';

/**
 * The run record's format, version 1: run.json and each line of steps.jsonl, as zod schemas (the one
 * source of the format; docs/record-format.md explains it for people). Readers validate with these;
 * a record whose `formatVersion` is newer than RECORD_FORMAT_VERSION is refused with a message that
 * says to update deskhand. Objects are open (`looseObject`): a later deskhand may add fields within a
 * version, and a reader keeps what it does not know. Records written before the version existed have
 * no `formatVersion` and read as version 1 (the same lines, fewer of them).
 */
export const RECORD_FORMAT_VERSION = 1;

const Point = z.object({ x: z.number(), y: z.number() });
const Usage = z.looseObject({
  input_tokens: z.number(),
  output_tokens: z.number(),
  total_tokens: z.number(),
});

/** run.json: what was asked, on which display, and (once finished) how it ended. */
export const RunJsonSchema = z.looseObject({
  formatVersion: z.number().int().positive().optional(),
  runId: z.string(),
  task: z.string(),
  provider: z.string(),
  model: z.string(),
  /** The display profile (calibration's DisplayProfile): screen, viewport, coordinate mode. */
  profile: z.unknown(),
  /** Wall-clock time the run started (ISO 8601, UTC). */
  startedAt: z.string(),
  options: z.record(z.string(), z.unknown()).optional(),
  /** The process writing the record and its host: `running` with a live pid is a run still going. */
  pid: z.number().int().optional(),
  host: z.string().optional(),
  /** `running` until the ending is written; a killed process leaves `running`. */
  status: z.enum(['running', 'finished']),
  endedAt: z.string().optional(),
  outcome: z.string().optional(),
  exitCode: z.number().optional(),
  result: z.string().optional(),
  message: z.string().optional(),
  steps: z.number().optional(),
  turns: z.number().optional(),
  usage: Usage.optional(),
  durationMs: z.number().optional(),
});
export type RunJson = z.infer<typeof RunJsonSchema>;

/** Fields of both lines of one action: what the model asked and where it landed on the screen. */
const actionFields = {
  /** 1-based count of actions performed in the run. */
  step: z.number().int().positive(),
  turn: z.number().int().nonnegative(),
  /** The model response and call the action came from; absent for actions no model sent (an MCP
   * client's `act`, a replayed step). */
  responseId: z.string().optional(),
  callId: z.string().optional(),
  /** The action in the model's coordinates, texts as the model sent them ({{NAME}} for secrets). */
  action: z.looseObject({ type: z.string() }),
  modelPoints: z.array(Point),
  screenPoints: z.array(Point),
  /** Wall-clock time the action started. */
  startedAt: z.string().optional(),
};

/** `at` is milliseconds since the run started (the run events' clock). */
const at = z.number().optional();

/** Each line of steps.jsonl, by `type`. */
export const RecordLineSchemas = {
  /** Written before the action starts: a run killed mid-action shows what was in flight. */
  'action.started': z.looseObject({ type: z.literal('action.started'), ...actionFields }),
  /** Written once the action is done. */
  action: z.looseObject({
    type: z.literal('action'),
    ...actionFields,
    durationMs: z.number(),
    ok: z.boolean(),
    error: z.string().optional(),
  }),
  /** An action the model sent that deskhand could not run; the model was told so. */
  rejected: z.looseObject({
    type: z.literal('rejected'),
    turn: z.number(),
    responseId: z.string(),
    callId: z.string(),
    message: z.string(),
  }),
  /** A screenshot sent to the model: taken before turn 1 (turn 0) and after each turn T (turn T). */
  screenshot: z.looseObject({
    type: z.literal('screenshot'),
    at,
    turn: z.number().int().nonnegative(),
    /** Relative to the record folder, e.g. screenshots/turn-003.png. */
    file: z.string(),
    width: z.number().optional(),
    height: z.number().optional(),
    bytes: z.number().optional(),
    /**
     * Waiting for the screen to stop changing (0: it was still at once), encoding the kept capture, and
     * the whole screenshot from asking to having it (settle checks, grabs and encoding included).
     */
    settleMs: z.number().optional(),
    captureMs: z.number().optional(),
    totalMs: z.number().optional(),
  }),
  /**
   * One model request (a turn), once its response is complete. Its screenshots are those of the
   * `screenshot` lines: turn T-1's was sent with it ("before"), turn T's was taken after it ("after").
   */
  request: z.looseObject({
    type: z.literal('request'),
    /** When the request was sent. */
    at,
    turn: z.number().int().positive(),
    responseId: z.string(),
    streamed: z.boolean(),
    /** Sent to the first action in hand (streaming acts before the response is complete). */
    firstActionMs: z.number().optional(),
    /** Sent to the response complete; includes the actions performed while it streamed. */
    responseMs: z.number(),
    /** Of those, the time spent performing actions. */
    actionsMs: z.number().optional(),
    /** Requests sent again (after 408/429/5xx, a refused connection) and dropped streams resumed. */
    retries: z.number().int().nonnegative(),
    resumes: z.number().int().nonnegative().optional(),
    /** The response's usage as the server sent it (servers differ in what they fill in). */
    usage: z.unknown().optional(),
  }),
  reasoning: z.looseObject({ type: z.literal('reasoning'), at, turn: z.number(), text: z.string() }),
  message: z.looseObject({ type: z.literal('message'), at, turn: z.number(), text: z.string() }),
  /** Client retries, resumes, fallbacks, clamped points: what a person should know about the run. */
  warning: z.looseObject({
    type: z.literal('warning'),
    at,
    turn: z.number().optional(),
    message: z.string(),
  }),
  /** A pending safety check and what was decided. */
  safety_check: z.looseObject({
    type: z.literal('safety_check'),
    at,
    turn: z.number().optional(),
    callId: z.string(),
    checks: z.array(
      z.looseObject({ id: z.string(), code: z.string().nullish(), message: z.string().nullish() }),
    ),
    approved: z.boolean(),
  }),
  /** The model was told it repeats itself on an unchanged screen. */
  nudge: z.looseObject({ type: z.literal('nudge'), at, turn: z.number(), message: z.string() }),
  /** A person (or another program) used the desktop: deskhand paused (see session/takeover.ts). */
  'takeover.started': z.looseObject({
    type: z.literal('takeover.started'),
    at,
    turn: z.number(),
    step: z.number().optional(),
    input: z.string(),
    message: z.string(),
    resumes: z.string(),
  }),
  /** The desktop was idle long enough (or the user said go on): deskhand went on after pausedMs. */
  'takeover.ended': z.looseObject({
    type: z.literal('takeover.ended'),
    at,
    turn: z.number(),
    pausedMs: z.number(),
  }),
  /** A policy confirm rule asked a person about an action, and what they answered. */
  'policy.confirm': z.looseObject({
    type: z.literal('policy.confirm'),
    at,
    turn: z.number(),
    callId: z.string(),
    rule: z.string().optional(),
    question: z.string(),
    approved: z.boolean(),
  }),
  /** The last line: how the run ended (the same fields as run.json's ending). */
  end: z.looseObject({
    type: z.literal('end'),
    outcome: z.string(),
    exitCode: z.number(),
    result: z.string().optional(),
    message: z.string().optional(),
    steps: z.number().optional(),
    turns: z.number().optional(),
    usage: Usage.optional(),
    durationMs: z.number().optional(),
    endedAt: z.string().optional(),
  }),
} as const;

export const RecordLineSchema = z.discriminatedUnion(
  'type',
  Object.values(RecordLineSchemas) as unknown as [
    (typeof RecordLineSchemas)[keyof typeof RecordLineSchemas],
    ...(typeof RecordLineSchemas)[keyof typeof RecordLineSchemas][],
  ],
);
export type RecordLine = z.infer<typeof RecordLineSchema>;
export type RecordLineType = keyof typeof RecordLineSchemas;
export type RecordLineOf<T extends RecordLineType> = z.infer<(typeof RecordLineSchemas)[T]>;

/** A record this deskhand cannot read: a newer format, or a file that is not what the format says. */
export class RecordFormatError extends Error {
  override name = 'RecordFormatError';
}

/** Checks run.json's content; throws RecordFormatError naming the field and the fix. */
export function parseRunJson(value: unknown, where: string): RunJson {
  const version = (value as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version > RECORD_FORMAT_VERSION)
    throw new RecordFormatError(
      `${where}: the record is in format ${version}, written by a newer deskhand; this one reads format ` +
        `${RECORD_FORMAT_VERSION} and older: update deskhand (npm install -g deskhand@latest) to read it`,
    );
  const parsed = RunJsonSchema.safeParse(value);
  if (!parsed.success)
    throw new RecordFormatError(`${where} is not a deskhand run.json: ${issues(parsed.error)}`);
  return parsed.data;
}

/**
 * Checks one steps.jsonl line. A line of a type this version does not know is kept as it is (a newer
 * deskhand of the same format version may add line types); a known type must have its fields.
 */
export function parseRecordLine(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new RecordFormatError(`${where}: expected a JSON object`);
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') throw new RecordFormatError(`${where}: the line has no "type"`);
  const schema = (RecordLineSchemas as Record<string, z.ZodType>)[type];
  if (!schema) return value as Record<string, unknown>;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new RecordFormatError(`${where} (${type}): ${issues(parsed.error)}`);
  return parsed.data as Record<string, unknown>;
}

function issues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || 'the value'}: ${issue.message}`)
    .join('; ');
}
