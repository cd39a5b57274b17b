import { DEFAULT_DENIED_CHORDS } from './policy.js';
import type { PolicyFile, WindowRule } from './schema.js';

const window = (rule: WindowRule) =>
  [
    rule.class !== undefined ? `class ${rule.class}` : '',
    rule.title !== undefined ? `title ${rule.title}` : '',
  ]
    .filter(Boolean)
    .join(', ');

/** What a policy does, a line per rule, as `deskhand policy check` prints it. */
export function summarizePolicy(file: PolicyFile): string[] {
  const lines: string[] = [];
  for (const rule of file.windows?.allow ?? [])
    lines.push(`windows: only on ${window(rule)} (and the others allowed)`);
  for (const rule of file.windows?.deny ?? []) lines.push(`windows: never on ${window(rule)}`);
  const chords = [
    ...(file.keys?.defaultDeny === false ? [] : DEFAULT_DENIED_CHORDS),
    ...(file.keys?.deny ?? []),
  ];
  lines.push(chords.length > 0 ? `keys: never ${chords.join(', ')}` : 'keys: every chord allowed');
  if (file.keys?.maxTypeLength !== undefined)
    lines.push(`keys: at most ${file.keys.maxTypeLength} characters in one type action`);
  const nav = file.navigate;
  if (nav?.deny?.length) lines.push(`navigate: never to ${nav.deny.join(', ')}`);
  if (nav?.denyDomains?.length) lines.push(`navigate: never to the domains ${nav.denyDomains.join(', ')}`);
  if (nav?.allow?.length || nav?.allowDomains?.length)
    lines.push(`navigate: only to ${[...(nav.allow ?? []), ...(nav.allowDomains ?? [])].join(', ')}`);
  for (const rule of file.confirm ?? []) {
    const parts = [
      rule.action !== undefined ? [rule.action].flat().join('/') : 'any action',
      rule.text !== undefined ? `text ${rule.text}` : '',
      rule.window ? `on ${window(rule.window)}` : '',
    ].filter(Boolean);
    lines.push(`confirm: ${parts.join(', ')} needs a person's yes on the terminal (refused without one)`);
  }
  if (file.rate) lines.push(`rate: at most ${file.rate.actionsPerMinute} actions a minute (more wait)`);
  return lines;
}
