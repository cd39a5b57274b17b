import type { Argv } from 'yargs';
import { DEFAULT_QUEUE, DEFAULT_REDIS, QueueConfigError, redisTarget } from '../queue/connection.js';
import { UsageError } from './exit-codes.js';
import { protectSecrets } from './redacted-output.js';

export interface QueueArgs {
  redis: string;
  queue: string;
}

/** --redis and --queue, shared by worker, enqueue and jobs (DESKHAND_REDIS / DESKHAND_QUEUE work too). */
export function withQueueOptions<T>(yargs: Argv<T>): Argv<T & QueueArgs> {
  return yargs
    .option('redis', {
      type: 'string',
      default: DEFAULT_REDIS,
      describe: 'the Redis that holds the queue: redis://[user:password@]host:port[/db] (rediss:// for TLS)',
    })
    .option('queue', {
      type: 'string',
      default: DEFAULT_QUEUE,
      describe: 'the queue name',
    }) as unknown as Argv<T & QueueArgs>;
}

/** The Redis URL checked (a usage error when it is not one), its password kept out of every output. */
export function checkedRedis(args: QueueArgs): string {
  try {
    const target = redisTarget(args.redis, 'client');
    protectSecrets([target.password]);
    return target.shown;
  } catch (error) {
    if (error instanceof QueueConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/** An error of a short command against Redis, said in a user's words. */
export async function againstRedis<T>(args: QueueArgs, shown: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof QueueConfigError) throw new UsageError(error.message);
    const message = (error as Error).message;
    if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|Connection is closed|max retries|ETIMEDOUT|connect/i.test(message))
      throw new Error(
        `cannot reach Redis at ${shown} (${message}): start one (redis-server) or pass --redis URL; queue "${args.queue}"`,
        { cause: error },
      );
    throw error;
  }
}
