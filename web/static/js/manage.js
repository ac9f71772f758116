// A booking seen from its link: /manage#id=<id>&token=<token>[&plan=<id>.<id>...].
// A session of a treatment plan opens the whole plan (GET /booking-series/{id}): the
// next session first, progress, every session with its state, and the plan's changes
// (a flare, sessions added, a new cadence, cancel the rest), each previewed before it
// is confirmed; &view=session shows one session of it.  A single booking is a plan of
// one (GET /bookings/{id}/plan): its page adds the plan's parts (progress, the policy
// with the phone, a flare, sessions added after it, which make it a plan).  The token stays in the
// fragment (never in a request URL): it is sent only in the Authorization header.
import {
  h, $, fill, api, fmtDateTime, fmtTime, fmtMinutes, fmtMoney, fmtLongDate, fmtDayShort, zoneName,
  ymdIn, mondayOf, focusOn, announce, downloadIcs, errorNote, problemKind,
} from './lib.js';
import { slotPicker } from './slots.js';

const app = $('#app');
const frag = new URLSearchParams(location.hash.slice(1));
const id = frag.get('id') ?? '';
const token = frag.get('token') ?? '';
const plan = (frag.get('plan') ?? '').split('.').filter(Boolean);
const sessionOnly = frag.get('view') === 'session';
let booking = null;
let thePlan = null;

const STATUS = {
  booked: 'Booked',
  cancelled: 'Cancelled',
  completed: 'Completed',
  no_show: 'Missed',
};

function noLink() {
  fill(app, h('h1', {}, 'Your booking'),
    h('section', { class: 'panel' },
      h('p', {}, 'To see, move or cancel a booking, open the link you were given when you booked. It starts with this page\'s address and holds a long code.'),
      h('p', { id: 'lost-link' }, 'Lost your link? ', h('a', { href: '/lost-link' }, 'We can e-mail you a new link to each of your bookings'), '.'),
      h('p', {}, h('a', { class: 'button', href: '/' }, 'Find a practitioner'))));
}

async function load() {
  const r = await api('GET', `/api/v1/bookings/${encodeURIComponent(id)}`, { token });
  if (!r.ok) {
    fill(app, h('h1', {}, 'Your booking'),
      r.status === 404
        ? errorNote('We could not find this booking', 'Please check that you used the whole link from your confirmation. If it still does not work, please call the clinic.')
        : errorNote('The booking could not be loaded', r.problem.detail || 'Please try again in a moment.'));
    return null;
  }
  booking = r.data;
  return booking;
}

function summary(b) {
  const tz = b.timezone;
  return h('dl', { class: 'summary', id: 'booking-summary' },
    h('dt', {}, 'Status'), h('dd', { id: 'booking-status' }, STATUS[b.status] ?? b.status),
    h('dt', {}, 'When'), h('dd', { id: 'booking-when' }, `${fmtDateTime(b.start, tz)} to ${fmtTime(b.end, tz)}`, h('br'),
      h('span', { class: 'muted small' }, zoneName(tz, b.start))),
    h('dt', {}, 'With'), h('dd', {}, b.practitioner?.name ?? ''),
    h('dt', {}, 'Session'), h('dd', {}, `${b.service?.name}, ${fmtMinutes(b.service?.duration_minutes ?? 0)}`),
    h('dt', {}, 'Where'), h('dd', {}, [clinicName(b), b.location?.address, b.location?.city, b.location?.postcode].filter(Boolean).join(', ')),
    h('dt', {}, 'Price'), h('dd', {}, `${fmtMoney(b.service?.price, b.service?.currency)}, paid at the clinic`),
    h('dt', {}, 'Your name'), h('dd', {}, b.patient?.name ?? ''));
}

const clinicName = (b) => b.location?.clinic ?? b.clinic ?? null;

function canChangeOnline(b) {
  return b.status === 'booked' && Date.now() < Date.parse(b.cancellable_until);
}

function policyText(b) {
  const tz = b.timezone;
  const hours = Math.round((Date.parse(b.start) - Date.parse(b.cancellable_until)) / 3600000);
  if (b.status !== 'booked') return null;
  if (canChangeOnline(b)) {
    return h('p', { id: 'policy', class: 'note' }, `You can move or cancel this session here until ${fmtDateTime(b.cancellable_until, tz)}. That is ${hours} hours before it starts, as ${clinicName(b) ?? 'the clinic'} asks. After that, please call the clinic.`);
  }
  return h('p', { id: 'policy', class: 'note warn' }, `It is now less than ${hours} hours before the session, so it cannot be moved or cancelled online. Please call ${clinicName(b) ?? 'the clinic'} if you cannot come.`);
}

function view(message) {
  const b = booking;
  const tz = b.timezone;
  document.title = `Your booking on ${fmtDayShort(b.start, tz)} · clinicd`;
  const heading = h('h1', { id: 'manage-heading' }, b.status === 'cancelled' ? 'This booking is cancelled' : 'Your booking');
  const actions = h('div', { class: 'actions' },
    b.status === 'booked' ? h('button', { type: 'button', id: 'ics', onclick: (e) => downloadIcs(b.id, token, e.currentTarget) }, 'Add to my calendar (.ics file)') : null,
    canChangeOnline(b) ? h('button', { type: 'button', class: 'secondary', id: 'reschedule', onclick: rescheduleView }, 'Move to another time') : null,
    canChangeOnline(b) ? h('button', { type: 'button', class: 'secondary', id: 'cancel', onclick: cancelView }, 'Cancel this session') : null);
  fill(app,
    heading,
    message ?? null,
    h('section', { class: 'panel', 'aria-labelledby': 'manage-heading' },
      summary(b),
      b.cancel_reason && b.status === 'cancelled' ? h('p', { class: 'muted' }, `Reason given: ${b.cancel_reason}`) : null,
      policyText(b),
      actions),
    b.series_id ? h('p', {}, h('a', { id: 'whole-plan', href: `/manage#${new URLSearchParams({ id: b.id, token })}` }, 'See your whole treatment plan')) : null,
    plan.length && !b.series_id ? planSection() : null,
    !plan.length && !b.series_id && thePlan && thePlan.id === null ? planOfOneSection(thePlan) : null,
    h('p', {}, h('a', { href: '/' }, 'Find another practitioner')));
  return heading;
}

function planSection() {
  const ids = plan.length ? plan : [id];
  const box = h('section', { class: 'panel', 'aria-labelledby': 'plan-heading' },
    h('h2', { id: 'plan-heading' }, 'Your plan'),
    h('p', { class: 'muted' }, 'This session is part of a plan of regular sessions.'),
    h('ul', { class: 'plain-list', id: 'plan-list' }, h('li', { class: 'muted' }, 'Loading the sessions…')));
  (async () => {
    const items = await Promise.all(ids.map((x) => (x === id ? { ok: true, data: booking } : api('GET', `/api/v1/bookings/${encodeURIComponent(x)}`, { token }))));
    const ok = items.filter((r) => r.ok).map((r) => r.data).sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
    fill(box.querySelector('#plan-list'), ok.map((b) => {
      const when = `${fmtLongDate(b.start, b.timezone)}, ${fmtTime(b.start, b.timezone)}`;
      return h('li', {},
        b.id === id ? h('strong', {}, `${when} (shown above)`)
          : h('a', { href: `/manage#${new URLSearchParams({ id: b.id, token, plan: ids.join('.') })}` }, when),
        ` · ${STATUS[b.status] ?? b.status}`);
    }));
  })();
  return box;
}

// ---------------------------------------------------------------------------------
// the whole plan

const PLAN_STATUS = {
  booked: 'Booked', moved: 'Booked (moved)', cancelled: 'Cancelled', completed: 'Done',
  no_show: 'Missed', unbookable: 'Could not be booked',
};

/** A single booking as a plan of one (null when it cannot be read). */
async function loadPlanOfOne() {
  const r = await api('GET', `/api/v1/bookings/${encodeURIComponent(id)}/plan`, { token });
  thePlan = r.ok ? r.data : null;
  return thePlan;
}

/** After a move or cancellation of a single booking: its plan of one as it is now. */
async function refreshPlanOfOne() {
  if (thePlan && thePlan.id === null && !booking.series_id) await loadPlanOfOne();
}

async function loadPlan() {
  const r = await api('GET', `/api/v1/booking-series/${encodeURIComponent(booking.series_id)}`, { token });
  thePlan = r.ok ? r.data : null;
  return thePlan;
}

/** The clinic's phone as a tap-to-call link. */
function telLink(p) {
  const phone = p?.clinic?.phone;
  if (!phone) return h('span', {}, p?.clinic?.name ?? 'the clinic');
  return h('a', { class: 'tel', href: `tel:${phone.replace(/[^0-9+]/g, '')}` }, `${p.clinic.name}: ${phone}`);
}

const sessionHref = (bid) => `/manage#${new URLSearchParams({ id: bid, token, view: 'session' })}`;

function sessionItem(p, s) {
  const tz = p.timezone;
  const when = `${fmtLongDate(s.start, tz)}, ${fmtTime(s.start, tz)}`;
  return h('li', { 'data-status': s.status },
    s.booking_id && p.id !== null ? h('a', { href: sessionHref(s.booking_id) }, when) : h('span', {}, when),
    ` · ${PLAN_STATUS[s.status] ?? s.status}`,
    s.flare ? ' · flare' : null,
    s.requested_start
      ? h('span', { class: 'muted small moved-from' }, ` (asked for ${fmtDayShort(s.requested_start, tz)}, ${fmtTime(s.requested_start, tz)}: ${s.reason})`)
      : s.reason ? h('span', { class: 'muted small' }, ` (${s.reason})`) : null);
}

const act = (label, idv, fn, cls = 'secondary') => h('button', { type: 'button', class: cls, id: idv, onclick: fn }, label);

/** The changes a plan offers (a plan of one: a flare when the clinic takes them, and sessions added). */
function planActions(p) {
  const one = p.id === null;
  return h('div', { class: 'actions' },
    p.next_session && (!one || p.flare_moves.allowed > 0) ? act('I\'m having a flare', 'flare', () => changeView('flare'), '') : null,
    one && !p.next_session ? null : act(one ? 'Add sessions after this one' : 'Add sessions', 'add-sessions', () => changeView('sessions')),
    one ? null : act('Change how often', 'change-cadence', () => changeView('cadence')),
    one ? null : act('Cancel the rest', 'cancel-rest', () => changeView('cancel-rest')));
}

/** The policy with the clinic's phone, and the flare moves left. */
function planNotes(p) {
  return [
    h('p', { class: 'note', id: 'plan-policy' }, p.cancellation_policy.text, ' ', telLink(p)),
    h('p', { class: 'muted small', id: 'flare-note' }, p.flare_moves.allowed > 0
      ? `Flare moves left${p.id === null ? '' : ' in this plan'}: ${p.flare_moves.left} of ${p.flare_moves.allowed}. A flare move works even close to the session.`
      : 'This clinic does not take flare moves online; please call.'),
  ];
}

/** A single booking's plan parts, under its details: the same as a plan's page. */
function planOfOneSection(p) {
  return h('section', { class: 'panel', 'aria-labelledby': 'plan-heading', id: 'plan-of-one' },
    h('h2', { id: 'plan-heading' }, 'Your sessions'),
    h('p', { id: 'plan-progress' }, p.progress.text),
    h('ol', { class: 'plain-list', id: 'plan-list' }, p.sessions.map((s) => sessionItem(p, s))),
    p.next_session ? h('p', {}, 'Would regular sessions help? You can add sessions after this one, every 1 to 4 weeks. You will see the dates before anything is booked.') : null,
    planActions(p),
    ...planNotes(p));
}

function planView(message) {
  const p = thePlan;
  const tz = p.timezone;
  const next = p.next_session;
  document.title = 'Your treatment plan · clinicd';
  const heading = h('h1', { id: 'plan-title' }, 'Your treatment plan');
  fill(app,
    heading,
    message ?? null,
    h('section', { class: 'panel', 'aria-labelledby': 'next-heading' },
      h('h2', { id: 'next-heading' }, 'Next session'),
      next
        ? h('p', { id: 'next-session' }, h('strong', {}, fmtDateTime(next.start, tz)), ` with ${p.practitioner.name} (${p.service.name})`)
        : h('p', { id: 'next-session' }, 'No session is booked ahead.'),
      h('p', { id: 'plan-progress' }, p.progress.text),
      next ? h('p', {}, h('a', { href: sessionHref(next.booking_id) }, 'See, move or cancel this session')) : null,
      planActions(p),
      ...planNotes(p)),
    h('section', { class: 'panel', 'aria-labelledby': 'plan-heading' },
      h('h2', { id: 'plan-heading' }, 'All sessions'),
      h('ol', { class: 'plain-list', id: 'plan-list' }, p.sessions.map((s) => sessionItem(p, s)))),
    h('p', {}, h('a', { href: '/' }, 'Find another practitioner')));
  return heading;
}

const CHANGE = {
  flare: { title: 'I\'m having a flare', path: 'flare' },
  sessions: { title: 'Add sessions at the end', path: 'sessions' },
  cadence: { title: 'Change how often', path: 'cadence' },
  'cancel-rest': { title: 'Cancel the rest of the plan', path: 'cancel-rest' },
};

function changeFields(kind, p) {
  const weeks = [1, 2, 3, 4, 6, 8].map((n) => h('option', { value: String(n) }, n === 1 ? 'Every week' : `Every ${n} weeks`));
  if (kind === 'flare') {
    return h('fieldset', {}, h('legend', {}, 'What would help?'),
      h('div', { class: 'choice-card' }, h('label', { class: 'radio' }, h('input', { type: 'radio', name: 'flare-action', value: 'move', checked: true }), h('span', {}, h('strong', {}, 'Move my next session to a later day')))),
      h('div', { class: 'choice-card' }, h('label', { class: 'radio' }, h('input', { type: 'radio', name: 'flare-action', value: 'cancel' }), h('span', {}, h('strong', {}, 'Cancel my next session')))));
  }
  if (kind === 'sessions') {
    const count = h('div', { class: 'field' }, h('label', { for: 'add-count' }, 'How many sessions?'),
      h('input', { id: 'add-count', type: 'number', min: '1', max: '20', value: '2', inputmode: 'numeric' }));
    if (p.every_weeks) return count;
    // no cadence yet (a single booking): the patient chooses how often, every 1 to 4 weeks
    return h('div', {}, count,
      h('div', { class: 'field' }, h('label', { for: 'add-every' }, 'How often?'),
        h('select', { id: 'add-every' }, [1, 2, 3, 4].map((n) => h('option', { value: String(n) }, n === 1 ? 'Every week' : `Every ${n} weeks`)))));
  }
  if (kind === 'cadence') {
    const open = p.sessions.filter((s) => s.changeable || (s.status === 'unbookable' && Date.parse(s.start) > Date.now()));
    return h('div', {},
      h('div', { class: 'field' }, h('label', { for: 'from-session' }, 'From which session?'),
        h('select', { id: 'from-session' }, open.map((s) => h('option', { value: String(s.number) }, `Session ${s.number}: ${fmtDayShort(s.start, p.timezone)}`)))),
      h('div', { class: 'field' }, h('label', { for: 'every-weeks' }, 'How often from then on?'), h('select', { id: 'every-weeks' }, weeks)));
  }
  return h('p', {}, 'Every later session that can still be cancelled online will be cancelled. The times become free for others.');
}

function changeBody(kind) {
  if (kind === 'flare') return { action: $('input[name="flare-action"]:checked')?.value ?? 'move' };
  if (kind === 'sessions') {
    const every = $('#add-every');
    return every ? { count: Number($('#add-count').value), every_weeks: Number(every.value) } : { count: Number($('#add-count').value) };
  }
  if (kind === 'cadence') return { from_session: Number($('#from-session').value), every_weeks: Number($('#every-weeks').value) };
  return {};
}

const CHANGE_STATUS = {
  cancelled: 'Cancelled', kept: 'Kept', free: 'Free', moved: 'Moved to', unavailable: 'Cannot be had',
};
// what a change does to each session (the answer's outcome), before its time
const OUTCOME = {
  unchanged: 'Unchanged', added: 'New session', cancelled: 'Cancelled', unavailable: 'Cannot be had',
};

const longWhen = (iso, tz) => `${fmtLongDate(iso, tz)}, ${fmtTime(iso, tz)}`;
const shortWhen = (iso, tz) => `${fmtDayShort(iso, tz)}, ${fmtTime(iso, tz)}`;

/** One line of a preview: what happens to the session, its time, and why. */
function previewLine(c, tz, flare) {
  const movedFrom = c.outcome === 'moved' ? c.from : flare && c.status === 'moved' ? c.requested_start : null;
  const why = c.reason ? h('span', { class: 'muted small' }, ` (${c.reason})`) : null;
  if (movedFrom) {
    return h('li', { 'data-status': c.status, 'data-outcome': 'moved' },
      h('strong', {}, 'Moved'), ` from ${shortWhen(movedFrom, tz)} to `, h('strong', {}, longWhen(c.start, tz)), why);
  }
  const label = OUTCOME[c.outcome] ?? CHANGE_STATUS[c.status] ?? c.status;
  return h('li', { 'data-status': c.status, 'data-outcome': c.outcome ?? c.status },
    h('strong', {}, label), ' ', longWhen(c.start, tz),
    c.requested_start ? h('span', { class: 'muted small' }, ` (instead of ${fmtDayShort(c.requested_start, tz)})`) : null,
    why);
}

function previewList(p, changes, flare = false) {
  return h('ul', { class: 'plain-list', id: 'change-preview' }, changes.map((c) => previewLine(c, p.timezone, flare)));
}

/** A flare move's times as a radio list, the first chosen; onPick(choice) on a change. */
function flareChoices(p, choices, onPick) {
  const tz = p.timezone;
  return h('fieldset', { id: 'flare-choices' }, h('legend', {}, 'Choose the new time'),
    h('p', { class: 'muted small', id: 'flare-choices-note' }, 'These are the first free times from two days after your session, so the flare has time to settle.'),
    choices.map((c, i) => h('div', { class: 'choice-card' }, h('label', { class: 'radio' },
      h('input', { type: 'radio', name: 'flare-start', value: c.start, checked: i === 0, 'aria-describedby': 'flare-choices-note', onchange: () => onPick(c) }),
      h('span', {}, h('strong', {}, longWhen(c.start, tz)), ` until ${fmtTime(c.end, tz)}`)))));
}

function problemNote(r, p) {
  return h('div', {}, errorNote('This did not go through', r.problem?.detail || 'Please try again, or call the clinic.'),
    h('p', {}, 'Call: ', telLink(p)));
}

function changeView(kind) {
  const p = thePlan;
  const c = CHANGE[kind];
  const heading = h('h2', { id: 'change-heading' }, c.title);
  const out = h('div', { id: 'change-result' });
  const one = p.id === null;
  // a single booking's changes go through the booking until it is a plan
  const path = one ? `/api/v1/bookings/${encodeURIComponent(id)}/${c.path}`
    : `/api/v1/booking-series/${encodeURIComponent(p.id)}/${c.path}`;
  const back = () => focusOn(one ? view() : planView());
  async function preview(e) {
    e?.preventDefault();
    const r = await api('POST', path, { token, body: { ...changeBody(kind), dry_run: true } });
    if (!r.ok) {
      // no free time to move to before the next session: the flare cancel is offered
      const cancelInstead = kind === 'flare' && r.problem?.cancel_offered
        ? h('div', { class: 'actions' }, h('button', { type: 'button', id: 'flare-cancel-instead', onclick: () => { $('input[name="flare-action"][value="cancel"]').checked = true; preview(); } }, 'Cancel my next session instead'))
        : null;
      fill(out, problemNote(r, p), cancelInstead);
      focusOn(out.firstElementChild);
      return;
    }
    const body = changeBody(kind);
    const flare = kind === 'flare';
    const choices = flare ? r.data.choices ?? [] : [];
    let changes = r.data.changes;
    const list = h('div', {}, previewList(p, changes, flare));
    // another time chosen: the moved line says so
    const pick = (c) => {
      changes = changes.map((x) => (x.status === 'moved' ? { ...x, start: c.start, end: c.end } : x));
      fill(list, previewList(p, changes, flare));
      body.start = c.start;
    };
    if (choices.length) body.start = choices[0].start;
    fill(out, h('div', { class: 'note' }, h('p', {}, 'This is what would change. Nothing has changed yet.'),
      choices.length ? flareChoices(p, choices, pick) : null,
      list,
      h('div', { class: 'actions' }, h('button', { type: 'button', id: 'confirm-change', onclick: (ev) => commit(ev, body) }, 'Yes, do this'))));
    focusOn(out.firstElementChild);
  }
  async function commit(e, body) {
    const btn = e.currentTarget;
    btn.setAttribute('aria-disabled', 'true');
    const r = await api('POST', path, { token, body });
    btn.removeAttribute('aria-disabled');
    if (!r.ok) { fill(out, problemNote(r, p)); focusOn(out.firstElementChild); return; }
    thePlan = r.data.plan;
    if (booking && !booking.series_id) booking.series_id = thePlan.id;
    const done = one && kind === 'sessions'
      ? 'Done. Your booking is now a treatment plan, and this link shows all of it. You will get an e-mail about it.'
      : 'Done. Your plan is updated and you will get an e-mail about it.';
    focusOn(planView(h('div', { class: 'note ok', role: 'status', id: 'change-done' }, h('p', {}, done))));
    announce(one && kind === 'sessions' ? 'Your booking is now a treatment plan.' : 'Your plan is updated.');
  }
  fill(app, h('h1', {}, one ? 'Your booking' : 'Your treatment plan'),
    h('section', { class: 'panel', 'aria-labelledby': 'change-heading' }, heading,
      h('form', { id: 'change-form', novalidate: true, onsubmit: preview },
        changeFields(kind, p),
        h('div', { class: 'actions' },
          h('button', { type: 'submit', id: 'preview-change' }, 'Show me what would change'),
          h('button', { type: 'button', class: 'secondary', onclick: back }, one ? 'Back to my booking' : 'Back to my plan'))),
      out));
  focusOn(heading);
}

// ---------------------------------------------------------------------------------
// cancelling

function cancelView() {
  const b = booking;
  const heading = h('h2', { id: 'cancel-heading' }, 'Cancel this session?');
  const form = h('form', { id: 'cancel-form', novalidate: true, onsubmit: onCancel },
    h('div', { class: 'field' },
      h('label', { for: 'reason' }, 'Would you like to tell the clinic why? (if you like)'),
      h('textarea', { id: 'reason', name: 'reason', rows: 3, maxlength: 500 })),
    b.series_id ? h('fieldset', {},
      h('legend', {}, 'Which sessions?'),
      h('div', { class: 'choice-card' }, h('label', { class: 'radio' }, h('input', { type: 'radio', name: 'scope', value: 'occurrence', checked: true }), h('span', {}, h('strong', {}, 'Only this session')))),
      h('div', { class: 'choice-card' }, h('label', { class: 'radio' }, h('input', { type: 'radio', name: 'scope', value: 'rest_of_series' }), h('span', {}, h('strong', {}, 'This session and all later ones in the plan'))))) : null,
    h('div', { id: 'cancel-problem' }),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'danger', id: 'confirm-cancel' }, 'Yes, cancel it'),
      h('button', { type: 'button', class: 'secondary', onclick: () => focusOn(view()) }, 'No, keep it')));
  const panel = h('section', { class: 'panel', 'aria-labelledby': 'cancel-heading' }, heading,
    h('p', {}, `${fmtDateTime(b.start, b.timezone)} with ${b.practitioner?.name}. The time becomes free for someone else.`), form);
  fill(app, h('h1', {}, 'Your booking'), panel);
  focusOn(heading);
}

async function onCancel(e) {
  e.preventDefault();
  const reason = $('#reason').value.trim();
  const scope = $('input[name="scope"]:checked')?.value;
  const body = {};
  if (reason) body.reason = reason;
  if (scope) body.scope = scope;
  const btn = $('#confirm-cancel');
  btn.setAttribute('aria-disabled', 'true');
  const r = await api('POST', `/api/v1/bookings/${encodeURIComponent(id)}/cancel`, { token, body });
  btn.removeAttribute('aria-disabled');
  if (!r.ok) {
    const kind = problemKind(r.problem);
    const box = $('#cancel-problem');
    fill(box, kind === 'cancellation-policy'
      ? errorNote('This session can no longer be cancelled online', r.problem.detail)
      : errorNote('The cancellation did not go through', r.problem.detail || 'Please try again, or call the clinic.'));
    focusOn(box.firstElementChild);
    return;
  }
  const n = (r.data.cancelled ?? [id]).length;
  await load();
  await refreshPlanOfOne();
  focusOn(view(h('div', { class: 'note ok', role: 'status' }, h('p', {}, n > 1 ? `${n} sessions are cancelled. The clinic has been told.` : 'The session is cancelled. The clinic has been told.'))));
  announce('The session is cancelled.');
}

// ---------------------------------------------------------------------------------
// moving

function rescheduleView() {
  const b = booking;
  let chosen = null;
  const heading = h('h2', { id: 'move-heading' }, 'Choose a new time');
  const picker = h('div', { id: 'slots' });
  const problem = h('div', { id: 'move-problem' });
  const confirmBox = h('div', { id: 'move-confirm', hidden: true });
  const panel = h('section', { class: 'panel', 'aria-labelledby': 'move-heading' }, heading,
    h('p', {}, `Now: ${fmtDateTime(b.start, b.timezone)}. Your booking keeps its link; the old time is freed only once the new one is yours.`),
    picker, confirmBox, problem,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => focusOn(view()) }, 'Keep the current time')));
  fill(app, h('h1', {}, 'Your booking'), panel);
  focusOn(heading);
  slotPicker(picker, {
    practitionerId: b.practitioner.id, serviceId: b.service.id, tz: b.timezone,
    week: mondayOf(ymdIn(b.start, b.timezone)),
    onPick: (s) => {
      chosen = s;
      confirmBox.hidden = false;
      const btn = h('button', { type: 'button', id: 'confirm-move', onclick: doMove }, `Move to ${fmtDayShort(s.start, b.timezone)}, ${fmtTime(s.start, b.timezone)}`);
      fill(confirmBox, h('div', { class: 'note' }, h('p', {}, `New time: ${fmtDateTime(s.start, b.timezone)}.`), btn));
      btn.focus();
    },
  });
  async function doMove(e) {
    const btn = e.currentTarget;
    btn.setAttribute('aria-disabled', 'true');
    const r = await api('POST', `/api/v1/bookings/${encodeURIComponent(id)}/reschedule`, { token, body: { start: chosen.start } });
    btn.removeAttribute('aria-disabled');
    if (!r.ok) {
      const kind = problemKind(r.problem);
      fill(problem, kind === 'slot-unavailable'
        ? errorNote('That time was just taken', 'Please choose another time. Your booking has not changed.')
        : errorNote('The booking was not moved', r.problem.detail || 'Please try again, or call the clinic.'));
      focusOn(problem.firstElementChild);
      return;
    }
    await load();
    await refreshPlanOfOne();
    focusOn(view(h('div', { class: 'note ok', role: 'status' }, h('p', {}, `Your booking is moved to ${fmtDateTime(booking.start, booking.timezone)}. The clinic has been told.`))));
    announce('Your booking is moved.');
  }
}

// ---------------------------------------------------------------------------------

window.addEventListener('hashchange', () => location.reload());

(async function start() {
  if (!id || !token) { noLink(); return; }
  if (!(await load())) return;
  if (booking.series_id && !sessionOnly && await loadPlan()) planView();
  else {
    if (!booking.series_id && !sessionOnly && !plan.length) await loadPlanOfOne();
    view();
  }
})();

