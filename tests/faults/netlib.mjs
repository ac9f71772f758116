// Clients that choose their own source address (127.0.0.0/8 is all loopback on Linux,
// so one machine can be many clients): plain requests with node:http, raw exchanges,
// and connections held open.  For the fairness and proxy suites.
import net from 'node:net';
import nodeHttp from 'node:http';
import { now, sleep } from './lib.mjs';

/**
 * One request on a connection of its own (or agent's), from localAddress; never throws:
 * {status (0 on an error or timeout), headers, text, json, error, ms}.
 */
export function request(base, method, path, { localAddress, headers = {}, body, timeout = 10_000, agent = false } = {}) {
  return new Promise((resolve) => {
    const t0 = now();
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const h = { ...headers };
    if (data !== undefined) {
      h['content-type'] ??= 'application/json';
      h['content-length'] = Buffer.byteLength(data);
    }
    const req = nodeHttp.request(base + path, { method, headers: h, agent, localAddress, timeout }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, text, json, error: null, ms: now() - t0 });
      });
      res.on('error', (e) => resolve({ status: 0, headers: {}, text: '', json: null, error: e.code ?? e.message, ms: now() - t0 }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e) => resolve({ status: 0, headers: {}, text: '', json: null, error: e.code ?? e.message, ms: now() - t0 }));
    if (data !== undefined) req.write(data);
    req.end();
  });
}

/**
 * Opens a TCP connection from localAddress and keeps it: {socket, connected, closed,
 * closedAtMs, answered, opened: Promise (resolves once connected or failed)}.  With
 * drip, writes head first and then drip.byte every drip.everyMs (a request head that
 * never ends).
 */
export function hold(base, { localAddress, head, drip } = {}) {
  const { hostname, port } = new URL(base);
  const c = { connected: false, closed: false, closedAtMs: null, answered: false, error: null, t0: now(), timer: null };
  c.socket = net.connect({ port: Number(port), host: hostname, localAddress });
  c.opened = new Promise((resolve) => {
    c.socket.on('connect', () => {
      c.connected = true;
      if (head) c.socket.write(head);
      if (drip) {
        c.timer = setInterval(() => {
          if (!c.socket.destroyed && !c.socket.writableEnded) c.socket.write(drip.byte ?? 'a');
        }, drip.everyMs);
      }
      resolve(c);
    });
    c.socket.on('error', (e) => { c.error = e.code ?? String(e); resolve(c); });
    c.socket.on('close', () => resolve(c));
  });
  c.socket.on('data', () => { c.answered = true; });
  c.socket.on('close', () => {
    c.closed = true;
    c.closedAtMs = now() - c.t0;
    clearInterval(c.timer);
  });
  c.release = () => { clearInterval(c.timer); c.socket.destroy(); };
  return c;
}

/** Whether the server has closed a held connection (waits up to ms for its FIN). */
export async function settle(conns, ms = 500) {
  await sleep(ms);
  return { open: conns.filter((c) => c.connected && !c.closed).length,
    closed: conns.filter((c) => c.closed).length, connected: conns.filter((c) => c.connected).length };
}

/**
 * Raw exchange from localAddress: writes the chunks, then reads until the server
 * closes, settleMs pass after the last data, or timeout.  {why, text, ms, error}.
 */
export function raw(base, chunks, { localAddress, timeout = 5000, settleMs = 500 } = {}) {
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    const s = net.connect({ port: Number(port), host: hostname, localAddress });
    const t0 = now();
    let bytes = Buffer.alloc(0);
    let error = null;
    let done = false;
    let settle = null;
    const finish = (why) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(settle);
      s.destroy();
      resolve({ why, text: bytes.toString('latin1'), ms: now() - t0, error });
    };
    const timer = setTimeout(() => finish('timeout'), timeout);
    s.on('data', (d) => {
      bytes = Buffer.concat([bytes, d]);
      clearTimeout(settle);
      settle = setTimeout(() => finish('settled'), settleMs);
    });
    s.on('error', (e) => { error = e.code ?? String(e); });
    s.on('close', () => finish('closed'));
    s.on('connect', () => {
      for (const c of chunks) s.write(typeof c === 'string' ? Buffer.from(c, 'latin1') : c);
    });
  });
}
