import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * MLflow's REST API as its protos describe it (`test/fixtures/mlflow/protos/*.proto`, unchanged): the
 * messages with their fields, and each rpc's HTTP endpoints. Enough of proto2 for those
 * files: nested messages and enums, `optional`/`repeated`/`required` fields, `map<,>`, `oneof`;
 * options are skipped except an rpc's `method:` and `path:`.
 */

interface ProtoField {
  type: string;
  repeated: boolean;
  map?: { value: string };
}

export interface ProtoApi {
  messages: Map<string, Map<string, ProtoField>>;
  enums: Map<string, Set<string>>;
  /** `GET /mlflow/runs/get` -> the response message's full name. */
  endpoints: Map<string, string>;
}

export function loadMlflowProtos(files: readonly string[]): ProtoApi {
  const api: ProtoApi = { messages: new Map(), enums: new Map(), endpoints: new Map() };
  for (const file of files) parse(readFileSync(join(__dirname, '..', 'fixtures', 'mlflow', 'protos', file), 'utf8'), api);
  return api;
}

type Scope = { kind: 'message' | 'enum' | 'oneof' | 'rpc' | 'other'; name: string; response?: string };

function parse(text: string, api: ProtoApi): void {
  const source = text.replace(/\/\/[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
  const stack: Scope[] = [];
  const messagePath = () => stack.filter((s) => s.kind === 'message').map((s) => s.name).join('.');
  let rpcMethod: string | undefined;
  let buffer = '';
  for (const ch of source) {
    if (ch !== '{' && ch !== '}' && ch !== ';') {
      buffer += ch;
      continue;
    }
    const statement = buffer.replace(/\s+/g, ' ').trim();
    buffer = '';
    const rpc = stack.find((s) => s.kind === 'rpc');
    if (rpc) {
      for (const m of statement.matchAll(/(method|path)\s*:\s*"([^"]+)"/g)) {
        if (m[1] === 'method') rpcMethod = m[2];
        else api.endpoints.set(`${rpcMethod ?? 'GET'} ${m[2]}`, rpc.response!);
      }
    }
    if (ch === '}') {
      stack.pop();
      continue;
    }
    if (ch === '{') {
      const header = /^(message|enum|oneof|service)\s+(\w+)$/.exec(statement);
      const rpcHeader = /^rpc\s+(\w+)\s*\(\s*[\w.]+\s*\)\s*returns\s*\(\s*([\w.]+)\s*\)$/.exec(statement);
      if (header && header[1] === 'message') {
        stack.push({ kind: 'message', name: header[2]! });
        api.messages.set(messagePath(), new Map());
      } else if (header && header[1] === 'enum') {
        stack.push({ kind: 'enum', name: header[2]! });
        api.enums.set([messagePath(), header[2]].filter(Boolean).join('.'), new Set());
      } else if (header && header[1] === 'oneof') stack.push({ kind: 'oneof', name: header[2]! });
      else if (rpcHeader) stack.push({ kind: 'rpc', name: rpcHeader[1]!, response: rpcHeader[2]! });
      else stack.push({ kind: 'other', name: statement });
      continue;
    }
    // A `;`: a field, an enum value, or something skipped (option, import, syntax).
    const top = stack[stack.length - 1];
    if (top?.kind === 'enum') {
      const value = /^(\w+)\s*=/.exec(statement);
      if (value) api.enums.get([messagePath(), top.name].filter(Boolean).join('.'))!.add(value[1]!);
    } else if (top?.kind === 'message' || top?.kind === 'oneof') {
      const map = /^map\s*<\s*\w+\s*,\s*([\w.]+)\s*>\s*(\w+)\s*=/.exec(statement);
      const field = /^(optional|repeated|required)?\s*([\w.]+)\s+(\w+)\s*=\s*\d+/.exec(statement);
      const fields = api.messages.get(messagePath())!;
      if (map) fields.set(map[2]!, { type: 'map', repeated: false, map: { value: map[1]! } });
      else if (field && field[2] !== 'option') fields.set(field[3]!, { type: field[2]!, repeated: field[1] === 'repeated' });
    }
  }
}

/** The full name `type` refers to from inside message `scope`, as protobuf resolves it: innermost first. */
function resolveName(api: ProtoApi, scope: string, type: string): string | undefined {
  const parts = scope ? scope.split('.') : [];
  for (let i = parts.length; i >= 0; i--) {
    const candidate = [...parts.slice(0, i), type].join('.');
    if (api.messages.has(candidate) || api.enums.has(candidate)) return candidate;
  }
  return undefined;
}

const SCALARS: Record<string, string> = {
  string: 'string',
  bytes: 'string',
  bool: 'boolean',
  double: 'number',
  float: 'number',
  int32: 'number',
  int64: 'number',
  uint32: 'number',
  uint64: 'number',
  sint32: 'number',
  sint64: 'number',
  fixed32: 'number',
  fixed64: 'number',
};

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Every departure of `value` from message `name`: a field the message does not have, or a
 * value of another type (MLflow writes 64-bit integers as JSON numbers). Messages from
 * protos not saved here are not followed.
 */
export function checkMessage(api: ProtoApi, name: string, value: unknown, at: string, problems: string[]): void {
  const fields = api.messages.get(name);
  if (!fields) return;
  if (typeOf(value) !== 'object') return void problems.push(`${at}: ${typeOf(value)}, the proto says message ${name}`);
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const field = fields.get(key);
    if (!field) {
      problems.push(`${at}.${key}: not a field of ${name}`);
      continue;
    }
    if (field.map) {
      for (const [k, item] of Object.entries((v ?? {}) as object)) checkValue(api, name, field.map.value, item, `${at}.${key}.${k}`, problems);
    } else if (field.repeated) {
      if (!Array.isArray(v)) problems.push(`${at}.${key}: ${typeOf(v)}, the proto says repeated`);
      else v.forEach((item, i) => checkValue(api, name, field.type, item, `${at}.${key}[${i}]`, problems));
    } else {
      checkValue(api, name, field.type, v, `${at}.${key}`, problems);
    }
  }
}

function checkValue(api: ProtoApi, scope: string, type: string, value: unknown, at: string, problems: string[]): void {
  const scalar = SCALARS[type];
  if (scalar) {
    if (typeOf(value) !== scalar) problems.push(`${at}: ${typeOf(value)}, the proto says ${type}`);
    return;
  }
  const full = resolveName(api, scope, type);
  if (!full) return;
  const values = api.enums.get(full);
  if (values) {
    if (typeof value !== 'string' || !values.has(value)) problems.push(`${at}: ${JSON.stringify(value)} is not a value of ${full}`);
    return;
  }
  checkMessage(api, full, value, at, problems);
}
