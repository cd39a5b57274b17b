import type { Argv } from 'yargs';
import { DEFAULT_TIMEOUTS, type Provider } from '../client/defaults.js';
import { DEFAULT_RETRY } from '../client/retry.js';

export { PROVIDERS, type Provider } from '../client/defaults.js';

export interface ProviderArgs {
  provider: Provider;
  baseUrl?: string;
  apiKey?: string;
  timeout: number;
  idleTimeout: number;
  requestTimeout: number;
  maxRetries: number;
}

export function withProviderOptions<T>(yargs: Argv<T>): Argv<T & ProviderArgs> {
  return yargs
    .option('provider', {
      choices: ['lightcone', 'openai'] as const,
      default: 'lightcone' as const,
      describe: 'the model API',
    })
    .option('base-url', {
      type: 'string',
      describe:
        'API base URL (default: $LIGHTCONE_BASE_URL or https://api.tzafon.ai; $OPENAI_BASE_URL or https://api.openai.com)',
    })
    .option('api-key', {
      type: 'string',
      describe: 'API key (default: $TZAFON_API_KEY / $OPENAI_API_KEY); never printed',
    })
    .option('timeout', {
      type: 'number',
      default: DEFAULT_TIMEOUTS.timeoutMs / 1000,
      describe: 'seconds until an answer begins (the headers of a stream) or a small request is answered',
    })
    .option('idle-timeout', {
      type: 'number',
      default: DEFAULT_TIMEOUTS.idleTimeoutMs / 1000,
      describe: 'seconds of silence on an open stream before it counts as dropped (then resumed)',
    })
    .option('request-timeout', {
      type: 'number',
      default: DEFAULT_TIMEOUTS.requestTimeoutMs / 1000,
      describe: 'seconds for the whole answer of a non-streaming create (--no-stream)',
    })
    .option('max-retries', {
      type: 'number',
      default: DEFAULT_RETRY.maxRetries,
      describe: 'retries of a failed request (429, 5xx, 408, 409, dropped connections), as openai-node',
    }) as unknown as Argv<T & ProviderArgs>;
}
