import { afterEach } from 'vitest';
import { type ModelServer, type ModelServerOptions, startModelServer } from '../../src/model-server/index.js';

/**
 * Starts local model servers for one test file, each closed after the test that started it. Call it
 * at the top level of the file; `defaults` apply to every server (the dialect is Lightcone unless said).
 */
export function modelServers(
  defaults: Partial<ModelServerOptions> = {},
): (options: Partial<ModelServerOptions> & Pick<ModelServerOptions, 'script'>) => Promise<ModelServer> {
  const started: ModelServer[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.close()));
  });
  return async (options) => {
    const server = await startModelServer({ dialect: 'lightcone', ...defaults, ...options });
    started.push(server);
    return server;
  };
}
