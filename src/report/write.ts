import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type RenderOptions, renderReport } from './render.js';
import { readReportView } from './view.js';

/**
 * Writes report.html into a run record folder; returns its path. Written to a temporary file and
 * renamed, so a browser reloading a live report never reads half a page.
 */
export async function writeReport(dir: string, options: RenderOptions = {}): Promise<string> {
  const path = join(dir, 'report.html');
  const html = renderReport(await readReportView(dir), options);
  await writeFile(`${path}.tmp`, html, { mode: 0o600 });
  await rename(`${path}.tmp`, path);
  return path;
}
