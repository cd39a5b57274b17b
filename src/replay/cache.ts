import { createHash } from 'node:crypto';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readScript, type Script, writeScript } from './script.js';

/**
 * The replay cache of `deskhand run --cache DIR`: one folder per key, DIR/<16 hex digits>/, holding
 * key.json (what the key is made of, for people) and a script (script.json, images/). The key is the
 * task as given (with its {{NAME}} placeholders, so other parameter values share the entry), the
 * display's size, and the application in front (its WM_CLASS class) when the run starts.
 */
export interface CacheKey {
  task: string;
  display: { width: number; height: number };
  application: string | undefined;
}

export function cacheFolder(root: string, key: CacheKey): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([key.task, key.display.width, key.display.height, key.application ?? '']))
    .digest('hex');
  return join(root, digest.slice(0, 16));
}

/** The cached script for `key`, or undefined when there is none yet. */
export async function cachedScript(root: string, key: CacheKey): Promise<Script | undefined> {
  const folder = cacheFolder(root, key);
  const present = await access(join(folder, 'script.json')).then(
    () => true,
    () => false,
  );
  return present ? readScript(folder) : undefined;
}

/** Stores (or replaces) the script for `key`; returns its folder. */
export async function storeScript(root: string, key: CacheKey, script: Script): Promise<string> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const folder = cacheFolder(root, key);
  await writeScript(folder, { ...script, task: key.task });
  await writeFile(join(folder, 'key.json'), `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600 });
  return folder;
}
