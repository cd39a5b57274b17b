import { readdir, readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunJson } from '../trajectory/index.js';

/** One run record under a record root, as `deskhand runs` lists it. */
export interface RunListing {
  dir: string;
  runId: string;
  task: string;
  startedAt: string;
  status: string;
  /**
   * finished; running (its process is alive on this host); killed (it says running, but its process
   * is gone); unknown (it says running and names no process of this host: another machine, or a
   * record written before deskhand noted the pid).
   */
  state: 'finished' | 'running' | 'killed' | 'unknown';
  /** The process that wrote the record. */
  pid?: number;
  outcome?: string;
  exitCode?: number;
  actions?: number;
  durationMs?: number;
}

/** No run, or more than one, matches what was asked; the message says which and what to do. */
export class RunNotFoundError extends Error {
  override name = 'RunNotFoundError';
}

/** The run records under `root`, newest first; folders without a readable run.json are left out. */
export async function listRuns(root: string): Promise<RunListing[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const runs = await Promise.all(names.map((name) => readListing(join(root, name))));
  return runs
    .filter((run): run is RunListing => run !== undefined)
    .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

async function readListing(dir: string): Promise<RunListing | undefined> {
  try {
    const run = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8')) as RunJson;
    if (typeof run.runId !== 'string' || typeof run.startedAt !== 'string') return undefined;
    return {
      dir,
      runId: run.runId,
      task: String(run.task ?? ''),
      startedAt: run.startedAt,
      status: run.status,
      state: stateOf(run),
      pid: run.pid,
      outcome: run.outcome,
      exitCode: run.exitCode,
      actions: run.steps,
      durationMs: run.durationMs,
    };
  } catch {
    return undefined;
  }
}

function stateOf(run: RunJson): RunListing['state'] {
  if (run.status !== 'running') return 'finished';
  if (typeof run.pid !== 'number' || run.host !== hostname()) return 'unknown';
  try {
    process.kill(run.pid, 0);
    return 'running';
  } catch (error) {
    // EPERM: the process exists and is someone else's.
    return (error as NodeJS.ErrnoException).code === 'ESRCH' ? 'killed' : 'running';
  }
}

/**
 * The record folder a RUN argument names: a record folder itself, else a run id or a prefix of one (or
 * of the folder's name) under `root`; no RUN: the latest run there.
 */
export async function findRun(run: string | undefined, root: string): Promise<string> {
  if (run !== undefined) {
    const asDir = await stat(join(run, 'run.json')).catch(() => undefined);
    if (asDir?.isFile()) return resolve(run);
  }
  const runs = await listRuns(root);
  if (runs.length === 0)
    throw new RunNotFoundError(
      `no run records under ${root}: run a task first, or name the records' folder with --record-root DIR`,
    );
  if (run === undefined) return runs[0]!.dir;
  const matches = runs.filter(
    (listing) => listing.runId.startsWith(run) || listing.dir.split('/').at(-1)!.startsWith(run),
  );
  if (matches.length === 1) return matches[0]!.dir;
  if (matches.length === 0)
    throw new RunNotFoundError(
      `no run matches "${run}" under ${root}: give a run id, a prefix of one, or a record folder (deskhand runs lists them)`,
    );
  const shown = matches.slice(0, 5).map((listing) => `  ${listing.runId}  ${listing.dir}`);
  throw new RunNotFoundError(
    `"${run}" matches ${matches.length} runs; give more of the id:\n${shown.join('\n')}${matches.length > 5 ? '\n  ...' : ''}`,
  );
}
