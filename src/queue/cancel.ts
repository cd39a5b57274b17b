/**
 * Cancelling a running job from another process. BullMQ's own cancel (Worker.cancelJob, an AbortSignal
 * to the processor) only reaches jobs of the worker it is called on, so `deskhand jobs cancel` sets a
 * key (for a worker about to start the job) and publishes the job id on a channel every worker of the
 * queue listens to; the one running it aborts its run like Ctrl+C would.
 */

/** Under BullMQ's own prefix, so a queue's keys stay together. */
export const cancelChannel = (queue: string) => `bull:${queue}:deskhand:cancel`;
export const cancelKey = (queue: string, jobId: string) => `bull:${queue}:deskhand:cancelled:${jobId}`;

/** How long a cancel mark is kept: long enough for any worker to see it, short enough to leave no litter. */
export const CANCEL_MARK_SECONDS = 24 * 3600;
