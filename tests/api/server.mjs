// A clinicd of a suite's own with the per-client limit on patients' writes on (the
// shared test server runs without it: every suite books from 127.0.0.1), and requests
// to it from chosen loopback addresses (127.0.0.x, node's localAddress), so that each
// address is one client.  Used by the suites that test the limits (hoarding,
// lost-links).
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { checkResponse } from './validate.mjs';
import { startClinicd } from '../faults/lib.mjs';

/** The limit as shipped in config/clinicd.conf: {perHour, burst}. */
export function shippedLimit() {
  const conf = readFileSync(new URL('../../config/clinicd.conf', import.meta.url), 'utf8');
  const val = (k) => Number(new RegExp(`^${k}\\s*=\\s*(\\d+)`, 'm').exec(conf)?.[1]);
  return { perHour: val('patient_writes_per_hour'), burst: val('patient_write_burst') };
}

/**
 * Starts a clinicd on the test database with the patients' limit on: perHour and
 * burst (default: as shipped), plus env.  Logs go to tests/out/<logName>.{log,err}.
 * Returns startClinicd's {base, stop(), ...}; the caller stops it.
 */
export async function startLimitedClinicd({ logName, perHour, burst, env = {} }) {
  const shipped = shippedLimit();
  return startClinicd({
    databaseUrl: process.env.DATABASE_URL, logName, env: {
      CLINICD_PATIENT_WRITES_PER_HOUR: String(perHour ?? shipped.perHour),
      CLINICD_PATIENT_WRITE_BURST: String(burst ?? shipped.burst), ...env,
    },
  });
}

/**
 * One request to base from local address `from`, on a connection of its own; the
 * answer is checked against the OpenAPI document.  Resolves {status, headers (a
 * Headers), text, json (null when not JSON)}.
 */
export function requestFrom(base, from, method, path, { body, headers = {} } = {}) {
  const u = new URL(path, base);
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname, port: u.port, path: u.pathname + u.search, method, localAddress: from, agent: false,
      headers: { ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}), ...headers },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const h = new Headers();
        for (const [k, v] of Object.entries(res.headers)) h.set(k, Array.isArray(v) ? v.join(', ') : v);
        try {
          checkResponse(method, path, { status: res.statusCode, headers: h }, text);
        } catch (e) {
          reject(e);
          return;
        }
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: h, text, json });
      });
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/** A counter's value in a /metrics text (name with its labels, as written), or NaN. */
export function metric(text, name) {
  const esc = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return Number(new RegExp(`^${esc} (\\d+)$`, 'm').exec(text)?.[1]);
}
