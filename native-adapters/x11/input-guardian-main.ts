// The guardian process (see input-guardian.ts): reads what deskhand may hold from stdin; when stdin
// ends without `done`, deskhand is gone, so it releases and restores on the display, then exits.
import { lockDisplay } from '../display-lock.js';
import { ClientBarrier } from './client-barrier.js';
import type { GuardianMessage } from './input-guardian.js';
import { FakeEvent, XConnection } from './x11-connection.js';

const displayName = process.argv[2] as string;
const keycodes = new Set<number>();
const buttons = new Set<number>();
/**
 * Each lent keycode's original row, and every row deskhand said it would set: deskhand tells before it
 * changes, so when it dies in between, the server still holds the row it set the time before.
 */
const lent = new Map<number, { original: number[]; sets: Set<string> }>();
/** deskhand turned the server's key auto-repeat off: it was on and goes back on. */
let autoRepeatOff = false;
let done = false;
let buffered = '';

process.stdin.on('data', (chunk: Buffer) => {
  buffered += chunk.toString();
  const lines = buffered.split('\n');
  buffered = lines.pop() ?? '';
  for (const line of lines) {
    const message = JSON.parse(line) as GuardianMessage;
    if ('keycode' in message) keycodes.add(message.keycode);
    else if ('button' in message) buttons.add(message.button);
    else if ('lent' in message) {
      const known = lent.get(message.lent);
      if (known) known.sets.add(message.set.join());
      else lent.set(message.lent, { original: message.original, sets: new Set([message.set.join()]) });
    } else if ('autoRepeatOff' in message) autoRepeatOff = message.autoRepeatOff;
    else done = true;
  }
});
process.stdin.on('end', () => void (done ? process.exit(0) : cleanUp().finally(() => process.exit(0))));
// Outlive the terminal's Ctrl+C and hangup that end deskhand: the cleanup must still run.
for (const signal of ['SIGINT', 'SIGHUP'] as const) process.on(signal, () => undefined);

async function cleanUp(): Promise<void> {
  // The display's lock, freed by deskhand's death, is taken first: a deskhand started since must not
  // have its own held keys released by us. If one already owns the display, its input is its own.
  const lock = await lockDisplay(displayName, { command: 'input guardian', waitMs: 2000 }).catch(
    () => undefined,
  );
  if (!lock) return;
  try {
    await undo();
  } finally {
    lock.release();
  }
}

async function undo(): Promise<void> {
  const x = await XConnection.open(displayName);
  const down = new Set(await x.keysDown());
  for (const keycode of keycodes) if (down.has(keycode)) x.fakeInput(FakeEvent.KeyRelease, keycode);
  // Buttons 1-5 show in the pointer mask (Button1Mask = 256 ...); releasing one that is up does nothing.
  const mask = (await x.queryPointer()).mask;
  if (autoRepeatOff) x.setAutoRepeat(true);
  for (const button of buttons) {
    if (button > 5 || mask & (256 << (button - 1))) x.fakeInput(FakeEvent.ButtonRelease, button);
  }
  if (lent.size > 0) {
    // The application may still be translating keys typed with the lent keycodes: let it finish.
    const barrier = await ClientBarrier.open(x);
    const proof = await barrier.wait(5000).catch(() => 'unsupported');
    if (proof === 'unsupported') await new Promise((resolve) => setTimeout(resolve, 250));
    // Only rows still as deskhand set them: a deskhand started since may have lent them again.
    const mapping = await x.keyboardMapping();
    const rowOf = (keycode: number) => mapping.rows[keycode - mapping.minKeycode] ?? [];
    const ours = [...lent].filter(([keycode, { sets }]) => sets.has(rowOf(keycode).join()));
    if (ours.length > 0) {
      // One request, as deskhand sends them (see Keymap.change): the rows between as they are now.
      const first = Math.min(...ours.map(([keycode]) => keycode));
      const last = Math.max(...ours.map(([keycode]) => keycode));
      const restored = new Map(ours.map(([keycode, { original }]) => [keycode, original]));
      const rows = Array.from(
        { length: last - first + 1 },
        (_, i) => restored.get(first + i) ?? rowOf(first + i),
      );
      x.changeKeyboardMapping(first, rows);
    }
  }
  await x.sync();
  x.close();
}
