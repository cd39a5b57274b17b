/**
 * The providers and time limits as plain values, apart from the client: the CLI's option
 * definitions read them at startup, without loading the client and its wire schemas.
 */

export type Provider = 'lightcone' | 'openai';

/** Where each provider lives and where its settings come from by default. */
export const PROVIDERS = {
  lightcone: {
    baseUrl: 'https://api.tzafon.ai',
    baseUrlEnv: 'LIGHTCONE_BASE_URL',
    keyEnv: 'TZAFON_API_KEY',
    model: 'tzafon.northstar-cua-fast',
  },
  openai: {
    baseUrl: 'https://api.openai.com',
    baseUrlEnv: 'OPENAI_BASE_URL',
    keyEnv: 'OPENAI_API_KEY',
    model: 'computer-use-preview',
  },
} as const;

/**
 * The three time limits. None of them bounds a healthy stream's length: a reasoning model may think
 * for minutes while its stream stays open and alive.
 */
export const DEFAULT_TIMEOUTS = {
  /** Until the answer's headers arrive (streams), or the whole answer of a small request. */
  timeoutMs: 60_000,
  /** The longest silence between two bytes of an open event stream. */
  idleTimeoutMs: 300_000,
  /** The whole answer of a non-streaming create (openai-node's default timeout). */
  requestTimeoutMs: 600_000,
};
