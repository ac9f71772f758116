// Booking in three steps: (1) the time, chosen on the profile; (2) your details, and
// optionally a plan of regular sessions; (3) check and confirm. Then the confirmation
// with the calendar file and the manage link.
//
// The plan's preview is the service's own (POST /booking-series?preview=true): for each
// date, free, moved to the nearest free time, or cannot be had, with the real reason
// (time off, outside the practitioner's hours, past the booking horizon, ...).
import {
  h, $, fill, api, fmtMoney, fmtMinutes, fmtDateTime, fmtTime, fmtDayShort, fmtLongDate,
  zoneName, setFieldError, clearFieldErrors, showProblemErrors,
  focusOn, announce, uuid, downloadIcs, manageLink, problemKind, errorNote, sentence, telLink, callClinic,
} from './lib.js';
import { slotPicker } from './slots.js';

const app = $('#app');
const url = new URLSearchParams(location.search);
const practitionerId = url.get('practitioner') ?? '';
const serviceId = url.get('service') ?? '';

const state = {
  start: url.get('start') ?? '', // changes when another time is chosen here
  p: null, service: null, tz: 'UTC', location: null,
  name: '', email: '', phone: '', notes: '',
  plan: false, every: 2, count: 6,
  preview: null, onConflict: 'nearest',
  key: null, keyBody: null, busy: false,
};

function steps(current) {
  const names = ['Choose a time', 'Your details', 'Check and confirm'];
  return h('ol', { class: 'steps', 'aria-label': 'Booking steps' }, names.map((n, i) => h('li', {
    class: i < current ? 'done' : null, 'aria-current': i === current ? 'step' : null,
  }, i < current ? h('span', {}, n, h('span', { class: 'visually-hidden' }, ' (done)')) : n)));
}

function whenText() {
  return `${fmtDateTime(state.start, state.tz)} (${zoneName(state.tz, state.start)})`;
}

/** The clinic's cancellation notice (hours) and "call the clinic on <tap-to-call>". */
const noticeHours = () => state.p.cancellation_notice_hours ?? 24;
const call = (lead = 'call the clinic') => callClinic(state.p.clinic_phone, lead);
const insideWindow = (iso) => Date.parse(iso) - Date.now() < noticeHours() * 3600000;
const phoneRow = () => (telLink(state.p.clinic_phone) ? [h('dt', {}, 'Clinic phone'), h('dd', {}, telLink(state.p.clinic_phone))] : null);

/** Said before confirming a booking that starts inside the cancellation notice. */
function windowNote() {
  if (!insideWindow(state.start)) return null;
  return h('div', { class: 'note warn', id: 'window-note' },
    h('p', {}, h('strong', {}, `${state.plan ? 'The first session' : 'This session'} is less than ${noticeHours()} hours away: you will not be able to cancel or move ${state.plan ? 'it' : 'this'} online.`)),
    h('p', {}, 'If you need to change it, ', call(), '.'));
}

function placeText() {
  const l = state.location;
  if (!l) return state.p.clinic?.name ?? '';
  return [state.p.clinic?.name, l.address, l.city].filter(Boolean).join(', ');
}

function sessionSummary() {
  const s = state.service;
  return h('dl', { class: 'summary' },
    h('dt', {}, 'With'), h('dd', {}, `${state.p.name}, ${state.p.profession?.name ?? ''}`.replace(/, $/, '')),
    h('dt', {}, 'Session'), h('dd', {}, `${s.name}, ${fmtMinutes(s.duration_minutes)}`),
    h('dt', {}, state.plan ? 'First session' : 'When'), h('dd', {}, whenText()),
    h('dt', {}, 'Where'), h('dd', {}, placeText()),
    h('dt', {}, 'Price'), h('dd', {}, `${fmtMoney(s.price, s.currency)}${state.plan ? ' per session' : ''}, paid at the clinic`),
    phoneRow());
}

/** Step 1 again, on this page: the details typed so far are kept. After a slot was
 * taken meanwhile (back = 'confirm'), for an old link whose time has passed, or from
 * "Choose another time" on the details. */
function chooseView(back, title = 'Choose another time', intro = 'Your details are kept. Pick a time and carry on where you left off.') {
  document.title = `${title} · Book a session · clinicd`;
  const heading = h('h1', { id: 'step-heading' }, title);
  const box = h('div', { id: 'slots' });
  fill(app, steps(0), h('section', { class: 'panel', 'aria-labelledby': 'step-heading' }, heading,
    h('p', {}, intro), h('h2', {}, `Free times with ${state.p.name}`), box,
    h('p', {}, 'Or ', call(), '.')));
  focusOn(heading);
  slotPicker(box, { practitionerId, serviceId, tz: state.tz, week: null, onPick: (s) => {
    state.start = s.start;
    state.preview = null;
    const u = new URL(location.href);
    u.searchParams.set('start', s.start);
    history.replaceState(back === 'confirm' ? { step: 3 } : null, '', u);
    if (back === 'confirm') confirmView(); else detailsView();
  } });
}

/** The details typed so far, kept in state (not checked yet). */
function keepDetails() {
  for (const k of ['name', 'email', 'phone', 'notes']) state[k] = $(`#${k}`)?.value.trim() ?? state[k];
  state.plan = $('#plan-yes')?.checked ?? state.plan;
  state.every = Number($('#every')?.value ?? state.every);
  state.count = Number($('#count')?.value ?? state.count);
}

// ---------------------------------------------------------------------------------
// step 2: your details

function detailsView(problem) {
  document.title = 'Your details · Book a session · clinicd';
  const heading = h('h1', { id: 'step-heading' }, 'Your details');
  const form = h('form', { id: 'details-form', novalidate: true, onsubmit: onDetails },
    h('div', { class: 'field' },
      h('label', { for: 'name' }, 'Your name'),
      h('input', { type: 'text', id: 'name', name: 'name', autocomplete: 'name', required: true, value: state.name })),
    h('div', { class: 'field' },
      h('label', { for: 'email' }, 'Your email address'),
      h('span', { class: 'hint', id: 'email-hint' }, 'Only the clinic sees it. They use it if they need to reach you.'),
      h('input', { type: 'email', id: 'email', name: 'email', autocomplete: 'email', required: true, 'aria-describedby': 'email-hint', value: state.email })),
    h('div', { class: 'field' },
      h('label', { for: 'phone' }, 'Your phone number (if you like)'),
      h('input', { type: 'tel', id: 'phone', name: 'phone', autocomplete: 'tel', value: state.phone })),
    h('div', { class: 'field' },
      h('label', { for: 'notes' }, 'Anything the practitioner should know? (if you like)'),
      h('span', { class: 'hint', id: 'notes-hint' }, 'For example how you are feeling, or what helps you. Only the clinic sees this.'),
      h('textarea', { id: 'notes', name: 'notes', rows: 4, maxlength: 2000, 'aria-describedby': 'notes-hint' }, state.notes)),
    h('fieldset', { id: 'how-often' },
      h('legend', {}, 'How often?'),
      h('div', { class: 'choice-card' }, h('label', { class: 'radio' },
        h('input', { type: 'radio', name: 'plan', value: 'once', checked: !state.plan, onchange: togglePlan }),
        h('span', {}, h('strong', {}, 'Just this session')))),
      h('div', { class: 'choice-card' }, h('label', { class: 'radio' },
        h('input', { type: 'radio', name: 'plan', value: 'plan', id: 'plan-yes', checked: state.plan, onchange: togglePlan }),
        h('span', {}, h('strong', {}, 'Make it a plan: regular sessions'),
          h('span', { class: 'muted small' }, 'Regular sessions often help more than one visit. You will see every date before you confirm.')))),
      h('div', { class: 'grid-fields', id: 'plan-options', hidden: !state.plan },
        h('div', { class: 'field' },
          h('label', { for: 'every' }, 'Every'),
          h('select', { id: 'every', name: 'every' }, [1, 2, 3, 4].map((n) => h('option', { value: n, selected: n === state.every }, n === 1 ? 'week' : `${n} weeks`)))),
        h('div', { class: 'field' },
          h('label', { for: 'count' }, 'Number of sessions'),
          h('span', { class: 'hint', id: 'count-hint' }, 'From 2 to 20, counting this one'),
          h('input', { type: 'number', id: 'count', name: 'count', min: 2, max: 20, step: 1, inputmode: 'numeric', value: state.count, 'aria-describedby': 'count-hint' })))),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', id: 'continue' }, 'Continue'),
      h('button', { type: 'button', class: 'secondary', id: 'other-time', onclick: () => { keepDetails(); chooseView('details'); } }, 'Choose another time')));
  fill(app, steps(1), h('div', { class: 'book-layout' },
    h('section', { class: 'panel', 'aria-labelledby': 'step-heading' }, heading,
      h('p', { class: 'muted' }, 'Step 2 of 3. Nothing is booked until you confirm on the next page.'),
      windowNote(), problem ? h('div', { id: 'details-problem' }) : null, form),
    h('aside', { class: 'panel', 'aria-labelledby': 'summary-heading' }, h('h2', { id: 'summary-heading' }, 'Your session'), sessionSummary())));
  focusOn(heading);
  if (problem) applyServerErrors(problem);
}

function togglePlan() {
  state.plan = $('#plan-yes').checked;
  $('#plan-options').hidden = !state.plan;
}

const FIELDS = () => ({
  'patient.name': { control: $('#name'), message: 'Please tell us your name.' },
  'patient.email': { control: $('#email') },
  'patient.phone': { control: $('#phone'), message: 'Please check the phone number, or leave it empty.' },
  patient: { control: $('#name') },
  notes: { control: $('#notes'), message: 'Please keep the note under 2000 characters.' },
  rrule: { control: $('#count') },
});

function applyServerErrors(problem) {
  const fields = FIELDS();
  for (const e of problem.errors ?? []) {
    if (e.field === 'patient.email' && /too many/.test(e.message)) fields['patient.email'].message = 'This email address already has many open bookings at this clinic. Please call the clinic to book more.';
    else if (e.field === 'patient.email') fields['patient.email'].message = 'Please check your email address. It should look like name@example.com.';
  }
  const rest = showProblemErrors(problem, fields);
  if (rest.length || !(problem.errors ?? []).length) {
    const box = $('#details-problem');
    if (box) box.replaceWith(errorNote('Please check your details', problem.detail || rest.map((e) => sentence(e.message)).join(' ')));
  }
  if ((problem.errors ?? []).some((e) => /too many/.test(e.message))) $('#details-problem')?.replaceWith(h('p', { class: 'note' }, 'To book more, ', call(), '.'));
}

function onDetails(e) {
  e.preventDefault();
  const form = e.currentTarget;
  clearFieldErrors(form);
  state.name = $('#name').value.trim();
  state.email = $('#email').value.trim();
  state.phone = $('#phone').value.trim();
  state.notes = $('#notes').value.trim();
  state.plan = $('#plan-yes').checked;
  state.every = Number($('#every').value);
  state.count = Number($('#count').value);
  let first = null;
  const bad = (control, msg) => { setFieldError(control, msg); first ??= control; };
  if (!state.name) bad($('#name'), 'Please tell us your name.');
  if (!state.email) bad($('#email'), 'Please give your email address, so the clinic can reach you.');
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(state.email)) bad($('#email'), 'Please check your email address. It should look like name@example.com.');
  if (state.phone && !/^[+()\d\s.-]{6,}$/.test(state.phone)) bad($('#phone'), 'Please check the phone number: digits, spaces and + only. Or leave it empty.');
  if (state.plan && !(Number.isInteger(state.count) && state.count >= 2 && state.count <= 20)) bad($('#count'), 'Please choose from 2 to 20 sessions.');
  if (first) { first.focus(); return; }
  history.pushState({ step: 3 }, '', location.href);
  confirmView();
}

// ---------------------------------------------------------------------------------
// the plan preview

/** [{requested (ms), status free|move|none, slot?, reason?}] for the plan, from the
 * service's preview (what booking it now would do; nothing is booked). */
async function computePreview() {
  const body = { ...bookingBody(), on_conflict: 'nearest' };
  const r = await api('POST', '/api/v1/booking-series?preview=true', { body });
  if (!r.ok) throw r.problem;
  return previewFromOccurrences(r.data.occurrences);
}

/** The page's shape from the service's dates: a preview's, or a 409's (a strict plan
 * refused: each date not free comes with its nearest free time, within 3 days). */
function previewFromOccurrences(occ) {
  return occ.map((o) => {
    const requested = Date.parse(o.requested_start);
    const reason = o.reason ?? null;
    if (o.status === 'free' || o.status === 'booked') return { requested, status: 'free', slot: { start: o.start, end: o.end } };
    if (o.status === 'moved') return { requested, status: 'move', slot: { start: o.start, end: o.end }, reason };
    if (o.nearest_alternative && Math.abs(Date.parse(o.nearest_alternative.start) - requested) <= 3 * 86400000) {
      return { requested, status: 'move', slot: o.nearest_alternative, reason };
    }
    return { requested, status: 'none', reason };
  });
}

function previewTable(preview) {
  const tz = state.tz;
  return h('div', { class: 'table-wrap' }, h('table', { class: 'plan-table', id: 'plan-preview' },
    h('caption', { class: 'visually-hidden' }, 'The dates of your plan'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Session'), h('th', { scope: 'col' }, 'Date asked for'), h('th', { scope: 'col' }, 'What happens'))),
    h('tbody', {}, preview.map((x, i) => h('tr', { 'data-status': x.status },
      h('td', {}, `${i + 1}`),
      h('td', {}, `${fmtDayShort(x.requested, tz)}, ${fmtTime(x.requested, tz)}`),
      h('td', {},
        x.status === 'free' ? h('span', { class: 'status free' }, 'Free') : null,
        x.status === 'move' ? [h('span', { class: 'status move' }, 'Not free'), x.reason ? ` (${x.reason})` : null, h('br'),
          `Nearest free time: ${fmtDayShort(x.slot.start, tz)}, ${fmtTime(x.slot.start, tz)}`] : null,
        x.status === 'none' ? [h('span', { class: 'status none' }, 'Cannot be booked'), h('br'),
          x.reason ?? 'no free time near it'] : null))))));
}

// ---------------------------------------------------------------------------------
// step 3: check and confirm

/** The browser's IANA time zone, or null when it does not say. */
function browserZone() {
  try {
    const z = Intl.DateTimeFormat().resolvedOptions().timeZone;
    return typeof z === 'string' && z.length > 0 && z.length <= 64 ? z : null;
  } catch {
    return null;
  }
}

function bookingBody() {
  const patient = { name: state.name, email: state.email };
  if (state.phone) patient.phone = state.phone;
  const body = { practitioner_id: practitionerId, service_id: serviceId, start: state.start, patient };
  if (state.notes) body.notes = state.notes;
  // the patient's own time zone: the mails then also give each time in it
  const zone = state.zoneRefused ? null : browserZone();
  if (zone) body.time_zone = zone;
  if (state.plan) {
    body.rrule = `FREQ=WEEKLY;INTERVAL=${state.every};COUNT=${state.count}`;
    const conflicts = state.preview?.some((x) => x.status !== 'free');
    body.on_conflict = conflicts ? state.onConflict : 'fail';
  }
  return body;
}

async function confirmView(fromServer) {
  document.title = 'Check and confirm · Book a session · clinicd';
  const heading = h('h1', { id: 'step-heading' }, 'Check and confirm');
  const planBox = h('div', { id: 'plan-box' });
  const you = h('dl', { class: 'summary' },
    h('dt', {}, 'Name'), h('dd', {}, state.name),
    h('dt', {}, 'Email'), h('dd', {}, state.email),
    state.phone ? [h('dt', {}, 'Phone'), h('dd', {}, state.phone)] : null,
    state.notes ? [h('dt', {}, 'Your note'), h('dd', {}, state.notes)] : null);
  const problemBox = h('div', { id: 'confirm-problem' });
  const confirm = h('button', { type: 'button', id: 'confirm', onclick: onConfirm }, state.plan ? 'Book these sessions' : 'Book this time');
  fill(app, steps(2),
    h('section', { class: 'panel', 'aria-labelledby': 'step-heading' }, heading,
      h('p', { class: 'muted' }, 'Step 3 of 3. Please check that everything is right.'),
      h('h2', {}, 'Your session'), sessionSummary(),
      h('h2', {}, 'Your details'), you,
      windowNote(), planBox, problemBox,
      h('div', { class: 'actions' }, confirm,
        h('button', { type: 'button', class: 'secondary', id: 'back', onclick: () => history.back() }, 'Change my details'))));
  focusOn(heading);
  if (!state.plan) return;
  confirm.disabled = true;
  fill(planBox, h('h2', {}, 'Your plan'), h('p', { class: 'muted', role: 'status' }, 'Checking the dates…'));
  try {
    state.preview = fromServer ?? await computePreview();
  } catch {
    fill(planBox, errorNote('We could not check the dates of the plan', 'Please try again in a moment.'));
    return;
  }
  renderPlan(planBox, confirm);
}

function renderPlan(planBox, confirm) {
  const pv = state.preview;
  const free = pv.filter((x) => x.status === 'free').length;
  const move = pv.filter((x) => x.status === 'move').length;
  const none = pv.filter((x) => x.status === 'none').length;
  const every = state.every === 1 ? 'every week' : `every ${state.every} weeks`;
  const parts = [`${free} of ${pv.length} dates are free`];
  if (move) parts.push(`${move} ${move === 1 ? 'is' : 'are'} taken but can move to a nearby time`);
  if (none) parts.push(`${none} cannot be booked`);
  const choice = move || none ? h('fieldset', { id: 'conflict-choice' },
    h('legend', {}, 'What should we do with the dates that are taken?'),
    move ? h('div', { class: 'choice-card' }, h('label', { class: 'radio' },
      h('input', { type: 'radio', name: 'on_conflict', value: 'nearest', checked: state.onConflict === 'nearest', onchange: () => { state.onConflict = 'nearest'; } }),
      h('span', {}, h('strong', {}, 'Book the nearest free time instead'), h('span', { class: 'muted small' }, 'As shown above. Dates with no free time nearby are left out.')))) : null,
    h('div', { class: 'choice-card' }, h('label', { class: 'radio' },
      h('input', { type: 'radio', name: 'on_conflict', value: 'skip', checked: state.onConflict === 'skip' || !move, onchange: () => { state.onConflict = 'skip'; } }),
      h('span', {}, h('strong', {}, 'Leave those dates out'), h('span', { class: 'muted small' }, 'Book only the free dates. You can add sessions later.'))))) : null;
  if (!move) state.onConflict = 'skip';
  fill(planBox, h('h2', {}, `Your plan: ${pv.length} sessions, ${every}`),
    h('p', {}, `${parts.join(', ')}.`),
    previewTable(pv), choice);
  confirm.disabled = free + move === 0;
  if (free + move === 0) planBox.append(errorNote('None of these dates can be booked', 'Please choose another time or another interval.'));
  confirm.textContent = move || none ? 'Book the sessions shown' : `Book these ${pv.length} sessions`;
  announce(`${parts.join(', ')}.`);
}

async function onConfirm(e) {
  if (state.busy) return;
  const btn = e.currentTarget;
  const body = bookingBody();
  const text = JSON.stringify(body);
  if (state.keyBody !== text) { state.key = uuid(); state.keyBody = text; }
  state.busy = true;
  btn.setAttribute('aria-disabled', 'true');
  btn.textContent = 'Booking…';
  const r = await api('POST', state.plan ? '/api/v1/booking-series' : '/api/v1/bookings', { body, headers: { 'idempotency-key': state.key } });
  state.busy = false;
  btn.removeAttribute('aria-disabled');
  btn.textContent = state.plan ? 'Book the sessions shown' : 'Book this time';
  if (r.ok) { doneView(r.data); return; }
  if (r.status === 422 && r.problem.errors?.some((x) => x.field === 'time_zone') && !state.zoneRefused) {
    // a zone the server does not know: book without it (the mails keep the clinic's times)
    state.zoneRefused = true;
    onConfirm({ currentTarget: btn });
    return;
  }
  const kind = problemKind(r.problem);
  if (r.status === 422 && r.problem.errors.some((x) => x.field === 'start')) { // the time passed meanwhile
    chooseView('confirm', 'This time has passed', 'Nothing was booked, and your details are kept. Here are the next free times.');
    return;
  }
  if (r.status === 422 || kind === 'booking-limit') {
    state.pendingProblem = r.problem; // shown next to the fields of "your details"
    history.back();
    return;
  }
  if (state.plan && r.status === 409 && Array.isArray(r.problem.occurrences)) {
    state.preview = previewFromOccurrences(r.problem.occurrences);
    state.onConflict = 'nearest';
    const planBox = $('#plan-box');
    renderPlan(planBox, btn);
    planBox.prepend(h('div', { class: 'note warn', role: 'alert' }, h('p', {}, 'Some dates were taken while you were deciding. Here is how things stand now. Nothing has been booked yet.')));
    focusOn(planBox.querySelector('h2'));
    return;
  }
  const box = $('#confirm-problem');
  if (kind === 'slot-unavailable') {
    fill(box, h('div', { class: 'note error', role: 'alert' },
      h('p', {}, h('strong', {}, 'Sorry, this time is no longer free.')),
      h('p', {}, 'Someone else may have just booked it. Nothing was booked for you. Your details are kept.'),
      h('p', {}, h('button', { type: 'button', id: 'choose-again', onclick: () => chooseView('confirm') }, 'Choose another time'))));
  } else if (kind === 'outside-policy') {
    fill(box, errorNote('This time cannot be booked online', r.problem.detail || 'It is too soon or too far ahead. Please choose another time.'));
    box.firstElementChild.append(h('p', {}, h('button', { type: 'button', id: 'choose-again', onclick: () => chooseView('confirm') }, 'Choose another time')));
  } else {
    fill(box, errorNote('The booking did not go through', r.problem.detail || 'Please try again.'));
  }
  box.firstElementChild.append(h('p', {}, 'If you need help, ', call(), '.'));
  focusOn(box.firstElementChild);
}

// ---------------------------------------------------------------------------------
// the confirmation

function doneView(res) {
  const tz = state.tz;
  const token = res.manage_token;
  let bookingId = res.id;
  let planIds = [];
  let list = null;
  // the server says whether the booking is inside the cancellation notice; a plan's
  // answer does not, so its first session is measured here
  let locked = res.inside_cancellation_window ?? (res.start ? insideWindow(res.start) : false);
  if (state.plan) {
    const occ = res.occurrences ?? [];
    const booked = occ.filter((o) => o.booking_id);
    locked = booked.length > 0 && insideWindow(booked[0].start);
    bookingId = booked[0]?.booking_id;
    planIds = booked.map((o) => o.booking_id);
    list = h('div', {}, h('h2', {}, `${booked.length} sessions booked`),
      h('ul', { class: 'plain-list', id: 'plan-result' }, occ.map((o) => h('li', { 'data-status': o.status },
        o.status === 'skipped'
          ? [h('span', { class: 'status none' }, 'Not booked:'), ` `, `${fmtDayShort(o.requested_start, tz)}, ${fmtTime(o.requested_start, tz)}`,
            o.reason ? h('span', { class: 'muted' }, ` (${o.reason})`) : null]
          : [h('span', { class: `status ${o.status === 'moved' ? 'move' : 'free'}` }, o.status === 'moved' ? 'Moved:' : 'Booked:'), ' ',
            `${fmtLongDate(o.start, tz)}, ${fmtTime(o.start, tz)}`,
            o.status === 'moved' ? h('span', { class: 'muted' }, ` (instead of ${fmtDayShort(o.requested_start, tz)}, ${fmtTime(o.requested_start, tz)})`) : null]))));
  }
  const link = bookingId ? manageLink(bookingId, token, planIds) : null;
  document.title = 'You are booked · clinicd';
  const heading = h('h1', { id: 'done-heading' }, state.plan ? 'Your plan is booked' : 'You are booked');
  const linkInput = h('input', { type: 'text', id: 'manage-link', readonly: true, value: link ?? '', 'aria-describedby': 'manage-hint' });
  const copy = h('button', { type: 'button', class: 'secondary', onclick: async () => {
    try { await navigator.clipboard.writeText(link); announce('The link is copied.'); copy.textContent = 'Copied'; } catch { linkInput.select(); announce('Select the link and copy it.'); }
  } }, 'Copy link');
  fill(app, h('section', { class: 'panel', 'aria-labelledby': 'done-heading' },
    h('div', { class: 'big-check', 'aria-hidden': 'true' }, '✓'),
    heading,
    h('p', { class: 'lead' }, state.plan ? `With ${state.p.name}. The clinic has your details.` : `${state.p.name} expects you on ${fmtDateTime(res.start, tz)}.`),
    state.plan ? null : sessionSummaryDone(res),
    locked ? h('div', { class: 'note warn', id: 'window-done' }, h('p', {},
      h('strong', {}, `${state.plan ? 'Your first session' : 'It'} starts in less than ${noticeHours()} hours, so it cannot be cancelled or moved online.`),
      ' To change it, ', call(), '.')) : null,
    list,
    h('div', { class: 'actions' },
      bookingId ? h('button', { type: 'button', id: 'ics', onclick: (e) => downloadIcs(state.plan ? planIds : bookingId, token, e.currentTarget) }, state.plan ? 'Add all sessions to my calendar (.ics file)' : 'Add to my calendar (.ics file)') : null,
      link ? h('a', { class: 'button secondary', href: link, id: 'go-manage' }, 'See or change my booking') : null)),
  link ? h('section', { class: 'panel', 'aria-labelledby': 'link-heading' },
    h('h2', { id: 'link-heading' }, 'Keep this link'),
    h('p', { id: 'manage-hint' }, `With this link you can see your booking, and move or cancel it online until ${noticeHours()} hours before ${state.plan ? 'each session' : 'it starts'}; after that, `, call(),
      '. Bookmark it or save it somewhere safe. Anyone with the link can change the booking, so keep it to yourself.'),
    h('div', { class: 'field' }, h('label', { for: 'manage-link' }, 'Your booking link'),
      h('div', { class: 'link-box' }, linkInput, copy))) : null);
  focusOn(heading);
  announce(heading.textContent);
}

function sessionSummaryDone(res) {
  const s = state.service;
  return h('dl', { class: 'summary' },
    h('dt', {}, 'When'), h('dd', {}, `${fmtDateTime(res.start, state.tz)} to ${fmtTime(res.end, state.tz)}`),
    h('dt', {}, 'Session'), h('dd', {}, `${s.name}, ${fmtMinutes(s.duration_minutes)}`),
    h('dt', {}, 'Where'), h('dd', {}, placeText()),
    h('dt', {}, 'Price'), h('dd', {}, `${fmtMoney(s.price, s.currency)}, paid at the clinic`),
    phoneRow());
}

// ---------------------------------------------------------------------------------
// start

window.addEventListener('popstate', () => {
  if (!state.p) return;
  if (history.state?.step === 3) confirmView();
  else {
    const problem = state.pendingProblem;
    state.pendingProblem = null;
    detailsView(problem);
  }
});

(async function startPage() {
  if (!practitionerId || !serviceId || Number.isNaN(Date.parse(state.start))) {
    fill(app, h('h1', {}, 'Choose a time first'),
      h('p', {}, 'To book, find a practitioner and choose one of their free times.'),
      h('p', {}, h('a', { class: 'button', href: '/' }, 'Find a practitioner')));
    return;
  }
  const r = await api('GET', `/api/v1/practitioners/${encodeURIComponent(practitionerId)}`);
  const service = r.ok ? (r.data.services ?? []).find((s) => s.id === serviceId) : null;
  if (!service) {
    fill(app, h('h1', {}, 'This session cannot be booked'),
      errorNote('We could not find this practitioner or session.', 'The link may be old. Please search again.'),
      h('p', {}, h('a', { href: '/' }, 'Find a practitioner')));
    return;
  }
  state.p = r.data;
  state.service = service;
  state.tz = r.data.location?.timezone ?? r.data.locations?.[0]?.timezone ?? 'UTC';
  state.location = r.data.locations?.[0] ?? r.data.location ?? null;
  if (history.state?.step === 3) history.replaceState(null, '', location.href);
  // an old link: say so before anything is typed, with the next free times
  if (Date.parse(state.start) <= Date.now()) {
    chooseView('details', 'This time has passed',
      `The link you followed is for ${whenText()}, which is in the past. Nothing was booked. Here are the next free times.`);
    return;
  }
  detailsView();
})();
