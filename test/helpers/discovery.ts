import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Checks a JSON answer against a Google API discovery document (the format of
 * `test/fixtures/vertex/aiplatform-v1-excerpt.json`): every property is one the schema
 * declares (Google's JSON mapping sends no others), of the declared type; 64-bit integers
 * are strings, as proto3's JSON mapping writes them. Discovery marks nothing required. A
 * `$ref` to a schema the document does not hold (an excerpt) is not followed.
 */

type Schema = Record<string, any>;

export interface DiscoveryDocument {
  schemas: Record<string, Schema>;
  methods: Record<string, { flatPath: string; httpMethod: string; response?: { $ref: string } }>;
}

export function loadDiscovery(fixture: string): DiscoveryDocument {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', fixture), 'utf8')) as DiscoveryDocument;
}

/** The method whose `flatPath` matches `path` (`/v1/projects/p/locations/l/models`), and every departure of `body` from its response schema. */
export function checkDiscoveryResponse(doc: DiscoveryDocument, method: string, path: string, body: unknown): { method?: string; problems: string[] } {
  const match = Object.entries(doc.methods).find(
    ([, m]) => m.httpMethod === method && new RegExp(`^/${m.flatPath.replace(/\{[^}]+\}/g, '[^/:]+')}$`).test(path),
  );
  if (!match) return { problems: [`no method of the document matches ${method} ${path}`] };
  const [id, m] = match;
  const problems: string[] = [];
  if (m.response) validate(doc, m.response, body, 'response', problems);
  return { method: id, problems };
}

function validate(doc: DiscoveryDocument, raw: Schema, value: unknown, at: string, problems: string[]): void {
  let schema = raw;
  if (typeof raw.$ref === 'string') {
    const target = doc.schemas[raw.$ref];
    if (!target) return;
    schema = target;
  }
  const type = schema.type as string | undefined;
  if (!type) return;
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  if (type === 'string') {
    if (actual !== 'string') problems.push(`${at}: ${actual}, the document says string${schema.format ? ` (${schema.format})` : ''}`);
    else if (schema.enum && !schema.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
    return;
  }
  if (type === 'integer' || type === 'number') {
    if (actual !== 'number' || (type === 'integer' && !Number.isInteger(value))) problems.push(`${at}: ${actual}, the document says ${type}`);
    return;
  }
  if (type === 'boolean') {
    if (actual !== 'boolean') problems.push(`${at}: ${actual}, the document says boolean`);
    return;
  }
  if (type === 'array') {
    if (actual !== 'array') return void problems.push(`${at}: ${actual}, the document says array`);
    (value as unknown[]).forEach((v, i) => validate(doc, schema.items ?? {}, v, `${at}[${i}]`, problems));
    return;
  }
  if (type === 'object') {
    if (actual !== 'object') return void problems.push(`${at}: ${actual}, the document says object`);
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const property = schema.properties?.[key] ?? schema.additionalProperties;
      if (!property) problems.push(`${at}.${key}: not a property of ${schema.id ?? 'the schema'}`);
      else validate(doc, property, v, `${at}.${key}`, problems);
    }
  }
}
