// Every answer an API test receives is checked against backend/openapi.json (the
// document GET /api/v1/openapi.json serves), so that the document cannot drift from
// the code: the status must be one the operation declares (a method the path does not
// have must be a 405 whose Allow lists exactly the documented methods; a path the
// document does not have must be a 404), the content type one declared for that
// status, the declared headers present and well formed, and the body valid against
// the response schema (OpenAPI 3.1 schemas are JSON Schema 2020-12: ajv's 2020 dialect,
// with formats).  Problems must also repeat the status and the X-Request-Id.
//
// lib.mjs's request() calls checkResponse() on every answer; it throws on a mismatch.
// The web pages (/, /static/..., /web-config.json and the page routes) and the FHIR
// facade (/fhir/...) are not part of the document and are not checked.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export const OPENAPI_FILE = fileURLToPath(new URL('../../backend/openapi.json', import.meta.url));

/** Paths the document does not describe (web pages, FHIR). */
const SKIPPED = [
  /^\/$/, /^\/static\//, /^\/web-config\.json$/, /^\/practitioners\/[^/]+$/, /^\/book$/,
  /^\/manage$/, /^\/staff(\/.*)?$/, /^\/fhir(\/.*)?$/,
];
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

let state; // {doc, ajv, routes, validators}

function load() {
  if (state) return state;
  const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  // The contract's instants (shared/docs/api.md): RFC 3339 with "T" and an offset "Z" or
  // "+HH:MM" -- stricter than ajv-formats, which also takes "2026-03-08 10:00:00+00".
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (s) => {
      const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-](\d\d):(\d\d))$/.exec(s);
      if (!m) return false;
      const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number);
      const day = new Date(Date.UTC(y, mo - 1, d));
      return day.getUTCMonth() === mo - 1 && day.getUTCDate() === d && h < 24 && mi < 60 && se < 60 &&
        (m[8] === 'Z' || (Number(m[9]) < 24 && Number(m[10]) < 60));
    },
  });
  ajv.addSchema(doc, 'openapi.json');
  const routes = Object.keys(doc.paths).map((template) => {
    const segs = template.split('/').slice(1);
    return {
      template,
      literal: segs.filter((s) => !s.startsWith('{')).length,
      re: new RegExp(`^/${segs.map((s) => (s.startsWith('{') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}$`),
    };
  }).sort((a, b) => b.literal - a.literal); // literal segments win over parameters
  state = { doc, ajv, routes, validators: new Map() };
  return state;
}

/** JSON pointer escaping of one reference token. */
const esc = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Follows a local $ref ("#/components/...") in the document; returns [object, pointer]. */
function deref(doc, node, pointer) {
  let n = node, p = pointer;
  for (let i = 0; n && n.$ref && i < 10; i++) {
    p = n.$ref.slice(1);
    n = p.split('/').slice(1).reduce((o, k) => o?.[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  }
  return [n, p];
}

function validatorAt(pointer) {
  const s = load();
  if (!s.validators.has(pointer)) s.validators.set(pointer, s.ajv.compile({ $ref: `openapi.json#${pointer}` }));
  return s.validators.get(pointer);
}

/** The documented path template a request path matches, or null. */
export function documentedPath(path) {
  const { routes } = load();
  return routes.find((r) => r.re.test(path))?.template ?? null;
}

export function isSkipped(path) {
  return SKIPPED.some((re) => re.test(path));
}

const mediaType = (ct) => (ct ?? '').split(';')[0].trim().toLowerCase();
const isJson = (mt) => mt === 'application/json' || mt.endsWith('+json');

function fail(ctx, why) {
  const body = ctx.text.length > 600 ? `${ctx.text.slice(0, 600)}...` : ctx.text;
  throw new Error(`OpenAPI: ${ctx.method} ${ctx.path} -> ${ctx.status}: ${why}\n  body: ${body}`);
}

/** Checks a problem document's own promises (status, request_id). */
function checkProblem(ctx, json, headers) {
  if (json?.status !== ctx.status) fail(ctx, `the problem's status is ${json?.status}, not the HTTP status`);
  const rid = headers.get('x-request-id');
  if (json.request_id !== rid) fail(ctx, `the problem's request_id ${json.request_id} is not the X-Request-Id ${rid}`);
}

/** Validates one answer: throws an Error saying what does not match the document. */
export function checkResponse(method, url, res, text) {
  const u = new URL(url, 'http://x');
  let path = u.pathname;
  try { path = u.pathname.split('/').map((s) => decodeURIComponent(s)).join('/'); } catch { /* as sent */ }
  if (isSkipped(path)) return;
  const { doc } = load();
  const m = method.toLowerCase();
  const ctx = { method: method.toUpperCase(), path: u.pathname + u.search.slice(0, 120), status: res.status, text };
  const mt = mediaType(res.headers.get('content-type'));
  const head = m === 'head';
  const parse = () => {
    if (head) return undefined;
    try { return JSON.parse(text); } catch { return fail(ctx, `the body is not JSON (${mt})`); }
  };
  const template = documentedPath(path);

  // a path the document does not have: the server must not have it either
  if (!template) {
    if (![404, 400, 413, 414].includes(res.status)) fail(ctx, 'the path is not in the document, yet it was not a 404');
    if (mt !== 'application/problem+json') fail(ctx, `an error is not application/problem+json (${mt})`);
    if (!head) {
      const json = parse();
      const v = validatorAt('/components/schemas/Problem');
      if (!v(json)) fail(ctx, `not a Problem: ${JSON.stringify(v.errors)}`);
      checkProblem(ctx, json, res.headers);
    }
    return;
  }
  const item = doc.paths[template];
  const opMethod = head ? 'get' : m;
  const operation = item[opMethod];

  // a method the path does not have: 405 with Allow listing exactly the documented ones
  if (!operation) {
    if ([400, 413, 414].includes(res.status)) return; // refused before routing
    if (res.status !== 405) fail(ctx, `${ctx.method} is not documented for ${template}, yet it was not a 405`);
    const documented = METHODS.filter((x) => item[x]).map((x) => x.toUpperCase());
    if (documented.includes('GET')) documented.push('HEAD');
    const allow = (res.headers.get('allow') ?? '').split(',').map((x) => x.trim()).filter(Boolean);
    if ([...allow].sort().join(',') !== [...documented].sort().join(','))
      fail(ctx, `Allow: ${allow.join(', ')} but the document has ${documented.join(', ')} for ${template}`);
    if (!head) {
      const json = parse();
      const v = validatorAt('/components/schemas/Problem');
      if (!v(json)) fail(ctx, `not a Problem: ${JSON.stringify(v.errors)}`);
      checkProblem(ctx, json, res.headers);
    }
    return;
  }

  const opPointer = `/paths/${esc(template)}/${opMethod}`;
  const declared = operation.responses?.[String(res.status)];
  if (!declared) {
    fail(ctx, `status ${res.status} is not declared for ${opMethod.toUpperCase()} ${template} (declared: ${Object.keys(operation.responses).join(', ')})`);
  }
  const [response, responsePointer] = deref(doc, declared, `${opPointer}/responses/${res.status}`);

  // headers
  for (const [name, h0] of Object.entries(response.headers ?? {})) {
    const [h, hPointer] = deref(doc, h0, `${responsePointer}/headers/${esc(name)}`);
    const value = res.headers.get(name);
    if (value === null) {
      if (h.required) fail(ctx, `the required header ${name} is missing`);
      continue;
    }
    if (h.schema) {
      const v = validatorAt(`${hPointer}/schema`);
      if (!v(value)) fail(ctx, `header ${name}: ${value}: ${JSON.stringify(v.errors)}`);
    }
  }

  // body
  const content = response.content;
  if (!content) {
    if (text !== '') fail(ctx, 'a body where the document declares none');
    return;
  }
  const key = Object.keys(content).find((k) => k.toLowerCase() === mt);
  if (!key) fail(ctx, `content type ${mt || '(none)'} is not declared (declared: ${Object.keys(content).join(', ')})`);
  if (head) return;
  if (isJson(mt)) {
    const json = parse();
    if (content[key].schema) {
      const v = validatorAt(`${responsePointer}/content/${esc(key)}/schema`);
      if (!v(json)) {
        const errs = v.errors.slice(0, 8).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
        fail(ctx, `the body does not match the schema:\n    ${errs.join('\n    ')}`);
      }
    }
    if (mt === 'application/problem+json') checkProblem(ctx, json, res.headers);
  } else if (content[key].schema) {
    const v = validatorAt(`${responsePointer}/content/${esc(key)}/schema`);
    if (!v(text)) fail(ctx, `the body does not match the schema: ${JSON.stringify(v.errors)}`);
  }
}

/** The document, parsed (for the tests that look at it). */
export function openapiDocument() {
  return load().doc;
}
