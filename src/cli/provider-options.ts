import type { Argv } from 'yargs';
import { clientFor, PROVIDERS, type Provider } from '../client/providers.js';
import { DEFAULT_TIMEOUTS, type ResponsesClient } from '../client/responses-client.js';
import { DEFAULT_RETRY } from '../client/retry.js';
import { UsageError } from './exit-codes.js';

export { PROVIDERS, type Provider } from '../client/providers.js';

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

function isLoopback(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.');
}

/** The client for the chosen provider; a missing key is a usage error, except for a local server. */
export function clientFromArgs(args: ProviderArgs, env: NodeJS.ProcessEnv = process.env): ResponsesClient {
  const provider = PROVIDERS[args.provider];
  const baseUrl = args.baseUrl ?? env[provider.baseUrlEnv] ?? provider.baseUrl;
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new UsageError(
      `--base-url ${JSON.stringify(baseUrl)} is not a URL (expected e.g. ${provider.baseUrl})`,
    );
  }
  const apiKey = args.apiKey ?? env[provider.keyEnv];
  if (!apiKey && !isLoopback(url)) {
    throw new UsageError(
      `no API key for ${args.provider}: set ${provider.keyEnv} in the environment (or pass --api-key).`,
    );
  }
  // The numbers were checked with the command line (option-rules.ts).
  return clientFor(
    {
      provider: args.provider,
      baseUrl,
      apiKey,
      timeoutMs: args.timeout * 1000,
      idleTimeoutMs: args.idleTimeout * 1000,
      requestTimeoutMs: args.requestTimeout * 1000,
      retry: { maxRetries: args.maxRetries },
    },
    env,
  );
}
