// The search page: a place box with suggestions, filters kept in the URL's query (so a
// search can be shared), results with distance, price and next free time, and a map.
import {
  h, $, fill, api, query, loadVocabulary, setFieldError, clearFieldErrors, announce, focusOn,
  fmtDistance, fmtMoney, fmtDayShort, fmtTime, errorNote,
} from './lib.js';

const form = $('#search-form');
const place = $('#place');
const list = $('#place-list');
const results = $('#results');

// filters the URL may carry; everything else in it is ignored
const FILTERS = ['technique', 'condition', 'profession', 'radius_km', 'max_price', 'session_minutes',
  'language', 'accepting_new', 'home_visits', 'wheelchair_accessible', 'sort'];
const COORDS = /^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$/;

let vocab = { techniques: [], professions: [], conditions: [] };
let coords = null; // "lat,lon" when "use my location" chose the place
let lastItems = [];
let nextCursor = null;
let currentParams = null;

// ---------------------------------------------------------------------------------
// the form <-> the URL

function paramsFromUrl() {
  const u = new URLSearchParams(location.search);
  const p = {};
  if (u.get('near')) p.near = u.get('near');
  for (const k of FILTERS) if (u.get(k)) p[k] = u.get(k);
  return p;
}

function paramsFromForm() {
  const p = {};
  const near = coords ?? place.value.trim();
  if (near) p.near = near;
  for (const id of ['technique', 'condition', 'profession', 'max_price', 'session_minutes', 'language']) {
    const v = $(`#${id}`).value.trim();
    if (v) p[id] = v;
  }
  const r = $('#radius').value;
  if (r && r !== '25') p.radius_km = r;
  for (const id of ['accepting_new', 'home_visits', 'wheelchair_accessible']) if ($(`#${id}`).checked) p[id] = 'true';
  const sort = $('#sort')?.value;
  if (sort && sort !== 'distance') p.sort = sort;
  return p;
}

function formFromParams(p) {
  coords = null;
  if (p.near && COORDS.test(p.near)) {
    coords = p.near;
    place.value = 'My location';
  } else place.value = p.near ?? '';
  selectsFromParams(p);
  $('#radius').value = p.radius_km ?? '25';
  if (!$('#radius').value) {
    $('#radius').append(h('option', { value: p.radius_km }, `Up to ${p.radius_km} km`));
    $('#radius').value = p.radius_km;
  }
  $('#max_price').value = p.max_price ?? '';
  $('#session_minutes').value = p.session_minutes ?? '';
  for (const id of ['accepting_new', 'home_visits', 'wheelchair_accessible']) $(`#${id}`).checked = p[id] === 'true';
  const more = ['profession', 'radius_km', 'max_price', 'session_minutes', 'language', 'accepting_new', 'home_visits', 'wheelchair_accessible'];
  if (more.some((k) => p[k])) $('#more-filters').open = true;
}

// The selects filled from the vocabulary (their options come after the page).
function selectsFromParams(p) {
  const hasSearch = Object.keys(p).length > 0;
  $('#technique').value = p.technique ?? (hasSearch ? '' : 'myofascial-release');
  if (p.technique && $('#technique').value !== p.technique) {
    // an alias such as "MFR" in a shared link: show the technique it stands for
    const t = vocab.techniques.find((x) => [x.slug, x.name, ...(x.aliases ?? [])].some((a) => a.toLowerCase() === p.technique.toLowerCase()));
    if (t) $('#technique').value = t.slug;
  }
  $('#condition').value = p.condition ?? '';
  $('#profession').value = p.profession ?? '';
  $('#language').value = p.language ?? '';
}

// ---------------------------------------------------------------------------------
// vocabulary into the selects

function fillSelect(sel, items, label) {
  const keep = sel.value;
  sel.replaceChildren(h('option', { value: '' }, label),
    ...items.map((x) => h('option', { value: x.slug }, x.slug === 'myofascial-release' ? `${x.name} (MFR)` : x.name)));
  sel.value = keep;
}

const LANGS = ['en', 'es', 'zh', 'de', 'fr', 'pt', 'ru', 'pl', 'vi', 'it', 'ko', 'tl', 'el', 'tr', 'sv', 'ur', 'ar', 'hi', 'ja'];
function languageName(code) {
  try { return new Intl.DisplayNames(['en'], { type: 'language' }).of(code); } catch { return code; }
}

// ---------------------------------------------------------------------------------
// place suggestions (an ARIA 1.2 combobox)

let suggestTimer = null;
let suggestSeq = 0;
let options = [];
let active = -1;

function closeList() {
  list.hidden = true;
  place.setAttribute('aria-expanded', 'false');
  place.removeAttribute('aria-activedescendant');
  active = -1;
}

function setActive(i) {
  const opts = [...list.children];
  opts.forEach((o, k) => o.setAttribute('aria-selected', String(k === i)));
  active = i;
  if (i >= 0 && opts[i]) {
    place.setAttribute('aria-activedescendant', opts[i].id);
    opts[i].scrollIntoView({ block: 'nearest' });
  } else place.removeAttribute('aria-activedescendant');
}

function choose(i) {
  const o = options[i];
  if (!o) return;
  place.value = o.postcode ? `${o.postcode}` : [o.name, o.region, o.country].filter(Boolean).join(', ');
  coords = null;
  closeList();
}

async function suggest() {
  const q = place.value.trim();
  if (q.length < 2 || coords) { closeList(); return; }
  const seq = ++suggestSeq;
  const r = await api('GET', `/api/v1/places${query({ q, limit: 8 })}`);
  if (seq !== suggestSeq || !r.ok) return;
  options = r.data.items ?? [];
  if (!options.length || document.activeElement !== place) { closeList(); return; }
  fill(list, options.map((o, i) => h('li', { id: `place-opt-${i}`, role: 'option', 'aria-selected': 'false',
    onmousedown: (e) => { e.preventDefault(); choose(i); } },
  o.postcode ? `${o.postcode} ` : '', o.name,
  h('span', { class: 'muted' }, `, ${[o.region_name || o.region, o.country_name || o.country].filter(Boolean).join(', ')}`))));
  list.hidden = false;
  place.setAttribute('aria-expanded', 'true');
  active = -1;
}

place.addEventListener('input', () => {
  coords = null;
  clearFieldErrors(form);
  clearTimeout(suggestTimer);
  suggestTimer = setTimeout(suggest, 180);
});
place.addEventListener('keydown', (e) => {
  const open = !list.hidden;
  if (e.key === 'ArrowDown') {
    e.preventDefault();
    if (!open) { suggest(); return; }
    setActive(Math.min(active + 1, options.length - 1));
  } else if (e.key === 'ArrowUp' && open) {
    e.preventDefault();
    setActive(Math.max(active - 1, 0));
  } else if (e.key === 'Enter' && open && active >= 0) {
    e.preventDefault();
    choose(active);
  } else if (e.key === 'Escape' && open) {
    e.preventDefault();
    closeList();
  }
});
place.addEventListener('blur', () => setTimeout(closeList, 120));
place.addEventListener('focus', () => { if (coords) place.select(); });

$('#locate').addEventListener('click', () => {
  clearFieldErrors(form);
  if (!navigator.geolocation) {
    setFieldError(place, 'Your browser cannot tell us where you are. Please type a town or ZIP code.');
    return;
  }
  const btn = $('#locate');
  btn.setAttribute('aria-busy', 'true');
  announce('Finding your location…');
  navigator.geolocation.getCurrentPosition((pos) => {
    btn.removeAttribute('aria-busy');
    coords = `${pos.coords.latitude.toFixed(3)},${pos.coords.longitude.toFixed(3)}`;
    place.value = 'My location';
    runFromForm();
  }, () => {
    btn.removeAttribute('aria-busy');
    setFieldError(place, 'We could not get your location. You can type a town or ZIP code instead.');
  }, { maximumAge: 600000, timeout: 15000 });
});

// ---------------------------------------------------------------------------------
// searching

form.addEventListener('submit', (e) => {
  e.preventDefault();
  closeList();
  runFromForm();
});

function runFromForm() {
  clearFieldErrors(form);
  const p = paramsFromForm();
  if (!p.near) {
    setFieldError(place, 'Please tell us where you are: a town, city or ZIP code, or use your location.');
    place.focus();
    return;
  }
  const url = `/${query(p)}`;
  if (url !== location.pathname + location.search) history.pushState(null, '', url);
  run(p, true);
}

window.addEventListener('popstate', () => {
  const p = paramsFromUrl();
  formFromParams(p);
  if (p.near) run(p, false);
  else results.replaceChildren();
});

const FIELD_CONTROLS = () => ({
  near: { control: place, message: 'We could not find that place. Please check the spelling, or try a nearby town or a ZIP code.' },
  radius_km: { control: $('#radius') },
  technique: { control: $('#technique') },
  condition: { control: $('#condition') },
  profession: { control: $('#profession') },
  max_price: { control: $('#max_price'), message: 'Please enter a whole amount, such as 80, or leave it empty.' },
  session_minutes: { control: $('#session_minutes') },
  language: { control: $('#language') },
});

async function run(p, moveFocus) {
  currentParams = p;
  document.body.classList.add('searched');
  fill(results, h('p', { class: 'muted', role: 'status' }, 'Looking for practitioners…'));
  const r = await api('GET', `/api/v1/practitioners${query({ ...p, limit: 10 })}`);
  if (currentParams !== p) return;
  if (!r.ok) {
    const rest = showProblemErrorsHere(r.problem);
    fill(results, rest.length || !r.problem.errors.length
      ? errorNote('The search did not work', r.problem.detail || 'Please check your choices and try again.') : null);
    return;
  }
  lastItems = r.data.items;
  nextCursor = r.data.next_cursor;
  try { sessionStorage.setItem('clinicd.lastSearch', `/${query(p)}`); } catch { /* private mode */ }
  render(p, moveFocus);
}

function showProblemErrorsHere(problem) {
  const fields = FIELD_CONTROLS();
  const rest = [];
  for (const e of problem.errors) {
    const f = fields[e.field];
    if (f) {
      if (f.control.closest('details')) f.control.closest('details').open = true;
      setFieldError(f.control, f.message ?? e.message);
    } else rest.push(e);
  }
  const first = problem.errors.map((e) => fields[e.field]?.control).find(Boolean);
  if (first) first.focus();
  return rest;
}

function placeLabel(p) {
  if (coords && p.near === coords) return 'your location';
  return p.near;
}

function render(p, moveFocus) {
  const n = lastItems.length;
  const radius = Number(p.radius_km ?? 25);
  if (!n) {
    const wider = [10, 25, 50, 100, 250, 500].find((x) => x > radius);
    const heading = h('h2', { id: 'results-heading' }, 'No practitioners found yet');
    fill(results, h('section', { class: 'panel empty', 'aria-labelledby': 'results-heading' },
      heading,
      h('p', {}, `Nobody matches all your choices within ${radius} km of ${placeLabel(p)}.`),
      h('p', {}, wider ? 'Many people travel a little further for the right practitioner. You can widen the search:' :
        'You could remove a filter, such as the technique or the condition.'),
      h('div', { class: 'actions' },
        wider ? h('button', { type: 'button', id: 'widen', onclick: () => { $('#radius').value = String(wider); if (!$('#radius').value) $('#radius').append(h('option', { value: wider, selected: true }, `Up to ${wider} km`)); runFromForm(); } },
          `Search within ${wider} km (${Math.round(wider / 1.609)} mi)`) : null,
        hasExtraFilters(p) ? h('button', { type: 'button', class: 'secondary', onclick: clearFilters }, 'Remove the other filters') : null)));
    announce('No practitioners found. You can widen the search.');
    if (moveFocus) focusOn(heading);
    return;
  }
  const heading = h('h2', { id: 'results-heading' }, `${n}${nextCursor ? '+' : ''} practitioner${n === 1 ? '' : 's'} near ${placeLabel(p)}`);
  const sort = h('select', { id: 'sort', name: 'sort', onchange: () => runFromForm() },
    h('option', { value: 'distance' }, 'Nearest first'),
    h('option', { value: 'next_available' }, 'Soonest free time first'),
    h('option', { value: 'name' }, 'By name'));
  sort.value = p.sort ?? 'distance';
  const listEl = h('ol', { class: 'result-list', id: 'result-list' }, lastItems.map((it, i) => resultItem(it, i)));
  const more = nextCursor ? h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', id: 'more', onclick: loadMore }, 'Show more practitioners')) : null;
  const mapBox = h('div', { class: 'map', id: 'map', role: 'region', 'aria-label': 'Map of the practitioners found (the list has the same information)' });
  const caption = h('p', { class: 'map-caption', id: 'map-caption' }, 'Numbers on the map match the numbers in the list.');
  fill(results, h('section', { 'aria-labelledby': 'results-heading' },
    h('div', { class: 'results-head' }, heading,
      h('div', { class: 'field' }, h('label', { for: 'sort', class: 'visually-hidden' }, 'Order'), sort)),
    h('div', { class: 'results-layout' },
      h('div', { class: 'map-col' }, mapBox, caption),
      h('div', {}, listEl, more))));
  announce(`${n} practitioners found.`);
  if (moveFocus) focusOn(heading);
  drawMap(mapBox, caption);
}

function hasExtraFilters(p) {
  return FILTERS.some((k) => k !== 'radius_km' && k !== 'sort' && p[k]);
}

function clearFilters() {
  for (const id of ['technique', 'condition', 'profession', 'max_price', 'session_minutes', 'language']) $(`#${id}`).value = '';
  for (const id of ['accepting_new', 'home_visits', 'wheelchair_accessible']) $(`#${id}`).checked = false;
  runFromForm();
}

async function loadMore() {
  const btn = $('#more');
  btn.setAttribute('aria-busy', 'true');
  const r = await api('GET', `/api/v1/practitioners${query({ ...currentParams, limit: 10, cursor: nextCursor })}`);
  btn.removeAttribute('aria-busy');
  if (!r.ok) return;
  const start = lastItems.length;
  lastItems = lastItems.concat(r.data.items);
  nextCursor = r.data.next_cursor;
  const listEl = $('#result-list');
  r.data.items.forEach((it, k) => listEl.append(resultItem(it, start + k)));
  if (!nextCursor) btn.parentElement.remove();
  const first = listEl.children[start]?.querySelector('h3 a');
  if (first) first.focus();
  announce(`${r.data.items.length} more practitioners shown.`);
  drawMap($('#map'), $('#map-caption'));
}

function techniqueName(slug) {
  const t = vocab.techniques.find((x) => x.slug === slug);
  return t ? t.name : slug;
}

function resultItem(it, i) {
  const tz = it.location?.timezone ?? 'UTC';
  const where = [it.location?.address, it.location?.city].filter(Boolean).join(', ');
  const next = it.next_available
    ? h('span', { class: 'next-time' }, `${fmtDayShort(it.next_available, tz)}, ${fmtTime(it.next_available, tz)}`)
    : h('span', {}, 'No free time in the next 2 months');
  const url = `/practitioners/${encodeURIComponent(it.id)}`;
  const headingId = `r-${it.id}`;
  return h('li', { class: 'result', id: `result-${i + 1}` },
    h('span', { class: 'num', 'aria-hidden': 'true' }, String(i + 1)),
    h('div', { class: 'body' },
      h('h3', { id: headingId }, h('a', { href: url }, it.name)),
      h('p', { class: 'who' }, [it.profession?.name, it.clinic?.name].filter(Boolean).join(' · ')),
      h('ul', { class: 'facts' },
        it.distance_km !== null && it.distance_km !== undefined ? h('li', {}, h('strong', {}, fmtDistance(it.distance_km))) : null,
        where ? h('li', {}, where) : null,
        it.price_from !== null && it.price_from !== undefined ? h('li', {}, 'From ', h('strong', {}, fmtMoney(it.price_from, it.currency))) : null,
        h('li', {}, 'Next free time: ', next)),
      (it.techniques ?? []).length ? h('p', { class: 'techniques' }, (it.techniques ?? []).map(techniqueName).join(' · ')) : null,
      h('ul', { class: 'badges', 'aria-label': 'About this practitioner' },
        it.accepting_new ? h('li', { class: 'badge' }, 'Taking new patients') : h('li', { class: 'badge plain' }, 'Not taking new patients'),
        it.home_visits ? h('li', { class: 'badge' }, 'Home visits') : null,
        it.location?.wheelchair_accessible ? h('li', { class: 'badge' }, 'Wheelchair accessible') : null,
        it.sliding_scale ? h('li', { class: 'badge' }, 'Sliding-scale fees') : null),
      h('div', { class: 'actions' }, h('a', { class: 'button', href: url, 'aria-describedby': headingId }, 'See free times'))));
}

// ---------------------------------------------------------------------------------
// the map (Leaflet, loaded only when there is something to show)

let leaflet = null;
let map = null;
let markers = null;
let tileUrl;

function loadLeaflet() {
  if (!leaflet) {
    leaflet = new Promise((resolve, reject) => {
      const s = h('script', { src: '/static/vendor/leaflet/leaflet.js' });
      s.addEventListener('load', () => resolve(window.L));
      s.addEventListener('error', reject);
      document.head.append(s);
    });
  }
  return leaflet;
}

async function webConfig() {
  if (tileUrl === undefined) {
    const r = await api('GET', '/web-config.json');
    tileUrl = r.ok && typeof r.data?.map_tile_url === 'string' ? r.data.map_tile_url : null;
  }
  return tileUrl;
}

async function drawMap(box, caption) {
  const located = lastItems.filter((it) => Number.isFinite(it.location?.lat) && Number.isFinite(it.location?.lon));
  if (!located.length) { box.hidden = true; caption.hidden = true; return; }
  let L;
  try { [L] = await Promise.all([loadLeaflet(), webConfig()]); } catch { box.hidden = true; caption.hidden = true; return; }
  if (!box.isConnected) return;
  if (map && map.getContainer() !== box) { map.remove(); map = null; }
  if (!map) {
    map = L.map(box, { keyboard: false, scrollWheelZoom: false, attributionControl: true, zoomSnap: 0.5 });
    if (tileUrl) {
      let failed = 0;
      const layer = L.tileLayer(tileUrl, { maxZoom: 18, attribution: '&copy; OpenStreetMap contributors', crossOrigin: false });
      layer.on('tileerror', (e) => {
        e.tile.classList.add('tile-failed');
        failed += 1;
        if (failed === 4) caption.textContent = 'The map background could not be loaded, so only the numbered pins show. The list has everything you need.';
      });
      layer.addTo(map);
    } else {
      caption.textContent = 'Numbers on the map match the numbers in the list. (No map background is set up here.)';
    }
    markers = L.layerGroup().addTo(map);
  }
  markers.clearLayers();
  const pts = [];
  lastItems.forEach((it, i) => {
    const lat = it.location?.lat, lon = it.location?.lon;
    if (!Number.isFinite(lat) || !Number.isFinite(lon)) return;
    const icon = L.divIcon({ className: '', html: `<div class="pin"><span>${i + 1}</span></div>`, iconSize: [30, 30], iconAnchor: [15, 30], popupAnchor: [0, -28] });
    const m = L.marker([lat, lon], { icon, keyboard: false, title: `${i + 1}. ${it.name}`, alt: '' });
    const pop = h('div', {}, h('strong', {}, `${i + 1}. ${it.name}`), h('br'), it.clinic?.name ?? '', h('br'),
      h('a', { href: `/practitioners/${encodeURIComponent(it.id)}` }, 'See free times'));
    m.bindPopup(pop);
    m.addTo(markers);
    pts.push([lat, lon]);
  });
  const near = currentParams?.near && COORDS.exec(currentParams.near);
  map.invalidateSize();
  if (pts.length === 1) map.setView(pts[0], 13);
  else map.fitBounds(pts, { padding: [30, 30], maxZoom: 14 });
  if (near && pts.length === 0) map.setView([+near[1], +near[2]], 11);
}

// ---------------------------------------------------------------------------------
// start

(async function start() {
  const p = paramsFromUrl();
  formFromParams(p);
  vocab = await loadVocabulary();
  fillSelect($('#technique'), vocab.techniques, 'Any technique');
  fillSelect($('#condition'), vocab.conditions, 'Any condition');
  fillSelect($('#profession'), vocab.professions, 'Any kind');
  $('#language').replaceChildren(h('option', { value: '' }, 'Any language'),
    ...LANGS.map((c) => ({ c, n: languageName(c) })).sort((a, b) => a.n.localeCompare(b.n)).map(({ c, n }) => h('option', { value: c }, n)));
  // only the selects: what a visitor typed or ticked while they loaded stays
  selectsFromParams(p);
  if (p.near) run(p, false);
})();
