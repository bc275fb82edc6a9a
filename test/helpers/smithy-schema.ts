/**
 * Checks an AWS JSON 1.1 answer against the shapes the AWS SDK for JavaScript ships
 * (`@aws-sdk/client-sagemaker` exports each operation's static schema as `<Operation>$`):
 * every member is one the structure declares, every required member is there, and each has
 * the wire type (timestamps are epoch seconds, blobs base64 strings).
 *
 * The schema encoding is @smithy/core's: a structure is `[3, namespace, name, traits,
 * memberNames, memberSchemas, requiredCount?]` (the required members first), a list
 * `[1, ns, name, traits, member]`, a map `[2, ns, name, traits, key, value]`, a simple
 * schema `[0, ns, name, traits, type]`, an operation `[9, ns, name, traits, input, output]`;
 * a member is a schema or `[schema, traits]`; a lazy schema is a function; a number is a
 * type (0 string, 1 number, 2 boolean, 4-7 timestamps, 15 document, 21 blob; +64 a list of
 * it, +128 a map of it).
 */

type SmithySchema = unknown;

export function operationOutput(operation: SmithySchema): SmithySchema {
  const op = operation as unknown[];
  if (!Array.isArray(op) || op[0] !== 9) throw new Error('not an operation schema');
  return op[5];
}

function resolve(schema: SmithySchema): SmithySchema {
  let s = schema;
  for (;;) {
    if (typeof s === 'function') s = (s as () => SmithySchema)();
    else if (Array.isArray(s) && s.length === 2 && (typeof s[0] === 'function' || typeof s[0] === 'number' || Array.isArray(s[0]))) s = s[0];
    else if (Array.isArray(s) && s[0] === 0 && s.length >= 5) s = s[4];
    else return s;
  }
}

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

export function checkShape(schema: SmithySchema, value: unknown, at: string, problems: string[]): void {
  const s = resolve(schema);
  const actual = typeOf(value);
  if (typeof s === 'number') {
    if (s & 64) {
      if (actual !== 'array') return void problems.push(`${at}: ${actual}, the SDK says a list`);
      return (value as unknown[]).forEach((v, i) => checkShape(s & ~64, v, `${at}[${i}]`, problems));
    }
    if (s & 128) {
      if (actual !== 'object') return void problems.push(`${at}: ${actual}, the SDK says a map`);
      for (const [k, v] of Object.entries(value as object)) checkShape(s & ~128, v, `${at}.${k}`, problems);
      return;
    }
    const expected = s === 0 || s === 5 || s === 6 || s === 21 ? 'string' : s === 2 ? 'boolean' : s === 15 ? undefined : 'number';
    if (expected && actual !== expected) problems.push(`${at}: ${actual}, the SDK says ${expected}`);
    return;
  }
  if (!Array.isArray(s)) return;
  const [kind] = s as [number];
  if (kind === 1) {
    if (actual !== 'array') return void problems.push(`${at}: ${actual}, the SDK says a list (${s[2]})`);
    return (value as unknown[]).forEach((v, i) => checkShape(s[4], v, `${at}[${i}]`, problems));
  }
  if (kind === 2) {
    if (actual !== 'object') return void problems.push(`${at}: ${actual}, the SDK says a map (${s[2]})`);
    for (const [k, v] of Object.entries(value as object)) checkShape(s[5], v, `${at}.${k}`, problems);
    return;
  }
  if (kind === 3 || kind === -3) {
    if (actual !== 'object') return void problems.push(`${at}: ${actual}, the SDK says a structure (${s[2]})`);
    const names = s[4] as string[];
    const members = s[5] as SmithySchema[];
    const required = typeof s[6] === 'number' ? s[6] : 0;
    const object = value as Record<string, unknown>;
    names.slice(0, required).forEach((name) => {
      if (!(name in object)) problems.push(`${at}: ${name} is required (${s[2]})`);
    });
    for (const [key, v] of Object.entries(object)) {
      const i = names.indexOf(key);
      if (i < 0) problems.push(`${at}.${key}: not a member of ${s[2]}`);
      else if (v !== null) checkShape(members[i], v, `${at}.${key}`, problems);
    }
  }
}
