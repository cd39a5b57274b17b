import { z } from 'zod';
import { normalizeKeys } from '../protocol/keys.js';
import { patternProblem } from './match.js';

/*
 * The policy file: what the model may do, checked before each action (see policy.ts). Every part is
 * optional; an empty file allows everything but the default denied key chords. Patterns are globs
 * (`*` any text, `?` one character, case-insensitive, matching the whole text) or /regular expressions/.
 */

const pattern = z.string().superRefine((value, context) => {
  const problem = patternProblem(value);
  if (problem) context.addIssue({ code: 'custom', message: problem });
});

/** A window by its WM_CLASS (instance or class name) and title; every field given must match. */
export const WindowRuleSchema = z
  .strictObject({ class: pattern.optional(), title: pattern.optional() })
  .refine((rule) => rule.class !== undefined || rule.title !== undefined, {
    message: 'a window rule needs "class", "title" or both',
  });
export type WindowRule = z.infer<typeof WindowRuleSchema>;

const chord = z.string().superRefine((value, context) => {
  try {
    normalizeKeys(value);
  } catch (error) {
    context.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

const ACTION_TYPES = [
  'click',
  'move',
  'mouse_down',
  'mouse_up',
  'drag',
  'scroll',
  'type',
  'keypress',
  'key_down',
  'key_up',
  'navigate',
  'point_and_type',
] as const;

export const ConfirmRuleSchema = z
  .strictObject({
    /** Action types the rule covers (default: all). */
    action: z.union([z.enum(ACTION_TYPES), z.array(z.enum(ACTION_TYPES)).min(1)]).optional(),
    /** The action's text: typed text, a URL, or a key chord as "ctrl+s". */
    text: pattern.optional(),
    window: WindowRuleSchema.optional(),
    /** What the person is asked about (default: the action in words). */
    message: z.string().optional(),
  })
  .refine((rule) => rule.action !== undefined || rule.text !== undefined || rule.window !== undefined, {
    message: 'a confirm rule needs at least one of "action", "text", "window"',
  });
export type ConfirmRule = z.infer<typeof ConfirmRuleSchema>;

const domain = z
  .string()
  .regex(/^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*$/i, 'expected a domain such as example.com (no scheme, no path)');

export const PolicySchema = z.strictObject({
  windows: z
    .strictObject({
      /** When given, only these windows may receive actions. */
      allow: z.array(WindowRuleSchema).optional(),
      deny: z.array(WindowRuleSchema).optional(),
    })
    .optional(),
  keys: z
    .strictObject({
      /** Chords refused, e.g. "ctrl+q", on top of the default list. */
      deny: z.array(chord).optional(),
      /** false: drop the default list (Ctrl+Alt+Delete, Ctrl+Alt+Backspace, Ctrl+Alt+F1..F12, Super+L). */
      defaultDeny: z.boolean().optional(),
      /** The longest text one `type` may type. */
      maxTypeLength: z.number().int().min(0).optional(),
    })
    .optional(),
  navigate: z
    .strictObject({
      allow: z.array(pattern).optional(),
      deny: z.array(pattern).optional(),
      /** A domain and its subdomains: example.com covers www.example.com. */
      allowDomains: z.array(domain).optional(),
      denyDomains: z.array(domain).optional(),
    })
    .optional(),
  confirm: z.array(ConfirmRuleSchema).optional(),
  rate: z
    .strictObject({
      /** At most this many actions in any 60 s; more wait their turn. */
      actionsPerMinute: z.number().int().min(1),
    })
    .optional(),
});
export type PolicyFile = z.infer<typeof PolicySchema>;
