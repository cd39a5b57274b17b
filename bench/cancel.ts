/**
 * Cancel latency at the client: from `stream.cancel()` on a response still generating to the server
 * receiving the cancel POST. The baseline is the floor, a bare `fetch` of the same POST, so the ratio
 * shows what the client adds (closing the stream first, building the request).
 */
import { ResponsesClient, type ResponseStream } from '../src/client/index.js';
import type { StreamEvent } from '../src/protocol/index.js';
import { startModelServer } from '../src/model-server/index.js';
import { firstTurnBody } from './first-turn.js';
import { alternate, type BenchGroup, compare } from './metric.js';

const RUNS = 20;

export const cancelGroup: BenchGroup = {
  name: 'cancel',
  async run() {
    // Each response stops after response.in_progress and runs until cancelled or its stream is closed.
    const server = await startModelServer({
      dialect: 'lightcone',
      script: () => ({ reasoning: 'Thinking…', actions: [{ type: 'wait' }], fault: { hang: true } }),
    });
    try {
      const client = new ResponsesClient({ baseUrl: server.url });
      const body = await firstTurnBody();

      /** Opens a hanging response, then times `cancel(stream)` until the server has the cancel POST. */
      const timeCancel = (cancel: (stream: ResponseStream, id: string) => Promise<unknown>) => async () => {
        const stream = client.stream(body);
        const events: AsyncIterator<StreamEvent> = stream[Symbol.asyncIterator]();
        while (!stream.responseId) {
          if ((await events.next()).done) throw new Error('the response ended before it started');
        }
        const id = stream.responseId;
        const received = server
          .waitForRequest(
            (request) => request.method === 'POST' && request.path === `/v1/responses/${id}/cancel`,
          )
          .then(() => performance.now());
        const started = performance.now();
        const cancelled = cancel(stream, id);
        const ms = (await received) - started;
        await cancelled;
        stream.close();
        await events.return?.();
        return ms;
      };

      const ours = timeCancel((stream) => stream.cancel());
      const bare = timeCancel(async (_stream, id) => {
        const response = await fetch(`${server.url}/v1/responses/${id}/cancel`, { method: 'POST' });
        await response.text();
      });
      await ours();
      await bare();
      const [oursMs, bareMs] = await alternate(RUNS, [ours, bare]);
      return [
        compare({
          name: 'cancel_client_ms',
          ours: oursMs ?? [],
          baseline: bareMs ?? [],
          unit: 'ms',
          better: 'lower',
          target: '<= 200 ms',
          met: (o) => o <= 200,
          note: 'stream.cancel() to cancel POST received; baseline: bare fetch of the POST (the floor)',
        }),
      ];
    } finally {
      await server.close();
    }
  },
};
