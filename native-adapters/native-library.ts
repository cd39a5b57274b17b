/** Debian package of each system library nut-js's native module (libnut) links against. */
const DEBIAN_PACKAGES: Record<string, string> = {
  'libX11.so.6': 'libx11-6',
  'libXtst.so.6': 'libxtst6',
  'libXext.so.6': 'libxext6',
  'libxcb.so.1': 'libxcb1',
  'libXinerama.so.1': 'libxinerama1',
  'libpng16.so.16': 'libpng16-16',
};

/** A native module could not be loaded, usually for a missing system library. */
export class NativeLibraryError extends Error {
  override name = 'NativeLibraryError';

  constructor(
    message: string,
    /** The shared library the loader named, e.g. "libXtst.so.6", when it named one. */
    readonly library?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Turns a failed load of a native module into an error naming the missing library and the fix. */
export function nativeLoadError(what: string, error: unknown): NativeLibraryError {
  const message = error instanceof Error ? error.message : String(error);
  // dlopen: "libXtst.so.6: cannot open shared object file: No such file or directory"
  const library = /([\w.+-]+\.so(?:\.\d+)*)\s*:/.exec(message)?.[1];
  const packageName = library ? DEBIAN_PACKAGES[library] : undefined;
  const missing = library
    ? `the system library ${library} is missing or unusable${packageName ? ` (Debian/Ubuntu package ${packageName})` : ''}`
    : 'nut-js or its native module did not load';
  return new NativeLibraryError(
    `${what} is not available: ${missing}. Run ./scripts/setup to install the system libraries. Loader said: ${message}`,
    library,
    { cause: error },
  );
}
