import { PROVIDERS, type Provider } from './defaults.js';
import { ResponsesClient, type ClientOptions } from './responses-client.js';

export { PROVIDERS, type Provider };

export interface ProviderSettings extends Partial<Omit<ClientOptions, 'baseUrl'>> {
  provider: Provider;
  baseUrl?: string;
  apiKey?: string;
}

/**
 * The client for a provider with its defaults: base URL and key from the provider's environment
 * variables, and for OpenAI the organization and project headers openai-node sends.
 */
export function clientFor(settings: ProviderSettings, env: NodeJS.ProcessEnv = process.env): ResponsesClient {
  const provider = PROVIDERS[settings.provider];
  return new ResponsesClient({
    ...settings,
    baseUrl: settings.baseUrl ?? env[provider.baseUrlEnv] ?? provider.baseUrl,
    apiKey: settings.apiKey ?? env[provider.keyEnv],
    headers: { ...(settings.provider === 'openai' ? openaiHeaders(env) : {}), ...settings.headers },
  });
}

/** openai-node sends these from OPENAI_ORG_ID and OPENAI_PROJECT_ID; so does deskhand. */
function openaiHeaders(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    [
      ['OpenAI-Organization', env.OPENAI_ORG_ID],
      ['OpenAI-Project', env.OPENAI_PROJECT_ID],
    ].filter((pair): pair is [string, string] => Boolean(pair[1])),
  );
}
