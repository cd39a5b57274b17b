import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { ExitCode, UsageError } from './exit-codes.js';
import { stderr } from './output.js';
import { checkedRedis, type QueueArgs, withQueueOptions } from './queue-options.js';
import { parseXvfbSize } from './run.js';
import { recordOption } from './record-option.js';

interface WorkerArgs extends QueueArgs {
  slots: number;
  display?: string;
  size: string;
  grace: number;
  name?: string;
  record?: string;
  lockDuration: number;
  stalledInterval: number;
  maxStalled: number;
}

const EXIT_BY_SIGNAL = { SIGINT: ExitCode.sigint, SIGTERM: ExitCode.sigterm, SIGHUP: ExitCode.sighup };

async function runWorker(args: WorkerArgs): Promise<number> {
  const shown = checkedRedis(args);
  if (args.display !== undefined && args.slots !== 1)
    throw new UsageError(
      `--display ${args.display} is one display: it takes one slot, not --slots ${args.slots}`,
    );
  const size = parseXvfbSize(args.size);
  const log = (line: string) => stderr.write(`${new Date().toISOString()} ${line}\n`);
  // A signal while the worker starts (Redis still away): nothing runs yet, so just go; the slots'
  // displays end with the process.
  const early = (signal: keyof typeof EXIT_BY_SIGNAL) => () => process.exit(EXIT_BY_SIGNAL[signal]);
  const earlyHandlers = (Object.keys(EXIT_BY_SIGNAL) as (keyof typeof EXIT_BY_SIGNAL)[]).map(
    (signal) => [signal, early(signal)] as const,
  );
  for (const [signal, handler] of earlyHandlers) process.on(signal, handler);
  // Loaded here, not at the top: BullMQ takes a while to load, and `deskhand run` needs none of it.
  const { startQueueWorker } = await import('../queue/worker.js');
  const worker = await startQueueWorker({
    redis: args.redis,
    queue: args.queue,
    slots: args.slots,
    display: args.display,
    size,
    name: args.name,
    recordRoot: args.record,
    lockDurationMs: args.lockDuration * 1000,
    stalledIntervalMs: args.stalledInterval * 1000,
    maxStalledCount: args.maxStalled,
    log,
  });
  for (const [signal, handler] of earlyHandlers) process.off(signal, handler);
  log(
    `worker ${worker.name}: ${worker.displays.length} slot(s) on ${worker.displays.join(', ')}; queue "${args.queue}" at ${shown}`,
  );
  return new Promise<number>((resolve) => {
    let first: keyof typeof EXIT_BY_SIGNAL | undefined;
    const onSignal = (signal: keyof typeof EXIT_BY_SIGNAL) => {
      if (first) {
        log(`${signal} again: cancelling the running jobs now and giving them back to the queue`);
        worker.stopNow();
        return;
      }
      first = signal;
      log(
        `${signal}: taking no new job; running jobs have ${args.grace} s to finish, then go back to the queue`,
      );
      void worker.stop(args.grace * 1000).then(() => {
        log('stopped');
        resolve(EXIT_BY_SIGNAL[signal]);
      });
    };
    for (const signal of Object.keys(EXIT_BY_SIGNAL) as (keyof typeof EXIT_BY_SIGNAL)[])
      process.on(signal, () => onSignal(signal));
  });
}

export const workerCommand: CommandModule<object, WorkerArgs> = {
  command: 'worker',
  describe: 'Run queued jobs: each slot has its own display and runs one job at a time, as deskhand run',
  builder: (yargs: Argv) =>
    withQueueOptions(yargs)
      .option('slots', {
        type: 'number',
        default: 1,
        describe: 'jobs at once, each on its own private virtual display',
      })
      .option('display', {
        type: 'string',
        describe: 'run the jobs on this display instead (one slot), e.g. a real desktop :0',
      })
      .option('size', { type: 'string', default: '1280x800', describe: "the slots' virtual display size" })
      .option('grace', {
        type: 'number',
        default: 30,
        describe: 'on SIGTERM/SIGINT: seconds running jobs may finish before they are cancelled and requeued',
      })
      .option('name', { type: 'string', describe: 'the worker name stored on its jobs (default: host:pid)' })
      .option('record', recordOption("run records of jobs that name no --record (default: deskhand run's)"))
      .option('lock-duration', {
        type: 'number',
        default: 30,
        describe:
          "seconds a job's lock lasts unless renewed: how soon a dead worker's job can be taken again",
      })
      .option('stalled-interval', {
        type: 'number',
        default: 30,
        describe: "seconds between this worker's checks for jobs of dead workers",
      })
      .option('max-stalled', {
        type: 'number',
        default: 1,
        describe: 'times a job whose worker died is put back in the queue before it fails',
      }) as unknown as Argv<WorkerArgs>,
  handler: async (args: ArgumentsCamelCase<WorkerArgs>) => {
    process.exitCode = await runWorker(args);
    // Redis sockets and X watchers: the worker has closed what it owns; do not wait on stragglers.
    process.exit(process.exitCode);
  },
};
