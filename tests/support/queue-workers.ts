import { type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Queue } from 'bullmq';
import type { ScriptContext, Turn } from '../../src/model-server/index.js';
import type { JobResult } from '../../src/queue/job-data.js';
import { startCli } from './cli.js';

/** A `deskhand worker` process started by a test. */
export interface WorkerProcess {
  child: ChildProcessWithoutNullStreams;
  name: string;
  displays: string[];
  /** Everything it logged so far. */
  log(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `deskhand worker` and resolves once its slots are up (its first log line names their displays). */
export async function startWorkerProcess(redis: string, queue: string, name: string, ...extra: string[]) {
  const child = startCli(['worker', '--redis', redis, '--queue', queue, '--name', name, ...extra]);
  let text = '';
  child.stdout.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const displays = await new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`worker ${name} did not start in 60 s: ${text}`)),
      60_000,
    );
    child.stderr.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /slot\(s\) on ([^;]+);/.exec(text);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1].split(', '));
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`worker ${name} exited with ${code} before it started: ${text}`));
    });
  });
  return { child, name, displays, log: () => text, exited } satisfies WorkerProcess;
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A test's view of a queue (BullMQ directly, to check what the commands claim). */
export function openQueue(redis: string, name: string): Queue {
  const queue = new Queue(name, { connection: { url: redis, maxRetriesPerRequest: 1 } });
  queue.on('error', () => {});
  return queue;
}

export const resultOf = (value: unknown) => value as JobResult;

/**
 * The local model's part in the queue tests, chosen by the task's words "queue-test KIND N":
 *   quick  thinks 1.5 s, clicks; thinks 1 s, ends with the answer "done quick N" (a job that mostly waits
 *          for the model, as real ones do)
 *   slow   the same with 4 s of thinking on the first turn (time to kill its worker)
 *   tick   ends at once with "done tick N"
 *   hold   holds Shift down, then thinks for ever (until cancelled)
 * Stateless: every turn finds its task again in the request (first turn) or the previous response's
 * reasoning (later turns), so one server serves any number of concurrent runs.
 */
export function queueScript({ body, previous }: ScriptContext): Turn {
  const match = /queue-test (\w+) (\d+)/.exec(JSON.stringify(previous ?? body));
  const [kind, n] = [match?.[1] ?? 'quick', match?.[2] ?? '0'];
  const reasoning = `task: queue-test ${kind} ${n}`;
  const finish = (delayMs: number): Turn => ({
    reasoning,
    actions: [{ type: 'terminate', status: 'success', result: `done ${kind} ${n}` }],
    fault: { delayMs },
  });
  if (!previous) {
    if (kind === 'tick') return finish(0);
    if (kind === 'hold') return { reasoning, actions: [{ type: 'key_down', keys: ['shift'] }] };
    return {
      reasoning,
      actions: [{ type: 'click', x: 500, y: 500 }],
      fault: { delayMs: kind === 'slow' ? 4000 : 1500 },
    };
  }
  // The reasoning goes out first, so the test can tell this response by its task.
  if (kind === 'hold') return { reasoning, fault: { hang: { afterItems: 1 } } };
  return finish(1000);
}
