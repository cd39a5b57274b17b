import { afterAll, expect, it } from 'vitest';
import { DEFAULT_TIMEOUTS, ResponsesClient } from '../../src/client/responses-client.js';
import { type ModelServer, startModelServer } from '../../src/model-server/index.js';

/*
 * A reasoning model may think for minutes. A 3-minute turn that streams slowly (an event every 9 s) must
 * complete under the default limits: --timeout (60 s) bounds only the wait for the headers, and no
 * limit bounds a healthy stream's length. (Its own file, so it runs beside the rest of the suite.)
 */

let server: ModelServer | undefined;
afterAll(async () => server?.close());

it(
  'a 3-minute turn that streams slowly completes with the default limits',
  { timeout: 240_000 },
  async () => {
    const reasoning = Array.from({ length: 12 }, (_, i) => `thought${i}`).join(' ');
    server = await startModelServer({
      dialect: 'lightcone',
      script: [{ reasoning, actions: [{ type: 'click', x: 500, y: 300 }] }],
      faults: { eventDelayMs: 9_000 },
    });
    const client = new ResponsesClient({ baseUrl: server.url });
    expect(client.options.timeoutMs).toBe(DEFAULT_TIMEOUTS.timeoutMs);
    const started = performance.now();
    const types: string[] = [];
    for await (const event of client.stream({
      model: 'tzafon.northstar-cua-fast',
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'think, then click' }] }],
      tools: [{ type: 'computer_use', display_width: 1280, display_height: 800, environment: 'desktop' }],
    }))
      types.push(event.type);
    const took = performance.now() - started;
    expect(took).toBeGreaterThan(170_000);
    expect(types.at(-1)).toBe('response.completed');
    expect(types.filter((type) => type === 'response.output_item.done')).toHaveLength(2);
    expect(server.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
    expect(server.requests.filter((request) => request.method === 'GET')).toHaveLength(0);
  },
);
