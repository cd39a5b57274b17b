export const REDACTED = '[redacted]';

/**
 * Returns a function that replaces every given secret in a text, both as it is and as it appears
 * inside a JSON string (quotes and backslashes escaped). Secrets shorter than 4 characters are ignored:
 * redacting "a" would destroy the record and protect nothing.
 */
export function redactor(secrets: readonly string[]): (text: string) => string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  // Longest first, so a secret containing another is replaced whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const form of ordered) out = out.split(form).join(REDACTED);
    return out;
  };
}
