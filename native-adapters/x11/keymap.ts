import type { KeyboardMapping } from './x11-connection.js';

/** How to produce one keysym: press this keycode, with Shift when the keysym is on the second level. */
export interface KeyStroke {
  keycode: number;
  shift: boolean;
}

/** One level (plain or shifted) of a keycode the layout leaves empty, lent to characters it lacks. */
interface Slot {
  keycode: number;
  level: 0 | 1;
  keysym: number;
  /** performance.now() after which the client has surely read its last use (0 = never used). */
  safeAt: number;
  held: boolean;
}

/** Consecutive keycode rows to write in one ChangeKeyboardMapping request. */
export interface RowChange {
  firstKeycode: number;
  rows: number[][];
}

/**
 * The keyboard mapping as deskhand uses it: characters on the layout are typed with their own keys;
 * characters it lacks borrow a level of a spare (empty) keycode.
 *
 * Why the care: X clients read the mapping lazily, when they process a key event. If a keycode is
 * remapped before the client has read the mapping for an earlier press of it, that press arrives as
 * the new character. So all assignments for a run of text go out together, nothing is restored until
 * the end, and a used slot is only reassigned once the sender has proof that the client handled its
 * last use (a _NET_WM_PING answered, client-barrier.ts) or, for clients that take no pings, once the
 * timing model says it surely has (`safeAt`, see x11-input.ts); slots are reused least recently used
 * first. Xlib marks its keymap stale when it reads a MappingNotify off the socket, not when it reaches
 * it in order, so nothing short of such proof is safe. Reassignment only happens for text with more
 * distinct off-layout characters than the spare levels (30 on Xvfb).
 * Each spare keycode carries two characters (plain and shifted).
 */
export class Keymap {
  private readonly fixed = new Map<number, KeyStroke>();
  private readonly slots: Slot[] = [];
  private readonly original = new Map<number, number[]>();
  private readonly perKeycode: number;
  /** The server's rows as we last set them, for the keycodes between the ones a change touches. */
  private readonly rows: number[][];
  private readonly minKeycode: number;

  constructor(mapping: KeyboardMapping) {
    this.perKeycode = mapping.keysymsPerKeycode;
    this.rows = mapping.rows.map((row) => [...row]);
    this.minKeycode = mapping.minKeycode;
    mapping.rows.forEach((row, index) => {
      const keycode = mapping.minKeycode + index;
      if (row.every((keysym) => keysym === 0)) {
        if (keycode < 8) return;
        this.original.set(keycode, [...row]);
        for (const level of [0, 1] as const) {
          this.slots.push({ keycode, level, keysym: 0, safeAt: 0, held: false });
        }
        return;
      }
      // The plain level wins over a shifted one elsewhere; the first keycode wins among equals.
      for (const level of [0, 1] as const) {
        const keysym = row[level] ?? 0;
        if (keysym === 0) continue;
        const known = this.fixed.get(keysym);
        if (!known || (known.shift && level === 0)) this.fixed.set(keysym, { keycode, shift: level === 1 });
      }
    });
    this.keepLargestGroup();
  }

  /**
   * Keeps only the slots of the largest group of spare keycodes one request can change (on Xvfb 15 of
   * its 19 spare keycodes), so every change is one ChangeKeyboardMapping. Changes split in several
   * requests were measured to lose characters: Xlib drops the later ones while fetching the first.
   */
  private keepLargestGroup(): void {
    const keycodes = [...new Set(this.slots.map((s) => s.keycode))];
    const groups: number[][] = [];
    keycodes.forEach((keycode, i) => {
      const previous = keycodes[i - 1];
      if (previous !== undefined && this.rewritableBetween(previous, keycode)) groups.at(-1)?.push(keycode);
      else groups.push([keycode]);
    });
    const largest = new Set(groups.reduce((best, group) => (group.length > best.length ? group : best), []));
    this.slots.splice(0, this.slots.length, ...this.slots.filter((slot) => largest.has(slot.keycode)));
  }

  get spareKeycodes(): number {
    return this.slots.length / 2;
  }

  /** The stroke for a keysym the layout has or a slot holds now; undefined if it needs a slot. */
  strokeFor(keysym: number): KeyStroke | undefined {
    const fixed = this.fixed.get(keysym);
    if (fixed) return fixed;
    const slot = this.slots.find((s) => s.keysym === keysym);
    return slot ? { keycode: slot.keycode, shift: slot.level === 1 } : undefined;
  }

  /** The layout's own row of a spare keycode (empty), for keycodes we may lend; undefined otherwise. */
  originalRow(keycode: number): number[] | undefined {
    const row = this.original.get(keycode);
    return row ? [...row] : undefined;
  }

  isOnLayout(keysym: number): boolean {
    return this.fixed.has(keysym);
  }

  /**
   * Plans the longest run of `keysyms` from `start` that fits the slots at once. Returns where the run
   * ends, the slots to assign, and how long to wait before reassigning them is safe.
   */
  planRun(keysyms: number[], start: number, now: number) {
    const pinned = new Set<Slot>();
    const assigned = new Map<number, Slot>();
    const reassigned = new Set<Slot>();
    let end = start;
    for (; end < keysyms.length; end++) {
      const keysym = keysyms[end] as number;
      if (this.fixed.has(keysym)) continue;
      // A slot chosen earlier in this run for another character no longer holds its old one.
      let slot = assigned.get(keysym) ?? this.slots.find((s) => s.keysym === keysym && !reassigned.has(s));
      if (!slot) {
        slot = this.leastRecentlyUsed(pinned);
        if (!slot) break;
        assigned.set(keysym, slot);
        reassigned.add(slot);
      }
      pinned.add(slot);
    }
    let waitMs = 0;
    let reassigns = false;
    for (const slot of assigned.values()) {
      if (slot.keysym === 0) continue;
      reassigns = true;
      waitMs = Math.max(waitMs, slot.safeAt - now);
    }
    return {
      end,
      assign: [...assigned.entries()].map(([keysym, slot]) => ({ keysym, slot })),
      waitMs,
      reassigns,
    };
  }

  /** Applies a plan's assignments to our copy and returns the rows to send to the server. */
  assign(assignments: { keysym: number; slot: Slot }[]): RowChange | undefined {
    for (const { keysym, slot } of assignments) slot.keysym = keysym;
    return this.change(new Set(assignments.map(({ slot }) => slot.keycode)), (keycode) =>
      this.slotRow(keycode),
    );
  }

  /** Reserves a slot for one keysym outside typing (a held key the layout lacks). */
  async reserve(
    keysym: number,
    catchUp: (waitMs: number) => Promise<void>,
  ): Promise<{ stroke: KeyStroke; change: RowChange | undefined }> {
    const existing = this.slots.find((s) => s.keysym === keysym);
    if (existing) {
      existing.held = true;
      return { stroke: { keycode: existing.keycode, shift: existing.level === 1 }, change: undefined };
    }
    const plan = this.planRun([keysym], 0, performance.now());
    const first = plan.assign[0];
    if (!first) throw new Error('no spare keycode left for a held key');
    if (plan.reassigns) await catchUp(plan.waitMs);
    const change = this.assign(plan.assign);
    first.slot.held = true;
    return { stroke: { keycode: first.slot.keycode, shift: first.slot.level === 1 }, change };
  }

  release(keysym: number, safeAt: number): void {
    const slot = this.slots.find((s) => s.keysym === keysym);
    if (slot) {
      slot.held = false;
      slot.safeAt = safeAt;
    }
  }

  /** Records that the client will have read this keysym's last press by `safeAt`. */
  markUsed(keysym: number, safeAt: number): void {
    const slot = this.slots.find((s) => s.keysym === keysym);
    if (slot) slot.safeAt = safeAt;
  }

  /** Rows that put back what the layout had, and how long to wait first; none if nothing was lent. */
  restore(now: number): { change: RowChange | undefined; waitMs: number } {
    const used = this.slots.filter((s) => s.keysym !== 0 && !s.held);
    const waitMs = Math.max(0, ...used.map((s) => s.safeAt - now));
    for (const slot of used) slot.keysym = 0;
    const keycodes = new Set(used.map((s) => s.keycode));
    return { change: this.change(keycodes, (keycode) => this.original.get(keycode) ?? []), waitMs };
  }

  /**
   * One request for all changed keycodes, the rows between them rewritten as they are. Why one: each
   * request makes a MappingNotify, and Xlib drops a keymap change noted while it is still fetching the
   * previous one (seen here: a block of characters typed with the old mapping when a change was split).
   * The rows between are safe to send back because all slots lie in one group (keepLargestGroup).
   */
  private change(keycodes: Set<number>, rowOf: (keycode: number) => number[]): RowChange | undefined {
    if (keycodes.size === 0) return undefined;
    const first = Math.min(...keycodes);
    const last = Math.max(...keycodes);
    for (const keycode of keycodes) this.rows[keycode - this.minKeycode] = rowOf(keycode);
    return {
      firstKeycode: first,
      rows: this.rows.slice(first - this.minKeycode, last - this.minKeycode + 1),
    };
  }

  /**
   * True when every row strictly between two keycodes survives being sent back unchanged. The server
   * rebuilds its XKB map from the core rows it is sent, and a row with symbols past the fourth column
   * (F1 = F1 F1 F1 F1 F1 F1 XF86Switch_VT_1) comes back with a second group.
   */
  private rewritableBetween(from: number, to: number): boolean {
    for (let keycode = from + 1; keycode < to; keycode++) {
      const row = this.rows[keycode - this.minKeycode] ?? [];
      if (row.slice(4).some((keysym) => keysym !== 0)) return false;
    }
    return true;
  }

  private leastRecentlyUsed(exclude: Set<Slot>): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) {
      if (exclude.has(slot) || slot.held) continue;
      if (slot.keysym === 0) return slot;
      if (!best || slot.safeAt < best.safeAt) best = slot;
    }
    return best;
  }

  /** A spare keycode's row: its two characters in both groups; an empty level repeats the other. */
  private slotRow(keycode: number): number[] {
    const plain = this.slots.find((s) => s.keycode === keycode && s.level === 0)?.keysym ?? 0;
    const shifted = this.slots.find((s) => s.keycode === keycode && s.level === 1)?.keysym ?? 0;
    const level0 = plain || shifted;
    const level1 = shifted || plain;
    const row = new Array<number>(this.perKeycode).fill(0);
    for (let i = 0; i < Math.min(4, this.perKeycode); i++) row[i] = i % 2 === 0 ? level0 : level1;
    return row;
  }
}
