import { z } from 'zod';

/** Servers sometimes quote numbers ("10"): a numeric string becomes a number, anything else fails. */
function unquote(value: unknown): unknown {
  if (typeof value !== 'string' || value.trim() === '') return value;
  const number = Number(value);
  return Number.isFinite(number) ? number : value;
}

/** A number on the wire; a numeric string is accepted and converted. */
export const wireNumber = z.preprocess(unquote, z.number());

/** An integer on the wire (indexes, counts, token numbers); a numeric string is accepted and converted. */
export const wireInt = z.preprocess(unquote, z.number().int());

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A union chosen by the `type` field. A value whose type is a key of `known` must match that schema, so
 * a malformed known member fails with errors naming its own fields (a plain union would only say
 * "Invalid input"); a value of any other type goes to `other`, which decides what unknown members become.
 * `typeOf` reads the type when it is not simply the `type` field.
 */
export function unionByType<K extends Record<string, z.ZodType>, O extends z.ZodType>(
  known: K,
  other: O,
  typeOf: (value: Record<string, unknown>) => unknown = (value) => value.type,
) {
  return z.unknown().transform((value, ctx): z.output<K[keyof K]> | z.output<O> => {
    const type = isRecord(value) ? typeOf(value) : undefined;
    const schema: z.ZodType =
      typeof type === 'string' && Object.hasOwn(known, type) ? (known[type] as z.ZodType) : other;
    const result = schema.safeParse(value);
    if (result.success) return result.data as z.output<K[keyof K]> | z.output<O>;
    for (const issue of result.error.issues) {
      ctx.issues.push({ ...issue, path: [...issue.path], input: value } as (typeof ctx.issues)[number]);
    }
    return z.NEVER;
  });
}
