/**
 * The demo notes app's widgets and their centre points on the 0-999 grid (pixel = v / 1000 * size).
 * Mirrors LAYOUT in demo/notes_app.py; the app reports its own in `ready.layout`, and the tests check
 * the two agree.
 */
export const NOTES_LAYOUT = {
  title: [430, 130],
  dark: [850, 130],
  notes: [370, 560],
  items: [850, 560],
} as const satisfies Record<string, readonly [number, number]>;

export type NotesWidget = keyof typeof NOTES_LAYOUT;
