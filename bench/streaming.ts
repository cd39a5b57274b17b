/**
 * Streaming execution: when the first action is in hand. Ours acts on `response.output_item.done` of the
 * computer_call; the baseline waits for `response.completed`, which the local model server sends 500 ms
 * later (as a model still finishing its turn would). Both are timed from request start on the same stream.
 */
import { ResponsesClient } from '../src/client/index.js';
import { startModelServer } from '../src/model-server/index.js';
import { firstTurnBody } from './first-turn.js';
import { type BenchGroup, compare } from './metric.js';
import { median } from './stats.js';

const RUNS = 10;
const COMPLETED_DELAY_MS = 500;

export const streamingGroup: BenchGroup = {
  name: 'streaming',
  async run() {
    const server = await startModelServer({
      dialect: 'lightcone',
      script: () => ({
        reasoning: 'The settings icon is at the top right; I will click it.',
        actions: [{ type: 'click', x: 1200, y: 40 }],
        fault: { completedDelayMs: COMPLETED_DELAY_MS },
      }),
    });
    try {
      const client = new ResponsesClient({ baseUrl: server.url });
      const body = await firstTurnBody();
      const actionMs: number[] = [];
      const completedMs: number[] = [];
      for (let i = 0; i <= RUNS; i++) {
        const started = performance.now();
        let action = Number.NaN;
        let completed = Number.NaN;
        for await (const event of client.stream(body)) {
          const now = performance.now() - started;
          if (event.type === 'response.output_item.done' && event.item.type === 'computer_call') action = now;
          if (event.type === 'response.completed') completed = now;
        }
        // The first run warms up the connection and the parsers.
        if (i === 0) continue;
        actionMs.push(action);
        completedMs.push(completed);
      }
      const lead = median(completedMs.map((done, i) => done - (actionMs[i] as number)));
      return [
        compare({
          name: 'streaming_action_ms',
          ours: actionMs,
          baseline: completedMs,
          unit: 'ms',
          better: 'lower',
          target: 'action >= 400 ms before response.completed',
          met: () => lead >= 400,
          note: `baseline: wait for response.completed (server sends it ${COMPLETED_DELAY_MS} ms after the last item); median lead ${Math.round(lead)} ms`,
        }),
      ];
    } finally {
      await server.close();
    }
  },
};
