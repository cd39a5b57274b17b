import { describe, expect, it } from 'vitest';
import { DisplayError, resolveDisplay } from '../../native-adapters/display.js';
import { nativeLoadError } from '../../native-adapters/native-library.js';

describe('resolveDisplay', () => {
  it('prefers the flag, then $DISPLAY', () => {
    expect(resolveDisplay(':5', { DISPLAY: ':1' })).toBe(':5');
    expect(resolveDisplay(undefined, { DISPLAY: ':1' })).toBe(':1');
  });

  it('explains an unset DISPLAY', () => {
    expect(() => resolveDisplay(undefined, {})).toThrow(DisplayError);
    expect(() => resolveDisplay(undefined, {})).toThrow(/DISPLAY is unset.*--display :N.*--xvfb/s);
  });

  it('refuses a Wayland session unless a display is named', () => {
    const env = { DISPLAY: ':0', XDG_SESSION_TYPE: 'wayland', WAYLAND_DISPLAY: 'wayland-0' };
    expect(() => resolveDisplay(undefined, env)).toThrow(/Wayland/);
    expect(resolveDisplay(':3', env)).toBe(':3');
  });

  it('rejects names that are not X display names', () => {
    expect(() => resolveDisplay('nine', {})).toThrow(/not an X display name/);
  });

  it('rejects display numbers no X server can have (TCP port 6000 + N)', () => {
    expect(resolveDisplay(':59535', {})).toBe(':59535');
    expect(() => resolveDisplay(':99999', {})).toThrow(/--display :99999: X display numbers go up to 59535/);
    expect(() => resolveDisplay(undefined, { DISPLAY: ':70000' })).toThrow(/DISPLAY=:70000/);
  });
});

describe('nativeLoadError', () => {
  it('names the missing library, its Debian package and the fix', () => {
    const loaderMessage = 'libXtst.so.6: cannot open shared object file: No such file or directory';
    const error = nativeLoadError(
      'nut-js input',
      Object.assign(new Error(loaderMessage), { code: 'ERR_DLOPEN_FAILED' }),
    );
    expect(error.library).toBe('libXtst.so.6');
    expect(error.message).toMatch(
      /nut-js input is not available: the system library libXtst\.so\.6 is missing.*libxtst6.*\.\/scripts\/setup/,
    );
  });
});
