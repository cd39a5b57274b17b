import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * deskhand's own version, from the package.json above this file (src/cli or dist/src/cli). yargs's
 * .version() alone reads the package.json nearest the current directory: in a project that installed
 * deskhand, that is the project's version, not deskhand's.
 */
export function deskhandVersion(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; dirname(dir) !== dir; dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    if (existsSync(path)) return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}
