import type { ConnectionOptions } from 'bullmq';

/** The queue when none is named: `deskhand worker`, `enqueue` and `jobs` agree on it. */
export const DEFAULT_QUEUE = 'deskhand';

/** The Redis to use when none is named. */
export const DEFAULT_REDIS = 'redis://127.0.0.1:6379';

export class QueueConfigError extends Error {
  override name = 'QueueConfigError';
}

export interface RedisTarget {
  /** For BullMQ (each Queue/Worker opens its own connections from these). */
  connection: ConnectionOptions;
  /** The URL without its password, for messages. */
  shown: string;
  /** The password, when the URL has one: never printed (the caller registers it as a secret). */
  password?: string;
}

/**
 * `redis://[user:password@]host:port[/db]` (or rediss:// for TLS) as BullMQ connection options.
 * `maxRetriesPerRequest: null` is what BullMQ requires of a worker's connections: a Redis restart must
 * make a worker wait, not fail its jobs. A short-lived command (enqueue, jobs) fails fast instead.
 */
export function redisTarget(url: string, role: 'worker' | 'client'): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new QueueConfigError(
      `--redis ${JSON.stringify(url)} is not a URL (expected e.g. ${DEFAULT_REDIS})`,
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new QueueConfigError(
      `--redis ${JSON.stringify(url)}: expected a redis:// or rediss:// URL, e.g. ${DEFAULT_REDIS}`,
    );
  const password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  const shown = new URL(parsed.href);
  if (shown.password) shown.password = '***';
  return {
    connection: {
      url,
      maxRetriesPerRequest: role === 'worker' ? null : 1,
      // A short-lived command against a Redis that is down should say so, not retry for ever.
      ...(role === 'client'
        ? { retryStrategy: (times: number) => (times > 3 ? null : 200 * times), connectTimeout: 5000 }
        : {}),
    },
    shown: shown.href.replace(/\/$/, ''),
    password,
  };
}
