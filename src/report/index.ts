import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderReport } from './render.js';
import { readReportView } from './view.js';

export { escape, renderReport } from './render.js';
export { type ReportView, readReportView, reportView, type StepView } from './view.js';
export { findRun, listRuns, RunNotFoundError, type RunListing } from './runs.js';

/** Writes report.html into a run record folder; returns its path. */
export async function writeReport(dir: string): Promise<string> {
  const path = join(dir, 'report.html');
  const html = renderReport(await readReportView(dir));
  await writeFile(path, html, { mode: 0o600 });
  return path;
}
