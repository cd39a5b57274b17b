import { describe, expect, it } from 'vitest';
import { parsePolicy, Policy, PolicyError, RateLimit } from '../../src/policy/index.js';
import type { Action } from '../../src/protocol/actions.js';

const policy = (yaml: string) => new Policy(parsePolicy(yaml, 'policy.yaml'));
const xterm = { wmClass: ['xterm', 'XTerm'], title: 'user@host: ~' };
const notes = { wmClass: ['notes', 'Notes'], title: 'My notes' };
const click: Action = { type: 'click', x: 1, y: 1, button: 'left', count: 1 };
const keys = (...k: string[]): Action => ({ type: 'keypress', keys: k });

describe('policy decisions', () => {
  it('an empty policy allows everything but the default chords', () => {
    const p = policy('');
    expect(p.decide(click, [xterm]).verdict).toBe('allow');
    expect(p.decide(keys('ctrl', 'c'), []).verdict).toBe('allow');
    for (const chord of [
      ['ctrl', 'alt', 'delete'],
      ['ctrl', 'alt', 'backspace'],
      ['ctrl', 'alt', 'f7'],
      ['meta', 'l'],
    ])
      expect(p.decide(keys(...chord), [])).toMatchObject({
        verdict: 'refuse',
        rule: 'keys (default deny list)',
      });
    // A superset of a denied chord is denied too.
    expect(p.decide(keys('shift', 'ctrl', 'alt', 'delete'), []).verdict).toBe('refuse');
  });

  it('defaultDeny: false drops the default chords; deny adds chords', () => {
    const p = policy('keys:\n  defaultDeny: false\n  deny: ["ctrl+q"]\n');
    expect(p.decide(keys('ctrl', 'alt', 'delete'), []).verdict).toBe('allow');
    expect(p.decide(keys('ctrl', 'q'), [])).toMatchObject({ verdict: 'refuse', rule: 'keys.deny[0]' });
  });

  it('keys held with key_down count in later chords, until released', () => {
    const p = policy('');
    const down: Action = { type: 'key_down', keys: ['ctrl', 'alt'] };
    expect(p.decide(down, []).verdict).toBe('allow');
    p.performed(down);
    expect(p.decide(keys('delete'), []).verdict).toBe('refuse');
    p.performed({ type: 'key_up', keys: ['ctrl', 'alt'] });
    expect(p.decide(keys('delete'), []).verdict).toBe('allow');
    // Typing with a held modifier makes chords of each character: Super held, then "l" locks the screen.
    p.performed({ type: 'key_down', keys: ['super'] });
    expect(p.decide({ type: 'type', text: 'hello' }, []).verdict).toBe('refuse');
    p.released();
    expect(p.decide({ type: 'type', text: 'hello' }, []).verdict).toBe('allow');
  });

  it('windows: deny by class or title pattern; an allow list refuses the rest, the bare desktop included', () => {
    const deny = policy('windows:\n  deny:\n    - class: xterm\n    - title: "*bank*"\n');
    expect(deny.decide(click, [xterm])).toMatchObject({ verdict: 'refuse', rule: 'windows.deny[0]' });
    expect(deny.decide(click, [{ wmClass: ['firefox'], title: 'My Bank – Login' }])).toMatchObject({
      rule: 'windows.deny[1]',
    });
    expect(deny.decide(click, [notes]).verdict).toBe('allow');
    const allow = policy('windows:\n  allow:\n    - class: Notes\n      title: "My *"\n');
    expect(allow.decide(click, [notes]).verdict).toBe('allow');
    expect(allow.decide(click, [{ ...notes, title: 'Other' }]).verdict).toBe('refuse');
    expect(allow.decide(click, [undefined])).toMatchObject({ verdict: 'refuse', rule: 'windows.allow' });
    const regex = policy('windows:\n  deny:\n    - title: "/^user@.*~$/"\n');
    expect(regex.decide(click, [xterm]).verdict).toBe('refuse');
  });

  it('the text length of one type action', () => {
    const p = policy('keys:\n  maxTypeLength: 3\n');
    expect(p.decide({ type: 'type', text: 'abc' }, []).verdict).toBe('allow');
    expect(p.decide({ type: 'type', text: '日本語x' }, [])).toMatchObject({ rule: 'keys.maxTypeLength' });
  });

  it('navigate: deny patterns and domains first, then the allow lists', () => {
    const p = policy(
      'navigate:\n  denyDomains: [evil.com]\n  deny: ["*://*/admin*"]\n  allowDomains: [example.com]\n  allow: ["https://docs.test/*"]\n',
    );
    const go = (url: string) => p.decide({ type: 'navigate', url }, []);
    expect(go('https://www.example.com/x').verdict).toBe('allow');
    expect(go('example.com').verdict).toBe('allow');
    expect(go('https://docs.test/page').verdict).toBe('allow');
    expect(go('https://example.com/admin/users')).toMatchObject({ rule: 'navigate.deny[0]' });
    expect(go('https://login.evil.com/')).toMatchObject({ rule: 'navigate.denyDomains[0]' });
    expect(go('https://notexample.com/')).toMatchObject({ rule: 'navigate.allow' });
  });

  it('confirm rules match by action type, text and window', () => {
    const p = policy(
      'confirm:\n  - action: [type]\n    text: "*rm -rf*"\n  - window: {class: xterm}\n    action: keypress\n',
    );
    expect(p.decide({ type: 'type', text: 'sudo rm -rf /' }, [notes])).toMatchObject({
      verdict: 'confirm',
      rule: 'confirm[0]',
    });
    expect(p.decide({ type: 'type', text: 'ls' }, [notes]).verdict).toBe('allow');
    expect(p.decide(keys('enter'), [xterm])).toMatchObject({ verdict: 'confirm', rule: 'confirm[1]' });
    expect(p.decide(keys('enter'), [notes]).verdict).toBe('allow');
  });
});

describe('policy files', () => {
  it('name the line, column and field of each problem', () => {
    const text = 'windows:\n  deny:\n    - class: "/[/"\nkeys:\n  deny: ["ctrl+nope"]\nrat: {}\n';
    let error: unknown;
    try {
      parsePolicy(text, 'p.yaml');
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(PolicyError);
    const problems = (error as PolicyError).problems.map((p) => `${p.line}:${p.column} ${p.field}`);
    expect(problems).toEqual(['3:14 windows.deny[0].class', '5:10 keys.deny[0]', '6:1 rat']);
    expect((error as PolicyError).message).toContain('p.yaml:6:1: rat: unknown field');
  });

  it('a YAML syntax error has its line', () => {
    expect(() => parsePolicy('windows: [\n', 'p.yaml')).toThrow(/p\.yaml:2:1/);
  });
});

describe('RateLimit', () => {
  it('lets N actions through in any 60 s, then says how long to wait', () => {
    let now = 0;
    const rate = new RateLimit(2, () => now);
    expect(rate.waitMs()).toBe(0);
    rate.take();
    now = 10_000;
    rate.take();
    expect(rate.waitMs()).toBe(50_000);
    now = 60_000;
    expect(rate.waitMs()).toBe(0);
  });
});
