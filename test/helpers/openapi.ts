import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Checks HTTP exchanges against a vendor's OpenAPI 3 document: the operation exists, the
 * request body fits its schema (no read-only property sent, no property a closed object
 * does not have, every required one there), the status is one the operation documents and
 * a JSON answer fits that response's schema. The JSON Schema subset vendors' specs use:
 * `$ref`, `allOf`, `anyOf`/`oneOf`, `type`, `properties`, `required`,
 * `additionalProperties`, `items`, `enum`.
 */

type Schema = Record<string, any>;

export interface OpenApiDocument {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, Schema> };
}

/** A document an npm package ships (`@octokit/openapi/generated/api.github.com.json`). */
export function loadPackagedSpec(path: string): OpenApiDocument {
  return JSON.parse(readFileSync(require.resolve(path), 'utf8')) as OpenApiDocument;
}

/** A document the vendor publishes, kept unchanged under test/fixtures (`jira/jira-cloud-platform-v3.openapi.json`). */
export function loadVendorSpec(fixture: string): OpenApiDocument {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', fixture), 'utf8')) as OpenApiDocument;
}

export interface Exchange {
  method: string;
  path: string;
  /** The document's path template, where matching cannot find it (a `{path}` holding slashes). */
  template?: string;
  body: unknown;
  status: number;
  response: unknown;
}

/** The operation's id and every way the exchange departs from the document (empty: it conforms). */
export function checkExchange(spec: OpenApiDocument, exchange: Exchange): { operationId?: string; problems: string[] } {
  const template =
    exchange.template ?? Object.keys(spec.paths).find((p) => new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(exchange.path));
  if (!template) return { problems: [`no path in the document matches ${exchange.path}`] };
  const operation = spec.paths[template]![exchange.method.toLowerCase()];
  if (!operation) return { problems: [`${template} has no ${exchange.method}`] };
  const problems: string[] = [];
  const requestSchema = operation.requestBody?.content?.['application/json']?.schema;
  if (exchange.body !== undefined) {
    if (!requestSchema) problems.push(`${operation.operationId} takes no JSON body`);
    else validate(spec, requestSchema, exchange.body, 'request', 'body', problems);
  } else if (operation.requestBody?.required) {
    problems.push(`${operation.operationId} requires a body`);
  }
  const response = operation.responses?.[String(exchange.status)];
  if (!response) problems.push(`${operation.operationId} documents no ${exchange.status} response`);
  const responseSchema = response?.content?.['application/json']?.schema;
  if (responseSchema && exchange.response !== undefined) validate(spec, responseSchema, exchange.response, 'response', 'response', problems);
  return { operationId: operation.operationId, problems };
}

function resolve(spec: OpenApiDocument, schema: Schema): Schema {
  let s = schema;
  while (s && typeof s.$ref === 'string') s = spec.components.schemas[s.$ref.replace('#/components/schemas/', '')]!;
  return s ?? {};
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function validate(spec: OpenApiDocument, raw: Schema, value: unknown, direction: 'request' | 'response', at: string, problems: string[]): void {
  const schema = resolve(spec, raw);
  for (const part of schema.allOf ?? []) validate(spec, part, value, direction, at, problems);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) {
    const fits = alternatives.some((alt: Schema) => {
      const found: string[] = [];
      validate(spec, alt, value, direction, at, found);
      return found.length === 0;
    });
    if (!fits) problems.push(`${at}: fits none of the alternatives`);
  }
  if (value === null && schema.nullable) return;
  const actual = typeOf(value);
  if (schema.type && !(schema.type === actual || (schema.type === 'number' && actual === 'integer'))) {
    problems.push(`${at}: ${actual}, the document says ${schema.type}`);
    return;
  }
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  if (actual === 'array' && schema.items) (value as unknown[]).forEach((v, i) => validate(spec, schema.items, v, direction, `${at}[${i}]`, problems));
  if (actual !== 'object') return;
  const object = value as Record<string, unknown>;
  for (const required of schema.required ?? []) if (!(required in object)) problems.push(`${at}: ${required} is required`);
  for (const [key, v] of Object.entries(object)) {
    const property = schema.properties?.[key];
    if (property) {
      if (direction === 'request' && resolveReadOnly(spec, property)) problems.push(`${at}.${key} is read-only`);
      validate(spec, property, v, direction, `${at}.${key}`, problems);
    } else if (schema.additionalProperties === false) {
      problems.push(`${at}.${key}: not a property of the schema`);
    } else if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
      validate(spec, schema.additionalProperties, v, direction, `${at}.${key}`, problems);
    }
  }
}

function resolveReadOnly(spec: OpenApiDocument, property: Schema): boolean {
  return property.readOnly === true || resolve(spec, property).readOnly === true;
}
