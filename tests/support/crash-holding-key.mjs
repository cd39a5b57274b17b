// Holds Shift through the real actuator, then dies by an uncaught exception (or a rejection).
// Used by tests/integration/exit-paths.test.ts; runs against the built dist/.
import { Actuator } from '../../dist/native-adapters/input/actuator.js';
import { releaseHeldInputOnExit } from '../../dist/native-adapters/input/exit-guard.js';
import { X11Input } from '../../dist/native-adapters/x11/x11-input.js';

const [display, how] = process.argv.slice(2);
const actuator = new Actuator(await X11Input.open(display));
releaseHeldInputOnExit(actuator);
await actuator.run({ type: 'key_down', keys: ['shift'] });
await actuator.run({ type: 'mouse_down', button: 'left' });
process.stdout.write('holding\n');
// Crashes when the test says so (a line on stdin), after it has seen the input held.
process.stdin.once('data', () => {
  if (how === 'rejection') void Promise.reject(new Error('boom (rejection)'));
  else throw new Error('boom (exception)');
});
