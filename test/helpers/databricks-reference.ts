import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Databricks' published definition of Unity Catalog's REST objects (field names and JSON
 * types, from the Go SDK's generated model; `test/fixtures/databricks/uc-models.reference.json`),
 * and a checker: the sandbox's answers and the connector's recorded-shape fixtures are both
 * held to it.
 */

export interface RefField {
  type: 'string' | 'boolean' | 'integer' | 'number' | 'array' | 'object';
  items?: RefField;
  ref?: string;
  enum?: string[];
}
export interface Reference {
  source: { version: string; commit: string; path: string };
  types: Record<string, { fields: Record<string, RefField> }>;
}

export const reference = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'databricks', 'uc-models.reference.json'), 'utf8')) as Reference;

/** Where `value` breaks the reference's definition of `typeName`; empty when it conforms. */
export function violations(value: unknown, typeName: string, at: string): string[] {
  const type = reference.types[typeName];
  if (!type) return [`${at}: no reference type ${typeName}`];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${at}: not an object`];
  const out: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const field = type.fields[key];
    if (!field) out.push(`${at}.${key}: not a field of ${typeName}`);
    else out.push(...checkField(v, field, `${at}.${key}`));
  }
  return out;
}

function checkField(v: unknown, field: RefField, at: string): string[] {
  switch (field.type) {
    case 'string':
      if (typeof v !== 'string') return [`${at}: expected string`];
      return field.enum && !field.enum.includes(v) ? [`${at}: '${v}' not one of ${field.enum.join(', ')}`] : [];
    case 'boolean':
      return typeof v === 'boolean' ? [] : [`${at}: expected boolean`];
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) ? [] : [`${at}: expected integer`];
    case 'number':
      return typeof v === 'number' ? [] : [`${at}: expected number`];
    case 'array':
      if (!Array.isArray(v)) return [`${at}: expected array`];
      return v.flatMap((item, i) => checkField(item, field.items!, `${at}[${i}]`));
    case 'object':
      if (field.ref) return violations(v, field.ref, at);
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? [] : [`${at}: expected object`];
  }
}

