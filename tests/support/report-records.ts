import { RunRecord } from '../../src/trajectory/index.js';

const PROFILE = {
  display: { width: 1280, height: 800, originX: 0, originY: 0, scaleFactor: 1 },
  viewport: { width: 1024, height: 640 },
  coordMode: 'normalized',
  maxEdge: 1024,
};

/** A small record as the session writes it: a click, a typed secret, a rejection, a warning, a drag. */
export async function makeRecord(
  root: string,
  task = 'Fill <the> "form" & send',
  runId = 'abcdef12-0000-4000-8000-000000000000',
  startedAt = '2026-01-02T03:04:05.000Z',
) {
  const record = await RunRecord.create(root, {
    runId,
    task,
    provider: 'lightcone',
    model: 'm',
    profile: PROFILE,
    startedAt,
    secrets: ['hunter2secret'],
  });
  const png = Buffer.from('89504e470d0a1a0a', 'hex');
  for (const turn of [0, 1, 2, 3])
    await record.screenshot(turn, png, 'png', {
      at: turn * 100,
      width: 1024,
      height: 640,
      settleMs: turn * 10,
      captureMs: 12,
      totalMs: turn * 10 + 20,
    });
  const request = (turn: number, firstActionMs: number, responseMs: number, actionsMs: number) =>
    record.step({
      type: 'request',
      at: turn * 100,
      turn,
      responseId: `r${turn}`,
      streamed: true,
      firstActionMs,
      responseMs,
      actionsMs,
      retries: turn === 1 ? 1 : 0,
      resumes: 0,
      screenshot: `screenshots/turn-00${turn - 1}.png`,
    });
  const click = { type: 'click', x: 500, y: 300, button: 'left', count: 2 };
  const base = { step: 1, turn: 1, responseId: 'r1', callId: 'c1', action: click };
  await record.step({ type: 'reasoning', at: 5, turn: 1, text: 'The <Send> button is at the bottom.' });
  const points = { modelPoints: [{ x: 500, y: 300 }], screenPoints: [{ x: 640, y: 240 }] };
  await record.step({ type: 'action.started', ...base, ...points });
  await record.step({ type: 'action', ...base, ...points, durationMs: 3, ok: true });
  await record.step({ type: 'warning', at: 10, message: 'retrying <soon>' });
  await request(1, 400, 900, 3);
  await record.step({
    type: 'safety_check',
    at: 20,
    turn: 2,
    callId: 'c2',
    checks: [{ id: 'sc1', code: 'malicious_instructions', message: 'Check the <page>' }],
    approved: true,
  });
  const type = { type: 'type', text: 'hunter2secret' };
  const typed = {
    step: 2,
    turn: 2,
    responseId: 'r2',
    callId: 'c2',
    action: type,
    modelPoints: [],
    screenPoints: [],
  };
  await record.step({ type: 'action.started', ...typed });
  await record.step({ type: 'action', ...typed, durationMs: 4, ok: true });
  await request(2, 300, 500, 4);
  await record.step({ type: 'nudge', at: 30, turn: 3, message: 'Try a different approach.' });
  await record.step({ type: 'rejected', turn: 3, responseId: 'r3', callId: 'c3', message: 'unknown action' });
  const drag = { type: 'drag', path: [] };
  const dragged = { step: 3, turn: 3, responseId: 'r3', callId: 'c4', action: drag };
  const dragPoints = {
    modelPoints: [],
    screenPoints: [
      { x: 0, y: 0 },
      { x: 1280, y: 800 },
    ],
  };
  await record.step({ type: 'action.started', ...dragged, ...dragPoints });
  await record.finish({ outcome: 'failure', exitCode: 1, steps: 3, turns: 4, durationMs: 1500 });
  return record.dir;
}
