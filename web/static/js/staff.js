// The clinic's pages: sign in, the day and week schedule with practitioners side by
// side, a booking's details (mark completed or missed, cancel), time off, weekly hours,
// services and practitioners. A practitioner sees only their own column.
import {
  h, $, $$, fill, api, query, fmtTime, fmtDay, fmtDayShort, fmtDateTime, fmtMinutes, fmtMoney,
  ymdIn, addDays, mondayOf, noon, zonedMs, rfc3339, isYmd, setFieldError, clearFieldErrors,
  showProblemErrors, focusOn, announce, errorNote, problemKind, loadVocabulary, WEEKDAYS, sentence, zoneName,
} from './lib.js';

const app = $('#app');
const ctx = {
  me: null, clinicId: null, admin: false, tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
  practitioners: [], locations: [], managed: { practitioners: false, services: false, locations: false },
};

const enc = encodeURIComponent;
const clinicPath = (p) => `/api/v1/clinics/${enc(ctx.clinicId)}${p}`;

// ---------------------------------------------------------------------------------
// frame and routing

const SECTIONS = [
  { path: '/staff', label: 'Schedule' },
  { path: '/staff/time-off', label: 'Time off' },
  { path: '/staff/hours', label: 'Weekly hours' },
  { path: '/staff/mail', label: 'Undelivered mail' },
  { path: '/staff/services', label: 'Services', admin: true },
  { path: '/staff/practitioners', label: 'Practitioners', admin: true },
];

function go(path, replace = false) {
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  route(true);
}

function link(href, text, attrs = {}) {
  return h('a', { href, ...attrs, onclick: (e) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    go(href);
  } }, text);
}

function frame(title, ...content) {
  const path = location.pathname.replace(/\/$/, '') || '/staff';
  const nav = h('nav', { 'aria-label': 'Clinic', class: 'site-nav' }, h('ul', {},
    SECTIONS.filter((s) => !s.admin || ctx.admin).map((s) => h('li', {},
      link(s.path, s.label, { 'aria-current': (s.path === '/staff' ? path === '/staff' || path.startsWith('/staff/bookings') : path === s.path) ? 'page' : null })))));
  const heading = h('h1', { id: 'page-heading' }, title);
  fill(app,
    h('div', { class: 'staff-bar' },
      h('div', {}, h('p', { class: 'muted small' }, `${ctx.me.clinic?.name ?? 'Your clinic'} · signed in as ${ctx.me.name ?? ctx.me.email}${ctx.admin ? '' : ' (practitioner)'}`), nav),
      h('button', { type: 'button', class: 'secondary', id: 'logout', onclick: logout }, 'Sign out')),
    heading, ...content);
  return heading;
}

async function route(moveFocus) {
  const path = location.pathname.replace(/\/$/, '');
  let heading;
  if (path.startsWith('/staff/bookings/')) heading = await bookingPage(decodeURIComponent(path.split('/')[3]));
  else if (path === '/staff/time-off') heading = await timeOffPage();
  else if (path === '/staff/hours') heading = await hoursPage();
  else if (path === '/staff/mail') heading = await mailPage();
  else if (path === '/staff/services' && ctx.admin) heading = await servicesPage();
  else if (path === '/staff/practitioners' && ctx.admin) heading = await practitionersPage();
  else heading = await schedulePage();
  if (moveFocus && heading) focusOn(heading);
}

window.addEventListener('popstate', () => { if (ctx.me) route(true); });

// ---------------------------------------------------------------------------------
// signing in and out

function loginView(message) {
  document.title = 'Sign in · For clinics · clinicd';
  const heading = h('h1', { id: 'login-heading' }, 'Sign in to your clinic');
  const form = h('form', { class: 'panel', id: 'login-form', novalidate: true, onsubmit: onLogin },
    message ? h('div', { class: 'note', role: 'status' }, h('p', {}, message)) : null,
    h('div', { id: 'login-problem' }),
    h('div', { class: 'field' }, h('label', { for: 'email' }, 'Email address'),
      h('input', { type: 'email', id: 'email', name: 'email', autocomplete: 'username', required: true })),
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'),
      h('input', { type: 'password', id: 'password', name: 'password', autocomplete: 'current-password', required: true })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'login' }, 'Sign in')));
  fill(app, h('div', { class: 'login' }, heading,
    h('p', { class: 'muted' }, 'For clinic staff and practitioners. Patients do not need an account: your booking link is all you need.'), form));
  return heading;
}

async function onLogin(e) {
  e.preventDefault();
  const form = e.currentTarget;
  clearFieldErrors(form);
  const email = $('#email').value.trim();
  const password = $('#password').value;
  let bad = false;
  if (!email) { setFieldError($('#email'), 'Please enter your email address.'); bad = true; }
  if (!password) { setFieldError($('#password'), 'Please enter your password.'); bad = true; }
  if (bad) { $('[aria-invalid="true"]', form).focus(); return; }
  const btn = $('#login');
  btn.setAttribute('aria-disabled', 'true');
  const r = await api('POST', '/api/v1/auth/login', { body: { email, password } });
  btn.removeAttribute('aria-disabled');
  if (!r.ok) {
    const box = $('#login-problem');
    if (r.status === 401) fill(box, errorNote('The email address or password is not right', 'Please check them and try again.'));
    else if (r.status === 429) fill(box, errorNote('Too many tries', r.problem.detail || 'Please wait a few minutes and try again.'));
    else {
      const rest = showProblemErrors(r.problem, { email: { control: $('#email') }, password: { control: $('#password') } });
      if (rest.length || !r.problem.errors.length) fill(box, errorNote('Signing in did not work', r.problem.detail));
    }
    focusOn(box.firstElementChild ?? $('#email'));
    return;
  }
  await enter(true);
}

async function logout() {
  await api('POST', '/api/v1/auth/logout', { body: {} });
  ctx.me = null;
  history.replaceState(null, '', '/staff');
  focusOn(loginView('You are signed out.'));
}

async function enter(moveFocus) {
  const r = await api('GET', '/api/v1/me');
  if (!r.ok) {
    const heading = loginView();
    if (moveFocus) focusOn(heading);
    return;
  }
  ctx.me = r.data;
  ctx.clinicId = r.data.clinic_id;
  ctx.admin = r.data.role === 'clinic_admin' || r.data.role === 'platform_admin';
  await loadClinic();
  document.title = `${ctx.me.clinic?.name ?? 'Clinic'} · clinicd`;
  await route(moveFocus);
}

/** The clinic's practitioners and locations: from the clinic API where it exists, else
 * from the public directory. */
async function loadClinic() {
  ctx.practitioners = [];
  ctx.locations = [];
  const pr = await api('GET', clinicPath('/practitioners?limit=100'));
  if (pr.ok && Array.isArray(pr.data?.items)) {
    ctx.managed.practitioners = true;
    ctx.practitioners = pr.data.items.filter((p) => p.active !== false).map((p) => ({ ...p }));
  } else if (ctx.me.clinic?.name) {
    const s = await api('GET', `/api/v1/practitioners${query({ q: ctx.me.clinic.name, limit: 100, sort: 'name' })}`);
    if (s.ok) ctx.practitioners = s.data.items.filter((p) => p.clinic?.id === ctx.clinicId);
  }
  if (!ctx.admin && ctx.me.practitioner_id) {
    ctx.practitioners = ctx.practitioners.filter((p) => p.id === ctx.me.practitioner_id);
    if (!ctx.practitioners.length) {
      const p = await api('GET', `/api/v1/practitioners/${enc(ctx.me.practitioner_id)}`);
      ctx.practitioners = [p.ok ? p.data : { id: ctx.me.practitioner_id, name: ctx.me.name ?? 'You' }];
    }
  }
  ctx.practitioners.sort((a, b) => a.name.localeCompare(b.name));
  const lr = await api('GET', clinicPath('/locations'));
  if (lr.ok && Array.isArray(lr.data?.items)) {
    ctx.managed.locations = true;
    ctx.locations = lr.data.items.filter((l) => l.active !== false);
  } else if (ctx.practitioners[0]) {
    const seen = new Map();
    for (const p of ctx.practitioners.slice(0, 10)) {
      const full = p.locations ? p : (await api('GET', `/api/v1/practitioners/${enc(p.id)}`)).data;
      for (const l of full?.locations ?? []) seen.set(l.id, l);
    }
    ctx.locations = [...seen.values()];
  }
  ctx.tz = ctx.locations[0]?.timezone ?? ctx.practitioners[0]?.location?.timezone ?? ctx.tz;
}

function practitionerSelect(id, selected, label = 'Practitioner') {
  return h('div', { class: 'field' }, h('label', { for: id }, label),
    h('select', { id, name: id }, ctx.practitioners.map((p) => h('option', { value: p.id, selected: p.id === selected }, p.name))));
}

// ---------------------------------------------------------------------------------
// the schedule

async function schedulePage() {
  const u = new URLSearchParams(location.search);
  const today = ymdIn(new Date(), ctx.tz);
  const date = isYmd(u.get('date')) ? u.get('date') : today;
  const week = u.get('view') === 'week';
  const from = week ? mondayOf(date) : date;
  const to = week ? addDays(from, 6) : date;
  const title = week ? `Week of ${fmtDay(noon(from), 'UTC')}` : (date === today ? `Today, ${fmtDay(noon(date), 'UTC')}` : fmtDay(noon(date), 'UTC'));
  const nav = (d, v) => `/staff${query({ date: d, view: v ? 'week' : null })}`;
  const step = week ? 7 : 1;
  const bar = h('div', { class: 'staff-bar' },
    h('div', { class: 'group' },
      link(nav(addDays(date, -step), week), week ? '← Earlier week' : '← Day before', { class: 'button secondary', id: 'prev' }),
      link(nav(today, week), 'Today', { class: 'button secondary' }),
      link(nav(addDays(date, step), week), week ? 'Next week →' : 'Next day →', { class: 'button secondary', id: 'next' })),
    h('div', { class: 'group' },
      h('form', { class: 'group', onsubmit: (e) => { e.preventDefault(); const d = $('#go-date').value; if (isYmd(d)) go(nav(d, week)); } },
        h('div', { class: 'field' }, h('label', { for: 'go-date' }, 'Go to a date'), h('input', { type: 'date', id: 'go-date', value: date })),
        h('button', { type: 'submit', class: 'secondary' }, 'Show')),
      h('div', { class: 'seg', role: 'group', 'aria-label': 'How much to show' },
        h('button', { type: 'button', 'aria-pressed': String(!week), id: 'view-day', onclick: () => go(nav(date, false)) }, 'Day'),
        h('button', { type: 'button', 'aria-pressed': String(week), id: 'view-week', onclick: () => go(nav(date, true)) }, 'Week'))));
  const body = h('div', { id: 'schedule' }, h('p', { class: 'muted', role: 'status' }, 'Loading the schedule…'));
  const heading = frame(title, bar, body);
  document.title = `Schedule, ${title} · clinicd`;
  const r = await api('GET', clinicPath(`/schedule${query({ from, to, practitioner: ctx.admin ? null : ctx.me.practitioner_id })}`));
  if (!r.ok) {
    if (r.status === 401) return loginView('Your session has ended. Please sign in again.');
    fill(body, errorNote('The schedule could not be loaded', r.problem.detail));
    return heading;
  }
  const items = r.data.items ?? [];
  // columns: every practitioner of the clinic, plus anyone with a booking here
  const cols = [...ctx.practitioners.map((p) => ({ id: p.id, name: p.name }))];
  for (const it of items) if (!cols.some((c) => c.id === it.practitioner.id)) cols.push({ id: it.practitioner.id, name: it.practitioner.name });
  const mine = ctx.admin ? cols : cols.filter((c) => c.id === ctx.me.practitioner_id);
  const count = items.length;
  body.replaceChildren(
    h('p', { class: 'muted' }, count ? `${count} booking${count === 1 ? '' : 's'}.` : 'No bookings.',
      ` Times in ${zoneName(ctx.tz, noon(from))}.`),
    week ? weekTable(items, mine, from) : dayColumns(items, mine));
  return heading;
}

function appt(it) {
  const tz = it.timezone ?? ctx.tz;
  const status = { completed: 'Completed', no_show: 'Missed', cancelled: 'Cancelled' }[it.status];
  return link(`/staff/bookings/${enc(it.id)}`, [
    h('span', { class: 't' }, `${fmtTime(it.start, tz)} – ${fmtTime(it.end, tz)}`),
    h('span', {}, it.patient?.name ?? 'Patient'),
    h('span', { class: 's' }, `${it.service?.name ?? ''}${status ? ` · ${status}` : ''}`),
  ], { class: `appt ${it.status}` });
}

function dayColumns(items, cols) {
  if (!cols.length) return h('p', {}, 'No practitioners to show.');
  return h('div', { class: 'columns', id: 'day-columns' }, cols.map((c) => {
    const mine = items.filter((it) => it.practitioner.id === c.id);
    const hid = `col-${c.id}`;
    return h('section', { class: 'column', 'aria-labelledby': hid, 'data-practitioner': c.id },
      h('h2', { id: hid, class: 'h3' }, c.name),
      mine.length ? h('ul', { class: 'appt-list' }, mine.map((it) => h('li', {}, appt(it))))
        : h('p', { class: 'muted' }, 'Nothing booked.'));
  }));
}

function weekTable(items, cols, monday) {
  const days = Array.from({ length: 7 }, (_, i) => addDays(monday, i));
  return h('div', { class: 'week-table-wrap', tabindex: '0', role: 'region', 'aria-label': 'The week, day by day' },
    h('table', { class: cols.length > 2 ? 'week-table many' : 'week-table', id: 'week-table' },
      h('caption', { class: 'visually-hidden' }, 'Bookings for each day and practitioner'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Day'), cols.map((c) => h('th', { scope: 'col' }, c.name)))),
      h('tbody', {}, days.map((d) => h('tr', {},
        h('th', { scope: 'row' }, link(`/staff${query({ date: d })}`, fmtDayShort(noon(d), 'UTC'))),
        cols.map((c) => {
          const mine = items.filter((it) => it.practitioner.id === c.id && ymdIn(it.start, it.timezone ?? ctx.tz) === d);
          return h('td', {}, mine.length ? mine.map(appt) : h('span', { class: 'muted small' }, '–'));
        }))))));
}

// ---------------------------------------------------------------------------------
// one booking

async function bookingPage(id) {
  const body = h('div', {}, h('p', { class: 'muted', role: 'status' }, 'Loading…'));
  const heading = frame('Booking', body);
  const r = await api('GET', clinicPath(`/bookings/${enc(id)}`));
  if (!r.ok) {
    fill(body, errorNote(r.status === 404 ? 'This booking was not found' : 'The booking could not be loaded', r.problem.detail));
    return heading;
  }
  const b = r.data;
  const tz = b.timezone ?? ctx.tz;
  heading.textContent = `${b.patient?.name ?? 'Booking'}, ${fmtDayShort(b.start, tz)} ${fmtTime(b.start, tz)}`;
  document.title = `${heading.textContent} · clinicd`;
  const started = Date.parse(b.start) <= Date.now();
  const STATUS = { booked: 'Booked', completed: 'Completed', no_show: 'Did not come (no-show)', cancelled: 'Cancelled' };
  const msg = h('div', { id: 'booking-message' });
  const actions = h('div', { class: 'actions' },
    b.status !== 'cancelled' && started && b.status !== 'completed' ? h('button', { type: 'button', id: 'mark-completed', onclick: () => mark('completed') }, 'Mark completed') : null,
    b.status !== 'cancelled' && started && b.status !== 'no_show' ? h('button', { type: 'button', class: 'secondary', id: 'mark-no-show', onclick: () => mark('no_show') }, 'Mark as no-show') : null,
    b.status === 'booked' ? h('button', { type: 'button', class: 'danger', id: 'cancel-booking', onclick: cancelForm }, 'Cancel booking') : null);
  const back = link(`/staff${query({ date: ymdIn(b.start, tz) })}`, `← Back to ${fmtDay(b.start, tz)}`);
  fill(body, msg,
    h('section', { class: 'panel', 'aria-label': 'Booking details' },
      h('dl', { class: 'summary' },
        h('dt', {}, 'Status'), h('dd', { id: 'staff-booking-status' }, STATUS[b.status] ?? b.status),
        h('dt', {}, 'When'), h('dd', {}, `${fmtDateTime(b.start, tz)} – ${fmtTime(b.end, tz)}`),
        h('dt', {}, 'Practitioner'), h('dd', {}, b.practitioner?.name ?? ''),
        h('dt', {}, 'Session'), h('dd', {}, `${b.service?.name ?? ''}, ${fmtMinutes(b.service?.duration_minutes ?? 0)}, ${fmtMoney(b.service?.price, b.service?.currency)}`),
        h('dt', {}, 'Where'), h('dd', {}, [b.location?.name, b.location?.address].filter(Boolean).join(', ')),
        h('dt', {}, 'Patient'), h('dd', {}, b.patient?.name ?? ''),
        h('dt', {}, 'Email'), h('dd', {}, b.patient?.email ? h('a', { href: `mailto:${b.patient.email}` }, b.patient.email) : '–'),
        h('dt', {}, 'Phone'), h('dd', {}, b.patient?.phone ? h('a', { href: `tel:${b.patient.phone.replace(/[^+\d]/g, '')}` }, b.patient.phone) : '–'),
        h('dt', {}, 'Patient\'s note'), h('dd', {}, b.notes || '–'),
        b.series_id ? [h('dt', {}, 'Plan'), h('dd', {}, 'Part of a plan of regular sessions')] : null,
        b.cancel_reason ? [h('dt', {}, 'Cancel reason'), h('dd', {}, b.cancel_reason)] : null),
      !started && b.status === 'booked' ? h('p', { class: 'muted' }, 'You can mark it completed or as a no-show once the session has started.') : null,
      actions),
    h('p', {}, back));
  return heading;

  async function mark(status) {
    const res = await api('POST', clinicPath(`/bookings/${enc(id)}/status`), { body: { status } });
    if (!res.ok) { fill(msg, errorNote('That did not work', res.problem.detail)); focusOn(msg.firstElementChild); return; }
    await bookingPage(id);
    const m = $('#booking-message');
    fill(m, h('div', { class: 'note ok', role: 'status' }, h('p', {}, status === 'completed' ? 'Marked as completed.' : 'Marked as a no-show.')));
    focusOn(m.firstElementChild);
  }

  function cancelForm() {
    const form = h('form', { class: 'panel', id: 'staff-cancel-form', onsubmit: async (e) => {
      e.preventDefault();
      const reason = $('#staff-reason').value.trim();
      const scope = $('input[name="scope"]:checked', form)?.value;
      const res = await api('POST', clinicPath(`/bookings/${enc(id)}/cancel`), { body: { ...(reason ? { reason } : {}), ...(scope ? { scope } : {}) } });
      if (!res.ok) { fill(msg, errorNote('The booking was not cancelled', res.problem.detail)); focusOn(msg.firstElementChild); return; }
      await bookingPage(id);
      const m = $('#booking-message');
      fill(m, h('div', { class: 'note ok', role: 'status' }, h('p', {}, 'The booking is cancelled. The patient is told.')));
      focusOn(m.firstElementChild);
    } },
    h('h2', { id: 'cancel-h' }, 'Cancel this booking?'),
    h('p', {}, 'The patient is told, and the time becomes free again.'),
    h('div', { class: 'field' }, h('label', { for: 'staff-reason' }, 'Reason (the patient may see it)'), h('textarea', { id: 'staff-reason', rows: 3, maxlength: 500 })),
    b.series_id ? h('fieldset', {}, h('legend', {}, 'Which sessions?'),
      h('label', { class: 'radio' }, h('input', { type: 'radio', name: 'scope', value: 'occurrence', checked: true }), 'Only this session'),
      h('label', { class: 'radio' }, h('input', { type: 'radio', name: 'scope', value: 'rest_of_series' }), 'This and all later sessions of the plan')) : null,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'danger', id: 'confirm-staff-cancel' }, 'Yes, cancel the booking'),
      h('button', { type: 'button', class: 'secondary', onclick: () => { form.remove(); $('#cancel-booking')?.focus(); } }, 'No, keep it')));
    actions.after(form);
    focusOn($('#cancel-h'));
  }
}

// ---------------------------------------------------------------------------------
// time off

function chosenPractitioner() {
  const u = new URLSearchParams(location.search).get('practitioner');
  if (ctx.practitioners.some((p) => p.id === u)) return u;
  return ctx.admin ? ctx.practitioners[0]?.id : ctx.me.practitioner_id;
}

async function timeOffPage() {
  const pid = chosenPractitioner();
  const today = ymdIn(new Date(), ctx.tz);
  const list = h('div', { id: 'time-off-list' }, h('p', { class: 'muted' }, 'Loading…'));
  const problem = h('div', { id: 'time-off-problem' });
  const pick = practitionerSelect('off-practitioner', pid);
  pick.querySelector('select').addEventListener('change', (e) => go(`/staff/time-off${query({ practitioner: e.target.value })}`, true));
  const form = h('form', { class: 'panel', id: 'time-off-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); addTimeOff(false); } },
    h('h2', {}, 'Block time off'),
    h('p', { class: 'muted' }, `Patients cannot book this time. Times are in ${zoneName(ctx.tz)}.`),
    h('div', { class: 'grid-fields' },
      h('div', { class: 'field' }, h('label', { for: 'off-from-date' }, 'From (date)'), h('input', { type: 'date', id: 'off-from-date', value: today, required: true })),
      h('div', { class: 'field' }, h('label', { for: 'off-from-time' }, 'From (time)'), h('input', { type: 'time', id: 'off-from-time', value: '08:00', required: true })),
      h('div', { class: 'field' }, h('label', { for: 'off-to-date' }, 'Until (date)'), h('input', { type: 'date', id: 'off-to-date', value: today, required: true })),
      h('div', { class: 'field' }, h('label', { for: 'off-to-time' }, 'Until (time)'), h('input', { type: 'time', id: 'off-to-time', value: '18:00', required: true }))),
    h('div', { class: 'field' }, h('label', { for: 'off-reason' }, 'Reason (only staff see it)'), h('input', { type: 'text', id: 'off-reason', maxlength: 500 })),
    problem,
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'add-time-off' }, 'Block this time')));
  const heading = frame('Time off', h('div', { class: 'panel' }, pick), form,
    h('section', { class: 'panel', 'aria-labelledby': 'off-list-h' }, h('h2', { id: 'off-list-h' }, 'Time off already blocked'), list));
  document.title = 'Time off · clinicd';
  await showList();
  return heading;

  async function showList() {
    if (!pid) { fill(list, h('p', {}, 'No practitioner to show.')); return; }
    const r = await api('GET', clinicPath(`/practitioners/${enc(pid)}/time-off`));
    if (!r.ok) { fill(list, errorNote('The time off could not be loaded', r.problem.detail)); return; }
    const items = (r.data.items ?? []).filter((t) => Date.parse(t.end) > Date.now());
    fill(list, items.length ? h('ul', { class: 'plain-list' }, items.map((t) => h('li', {},
      `${fmtDateTime(t.start, ctx.tz)} until ${fmtDateTime(t.end, ctx.tz)}`, t.reason ? ` · ${t.reason}` : '', ' ',
      h('button', { type: 'button', class: 'link', 'aria-label': `Remove the time off from ${fmtDateTime(t.start, ctx.tz)}`, onclick: async () => {
        const d = await api('DELETE', clinicPath(`/practitioners/${enc(pid)}/time-off/${enc(t.id)}`));
        if (d.ok) { announce('The time off is removed.'); await showList(); $('#off-list-h').focus?.(); }
      } }, 'Remove')))) : h('p', { class: 'muted' }, 'None coming up.'));
  }

  async function addTimeOff(cancelStranded) {
    clearFieldErrors(form);
    fill(problem);
    const fd = $('#off-from-date').value, ft = $('#off-from-time').value, td = $('#off-to-date').value, tt = $('#off-to-time').value;
    let bad = null;
    const err = (c, m) => { setFieldError(c, m); bad ??= c; };
    if (!isYmd(fd)) err($('#off-from-date'), 'Please choose the first day.');
    if (!ft) err($('#off-from-time'), 'Please choose the time it starts.');
    if (!isYmd(td)) err($('#off-to-date'), 'Please choose the last day.');
    if (!tt) err($('#off-to-time'), 'Please choose the time it ends.');
    if (bad) { bad.focus(); return; }
    const startMs = zonedMs(fd, ft, ctx.tz), endMs = zonedMs(td, tt, ctx.tz);
    if (endMs <= startMs) { err($('#off-to-time'), 'The end must be after the start.'); bad.focus(); return; }
    const body = { start: rfc3339(startMs, ctx.tz), end: rfc3339(endMs, ctx.tz) };
    const reason = $('#off-reason').value.trim();
    if (reason) body.reason = reason;
    if (cancelStranded) body.cancel_stranded = true;
    const r = await api('POST', clinicPath(`/practitioners/${enc(pid)}/time-off`), { body });
    if (r.ok) {
      fill(problem, h('div', { class: 'note ok', role: 'status' }, h('p', {}, `Blocked: ${fmtDateTime(body.start, ctx.tz)} until ${fmtDateTime(body.end, ctx.tz)}.`)));
      await showList();
      return;
    }
    if (problemKind(r.problem) === 'strands-bookings') {
      const bs = r.problem.bookings ?? [];
      fill(problem, h('div', { class: 'note warn', role: 'alert', id: 'stranded' },
        h('p', {}, h('strong', {}, `${bs.length} booking${bs.length === 1 ? ' falls' : 's fall'} in this time.`)),
        h('ul', {}, bs.map((b) => h('li', {}, link(`/staff/bookings/${enc(b.id)}`, fmtDateTime(b.start, ctx.tz))))),
        h('p', {}, 'You can move them first, or block the time and cancel them (the patients are told).'),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'danger', id: 'confirm-strand', onclick: () => addTimeOff(true) }, `Block the time and cancel ${bs.length === 1 ? 'it' : 'them'}`),
          h('button', { type: 'button', class: 'secondary', onclick: () => fill(problem) }, 'Do not block'))));
      focusOn($('#stranded'));
      return;
    }
    const rest = showProblemErrors(r.problem, { start: { control: $('#off-from-date') }, end: { control: $('#off-to-date') }, reason: { control: $('#off-reason') } });
    if (rest.length || !r.problem.errors.length) fill(problem, errorNote('The time off was not saved', r.problem.detail));
  }
}

// ---------------------------------------------------------------------------------
// weekly hours

async function hoursPage() {
  const pid = chosenPractitioner();
  const pick = practitionerSelect('hours-practitioner', pid);
  pick.querySelector('select').addEventListener('change', (e) => go(`/staff/hours${query({ practitioner: e.target.value })}`, true));
  const rowsBox = h('div', { id: 'hours-rows' }, h('p', { class: 'muted' }, 'Loading…'));
  const problem = h('div', { id: 'hours-problem' });
  let n = 0;
  const form = h('form', { class: 'panel', id: 'hours-form', novalidate: true, onsubmit: (e) => { e.preventDefault(); save(false); } },
    h('h2', {}, 'Hours patients can book'),
    h('p', { class: 'muted' }, `Each line is one stretch of time on one weekday, in ${zoneName(ctx.tz)}. A day with a break has two lines.`),
    rowsBox,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', id: 'add-hours', onclick: () => { const r = row({ weekday: 1, start_time: '09:00', end_time: '17:00', location_id: ctx.locations[0]?.id }); rowsBox.append(r); r.querySelector('select').focus(); } }, 'Add a line')),
    problem,
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'save-hours' }, 'Save weekly hours')));
  const heading = frame('Weekly hours', h('div', { class: 'panel' }, pick), form);
  document.title = 'Weekly hours · clinicd';
  if (!pid) { fill(rowsBox, h('p', {}, 'No practitioner to show.')); return heading; }
  const r = await api('GET', clinicPath(`/practitioners/${enc(pid)}/hours`));
  if (!r.ok) { fill(rowsBox, errorNote('The hours could not be loaded', r.problem.detail)); return heading; }
  const rules = r.data.items ?? [];
  fill(rowsBox, rules.length ? rules.map(row) : h('p', { class: 'muted', id: 'no-hours' }, 'No weekly hours yet: patients cannot book. Add a line.'));
  return heading;

  function row(rule) {
    n += 1;
    const k = n;
    $('#no-hours')?.remove();
    const el = h('div', { class: 'hours-row', 'data-row': k, role: 'group', 'aria-label': `Line ${k}` },
      h('div', { class: 'field' }, h('label', { for: `wd-${k}` }, 'Day'),
        h('select', { id: `wd-${k}`, name: 'weekday' }, WEEKDAYS.map((d, i) => h('option', { value: i + 1, selected: rule.weekday === i + 1 }, d)))),
      h('div', { class: 'field' }, h('label', { for: `st-${k}` }, 'From'), h('input', { type: 'time', id: `st-${k}`, name: 'start_time', value: rule.start_time })),
      h('div', { class: 'field' }, h('label', { for: `en-${k}` }, 'Until'), h('input', { type: 'time', id: `en-${k}`, name: 'end_time', value: rule.end_time })),
      h('div', { class: 'field' }, h('label', { for: `lo-${k}` }, 'Where'),
        h('select', { id: `lo-${k}`, name: 'location_id' }, (ctx.locations.length ? ctx.locations : [{ id: rule.location_id, name: 'Current location' }])
          .map((l) => h('option', { value: l.id, selected: l.id === rule.location_id }, l.name ?? l.city)))),
      h('button', { type: 'button', class: 'secondary', 'aria-label': `Remove line ${k}`, onclick: () => { el.remove(); announce('Line removed.'); $('#add-hours').focus(); } }, 'Remove'));
    if (rule.valid_from) el.dataset.validFrom = rule.valid_from;
    if (rule.valid_to) el.dataset.validTo = rule.valid_to;
    return el;
  }

  async function save(cancelStranded) {
    clearFieldErrors(form);
    fill(problem);
    const rows = $$('.hours-row', rowsBox);
    const rulesOut = rows.map((el) => {
      const rule = {
        weekday: Number($('[name="weekday"]', el).value), start_time: $('[name="start_time"]', el).value.slice(0, 5),
        end_time: $('[name="end_time"]', el).value.slice(0, 5), location_id: $('[name="location_id"]', el).value,
      };
      if (el.dataset.validFrom) rule.valid_from = el.dataset.validFrom;
      if (el.dataset.validTo) rule.valid_to = el.dataset.validTo;
      return rule;
    });
    let bad = null;
    rows.forEach((el, i) => {
      const r = rulesOut[i];
      if (!r.start_time) { setFieldError($('[name="start_time"]', el), 'Please give the time it starts.'); bad ??= $('[name="start_time"]', el); }
      if (!r.end_time) { setFieldError($('[name="end_time"]', el), 'Please give the time it ends.'); bad ??= $('[name="end_time"]', el); }
      else if (r.start_time && r.end_time <= r.start_time) { setFieldError($('[name="end_time"]', el), 'The end must be after the start.'); bad ??= $('[name="end_time"]', el); }
    });
    if (bad) { bad.focus(); return; }
    const body = { rules: rulesOut };
    if (cancelStranded) body.cancel_stranded = true;
    const r = await api('PUT', clinicPath(`/practitioners/${enc(pid)}/hours`), { body });
    if (r.ok) {
      fill(problem, h('div', { class: 'note ok', role: 'status' }, h('p', {}, 'The weekly hours are saved.')));
      focusOn(problem.firstElementChild);
      return;
    }
    if (problemKind(r.problem) === 'strands-bookings') {
      const bs = r.problem.bookings ?? [];
      fill(problem, h('div', { class: 'note warn', role: 'alert', id: 'stranded' },
        h('p', {}, h('strong', {}, `${bs.length} booking${bs.length === 1 ? ' is' : 's are'} outside the new hours.`)),
        h('ul', {}, bs.map((b) => h('li', {}, link(`/staff/bookings/${enc(b.id)}`, fmtDateTime(b.start, ctx.tz))))),
        h('p', {}, 'You can move them first, or save and cancel them (the patients are told).'),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'danger', onclick: () => save(true) }, 'Save and cancel them'),
          h('button', { type: 'button', class: 'secondary', onclick: () => fill(problem) }, 'Do not save'))));
      focusOn($('#stranded'));
      return;
    }
    // "rules[2].end_time" -> the control of that row
    let first = null;
    for (const e of r.problem.errors) {
      const m = /^rules\[(\d+)\](?:\.(\w+))?/.exec(e.field);
      const el = m ? rows[Number(m[1])] : null;
      const c = el ? ($(`[name="${m[2] ?? 'start_time'}"]`, el) ?? $('[name="start_time"]', el)) : null;
      if (c) { setFieldError(c, sentence(e.message.replace(/rules\[\d+\]\.?/g, 'this line').replace(/_/g, ' '))); first ??= c; }
    }
    if (first) first.focus();
    else fill(problem, errorNote('The hours were not saved', r.problem.detail));
  }
}

// ---------------------------------------------------------------------------------
// undelivered mail

async function mailPage() {
  const note = h('div'), list = h('ul', { class: 'plain-list', id: 'mail-list' });
  const heading = frame('Undelivered mail', h('p', {}, 'Check the address, then send again.'), note, list);
  document.title = 'Undelivered mail · clinicd';
  const r = await api('GET', clinicPath('/notifications?limit=200'));
  if (!r.ok) fill(note, errorNote('Could not load', r.problem.detail));
  else if (!r.data.items.length) fill(note, h('p', {}, 'All delivered.'));
  else fill(list, r.data.items.map((n) => h('li', { 'data-notification': n.id },
    h('strong', {}, n.patient_name), ` <${n.recipient}>, ${n.kind.replace(/_/g, ' ')}: ${n.reason} `,
    h('button', { type: 'button', class: 'link', 'aria-label': `Send again to ${n.patient_name}`, onclick: async (e) => {
      const s = await api('POST', clinicPath(`/notifications/${n.id}/resend`), { body: {} });
      fill(note, s.ok ? h('p', { role: 'status' }, 'Queued again.') : errorNote('Not sent again', s.problem.detail));
      if (s.ok) e.target.parentNode.remove();
      focusOn(note.firstElementChild);
    } }, 'Send again'))));
  return heading;
}

// ---------------------------------------------------------------------------------
// services and practitioners (clinic admins)

function notYet(what) {
  return h('div', { class: 'note' }, h('p', {}, `${what} cannot be changed from this page yet. Please ask your clinicd contact to make the change.`));
}

const price = (s) => s.price ?? (s.price_cents !== undefined ? s.price_cents / 100 : null);

async function servicesPage() {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const heading = frame('Services and prices', body);
  document.title = 'Services · clinicd';
  const r = await api('GET', clinicPath('/services'));
  if (!r.ok) { fill(body, r.status === 404 || r.status === 405 ? notYet('Services') : errorNote('The services could not be loaded', r.problem.detail)); return heading; }
  const items = (r.data.items ?? []).filter((s) => s.active !== false);
  const editor = h('div', { id: 'service-editor' });
  fill(body,
    h('div', { class: 'panel table-wrap' }, h('table', { class: 'data-table', id: 'services-table' },
      h('caption', { class: 'visually-hidden' }, 'Services'),
      h('thead', {}, h('tr', {}, ['Service', 'Length', 'Price', 'Buffer before / after'].map((t) => h('th', { scope: 'col' }, t)), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Change')))),
      h('tbody', {}, items.map((s) => h('tr', {},
        h('td', {}, s.name), h('td', {}, fmtMinutes(s.duration_minutes)), h('td', {}, fmtMoney(price(s), s.currency)),
        h('td', {}, `${s.buffer_before_minutes ?? 0} / ${s.buffer_after_minutes ?? 0} min`),
        h('td', {}, h('button', { type: 'button', class: 'link', 'aria-label': `Change ${s.name}`, onclick: () => serviceForm(editor, s) }, 'Change'))))))),
    h('div', { class: 'actions' }, h('button', { type: 'button', id: 'new-service', onclick: () => serviceForm(editor, null) }, 'Add a service')),
    editor);
  return heading;
}

function serviceForm(box, s) {
  const problem = h('div');
  const form = h('form', { class: 'panel', id: 'service-form', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    const body = {
      name: $('#svc-name').value.trim(), duration_minutes: Number($('#svc-minutes').value), price: Number($('#svc-price').value),
      currency: $('#svc-currency').value.trim().toUpperCase() || 'USD',
      buffer_before_minutes: Number($('#svc-before').value || 0), buffer_after_minutes: Number($('#svc-after').value || 0),
    };
    if (!body.name) { setFieldError($('#svc-name'), 'Please give the service a name.'); $('#svc-name').focus(); return; }
    const r = await api(s ? 'PATCH' : 'POST', clinicPath(s ? `/services/${enc(s.id)}` : '/services'), { body });
    if (r.ok) { await servicesPage(); announce('The service is saved.'); focusOn($('#page-heading')); return; }
    const rest = showProblemErrors(r.problem, { name: { control: $('#svc-name') }, duration_minutes: { control: $('#svc-minutes') }, price: { control: $('#svc-price') },
      price_cents: { control: $('#svc-price') }, currency: { control: $('#svc-currency') }, buffer_before_minutes: { control: $('#svc-before') }, buffer_after_minutes: { control: $('#svc-after') } });
    if (rest.length || !r.problem.errors.length) fill(problem, errorNote('The service was not saved', r.problem.detail));
  } },
  h('h2', { id: 'svc-h' }, s ? `Change ${s.name}` : 'Add a service'),
  h('div', { class: 'grid-fields' },
    h('div', { class: 'field' }, h('label', { for: 'svc-name' }, 'Name'), h('input', { type: 'text', id: 'svc-name', value: s?.name ?? '' })),
    h('div', { class: 'field' }, h('label', { for: 'svc-minutes' }, 'Length'), h('select', { id: 'svc-minutes' }, [20, 30, 45, 60, 75, 90, 120].map((m) => h('option', { value: m, selected: (s?.duration_minutes ?? 60) === m }, fmtMinutes(m))))),
    h('div', { class: 'field' }, h('label', { for: 'svc-price' }, 'Price'), h('input', { type: 'number', id: 'svc-price', min: 0, step: '0.01', value: price(s ?? {}) ?? '' })),
    h('div', { class: 'field' }, h('label', { for: 'svc-currency' }, 'Currency'), h('input', { type: 'text', id: 'svc-currency', maxlength: 3, value: s?.currency ?? 'USD' })),
    h('div', { class: 'field' }, h('label', { for: 'svc-before' }, 'Buffer before (minutes)'), h('input', { type: 'number', id: 'svc-before', min: 0, step: 5, value: s?.buffer_before_minutes ?? 0 })),
    h('div', { class: 'field' }, h('label', { for: 'svc-after' }, 'Buffer after (minutes)'), h('input', { type: 'number', id: 'svc-after', min: 0, step: 5, value: s?.buffer_after_minutes ?? 0 }))),
  problem,
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save service'),
    s ? h('button', { type: 'button', class: 'danger', onclick: async () => {
      const r = await api('DELETE', clinicPath(`/services/${enc(s.id)}`));
      if (r.ok) { await servicesPage(); announce('The service is no longer offered.'); } else fill(problem, errorNote('The service was not removed', r.problem.detail));
    } }, 'Stop offering it') : null,
    h('button', { type: 'button', class: 'secondary', onclick: () => { fill(box); $('#new-service').focus(); } }, 'Close')));
  fill(box, form);
  focusOn($('#svc-h'));
}

async function practitionersPage() {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const heading = frame('Practitioners', body);
  document.title = 'Practitioners · clinicd';
  const r = await api('GET', clinicPath('/practitioners?limit=100'));
  if (!r.ok) {
    fill(body, r.status === 404 || r.status === 405 ? notYet('Practitioners') : errorNote('The practitioners could not be loaded', r.problem.detail),
      h('ul', { class: 'plain-list panel' }, ctx.practitioners.map((p) => h('li', {}, h('a', { href: `/practitioners/${enc(p.id)}` }, p.name), ` · ${p.profession?.name ?? ''}`))));
    return heading;
  }
  const items = (r.data.items ?? []).filter((p) => p.active !== false);
  const editor = h('div', { id: 'practitioner-editor' });
  fill(body,
    h('div', { class: 'panel table-wrap' }, h('table', { class: 'data-table' },
      h('caption', { class: 'visually-hidden' }, 'Practitioners'),
      h('thead', {}, h('tr', {}, ['Name', 'Profession', 'New patients'].map((t) => h('th', { scope: 'col' }, t)), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Change')))),
      h('tbody', {}, items.map((p) => h('tr', {},
        h('td', {}, h('a', { href: `/practitioners/${enc(p.id)}` }, p.name)),
        h('td', {}, p.profession?.name ?? p.profession ?? ''),
        h('td', {}, p.accepting_new === false ? 'No' : 'Yes'),
        h('td', {}, h('button', { type: 'button', class: 'link', 'aria-label': `Change ${p.name}`, onclick: () => practitionerForm(editor, p) }, 'Change'))))))),
    h('div', { class: 'actions' }, h('button', { type: 'button', id: 'new-practitioner', onclick: () => practitionerForm(editor, null) }, 'Add a practitioner')),
    editor);
  return heading;
}

async function practitionerForm(box, p) {
  const vocab = await loadVocabulary();
  const sv = await api('GET', clinicPath('/services'));
  const services = sv.ok ? (sv.data.items ?? []).filter((s) => s.active !== false) : [];
  const slugs = (xs) => (xs ?? []).map((x) => (typeof x === 'string' ? x : x.slug));
  const has = (list, v) => list.includes(v);
  const tech = slugs(p?.techniques), cond = slugs(p?.conditions);
  const svcIds = p?.service_ids ?? (p?.services ?? []).map((s) => s.id);
  const locIds = p?.location_ids ?? (p?.locations ?? []).map((l) => l.id);
  const checks = (name, items, chosen, label) => h('fieldset', {}, h('legend', {}, label),
    h('div', { class: 'grid-fields' }, items.map((x) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name, value: x.value, checked: has(chosen, x.value) }), x.label))));
  const problem = h('div');
  const form = h('form', { class: 'panel', id: 'practitioner-form', novalidate: true, onsubmit: async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    const vals = (name) => $$(`input[name="${name}"]:checked`, form).map((i) => i.value);
    const body = {
      name: $('#pr-name').value.trim(), profession: $('#pr-profession').value, credentials: $('#pr-credentials').value.trim(),
      bio: $('#pr-bio').value.trim(),
      languages: $('#pr-languages').value.split(/[\s,]+/).filter(Boolean).map((x) => x.toLowerCase()),
      accepting_new: $('#pr-new').checked, home_visits: $('#pr-home').checked, sliding_scale: $('#pr-sliding').checked,
      techniques: vals('techniques'), conditions: vals('conditions'), service_ids: vals('service_ids'), location_ids: vals('location_ids'),
    };
    if (!body.name) { setFieldError($('#pr-name'), 'Please give a name.'); $('#pr-name').focus(); return; }
    for (const k of ['credentials', 'bio']) if (!body[k]) delete body[k];
    const r = await api(p ? 'PATCH' : 'POST', clinicPath(p ? `/practitioners/${enc(p.id)}` : '/practitioners'), { body });
    if (r.ok) { await loadClinic(); await practitionersPage(); announce('Saved.'); focusOn($('#page-heading')); return; }
    const rest = showProblemErrors(r.problem, { name: { control: $('#pr-name') }, profession: { control: $('#pr-profession') }, credentials: { control: $('#pr-credentials') },
      bio: { control: $('#pr-bio') }, languages: { control: $('#pr-languages') }, techniques: { control: $('#pr-techniques') }, conditions: { control: $('#pr-conditions') } });
    if (rest.length || !r.problem.errors.length) fill(problem, errorNote('The practitioner was not saved', r.problem.detail));
  } },
  h('h2', { id: 'pr-h' }, p ? `Change ${p.name}` : 'Add a practitioner'),
  h('div', { class: 'grid-fields' },
    h('div', { class: 'field' }, h('label', { for: 'pr-name' }, 'Name'), h('input', { type: 'text', id: 'pr-name', value: p?.name ?? '' })),
    h('div', { class: 'field' }, h('label', { for: 'pr-profession' }, 'Profession'), h('select', { id: 'pr-profession' }, vocab.professions.map((x) => h('option', { value: x.slug, selected: (p?.profession?.slug ?? p?.profession) === x.slug }, x.name)))),
    h('div', { class: 'field' }, h('label', { for: 'pr-credentials' }, 'Credentials'), h('input', { type: 'text', id: 'pr-credentials', value: p?.credentials ?? '' })),
    h('div', { class: 'field' }, h('label', { for: 'pr-languages' }, 'Languages'), h('span', { class: 'hint', id: 'pr-lang-hint' }, 'Two-letter codes, such as en, es'), h('input', { type: 'text', id: 'pr-languages', 'aria-describedby': 'pr-lang-hint', value: (p?.languages ?? ['en']).join(', ') }))),
  h('div', { class: 'field' }, h('label', { for: 'pr-bio' }, 'About (shown to patients)'), h('textarea', { id: 'pr-bio', rows: 5 }, p?.bio ?? '')),
  h('fieldset', {}, h('legend', {}, 'Bookings'),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', id: 'pr-new', checked: p?.accepting_new ?? true }), 'Takes new patients'),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', id: 'pr-home', checked: p?.home_visits ?? false }), 'Does home visits'),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', id: 'pr-sliding', checked: p?.sliding_scale ?? false }), 'Offers sliding-scale fees')),
  h('div', { id: 'pr-techniques', tabindex: '-1' }, checks('techniques', vocab.techniques.map((t) => ({ value: t.slug, label: t.name })), tech, 'Techniques')),
  h('div', { id: 'pr-conditions', tabindex: '-1' }, checks('conditions', vocab.conditions.map((c) => ({ value: c.slug, label: c.name })), cond, 'Helps people with')),
  services.length ? checks('service_ids', services.map((s) => ({ value: s.id, label: `${s.name} (${fmtMinutes(s.duration_minutes)})` })), svcIds, 'Services offered') : null,
  ctx.locations.length ? checks('location_ids', ctx.locations.map((l) => ({ value: l.id, label: l.name ?? l.city })), locIds, 'Works at') : null,
  problem,
  h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save practitioner'),
    p ? h('button', { type: 'button', class: 'danger', onclick: async () => {
      const r = await api('DELETE', clinicPath(`/practitioners/${enc(p.id)}`));
      if (r.ok) { await loadClinic(); await practitionersPage(); announce('The practitioner no longer takes bookings.'); } else fill(problem, errorNote('Not removed', r.problem.detail));
    } }, 'Stop taking bookings') : null,
    h('button', { type: 'button', class: 'secondary', onclick: () => { fill(box); $('#new-practitioner').focus(); } }, 'Close')));
  fill(box, form);
  focusOn($('#pr-h'));
}

// ---------------------------------------------------------------------------------

enter(false);
