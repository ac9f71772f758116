// Free times of one practitioner's service, shown a week at a time in the
// practitioner's time zone. Used by the profile (to book) and the manage page (to move).
import {
  h, fill, api, query, fmtDay, fmtTime, zoneName, ymdIn, addDays, mondayOf, noon, focusOn, announce,
  LOCALE,
} from './lib.js';

const SHOWN = 8; // times shown per day before "show all"
const LOOKAHEAD = 56; // days searched for the first free time

/**
 * Renders into box. opts:
 *   practitionerId, serviceId, tz (the practitioner's zone)
 *   week:    a Monday (YYYY-MM-DD) to start at, or null for the first week with a free time
 *   linkFor: slot -> URL (each time is a link), or
 *   onPick:  slot -> void (each time is a button)
 *   onWeek:  monday -> void, told when the week shown changes
 *   selected: a slot start to show as chosen
 *   headingLevel: 'h3' by default
 */
export function slotPicker(box, opts) {
  const tz = opts.tz;
  const today = ymdIn(new Date(), tz);
  const thisMonday = mondayOf(today);
  const cache = new Map(); // monday -> slots
  let week = opts.week && opts.week >= thisMonday ? mondayOf(opts.week) : null;
  let seq = 0;
  const H = opts.headingLevel ?? 'h3';

  async function fetchRange(from, to) {
    const r = await api('GET', `/api/v1/practitioners/${encodeURIComponent(opts.practitionerId)}/availability${query({ service: opts.serviceId, from, to })}`);
    if (!r.ok) throw r.problem;
    return r.data.slots ?? [];
  }

  async function weekSlots(monday) {
    if (!cache.has(monday)) {
      const from = monday < today ? today : monday;
      const slots = await fetchRange(from, addDays(monday, 6));
      cache.set(monday, slots);
    }
    return cache.get(monday);
  }

  async function firstWeek() {
    const slots = await fetchRange(today, addDays(today, LOOKAHEAD - 1));
    if (!slots.length) return null;
    // fill the cache for the weeks covered
    for (const s of slots) {
      const m = mondayOf(ymdIn(s.start, tz));
      if (!cache.has(m)) cache.set(m, []);
      cache.get(m).push(s);
    }
    const last = mondayOf(addDays(today, LOOKAHEAD - 1));
    for (let m = thisMonday; m < last; m = addDays(m, 7)) if (!cache.has(m)) cache.set(m, []);
    return mondayOf(ymdIn(slots[0].start, tz));
  }

  function timeControl(s) {
    const label = `${fmtDay(s.start, tz)} at ${fmtTime(s.start, tz)}`;
    const chosen = opts.selected && Date.parse(opts.selected) === Date.parse(s.start);
    if (opts.linkFor) {
      return h('a', { class: 'button', href: opts.linkFor(s), 'aria-label': `Book ${label}` }, fmtTime(s.start, tz));
    }
    return h('button', { type: 'button', class: 'secondary', 'aria-pressed': chosen ? 'true' : 'false', 'aria-label': label,
      onclick: (e) => {
        for (const b of box.querySelectorAll('.times button[aria-pressed]')) b.setAttribute('aria-pressed', 'false');
        e.currentTarget.setAttribute('aria-pressed', 'true');
        opts.onPick(s);
      } }, fmtTime(s.start, tz));
  }

  function dayBlock(ymd, slots) {
    const headingId = `day-${ymd}`;
    const list = h('ul', { class: 'times', 'aria-labelledby': headingId });
    const show = (n) => fill(list, slots.slice(0, n).map((s) => h('li', {}, timeControl(s))));
    show(SHOWN);
    const more = slots.length > SHOWN ? h('button', { type: 'button', class: 'link', 'aria-expanded': 'false',
      onclick: (e) => {
        const open = e.currentTarget.getAttribute('aria-expanded') === 'true';
        show(open ? SHOWN : slots.length);
        e.currentTarget.setAttribute('aria-expanded', String(!open));
        e.currentTarget.textContent = open ? `Show all ${slots.length} times` : 'Show fewer times';
      } }, `Show all ${slots.length} times`) : null;
    return h('div', { class: 'day', 'data-day': ymd },
      h('h4', { id: headingId }, fmtDay(noon(ymd), 'UTC')),
      slots.length ? [list, more] : h('p', { class: 'none' }, 'No free times'));
  }

  async function render(moveFocus) {
    const my = ++seq;
    fill(box, h('p', { class: 'muted', role: 'status' }, 'Looking for free times…'));
    let slots;
    try {
      if (!week) week = (await firstWeek()) ?? thisMonday;
      slots = await weekSlots(week);
    } catch (problem) {
      if (my !== seq) return;
      fill(box, h('div', { class: 'note error', role: 'alert' }, h('p', {}, 'We could not load the free times. Please try again in a moment.'),
        h('button', { type: 'button', class: 'secondary', onclick: () => render(true) }, 'Try again')));
      return;
    }
    if (my !== seq) return;
    opts.onWeek?.(week);
    const days = [];
    for (let i = 0; i < 7; i++) {
      const d = addDays(week, i);
      if (d < today) continue;
      days.push(dayBlock(d, slots.filter((s) => ymdIn(s.start, tz) === d)));
    }
    const heading = h(H, { id: 'week-heading' }, `Week of ${new Intl.DateTimeFormat(LOCALE, { timeZone: 'UTC', month: 'long', day: 'numeric' }).format(noon(week))}`);
    const prev = h('button', { type: 'button', class: 'secondary', id: 'prev-week', disabled: week <= thisMonday,
      onclick: () => { week = addDays(week, -7); render('prev-week'); } }, '← Earlier week');
    const next = h('button', { type: 'button', class: 'secondary', id: 'next-week',
      onclick: () => { week = addDays(week, 7); render('next-week'); } }, 'Next week →');
    const none = !slots.length;
    fill(box,
      h('div', { class: 'week-nav' }, prev, heading, next),
      h('p', { class: 'muted small' }, `Times are in ${zoneName(tz, noon(week))}, where the practitioner works.`),
      none ? h('div', { class: 'note' }, h('p', {}, 'No free times this week. Try the next week.')) : null,
      h('div', { class: 'days' }, days));
    announce(`${heading.textContent}: ${none ? 'no free times.' : `${slots.length} free times.`}`);
    const again = typeof moveFocus === 'string' ? box.querySelector(`#${moveFocus}`) : null;
    if (again && !again.disabled) again.focus();
    else if (moveFocus) focusOn(heading);
  }

  render(false);
  return { reload: () => { cache.clear(); render(false); } };
}
