import type { Argv } from 'yargs';
import { ResponsesClient } from '../client/responses-client.js';
import { UsageError } from './exit-codes.js';

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

export interface ProviderArgs {
  provider: Provider;
  baseUrl?: string;
  apiKey?: string;
  timeout: number;
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
      default: 60,
      describe: 'seconds to wait for the API to answer',
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
  if (!(args.timeout > 0))
    throw new UsageError(`--timeout must be a positive number of seconds, got ${args.timeout}`);
  return new ResponsesClient({ baseUrl, apiKey, timeoutMs: args.timeout * 1000 });
}
