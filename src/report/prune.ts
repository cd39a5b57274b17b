import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { listRuns, type RunListing } from './runs.js';

export interface PruneOptions {
  /** Keep the newest N runs. */
  keep?: number;
  /** Remove runs that started longer ago than this. With `keep` too, a run must be both to go. */
  olderThanMs?: number;
  /** Say what would be removed, remove nothing. */
  dryRun?: boolean;
  /** The time `olderThanMs` counts back from (default: now). */
  now?: Date;
}

export interface PruneResult {
  removed: (RunListing & { bytes: number })[];
  /** Runs that matched but were kept because they may still be running. */
  running: RunListing[];
  kept: number;
}

/**
 * Removes old run records under `root`: those beyond the newest `keep`, and/or started more than
 * `olderThanMs` ago. A run that may still be going (its record says running and its process is alive,
 * or the record cannot say: another host, no pid) is never removed.
 */
export async function pruneRuns(root: string, options: PruneOptions): Promise<PruneResult> {
  if (options.keep === undefined && options.olderThanMs === undefined)
    throw new Error('pruneRuns needs keep or olderThanMs');
  const now = (options.now ?? new Date()).getTime();
  const runs = await listRuns(root);
  const result: PruneResult = { removed: [], running: [], kept: 0 };
  for (const [index, run] of runs.entries()) {
    const beyondKeep = options.keep === undefined || index >= options.keep;
    const started = Date.parse(run.startedAt);
    const old =
      options.olderThanMs === undefined || (Number.isFinite(started) && now - started > options.olderThanMs);
    if (!beyondKeep || !old) {
      result.kept++;
      continue;
    }
    if (run.state === 'running' || run.state === 'unknown') {
      result.running.push(run);
      result.kept++;
      continue;
    }
    const bytes = await sizeOf(run.dir);
    if (!options.dryRun) await rm(run.dir, { recursive: true, force: true });
    result.removed.push({ ...run, bytes });
  }
  return result;
}

async function sizeOf(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const name of await readdir(path)) total += await sizeOf(join(path, name));
  return total;
}

/** "30d", "12h", "90m", "45s", "2w" -> milliseconds; undefined when it is none of those. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] as 's'];
  return Number(match[1]) * unit;
}
