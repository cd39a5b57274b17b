// The `x11` package ships no types; we use a handful of its calls through XConnection (x11-connection.ts).
declare module 'x11' {
  /** The connected display (screens, keycode range, resource ids) and its `client`; untyped upstream. */
  type UntypedDisplay = Record<string, unknown> & { client: unknown };
  export function createClient(
    options: { display?: string },
    callback: (error: Error | null, display: UntypedDisplay) => void,
  ): { on?: (event: string, listener: (...args: unknown[]) => void) => void } | undefined;
}
