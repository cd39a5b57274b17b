/** A glob (`*`, `?`; case-insensitive; the whole text) or a /regular expression/ as a RegExp. */
export function compilePattern(pattern: string): RegExp {
  const regex = /^\/(.+)\/([a-z]*)$/s.exec(pattern);
  if (regex) return new RegExp(regex[1] as string, regex[2]?.includes('i') ? 'i' : (regex[2] ?? ''));
  const body = Array.from(pattern, (char) =>
    char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
  ).join('');
  return new RegExp(`^${body}$`, 'is');
}

/** What is wrong with a pattern, or undefined when it compiles. */
export function patternProblem(pattern: string): string | undefined {
  if (pattern === '') return 'an empty pattern matches nothing useful: use "*" for anything';
  try {
    compilePattern(pattern);
    return undefined;
  } catch (error) {
    return `not a valid regular expression: ${(error as Error).message}`;
  }
}

export function matches(pattern: string, text: string): boolean {
  return compilePattern(pattern).test(text);
}

/** The host of a URL the model asked to open; a bare "example.com/x" is read as https. */
export function hostOf(url: string): string | undefined {
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:/i.test(url) ? url : `https://${url}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** example.com covers example.com and its subdomains; *.example.com only the subdomains. */
export function inDomain(host: string, domain: string): boolean {
  const d = domain.toLowerCase();
  if (d.startsWith('*.')) return host.endsWith(d.slice(1));
  return host === d || host.endsWith(`.${d}`);
}
