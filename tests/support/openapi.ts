import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { parse } from 'yaml';

/**
 * OpenAI's public OpenAPI spec (shared/reference/openai-openapi.yaml, `openapi: 3.1.0`) as JSON Schema
 * validators, for contract tests. OpenAPI 3.1 schemas are JSON Schema 2020-12 plus a few OpenAPI words,
 * so ajv's 2020 dialect reads them once these are settled:
 * - `discriminator` + `oneOf`: OpenAPI picks the branch the discriminator names (see discriminate); read
 *   as JSON Schema "exactly one", it would fail where the spec's branches overlap (a message without
 *   `type` is both an EasyInputMessage and an InputMessage). `ResponseStreamEvent` is discriminated by
 *   `type` the same way.
 * - `nullable: true` (left over from OpenAPI 3.0 in a few schemas): null is allowed too.
 * - `x-*`, `example`, `discriminator`: annotations (ajv `strict: false` ignores unknown keywords).
 * - `format: unixtime` and other formats ajv-formats does not define: not checked.
 */
export const SPEC_PATH = new URL('../../../shared/reference/openai-openapi.yaml', import.meta.url);

type Json = Record<string, unknown>;

export interface OpenApiSpec {
  /** The parsed YAML, untouched (examples, paths). */
  document: Json;
  /** The named `components.schemas` entry. */
  schema(name: string): Json;
  /** What is wrong with `value` as the named schema, one line per problem; empty when it conforms. */
  problems(name: string, value: unknown): string[];
  /** The property names a schema declares, through `$ref` and `allOf` (not through anyOf/oneOf). */
  declaredProperties(name: string): string[];
}

let loaded: OpenApiSpec | undefined;

/** The spec, loaded once per test file (it is 3 MB of YAML: about 2 s to parse). */
export function openApiSpec(): OpenApiSpec {
  loaded ??= load();
  return loaded;
}

function load(): OpenApiSpec {
  const document = parse(readFileSync(SPEC_PATH, 'utf8')) as Json;
  const components = structuredClone(document.components) as { schemas: Record<string, Json> };
  const formats = new Set<string>();
  // The stream event union has no discriminator in the spec, but every member is told by its `type`.
  components.schemas.ResponseStreamEvent!.discriminator = { propertyName: 'type' };
  adapt(components, components.schemas, formats);

  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
  addFormats(ajv);
  for (const format of formats) if (!ajv.formats[format]) ajv.addFormat(format, true);
  ajv.addSchema({ $id: 'openai', components }, 'openai');

  const validators = new Map<string, ValidateFunction>();
  const validator = (name: string): ValidateFunction => {
    const existing = validators.get(name);
    if (existing) return existing;
    if (!components.schemas[name]) throw new Error(`the OpenAPI spec has no schema ${name}`);
    const compiled = ajv.getSchema(`openai#/components/schemas/${name}`);
    if (!compiled) throw new Error(`ajv could not compile ${name}`);
    validators.set(name, compiled);
    return compiled;
  };

  const schema = (name: string): Json => {
    const found = (document.components as { schemas: Record<string, Json> }).schemas[name];
    if (!found) throw new Error(`the OpenAPI spec has no schema ${name}`);
    return found;
  };

  const declaredProperties = (name: string): string[] => {
    const names = new Set<string>();
    const visit = (node: Json): void => {
      if (typeof node.$ref === 'string') visit(schema(node.$ref.replace('#/components/schemas/', '')));
      for (const key of Object.keys((node.properties as Json | undefined) ?? {})) names.add(key);
      for (const part of (node.allOf as Json[] | undefined) ?? []) visit(part);
    };
    visit(schema(name));
    return [...names].sort();
  };

  return {
    document,
    schema,
    declaredProperties,
    problems(name, value) {
      const validate = validator(name);
      return validate(value) ? [] : describe(validate);
    },
  };
}

/** Rewrites the OpenAPI-only words (see above) in place and collects the formats used. */
function adapt(node: unknown, schemas: Record<string, Json>, formats: Set<string>): void {
  if (Array.isArray(node)) {
    for (const entry of node) adapt(entry, schemas, formats);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Json;
  for (const value of Object.values(schema)) adapt(value, schemas, formats);
  if (typeof schema.format === 'string') formats.add(schema.format);
  if (schema.discriminator) discriminate(schema, schemas);
  if (schema.nullable === true) {
    const rest = { ...schema };
    delete rest.nullable;
    for (const key of Object.keys(schema)) delete schema[key];
    schema.anyOf = [rest, { type: 'null' }];
  }
}

/**
 * A union with a discriminator, as OpenAPI means it: a value whose discriminator names branches is
 * checked against those branches only (so the errors are theirs, not those of fifty others); a value
 * without it is checked against any branch.
 */
function discriminate(schema: Json, schemas: Record<string, Json>): void {
  const branches = (schema.oneOf ?? schema.anyOf) as Json[] | undefined;
  const property = (schema.discriminator as { propertyName: string }).propertyName;
  if (!branches) return;
  delete schema.oneOf;
  delete schema.discriminator;
  schema.anyOf = branches;
  const byValue = new Map<unknown, Json[]>();
  for (const branch of branches) {
    const values = discriminatorValues(branch, property, schemas);
    if (values.length === 0) return; // a branch open to any value: plain anyOf
    for (const value of values) byValue.set(value, [...(byValue.get(value) ?? []), branch]);
  }
  const named = { required: [property], properties: { [property]: { enum: [...byValue.keys()] } } };
  const checks = [...byValue].map(([value, matching]) => ({
    if: { properties: { [property]: { const: value } } },
    then: matching.length === 1 ? matching[0] : { anyOf: matching },
  }));
  delete schema.anyOf;
  Object.assign(schema, { if: named, then: { allOf: checks }, else: { anyOf: branches } });
}

/** The values a branch allows for the discriminator (`enum` or `const`, through `$ref` and `allOf`). */
function discriminatorValues(branch: Json, property: string, schemas: Record<string, Json>): unknown[] {
  if (typeof branch.$ref === 'string') {
    const target = schemas[branch.$ref.replace('#/components/schemas/', '')];
    if (target) return discriminatorValues({ ...branch, $ref: undefined, ...target }, property, schemas);
  }
  const own = (branch.properties as Record<string, Json> | undefined)?.[property];
  if (own && Array.isArray(own.enum)) return own.enum;
  if (own && 'const' in own) return [own.const];
  for (const part of (branch.allOf as Json[] | undefined) ?? []) {
    const values = discriminatorValues(part, property, schemas);
    if (values.length > 0) return values;
  }
  return [];
}

/**
 * ajv's errors, shortest first: for a union, the errors of the branch that came closest (deepest path)
 * say what is wrong; the "must match a schema in anyOf" lines above them say little.
 */
function describe(validate: ValidateFunction): string[] {
  const errors = validate.errors ?? [];
  const depth = (path: string): number => path.split('/').length;
  const deepest = Math.max(...errors.map((error) => depth(error.instancePath)));
  const lines = errors
    .filter((error) => depth(error.instancePath) === deepest || error.keyword === 'required')
    .map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
  return [...new Set(lines)].slice(0, 12);
}
