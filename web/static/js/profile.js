// A practitioner's public profile: who they are, what they offer and at what price,
// where, and their free times week by week for the chosen service (step 1 of booking).
import {
  h, $, fill, api, query, fmtMoney, fmtMinutes, initials, errorNote, isYmd, telLink, callClinic,
} from './lib.js';
import { slotPicker } from './slots.js';

const app = $('#app');
const id = decodeURIComponent(location.pathname.split('/')[2] ?? '');
const url = new URLSearchParams(location.search);

function languageName(code) {
  try { return new Intl.DisplayNames(['en'], { type: 'language' }).of(code); } catch { return code; }
}

/** The search the person came from (the pages send no referrer). */
function lastSearch() {
  try {
    const s = sessionStorage.getItem('clinicd.lastSearch');
    return s && s.startsWith('/?') ? s : '/';
  } catch { return '/'; }
}

function section(title, ...content) {
  const hid = `h-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return h('section', { class: 'panel', 'aria-labelledby': hid }, h('h2', { id: hid }, title), ...content);
}

function locationText(l) {
  return [l.address, [l.city, l.region].filter(Boolean).join(', '), l.postcode].filter(Boolean).join(', ');
}

(async function start() {
  const r = await api('GET', `/api/v1/practitioners/${encodeURIComponent(id)}`);
  if (!r.ok) {
    document.title = 'Practitioner not found · clinicd';
    fill(app, h('h1', {}, r.status === 404 ? 'We could not find this practitioner' : 'This page could not be loaded'),
      errorNote(r.status === 404 ? 'The link may be old, or the practitioner no longer takes bookings here.' : (r.problem.detail || 'Please try again in a moment.')),
      h('p', {}, h('a', { href: '/' }, 'Search for another practitioner')));
    return;
  }
  const p = r.data;
  document.title = `${p.name}, ${p.profession?.name ?? 'practitioner'} · clinicd`;
  const tz = p.location?.timezone ?? p.locations?.[0]?.timezone ?? 'UTC';
  const services = p.services ?? [];
  let serviceId = services.some((s) => s.id === url.get('service')) ? url.get('service') : services[0]?.id;
  const week = isYmd(url.get('week')) ? url.get('week') : null;

  const wheelchair = (p.locations ?? []).some((l) => l.wheelchair_accessible);
  const head = h('div', { class: 'panel profile-head' },
    h('div', { class: 'who-line' },
      h('div', { class: 'avatar', 'aria-hidden': 'true' }, initials(p.name)),
      h('div', {},
        h('h1', {}, p.name),
        h('p', { class: 'muted', id: 'profile-sub' }, [p.profession?.name, p.credentials].filter(Boolean).join(', '),
          p.clinic?.name ? ` · ${p.clinic.name}` : ''),
        telLink(p.clinic_phone) ? h('p', { id: 'clinic-phone' }, 'Clinic phone: ', telLink(p.clinic_phone)) : null,
        h('ul', { class: 'badges', 'aria-label': 'At a glance' },
          h('li', { class: p.accepting_new ? 'badge' : 'badge plain' }, p.accepting_new ? 'Taking new patients' : 'Not taking new patients'),
          p.home_visits ? h('li', { class: 'badge' }, 'Home visits') : null,
          wheelchair ? h('li', { class: 'badge' }, 'Wheelchair accessible') : null,
          p.sliding_scale ? h('li', { class: 'badge' }, 'Sliding-scale fees') : null))),
    h('div', { class: 'head-actions' },
      services.length ? h('a', { class: 'button', href: '#book' }, 'See free times and book') : null,
      h('a', { href: lastSearch() }, '← Back to the search')));

  const about = h('div', {},
    p.bio ? section('About', h('p', {}, p.bio)) : null,
    section('Techniques', h('ul', { class: 'tag-list' }, (p.technique_names ?? []).map((t) => h('li', { class: 'badge plain' }, t.name)))),
    (p.conditions ?? []).length ? section('Helps people with', h('ul', { class: 'tag-list' }, p.conditions.map((c) => h('li', { class: 'badge plain' }, c.name)))) : null,
    (p.languages ?? []).length ? section('Languages', h('p', {}, p.languages.map(languageName).join(', '))) : null,
    section('Where', h('ul', { class: 'plain-list' }, (p.locations ?? []).map((l) => h('li', {},
      h('strong', {}, l.name ?? l.city), h('br'), locationText(l),
      l.wheelchair_accessible ? h('span', { class: 'muted' }, h('br'), 'Wheelchair-accessible rooms') : null)))));

  const slotBox = h('div', { id: 'slots' });
  const serviceList = h('fieldset', { class: 'service-choice' },
    h('legend', {}, 'Which session?'),
    services.map((s) => h('div', { class: 'choice-card' }, h('label', { class: 'radio' },
      h('input', { type: 'radio', name: 'service', value: s.id, checked: s.id === serviceId,
        onchange: () => { serviceId = s.id; remember(null); showSlots(null); } }),
      h('span', { class: 'name' }, h('strong', {}, s.name), h('span', { class: 'muted small' }, fmtMinutes(s.duration_minutes))),
      h('span', { class: 'price' }, fmtMoney(s.price, s.currency))))));
  const booking = h('section', { class: 'panel', 'aria-labelledby': 'book-heading', id: 'book' },
    h('h2', { id: 'book-heading' }, 'Book a session'),
    h('p', { class: 'muted' }, 'Step 1 of 3: choose a session and a time. Next you give your details, then you check and confirm.'),
    services.length ? [serviceList, slotBox,
      p.cancellation_notice_hours === undefined ? null : h('p', { class: 'muted small', id: 'notice-rule' },
        `A booking can be moved or cancelled online until ${p.cancellation_notice_hours} hours before it starts; after that, `, callClinic(p.clinic_phone), '.')]
      : h('p', {}, 'This practitioner has no sessions to book online. Please ', callClinic(p.clinic_phone, 'call the clinic'), '.'));

  fill(app, head, h('div', { class: 'two-col' }, about, booking));

  function remember(monday) {
    const q = query({ service: serviceId !== services[0]?.id ? serviceId : null, week: monday });
    history.replaceState(null, '', location.pathname + q);
  }

  function showSlots(monday) {
    if (!serviceId) return;
    slotPicker(slotBox, {
      practitionerId: p.id, serviceId, tz, week: monday,
      headingLevel: 'h3',
      linkFor: (s) => `/book${query({ practitioner: p.id, service: serviceId, start: s.start })}`,
      onWeek: (m) => remember(m),
    });
  }
  showSlots(week);
})();
