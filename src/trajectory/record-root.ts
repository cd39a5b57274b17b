import { mkdir, mkdtemp, rmdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The default root: $XDG_STATE_HOME/deskhand/runs, else ~/.local/state/deskhand/runs. */
export function defaultRecordRoot(env: NodeJS.ProcessEnv = process.env): string {
  const state = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(state, 'deskhand', 'runs');
}

/** The folder for run records cannot be used; the message names the path and what to do. */
export class RecordRootError extends Error {
  override name = 'RecordRootError';
}

/**
 * Makes sure run records can be written under `root`, before a run starts: creates the missing folders
 * one level at a time (Node's recursive mkdir loops forever on some paths, e.g. under /proc) and
 * writes a probe folder. `label` names the setting in messages ("--record").
 */
export async function prepareRecordRoot(root: string, label: string): Promise<void> {
  const target = resolve(root);
  const missing: string[] = [];
  let existing = target;
  for (;;) {
    const found = await stat(existing).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw explain(error, label, root, existing);
    });
    if (found) {
      if (!found.isDirectory())
        throw new RecordRootError(
          `${label} ${root}: ${existing} is a file, not a folder. Name a folder (it is created when ` +
            'missing), or pass --no-record to run without a record.',
        );
      break;
    }
    missing.unshift(existing);
    const parent = dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  try {
    for (const folder of missing) await mkdir(folder, { mode: 0o700 });
    await rmdir(await mkdtemp(join(target, '.probe-')));
  } catch (error) {
    throw explain(error as NodeJS.ErrnoException, label, root, missing[0] ?? target);
  }
}

function explain(error: NodeJS.ErrnoException, label: string, root: string, path: string): RecordRootError {
  const fix = 'name a folder you can write, or pass --no-record to run without a record.';
  const why =
    error.code === 'EACCES' || error.code === 'EPERM'
      ? `no permission to create or write ${path}`
      : error.code === 'EROFS'
        ? `${path} is on a read-only file system`
        : error.code === 'ENOTDIR'
          ? `a part of ${path} is a file, not a folder`
          : `cannot create or write ${path} (${error.code ?? error.message})`;
  return new RecordRootError(`${label} ${root}: ${why}: ${fix}`);
}
