// Apart from job-data.ts (zod): `deskhand enqueue` declares its options with this at startup.

/** Options a job may not carry, and why (the message `enqueue` gives). */
export const FORBIDDEN_OPTIONS: Record<string, string> = {
  'api-key':
    "an API key is never stored in the queue: set TZAFON_API_KEY (or OPENAI_API_KEY) in the worker's environment",
  display: 'each worker slot owns its display: give the worker --display or let it start private ones',
  xvfb: "each worker slot owns its display: size the slots' displays with deskhand worker --size WxH",
  json: 'the worker always reads the run as --json; `deskhand jobs watch ID` shows its lines',
  'task-file': 'internal',
  'wait-for-display': "a slot's display is its own: there is nobody to wait for",
};
