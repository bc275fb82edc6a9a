import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

/**
 * Checks JSON bodies against a subset of Azure REST API specs (Swagger 2.0, as
 * `test/fixtures/azureml/mfe-2025-09-01.subset.json` holds it: definitions per spec file,
 * `$ref`s kept relative to their file, and the operations modelgraph calls).
 *
 * The keywords ARM specs use: `$ref`, `allOf`, `type`, `format`, `enum`, `properties`,
 * `required`, `additionalProperties`, `items`, `discriminator` with
 * `x-ms-discriminator-value`, `x-nullable`, `minLength`, `pattern`; `readOnly` properties are
 * fine in responses. Stricter than plain JSON Schema where ARM's tooling is: a property the
 * schema (with its `allOf` parents) does not declare is a problem unless the schema says
 * `additionalProperties` (a bare `{"type": "object"}` with no properties is free-form), and
 * `null` is only allowed where `x-nullable: true` says so.
 */

type Schema = Record<string, any>;

export interface ArmSpecSubset {
  'x-source': Record<string, unknown>;
  operations: Record<string, ArmOperation>;
  files: Record<string, { definitions: Record<string, Schema> }>;
}

export interface ArmOperation {
  method: string;
  file: string;
  path: string;
  responses: Record<string, { $ref: string }>;
  'x-ms-pageable'?: { nextLinkName: string };
}

export function loadArmSubset(fixture: string): ArmSpecSubset {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', fixture), 'utf8')) as ArmSpecSubset;
}

/** A schema and the spec file its `$ref`s are relative to. */
interface Located {
  schema: Schema;
  file: string;
  /** `file#Name` when the schema is a definition. */
  id?: string;
}

/**
 * Every way `body` departs from what `operationId` declares for `status` (the `default`
 * response for a status it does not list); empty when it conforms. For an `x-ms-pageable`
 * operation's 200 the page must also have a `value` array, and a `nextLink`, when there is
 * one, must be an absolute URL.
 */
export function checkArmResponse(spec: ArmSpecSubset, operationId: string, status: number, body: unknown): string[] {
  const operation = spec.operations[operationId];
  if (!operation) return [`the subset has no operation ${operationId}`];
  const response = operation.responses[String(status)] ?? operation.responses.default;
  if (!response) return [`${operationId} declares no ${status} response`];
  const problems: string[] = [];
  const target = resolveRef(spec, operation.file, response.$ref);
  validate(spec, { schema: { $ref: response.$ref }, file: operation.file }, body, '$', problems);
  const pageable = operation['x-ms-pageable'];
  if (pageable && status === 200 && body && typeof body === 'object') {
    const page = body as Record<string, unknown>;
    if (!Array.isArray(page.value)) problems.push(`$.value: an x-ms-pageable page needs a value array (${target.id})`);
    const next = page[pageable.nextLinkName];
    if (next !== undefined && !(typeof next === 'string' && isAbsoluteUrl(next))) problems.push(`$.${pageable.nextLinkName}: not an absolute URL`);
  }
  return problems;
}

/** Checks `value` against one named definition: `file` is a key of `spec.files`. */
export function checkArmDefinition(spec: ArmSpecSubset, file: string, name: string, value: unknown): string[] {
  const problems: string[] = [];
  validate(spec, { schema: { $ref: `#/definitions/${name}` }, file }, value, '$', problems);
  return problems;
}

function resolveRef(spec: ArmSpecSubset, from: string, ref: string): Located {
  const [path, pointer = ''] = ref.split('#');
  const file = path ? posix.normalize(posix.join(posix.dirname(from), path)) : from;
  const name = pointer.replace(/^\/definitions\//, '');
  const schema = spec.files[file]?.definitions[name];
  if (!schema) throw new Error(`the subset does not resolve ${ref} (from ${from})`);
  return { schema, file, id: `${file}#${name}` };
}

function deref(spec: ArmSpecSubset, at: Located): Located {
  let current = at;
  while (typeof current.schema.$ref === 'string') current = resolveRef(spec, current.file, current.schema.$ref);
  return current;
}

/** A definition with its `allOf` parents folded in: what an object of it may and must carry. */
interface Flat {
  properties: Map<string, Located>;
  required: Set<string>;
  /** `false` (closed), `true`/a schema (open), or undefined: nothing said anywhere. */
  additional?: boolean | Located;
  discriminator?: string;
}

function flatten(spec: ArmSpecSubset, at: Located): Flat {
  const s = at.schema;
  const flat: Flat = { properties: new Map(), required: new Set() };
  for (const parent of s.allOf ?? []) {
    const p = flatten(spec, deref(spec, { schema: parent, file: at.file }));
    for (const [k, v] of p.properties) flat.properties.set(k, v);
    for (const r of p.required) flat.required.add(r);
    if (p.additional !== undefined) flat.additional = p.additional;
    flat.discriminator ??= p.discriminator;
  }
  for (const [k, v] of Object.entries(s.properties ?? {})) flat.properties.set(k, { schema: v as Schema, file: at.file });
  for (const r of s.required ?? []) flat.required.add(r);
  if (s.additionalProperties !== undefined) {
    flat.additional = typeof s.additionalProperties === 'object' ? { schema: s.additionalProperties, file: at.file } : s.additionalProperties;
  }
  if (s.discriminator) flat.discriminator = s.discriminator;
  return flat;
}

/** The definition a polymorphic value stands for: the subtype whose discriminator value it names. */
function subtypeFor(spec: ArmSpecSubset, base: Located, value: string): Located | undefined {
  for (const [file, { definitions }] of Object.entries(spec.files)) {
    for (const [name, schema] of Object.entries(definitions)) {
      const tag = schema['x-ms-discriminator-value'] ?? name;
      if (tag !== value) continue;
      const extendsBase = (schema.allOf ?? []).some((p: Schema) => typeof p.$ref === 'string' && resolveRef(spec, file, p.$ref).id === base.id);
      if (extendsBase) return { schema, file, id: `${file}#${name}` };
    }
  }
  return undefined;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function isAbsoluteUrl(value: string): boolean {
  try {
    return Boolean(new URL(value).protocol);
  } catch {
    return false;
  }
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function formatProblem(format: string, value: unknown): string | undefined {
  switch (format) {
    case 'int32':
      return (value as number) < -(2 ** 31) || (value as number) > 2 ** 31 - 1 ? 'outside int32' : undefined;
    case 'int64':
      return Number.isSafeInteger(value) ? undefined : 'not an exact int64';
    case 'date-time':
      return DATE_TIME.test(value as string) && !Number.isNaN(Date.parse(value as string)) ? undefined : 'not an RFC 3339 date-time';
    case 'duration':
      return DURATION.test(value as string) ? undefined : 'not an ISO 8601 duration';
    case 'uuid':
      return UUID.test(value as string) ? undefined : 'not a UUID';
    case 'uri':
      return isAbsoluteUrl(value as string) ? undefined : 'not an absolute URI';
    case 'arm-id':
      return /^\/subscriptions\/[^/]+\//i.test(value as string) ? undefined : 'not an ARM resource id';
    default:
      return undefined;
  }
}

function validate(spec: ArmSpecSubset, wrapper: Located, value: unknown, at: string, problems: string[]): void {
  // `x-nullable` sits beside a `$ref` on the property, or on the definition itself.
  const target = deref(spec, wrapper);
  if (value === null) {
    if (wrapper.schema['x-nullable'] === true || target.schema['x-nullable'] === true) return;
    problems.push(`${at}: null, and the spec does not mark it x-nullable`);
    return;
  }
  let located = target;
  let flat: Flat | undefined;
  const isObjectSchema = located.schema.type === 'object' || located.schema.properties || located.schema.allOf;
  if (isObjectSchema) {
    flat = flatten(spec, located);
    if (flat.discriminator && value && typeof value === 'object' && located.id) {
      const tag = (value as Record<string, unknown>)[flat.discriminator];
      const sub = typeof tag === 'string' ? subtypeFor(spec, located, tag) : undefined;
      if (sub) {
        located = sub;
        flat = flatten(spec, sub);
      }
    }
  }
  const schema = located.schema;
  const actual = typeOf(value);
  const declared: string | undefined = schema.type ?? (flat ? 'object' : undefined);
  if (declared && !(declared === actual || (declared === 'number' && actual === 'integer'))) {
    problems.push(`${at}: ${actual}, the spec says ${declared}`);
    return;
  }
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  if (schema.format && (actual === 'string' || actual === 'integer' || actual === 'number')) {
    const problem = formatProblem(schema.format, value);
    if (problem) problems.push(`${at}: ${JSON.stringify(value)} is ${problem} (format ${schema.format})`);
  }
  if (actual === 'string') {
    if (typeof schema.minLength === 'number' && (value as string).length < schema.minLength) problems.push(`${at}: shorter than ${schema.minLength}`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value as string)) problems.push(`${at}: does not match ${schema.pattern}`);
  }
  if (actual === 'array' && schema.items) {
    (value as unknown[]).forEach((item, i) => validate(spec, { schema: schema.items, file: located.file }, item, `${at}[${i}]`, problems));
  }
  if (actual !== 'object' || !flat) return;
  const object = value as Record<string, unknown>;
  for (const required of flat.required) if (object[required] === undefined) problems.push(`${at}.${required}: required, missing`);
  const freeForm = flat.properties.size === 0 && flat.additional === undefined;
  const name = located.id?.split('#')[1] ?? 'the schema';
  for (const [key, v] of Object.entries(object)) {
    const property = flat.properties.get(key);
    if (property) validate(spec, property, v, `${at}.${key}`, problems);
    else if (flat.additional && typeof flat.additional === 'object') validate(spec, flat.additional, v, `${at}.${key}`, problems);
    else if (flat.additional !== true && !freeForm) problems.push(`${at}.${key}: not declared by ${name}`);
  }
}
