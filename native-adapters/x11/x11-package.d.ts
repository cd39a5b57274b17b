// The `x11` package ships no types; we use a handful of its calls through XConnection (x11-connection.ts).
declare module 'x11' {
  // biome-ignore lint/suspicious/noExplicitAny: untyped third-party client
  export function createClient(options: { display?: string }, callback: (error: Error | null, display: any) => void): any;
}
