// Vitest globalSetup: before any test runs, every program the tests start must be there. A missing
// one fails the whole run at once with one message, instead of dozens of tests failing with ENOENT.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

const table = new URL('../../scripts/required-programs', import.meta.url);

function onPath(program: string): boolean {
  const candidates = isAbsolute(program)
    ? [program]
    : (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, program));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** "program (Debian package)" for each thing missing; empty when all is there. */
export function missingRequirements(): string[] {
  const missing: string[] = [];
  for (const line of readFileSync(table, 'utf8').split('\n')) {
    const [program, pkg] = line.trim().split(/\s+/);
    if (!program || !pkg || program.startsWith('#')) continue;
    const module = /^python3:(.+)$/.exec(program)?.[1];
    if (module) {
      if (spawnSync('/usr/bin/python3', ['-c', `import ${module}`]).status !== 0)
        missing.push(`the Python module ${module} (Debian package ${pkg})`);
    } else if (!onPath(program)) missing.push(`${program} (Debian package ${pkg})`);
  }
  // Screenshots of the CJK text the tests and the demo type need a font with those glyphs (日本).
  if (onPath('fc-list') && !spawnSync('fc-list', [':charset=65e5 672c']).stdout?.toString().trim())
    missing.push('a font with CJK glyphs (Debian package fonts-wqy-microhei)');
  return missing;
}

export function setup(): void {
  const missing = missingRequirements();
  if (missing.length > 0)
    throw new Error(`missing for the tests: ${missing.join(', ')}. Run ./scripts/setup to install them.`);
}
