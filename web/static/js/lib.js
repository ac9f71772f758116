// Shared helpers of the pages: building elements, calling the API, showing errors next
// to their fields, and dates and times in the practitioner's own time zone.

export const LOCALE = 'en-US';

/** h('p', {class: 'x', onclick: f}, 'text', child, ...): an element. Attributes with
 * null, undefined or false values are left out; children may be strings, nodes, arrays
 * or null. Never sets style or innerHTML: the pages run under a strict CSP. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'value') el.value = v;
    else if (k === 'checked' || k === 'selected' || k === 'disabled') el[k] = Boolean(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

/** Replaces the children of el. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// ---------------------------------------------------------------------------------
// the API

/** Calls the API. Returns {ok, status, data, problem}; data is the JSON answer (or
 * null), problem the problem document of an error (or a made-up one when the network
 * failed). Never throws. */
export async function api(method, path, { body, token, headers = {} } = {}) {
  const init = { method, headers: { accept: 'application/json', ...headers }, credentials: 'same-origin' };
  if (token) init.headers.authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['content-type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    return { ok: false, status: 0, data: null,
      problem: { title: 'No connection', detail: 'We could not reach the service. Please check your internet connection and try again.', errors: [] } };
  }
  let data = null;
  const text = await res.text();
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (res.ok) return { ok: true, status: res.status, data, problem: null };
  const problem = data && typeof data === 'object' ? data : {};
  problem.errors = Array.isArray(problem.errors) ? problem.errors : [];
  if (res.status >= 500) {
    problem.detail = 'Something went wrong on our side. Please try again in a minute.';
  }
  return { ok: false, status: res.status, data, problem };
}

/** The type's last path segment: ".../slot-unavailable" -> "slot-unavailable". */
export const problemKind = (p) => String(p?.type ?? '').split('/').pop();

/** A query string of the object's non-empty values (arrays repeat the key). */
export function query(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    for (const x of Array.isArray(v) ? v : [v]) u.append(k, String(x));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

let vocab = null;
/** Techniques (myofascial release first), professions and conditions, fetched once. */
export async function loadVocabulary() {
  if (!vocab) {
    vocab = Promise.all(['techniques', 'professions', 'conditions'].map((k) => api('GET', `/api/v1/${k}`)))
      .then(([t, p, c]) => {
        const techniques = t.ok ? [...t.data.items] : [];
        techniques.sort((a, b) => (b.slug === 'myofascial-release') - (a.slug === 'myofascial-release'));
        return { techniques, professions: p.ok ? p.data.items : [], conditions: c.ok ? c.data.items : [] };
      });
  }
  return vocab;
}

// ---------------------------------------------------------------------------------
// errors next to their fields

/** Shows message under the control (an input, select, textarea or fieldset). */
export function setFieldError(control, message) {
  const id = `${control.id || control.name}-error`;
  let box = document.getElementById(id);
  if (!box) {
    box = h('p', { class: 'field-error', id });
    const anchor = control.closest('.field, fieldset') ?? control.parentElement;
    anchor.append(box);
  }
  box.textContent = message;
  if (control.matches('input, select, textarea')) {
    control.setAttribute('aria-invalid', 'true');
    // the message goes once the person changes the field
    control.addEventListener('input', () => clearFieldError(control, id), { once: true });
  }
  const described = new Set((control.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean));
  described.add(id);
  control.setAttribute('aria-describedby', [...described].join(' '));
}

function clearFieldError(control, id) {
  document.getElementById(id)?.remove();
  control.removeAttribute('aria-invalid');
  const rest = (control.getAttribute('aria-describedby') || '').split(/\s+/).filter((x) => x && x !== id);
  if (rest.length) control.setAttribute('aria-describedby', rest.join(' '));
  else control.removeAttribute('aria-describedby');
}

export function clearFieldErrors(root) {
  for (const e of $$('.field-error', root)) {
    const id = e.id;
    for (const c of $$(`[aria-describedby~="${id}"]`, root)) {
      const rest = c.getAttribute('aria-describedby').split(/\s+/).filter((x) => x !== id);
      if (rest.length) c.setAttribute('aria-describedby', rest.join(' '));
      else c.removeAttribute('aria-describedby');
      c.removeAttribute('aria-invalid');
    }
    e.remove();
  }
}

/** Puts each error of the problem next to its field: fields maps an API field name to
 * {control, message?}; message (plain words) wins over the service's own text. Returns
 * the errors that had no field on the page. Focuses the first field in error. */
export function showProblemErrors(problem, fields) {
  const rest = [];
  let first = null;
  for (const e of problem?.errors ?? []) {
    const f = fields[e.field] ?? fields[String(e.field).replace(/\[\d+\].*$/, '')];
    if (f?.control) {
      setFieldError(f.control, f.message ?? sentence(e.message));
      first ??= f.control;
    } else rest.push(e);
  }
  if (first) first.focus();
  return rest;
}

/** "start is in the past" -> "Start is in the past." */
export function sentence(s) {
  const t = String(s ?? '').trim().replace(/_/g, ' ');
  if (!t) return '';
  return t[0].toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}

/** A tap-to-call link of a phone number as the clinic wrote it ("+1 503 555 0100"), or
 * null when there is none. */
export function telLink(phone) {
  const n = String(phone ?? '').replace(/[^\d+]/g, '').replace(/(?!^)\+/g, '');
  return /\d{3}/.test(n) ? h('a', { href: `tel:${n}`, class: 'tel' }, String(phone).trim()) : null;
}

/** "call the clinic on <tap-to-call link>", or the words alone when it has no number. */
export function callClinic(phone, lead = 'call the clinic') {
  const a = telLink(phone);
  return a ? [`${lead} on `, a] : lead;
}

/** A box saying what went wrong, in plain words. */
export function errorNote(title, detail) {
  return h('div', { class: 'note error', role: 'alert' },
    h('p', {}, h('strong', {}, title)), detail ? h('p', {}, detail) : null);
}

// ---------------------------------------------------------------------------------
// announcements and focus

export function announce(message) {
  let live = document.getElementById('live');
  if (!live) {
    live = h('div', { id: 'live', class: 'visually-hidden', 'aria-live': 'polite', role: 'status' });
    document.body.append(live);
  }
  live.textContent = '';
  setTimeout(() => { live.textContent = message; }, 50);
}

/** Moves focus to a heading (or any element) without scrolling past it. */
export function focusOn(el) {
  if (!el) return;
  if (!el.hasAttribute('tabindex') && !el.matches('a, button, input, select, textarea')) el.setAttribute('tabindex', '-1');
  el.focus({ preventScroll: false });
}

// ---------------------------------------------------------------------------------
// dates, times and money

const dtfCache = new Map();
function dtf(tz, opts) {
  const key = `${tz}|${JSON.stringify(opts)}`;
  if (!dtfCache.has(key)) dtfCache.set(key, new Intl.DateTimeFormat(LOCALE, { timeZone: tz, ...opts }));
  return dtfCache.get(key);
}

const toDate = (x) => (x instanceof Date ? x : new Date(x));

/** "Monday, November 23" */
export const fmtDay = (iso, tz) => dtf(tz, { weekday: 'long', month: 'long', day: 'numeric' }).format(toDate(iso));
/** "Mon, Nov 23" */
export const fmtDayShort = (iso, tz) => dtf(tz, { weekday: 'short', month: 'short', day: 'numeric' }).format(toDate(iso));
/** "9:30 AM" */
export const fmtTime = (iso, tz) => dtf(tz, { hour: 'numeric', minute: '2-digit' }).format(toDate(iso));
/** "Monday, November 23 at 9:30 AM" */
export const fmtDateTime = (iso, tz) => `${fmtDay(iso, tz)} at ${fmtTime(iso, tz)}`;
/** "Monday, November 23, 2026" */
export const fmtLongDate = (iso, tz) => dtf(tz, { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric' }).format(toDate(iso));

/** "Pacific Standard Time" for the zone at that instant. */
export function zoneName(tz, at = new Date()) {
  const p = dtf(tz, { timeZoneName: 'long' }).formatToParts(toDate(at)).find((x) => x.type === 'timeZoneName');
  return p ? p.value : tz;
}

export function fmtMoney(amount, currency) {
  if (amount === null || amount === undefined) return '';
  try {
    const whole = Number(amount) % 1 === 0;
    return new Intl.NumberFormat(LOCALE, { style: 'currency', currency: currency || 'USD',
      minimumFractionDigits: whole ? 0 : 2, maximumFractionDigits: 2 }).format(amount);
  } catch {
    return `${amount} ${currency ?? ''}`.trim();
  }
}

export function fmtDistance(km) {
  if (km === null || km === undefined) return '';
  const mi = km / 1.609344;
  const k = km < 10 ? km.toFixed(1) : Math.round(km);
  const m = mi < 10 ? mi.toFixed(1) : Math.round(mi);
  return `${k} km (${m} mi) away`;
}

export function fmtMinutes(n) {
  if (n < 60 || n % 60 !== 0) return `${n} minutes`;
  return n === 60 ? '1 hour' : `${n / 60} hours`;
}

// wall-clock helpers in a time zone ------------------------------------------------

const pad = (n) => String(n).padStart(2, '0');

/** Wall-clock parts of an instant in tz. */
function parts(ms, tz) {
  const p = Object.fromEntries(dtf(tz, { hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { y: +p.year, m: +p.month, d: +p.day, hh: +p.hour % 24, mm: +p.minute, ss: +p.second };
}

/** YYYY-MM-DD of the instant in tz. */
export function ymdIn(iso, tz) {
  const w = parts(toDate(iso).getTime(), tz);
  return `${w.y}-${pad(w.m)}-${pad(w.d)}`;
}

function offsetMin(ms, tz) {
  const w = parts(ms, tz);
  return Math.round((Date.UTC(w.y, w.m - 1, w.d, w.hh, w.mm, w.ss) - Math.floor(ms / 1000) * 1000) / 60000);
}

/** The instant (ms) of wall time hhmm on ymd in tz; the first of a repeated time, and
 * for a skipped time the instant an hour later. */
export function zonedMs(ymd, hhmm, tz) {
  const [y, m, d] = ymd.split('-').map(Number);
  const [hh, mm] = hhmm.split(':').map(Number);
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  const found = [];
  for (const probe of [wall - 86400000, wall + 86400000]) {
    const t = wall - offsetMin(probe, tz) * 60000;
    if (wall - offsetMin(t, tz) * 60000 === t) found.push(t);
  }
  if (found.length) return Math.min(...found);
  return wall - offsetMin(wall + 86400000, tz) * 60000;
}

/** RFC 3339 with the zone's offset, as the API writes instants. */
export function rfc3339(ms, tz) {
  const w = parts(ms, tz);
  const off = offsetMin(ms, tz);
  const a = Math.abs(off);
  const o = off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
  return `${w.y}-${pad(w.m)}-${pad(w.d)}T${pad(w.hh)}:${pad(w.mm)}:${pad(w.ss)}${o}`;
}

const ymdMs = (ymd) => { const [y, m, d] = ymd.split('-').map(Number); return Date.UTC(y, m - 1, d); };
export const addDays = (ymd, n) => new Date(ymdMs(ymd) + n * 86400000).toISOString().slice(0, 10);
/** 1 = Monday .. 7 = Sunday */
export const isoWeekday = (ymd) => { const w = new Date(ymdMs(ymd)).getUTCDay(); return w === 0 ? 7 : w; };
export const mondayOf = (ymd) => addDays(ymd, 1 - isoWeekday(ymd));
export const daysBetween = (a, b) => Math.round((ymdMs(b) - ymdMs(a)) / 86400000);
/** Noon UTC of a date: formats as that date in every zone from -11 to +11. */
export const noon = (ymd) => new Date(ymdMs(ymd) + 12 * 3600000);
export const isYmd = (s) => typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s);

export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** A random UUID (crypto.randomUUID where the page is a secure context). */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

export function initials(name) {
  return String(name ?? '').split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join('');
}

/** Downloads the calendar file of one booking, or of several (a plan) merged into one
 * calendar. The manage token goes in a header, so a plain link cannot do it. */
export async function downloadIcs(ids, token, button) {
  const list = Array.isArray(ids) ? ids : [ids];
  if (button) button.setAttribute('aria-busy', 'true');
  try {
    const texts = await Promise.all(list.map(async (id) => {
      const res = await fetch(`/api/v1/bookings/${encodeURIComponent(id)}/calendar.ics`, { headers: { authorization: `Bearer ${token}` } });
      if (!res.ok) throw new Error(String(res.status));
      return res.text();
    }));
    const events = texts.map((t) => t.slice(t.indexOf('BEGIN:VEVENT'), t.lastIndexOf('END:VEVENT') + 'END:VEVENT'.length));
    const head = texts[0].slice(0, texts[0].indexOf('BEGIN:VEVENT'));
    const ics = `${head}${events.join("\r\n")}\r\nEND:VCALENDAR\r\n`;
    const url = URL.createObjectURL(new Blob([ics], { type: 'text/calendar' }));
    const a = h('a', { href: url, download: list.length > 1 ? 'appointments.ics' : 'appointment.ics', class: 'visually-hidden' }, 'download');
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    announce('The calendar file is downloading.');
    return true;
  } catch {
    announce('The calendar file could not be downloaded. Please try again.');
    return false;
  } finally {
    if (button) button.removeAttribute('aria-busy');
  }
}

/** The manage link of a booking: the token lives in the fragment only. */
export function manageLink(id, token, more = []) {
  const f = new URLSearchParams({ id, token });
  if (more.length) f.set('plan', more.join('.'));
  return `${location.origin}/manage#${f.toString()}`;
}
