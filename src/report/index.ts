export { escape, type RenderOptions, renderReport } from './render.js';
export { type ReportView, readReportView, reportView, type StepView } from './view.js';
export { type StepTiming, type TimeView, timeView } from './timings.js';
export { findRun, listRuns, RunNotFoundError, type RunListing } from './runs.js';
export { parseDuration, pruneRuns, type PruneOptions, type PruneResult } from './prune.js';
export { liveReport, type LiveReport } from './live.js';
export { writeAnimation } from './animation.js';

export { writeReport } from './write.js';
