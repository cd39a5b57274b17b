import { clientFor, PROVIDERS } from '../client/providers.js';
import type { ResponsesClient } from '../client/responses-client.js';
import { UsageError } from './exit-codes.js';
import type { ProviderArgs } from './provider-options.js';

// Apart from provider-options.ts (the options' definition): the client and its wire schemas are
// loaded only by the commands that talk to a model, in their handlers.

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
