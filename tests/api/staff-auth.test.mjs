// Staff authentication: signing in and out, the session cookie and its Origin check,
// bearer tokens, password changes and rules, idle and absolute expiry (sessions aged
// with SQL), throttling of failed sign-ins per account and per address, and the
// operator's `clinicd admin` commands.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, sql, sqlExec, lit, assertProblem, UUID_RE } from './lib.mjs';
import {
  PASSWORD, DEMO, RUN, bearer, freshEmail, clinicd, createClinic, createUser, createPlatformAdmin,
  login, loginOk, signedIn, ageSessions, clearThrottle, sessionRow, blake2b256, createStaffClinic,
  retireClinic, expectStatus,
} from './staff-fixtures.mjs';

const HOST_ORIGIN = `http://${new URL(process.env.BASE_URL ?? 'http://127.0.0.1:8080').host}`;
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/; // 32 random bytes, base64url without padding
const cookieOf = (token) => ({ cookie: `clinicd_session=${token}` });
const typeEnds = (r, suffix) =>
  assert.ok(String(r.json?.type).endsWith(suffix), `type should end with ${suffix}: ${r.text}`);

let C; // a clinic of this suite's own, with its admin signed in

before(async () => {
  clearThrottle();
  C = await createStaffClinic('auth', { practitioners: ['p1'] });
});

after(() => {
  retireClinic(C);
  clearThrottle();
});

const newAdmin = (tag = 'auth') => createUser({ clinic: C.clinicId, role: 'clinic_admin', email: freshEmail(tag) });
const me = (headers) => request('GET', '/api/v1/me', { headers });

// ---------------------------------------------------------------------------------------

describe('signing in', () => {
  test('the right password: 200 with a token, the user and a session cookie', async () => {
    const u = newAdmin();
    const r = await login(u.email, u.password);
    assert.equal(r.status, 200, r.text);
    assert.match(r.json.token, TOKEN_RE);
    assert.equal(r.json.idle_timeout_minutes, 30);
    const exp = Date.parse(r.json.expires_at);
    assert.ok(Math.abs(exp - (Date.now() + 12 * 3_600_000)) < 5 * 60_000, `expires_at ${r.json.expires_at} is not in 12 hours`);
    assert.equal(r.json.user.id, u.id);
    assert.equal(r.json.user.email, u.email);
    assert.equal(r.json.user.role, 'clinic_admin');
    assert.equal(r.json.user.clinic_id, C.clinicId);
    assert.ok(!r.text.includes('argon2') && !('password_hash' in r.json.user), 'no password hash in the answer');
    const cookies = r.headers.getSetCookie();
    assert.equal(cookies.length, 1, `one Set-Cookie: ${cookies}`);
    const [pair, ...attrs] = cookies[0].split(/;\s*/);
    // plain HTTP: no Secure, no __Host- prefix (those are for TLS)
    assert.equal(pair, `clinicd_session=${r.json.token}`);
    const lower = attrs.map((a) => a.toLowerCase());
    assert.ok(lower.includes('httponly'), cookies[0]);
    assert.ok(lower.includes('samesite=strict'), cookies[0]);
    assert.ok(lower.includes('path=/'), cookies[0]);
    assert.ok(!lower.includes('secure'), `Secure over plain HTTP: ${cookies[0]}`);
    assert.ok(lower.some((a) => a === 'max-age=43200'), `Max-Age of 12 hours: ${cookies[0]}`);
  });

  test('the session is stored only as the BLAKE2b hash of the token; the password as Argon2id', async () => {
    const u = newAdmin();
    const token = await loginOk(u.email, u.password);
    const row = sessionRow(token);
    assert.ok(row, 'a staff_sessions row whose token_hash is the hash of the token');
    assert.equal(row.user_id, u.id);
    assert.equal(row.lifetime_s, 12 * 3600, 'absolute lifetime 12 hours');
    const leaked = sql(`SELECT count(*)::int AS n FROM staff_sessions
      WHERE encode(token_hash, 'escape') LIKE ${lit(`%${token}%`)} OR encode(token_hash, 'hex') = ${lit(Buffer.from(token).toString('hex'))}`)[0].n;
    assert.equal(leaked, 0);
    const hash = sql(`SELECT password_hash FROM staff_users WHERE id = ${lit(u.id)}`)[0].password_hash;
    assert.match(hash, /^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
    assert.ok(!hash.includes(u.password));
  });

  test('a new token at every sign-in; both sessions work', async () => {
    const u = newAdmin();
    const a = await loginOk(u.email, u.password);
    const b = await loginOk(u.email, u.password);
    assert.notEqual(a, b);
    assert.equal((await me(bearer(a))).status, 200);
    assert.equal((await me(bearer(b))).status, 200);
  });

  test('the e-mail address is matched in any case', async () => {
    const u = newAdmin();
    const r = await login(u.email.toUpperCase(), u.password);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.user.id, u.id);
  });

  test('a deactivated account cannot sign in, and is told no more than for a wrong password', async () => {
    const u = newAdmin('inactive');
    sqlExec(`UPDATE staff_users SET active = false WHERE id = ${lit(u.id)}`);
    const r = await login(u.email, u.password);
    assertProblem(r, 401);
    typeEnds(r, '/invalid-credentials');
    clearThrottle();
  });

  test('the demo accounts of the README sign in', async () => {
    const a = await login(DEMO.admin.email, DEMO.admin.password);
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.user.role, 'clinic_admin');
    assert.match(a.json.user.clinic_id, UUID_RE);
    const p = await login(DEMO.practitioner.email, DEMO.practitioner.password);
    assert.equal(p.status, 200, p.text);
    assert.equal(p.json.user.role, 'practitioner');
    assert.match(p.json.user.practitioner_id, UUID_RE);
    assert.equal(p.json.user.clinic_id, a.json.user.clinic_id);
  });

  test('a wrong password and an unknown e-mail get the same 401, in similar time', async () => {
    clearThrottle();
    const u = newAdmin();
    const wrong = [];
    const unknown = [];
    let rw;
    let ru;
    for (let i = 0; i < 5; i++) {
      let t = process.hrtime.bigint();
      rw = await login(u.email, `${u.password}-not`);
      wrong.push(Number(process.hrtime.bigint() - t) / 1e6);
      t = process.hrtime.bigint();
      ru = await login(freshEmail('nobody'), `${u.password}-not`);
      unknown.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    assertProblem(rw, 401);
    assertProblem(ru, 401);
    typeEnds(rw, '/invalid-credentials');
    const shape = (r) => ({ ...r.json, request_id: undefined });
    assert.deepEqual(shape(ru), shape(rw), 'the answers tell the cases apart');
    assert.ok(!rw.headers.get('set-cookie') && !ru.headers.get('set-cookie'));
    const median = (xs) => [...xs].sort((a, b) => a - b)[2];
    // both run the password hash: neither is answered much faster than the other
    assert.ok(median(unknown) > median(wrong) * 0.25 && median(wrong) > median(unknown) * 0.25,
      `wrong password ${wrong.map(Math.round)} ms, unknown e-mail ${unknown.map(Math.round)} ms`);
    clearThrottle();
  });

  test('bad sign-in bodies: 400 or 422 naming the field', async () => {
    assertProblem(await request('POST', '/api/v1/auth/login', { body: { email: 'a@b.example' } }), 422, 'password');
    assertProblem(await request('POST', '/api/v1/auth/login', { body: { password: 'x'.repeat(10) } }), 422, 'email');
    assertProblem(await request('POST', '/api/v1/auth/login', { body: { email: 42, password: 'xxxxxxxxxx' } }), 422, 'email');
    assertProblem(await request('POST', '/api/v1/auth/login', { body: { email: 'a@b.example', password: 12345678 } }), 422, 'password');
    assertProblem(await request('POST', '/api/v1/auth/login', { body: { email: 'a@b.example', password: 'xxxxxxxx', remember: true } }), 422, 'remember');
    assertProblem(await request('POST', '/api/v1/auth/login', { raw: '{"email":', headers: { 'content-type': 'application/json' } }), 400);
    assertProblem(await request('POST', '/api/v1/auth/login', { body: { email: 'a@b.example', password: 'x'.repeat(1025) } }), 422, 'password');
  });
});

describe('the session cookie and bearer tokens', () => {
  let U;
  before(async () => { U = await signedIn(newAdmin('cookie')); });

  test('the cookie authenticates reads', async () => {
    const r = await me(cookieOf(U.token));
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.id, U.id);
    assert.equal((await request('GET', `${C.base}/practitioners`, { headers: cookieOf(U.token) })).status, 200);
  });

  test('a cookie-authenticated write without Origin, or from another origin, is a 403', async () => {
    for (const origin of [undefined, 'http://evil.example', 'null', HOST_ORIGIN.replace('http:', 'https:'), `${HOST_ORIGIN}.evil.example`]) {
      const headers = { ...cookieOf(U.token), ...(origin ? { origin } : {}) };
      const r = await request('PATCH', C.base, { headers, body: { phone: '+1 503 555 0111' } });
      assertProblem(r, 403);
      typeEnds(r, '/cross-origin');
    }
    const post = await request('POST', `${C.base}/services`, { headers: { ...cookieOf(U.token), origin: 'http://evil.example' },
      body: { name: `csrf ${RUN}`, duration_minutes: 30, price: 1, currency: 'USD' } });
    assert.equal(post.status, 403);
    assert.equal(sql(`SELECT count(*)::int AS n FROM services WHERE name = ${lit(`csrf ${RUN}`)}`)[0].n, 0);
  });

  test('a cookie-authenticated write from this site\'s own origin succeeds', async () => {
    const r = await request('PATCH', C.base, { headers: { ...cookieOf(U.token), origin: HOST_ORIGIN }, body: { phone: '+1 503 555 0112' } });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.phone, '+1 503 555 0112');
  });

  test('a bearer token ignores Origin', async () => {
    for (const origin of [undefined, 'http://evil.example']) {
      const r = await request('PATCH', C.base, { headers: { ...bearer(U.token), ...(origin ? { origin } : {}) }, body: { phone: '+1 503 555 0113' } });
      assert.equal(r.status, 200, r.text);
    }
  });

  test('a token that is not one, or too long, is a 401 with WWW-Authenticate', async () => {
    for (const h of [bearer('nope'), bearer('x'.repeat(300)), cookieOf('nope'), { authorization: 'Basic YTpi' }]) {
      const r = await me(h);
      assertProblem(r, 401);
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
    }
  });
});

describe('signing out and changing the password', () => {
  test('logout revokes that session only and clears the cookie', async () => {
    const u = newAdmin('logout');
    const a = await loginOk(u.email, u.password);
    const b = await loginOk(u.email, u.password);
    const r = await request('POST', '/api/v1/auth/logout', { headers: bearer(a), body: {} });
    assert.equal(r.status, 204, r.text);
    const cookie = r.headers.getSetCookie()[0] ?? '';
    assert.match(cookie, /^clinicd_session=;/);
    assert.match(cookie, /Max-Age=0/i);
    assertProblem(await me(bearer(a)), 401);
    assert.ok(sessionRow(a).revoked_at, 'revoked_at is set');
    assert.equal((await me(bearer(b))).status, 200, 'the other session goes on');
    // signing out twice: the token is gone
    assertProblem(await request('POST', '/api/v1/auth/logout', { headers: bearer(a), body: {} }), 401);
  });

  test('logout with the cookie checks Origin too', async () => {
    const u = await signedIn(newAdmin('logout-cookie'));
    assertProblem(await request('POST', '/api/v1/auth/logout', { headers: { ...cookieOf(u.token), origin: 'http://evil.example' }, body: {} }), 403);
    assert.equal((await me(bearer(u.token))).status, 200, 'a refused logout leaves the session alone');
    const r = await request('POST', '/api/v1/auth/logout', { headers: { ...cookieOf(u.token), origin: HOST_ORIGIN }, body: {} });
    assert.equal(r.status, 204, r.text);
    assert.equal((await me(bearer(u.token))).status, 401);
  });

  test('a password change revokes every session; the new password works, the old does not', async () => {
    const u = newAdmin('pwchange');
    const a = await loginOk(u.email, u.password);
    const b = await loginOk(u.email, u.password);
    const next = `${u.password}-renewed`;
    const r = await request('POST', '/api/v1/auth/password', { headers: bearer(a),
      body: { current_password: u.password, new_password: next } });
    assert.equal(r.status, 204, r.text);
    assertProblem(await me(bearer(a)), 401);
    assertProblem(await me(bearer(b)), 401);
    assertProblem(await login(u.email, u.password), 401);
    const c = await loginOk(u.email, next);
    assert.equal((await me(bearer(c))).status, 200);
    clearThrottle();
  });

  test('a wrong current password is refused and changes nothing', async () => {
    const u = await signedIn(newAdmin('pwwrong'));
    const r = await request('POST', '/api/v1/auth/password', { headers: u.auth,
      body: { current_password: 'not-the-password', new_password: 'a-perfectly-fine-one' } });
    assertProblem(r, 403, 'current_password');
    assert.equal((await me(u.auth)).status, 200);
    await loginOk(u.email, u.password);
  });

  test('password rules: at least 8 characters, 64 and more accepted, no common passwords', async () => {
    const u = newAdmin('pwrules');
    let current = u.password;
    let token = await loginOk(u.email, current);
    const change = (next) => request('POST', '/api/v1/auth/password', { headers: bearer(token),
      body: { current_password: current, new_password: next } });
    for (const bad of ['Zq8#Lm2', 'ééééééé', 'password123', 'qwertyuiop', 'PassWord123', u.email, '']) {
      const r = await change(bad);
      assertProblem(r, 422, 'new_password');
    }
    assert.equal((await me(bearer(token))).status, 200, 'refused changes leave the session');
    for (const good of ['Zq8#Lm2v', 'éàüöçñøå', 'x7'.repeat(40), `${'long passphrase '.repeat(8)}${RUN}`]) {
      const r = await change(good);
      assert.equal(r.status, 204, `${JSON.stringify(good)}: ${r.status} ${r.text}`);
      current = good;
      token = await loginOk(u.email, current);
    }
    // no composition rules: all lower-case letters will do
    const r = await change('tangerinebicyclequietly');
    assert.equal(r.status, 204, r.text);
  });

  test('refused new passwords: blank, one character repeated, a run, the e-mail\'s name (422 naming new_password, saying why)', async () => {
    const u = await signedIn(createUser({ clinic: C.clinicId, role: 'clinic_admin', email: `river.${RUN}@staff-test.clinicd.example` }));
    const cases = [
      ['        ', /only spaces/],
      ['\t \u00a0 \u3000  \u2003', /only spaces/],
      ['aaaaaaaa', /one character repeated/],
      ['ZZZZZZZZZZZZ', /one character repeated/],
      ['abcdefgh', /run of letters, digits or keys/],
      ['HGFEDCBA', /run of letters, digits or keys/],
      ['12345678', /run of letters, digits or keys/],
      ['87654321', /run of letters, digits or keys/],
      ['qwertyui', /run of letters, digits or keys/],
      ['iuytrewq', /run of letters, digits or keys/],
      ['asdfghjkl', /run of letters, digits or keys/],
      [`my-River.${RUN}-secret`, /e-mail address's name/],
      [`RIVER.${RUN.toUpperCase()}!!`, /e-mail address's name/],
    ];
    const wrong = [];
    for (const [pw, why] of cases) {
      const r = await request('POST', '/api/v1/auth/password', { headers: u.auth, body: { current_password: u.password, new_password: pw } });
      try {
        assertProblem(r, 422, 'new_password');
        const e = r.json.errors.find((x) => x.field === 'new_password');
        assert.match(e.message, why);
      } catch (err) { wrong.push(`${JSON.stringify(pw)}: ${err.message.split('\n')[0]}`); }
    }
    assert.deepEqual(wrong, []);
    assert.equal((await me(u.auth)).status, 200, 'refused changes leave the session');
    // none of these counted as a wrong current password
    assert.equal(sql(`SELECT count(*)::int AS n FROM login_throttle WHERE key = ${lit(`pw-account:${u.id}`)} AND failures > 0`)[0].n, 0);
    // a short name is not looked for: "jo" is in too many good passwords
    const jo = await signedIn(createUser({ clinic: C.clinicId, role: 'clinic_admin', email: `jo@${RUN}.staff-test.clinicd.example` }));
    const ok = await request('POST', '/api/v1/auth/password', { headers: jo.auth, body: { current_password: jo.password, new_password: 'enjoy-major-tides' } });
    assert.equal(ok.status, 204, ok.text);
  });

  test('wrong current passwords: each is audited, the 5th ends the session, the next try is a 429 with Retry-After', async () => {
    clearThrottle();
    const u = await signedIn(newAdmin('pwguess'));
    const other = await loginOk(u.email, u.password); // a second session of the same account
    const guess = (auth, i) => request('POST', '/api/v1/auth/password', { headers: auth,
      body: { current_password: `guess-${i}-${RUN}`, new_password: `fresh-${RUN}-tide` } });
    const rids = [];
    for (let i = 1; i <= 4; i++) {
      const r = await guess(u.auth, i);
      assertProblem(r, 403, 'current_password');
      rids.push(r.headers.get('x-request-id'));
      assert.equal((await me(u.auth)).status, 200, `the session survives wrong try ${i}`);
    }
    const fifth = await guess(u.auth, 5);
    assertProblem(fifth, 403, 'current_password');
    assert.match(fifth.json.detail, /signed out/);
    rids.push(fifth.headers.get('x-request-id'));
    assertProblem(await me(u.auth), 401); // the session that guessed is over
    assert.ok(sessionRow(u.token).revoked_at, 'revoked in the database');
    // the account's other session: a 429 before any check of the password, even the right one
    const t = await request('POST', '/api/v1/auth/password', { headers: bearer(other),
      body: { current_password: u.password, new_password: `fresh-${RUN}-tide` } });
    assertProblem(t, 429);
    const ra = Number(t.headers.get('retry-after'));
    assert.ok(ra > 0 && ra <= 900, `Retry-After ${t.headers.get('retry-after')}`);
    await loginOk(u.email, u.password); // the password did not change
    // every wrong try is in the clinic's log as a failure, the last one saying the session ended
    const rows = sql(`SELECT request_id, clinic_id, actor_id, action, outcome, detail FROM audit_log
      WHERE action = 'password_change' AND actor_id = ${lit(u.id)} ORDER BY id`);
    const failures = rows.filter((x) => x.outcome === 'failure');
    assert.deepEqual(failures.map((x) => x.request_id), rids);
    assert.ok(failures.every((x) => x.clinic_id === C.clinicId));
    assert.deepEqual(failures.map((x) => x.detail.session_revoked), [false, false, false, false, true]);
    assert.deepEqual(rows.filter((x) => x.outcome === 'denied').map((x) => [x.request_id, x.detail.reason]),
      [[t.headers.get('x-request-id'), 'throttled']]);
    const log = await request('GET', `${C.base}/audit-log?limit=50`, { headers: C.admin.auth });
    assert.ok(log.json.items.some((x) => x.request_id === rids[0] && x.outcome === 'failure'), 'the admins see the failures');
    clearThrottle();
  });

  test('wrong current passwords from one address across accounts: after 10, a 429 for every account from it', async () => {
    clearThrottle();
    const users = [];
    for (let i = 0; i < 3; i++) users.push(await signedIn(newAdmin('pwaddr')));
    const statuses = [];
    for (let i = 0; i < 10; i++) {
      const u = users[i % 3];
      const r = await request('POST', '/api/v1/auth/password', { headers: u.auth,
        body: { current_password: `guess-${i}-${RUN}`, new_password: `fresh-${RUN}-tide` } });
      statuses.push(r.status);
    }
    assert.deepEqual(statuses, Array(10).fill(403));
    const fresh = await signedIn(newAdmin('pwaddr'));
    const r = await request('POST', '/api/v1/auth/password', { headers: fresh.auth,
      body: { current_password: fresh.password, new_password: `fresh-${RUN}-tide` } });
    assertProblem(r, 429);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    clearThrottle();
    // the limit forgotten (the window passed), the same change goes through
    const again = await request('POST', '/api/v1/auth/password', { headers: fresh.auth,
      body: { current_password: fresh.password, new_password: `fresh-${RUN}-tide` } });
    assert.equal(again.status, 204, again.text);
  });

  test('the password route needs a session and a JSON body', async () => {
    assertProblem(await request('POST', '/api/v1/auth/password', { body: { current_password: PASSWORD, new_password: 'abcdefgh12' } }), 401);
    const u = await signedIn(newAdmin('pwbody'));
    assertProblem(await request('POST', '/api/v1/auth/password', { headers: u.auth, body: { new_password: 'abcdefghij12' } }), 422, 'current_password');
    assertProblem(await request('POST', '/api/v1/auth/password', { headers: u.auth, body: { current_password: u.password, new_password: 12345678 } }), 422, 'new_password');
  });
});

describe('session expiry (sessions aged with SQL)', () => {
  test('idle for 29 minutes: still valid, and use refreshes it', async () => {
    const u = await signedIn(newAdmin('idle29'));
    ageSessions(u.id, { idleMinutes: 29 });
    assert.equal((await me(u.auth)).status, 200);
    const row = sessionRow(u.token);
    assert.ok(Date.now() - Date.parse(row.last_seen_at) < 60_000, `last_seen_at not refreshed: ${row.last_seen_at}`);
  });

  test('idle for 31 minutes: 401, on reads and on writes', async () => {
    const u = await signedIn(newAdmin('idle31'));
    ageSessions(u.id, { idleMinutes: 31 });
    const r = await me(u.auth);
    assertProblem(r, 401);
    assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
    assertProblem(await request('PATCH', C.base, { headers: u.auth, body: { phone: '+1 503 555 0114' } }), 401);
    assertProblem(await request('GET', `${C.base}/schedule`, { headers: cookieOf(u.token) }), 401);
  });

  test('11 hours old and in use: valid; past 12 hours: 401 however recently used', async () => {
    const young = await signedIn(newAdmin('abs11'));
    ageSessions(young.id, { createdHoursAgo: 11 });
    assert.equal((await me(young.auth)).status, 200);
    const old = await signedIn(newAdmin('abs12'));
    ageSessions(old.id, { createdHoursAgo: 12.02 });
    const row = sessionRow(old.token);
    assert.ok(Date.now() - Date.parse(row.last_seen_at) < 60_000, 'recently used');
    assertProblem(await me(old.auth), 401);
  });
});

describe('throttling failed sign-ins', () => {
  test('5 failures for one account: the 6th attempt is a 429 with Retry-After, even with the right password', async () => {
    clearThrottle();
    const u = newAdmin('throttle');
    for (let i = 0; i < 5; i++) {
      // the account key is case-insensitive like the address itself
      const r = await login(i % 2 ? u.email.toUpperCase() : u.email, `wrong-${i}-password`);
      assertProblem(r, 401);
    }
    const r = await login(u.email, u.password);
    assertProblem(r, 429);
    typeEnds(r, '/too-many-attempts');
    const ra = Number(r.headers.get('retry-after'));
    assert.ok(Number.isInteger(ra) && ra > 0 && ra <= 900, `Retry-After: ${r.headers.get('retry-after')}`);
    assert.ok(!r.json.token && !r.headers.get('set-cookie'));
    // other accounts are not affected
    const other = newAdmin('throttle-other');
    assert.equal((await login(other.email, other.password)).status, 200);
    // the window over (here: forgotten), the right password works again
    sqlExec(`DELETE FROM login_throttle WHERE key = ${lit(`email:${u.email.toLowerCase()}`)}`);
    assert.equal((await login(u.email, u.password)).status, 200);
    clearThrottle();
  });

  test('the account limit holds however the address is capitalised, accents included', async () => {
    clearThrottle();
    // the address matches in any case (citext), so the limit must too
    const u = createUser({ clinic: C.clinicId, role: 'clinic_admin', email: `zoé.${RUN}@staff-test.clinicd.example` });
    try {
      for (let i = 0; i < 5; i++) assertProblem(await login(u.email, `wrong-${i}-password`), 401);
      const variant = u.email.replace('zoé', 'ZOÉ');
      const r = await login(variant, u.password);
      assert.equal(r.status, 429, `after 5 failures, ${variant} signed in as ${r.json?.user?.email}: ${r.status}`);
    } finally {
      clearThrottle();
    }
  });

  test('an unknown e-mail address is throttled like a known one', async () => {
    clearThrottle();
    const email = freshEmail('ghost');
    for (let i = 0; i < 5; i++) assertProblem(await login(email, `wrong-${i}-password`), 401);
    assertProblem(await login(email, 'wrong-again-password'), 429);
    clearThrottle();
  });

  test('30 failures from one address across different accounts: then 429 for everyone from it', async () => {
    clearThrottle();
    const good = newAdmin('throttle-ip');
    try {
      for (let i = 0; i < 30; i++) {
        const r = await login(freshEmail(`spray${i}`), 'Spring2026!x');
        assert.equal(r.status, 401, `failure ${i + 1}: ${r.status} ${r.text}`);
      }
      const r = await login(good.email, good.password);
      assertProblem(r, 429);
      assert.ok(Number(r.headers.get('retry-after')) > 0, `Retry-After: ${r.headers.get('retry-after')}`);
    } finally {
      clearThrottle();
    }
    assert.equal((await login(good.email, good.password)).status, 200, 'after the window the address may sign in');
  });

  test('concurrent guesses do not get around the limit of 5 per account', async () => {
    clearThrottle();
    const u = newAdmin('throttle-burst');
    try {
      const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => login(u.email, `burst-guess-${i}`)));
      const counts = {};
      for (const r of rs) counts[r.status] = (counts[r.status] ?? 0) + 1;
      // every attempt the server checked the password for is a 401; the rest must be 429
      // (or 503 when the hashing slots were all busy: not checked either)
      assert.ok((counts[401] ?? 0) <= 5, `${counts[401]} of 20 parallel guesses were checked (limit 5): ${JSON.stringify(counts)}`);
      assert.equal((counts[401] ?? 0) + (counts[429] ?? 0) + (counts[503] ?? 0), 20, JSON.stringify(counts));
    } finally {
      clearThrottle();
    }
  });

  test('throttling is shared state in the database (login_throttle)', async () => {
    clearThrottle();
    const email = freshEmail('shared');
    await login(email, 'wrong-password-1');
    const rows = sql(`SELECT key, failures FROM login_throttle WHERE key IN (${lit(`email:${email}`)}, 'ip:127.0.0.1') ORDER BY key`);
    assert.deepEqual(rows.map((x) => [x.key, x.failures]), [[`email:${email}`, 1], ['ip:127.0.0.1', 1]]);
    clearThrottle();
  });
});

describe('the operator\'s command line', () => {
  test('create-clinic prints the new clinic\'s id', () => {
    const name = `CLI clinic ${RUN}`;
    const id = createClinic(name);
    assert.match(id, UUID_RE);
    assert.deepEqual(sql(`SELECT name FROM clinics WHERE id = ${lit(id)}`), [{ name }]);
    const audit = sql(`SELECT actor_type, action FROM audit_log WHERE clinic_id = ${lit(id)} AND action = 'create_clinic'`);
    assert.deepEqual(audit, [{ actor_type: 'operator', action: 'create_clinic' }]);
  });

  test('create-clinic without a name is a usage error', () => {
    const r = clinicd(['admin', 'create-clinic']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /usage/);
  });

  test('create-user refuses weak passwords (non-zero exit, no account)', () => {
    for (const pw of ['short7!', 'password123', 'qwertyuiop', '', '        ', 'aaaaaaaa', 'abcdefgh', '87654321', 'qwertyui']) {
      const email = freshEmail('weak');
      const r = clinicd(['admin', 'create-user', '--clinic', C.clinicId, '--email', email, '--role', 'clinic_admin'], { input: `${pw}\n` });
      assert.notEqual(r.status, 0, `${JSON.stringify(pw)} accepted: ${r.stdout}`);
      assert.match(r.stderr, /password/i);
      assert.equal(sql(`SELECT count(*)::int AS n FROM staff_users WHERE email = ${lit(email)}`)[0].n, 0);
    }
  });

  test('create-user and reset-password refuse a password holding the e-mail\'s name, saying so', () => {
    const email = `harbour.${RUN}@staff-test.clinicd.example`;
    const r = clinicd(['admin', 'create-user', '--clinic', C.clinicId, '--email', email, '--role', 'clinic_admin'],
      { input: `Harbour.${RUN}-gate\n` });
    assert.notEqual(r.status, 0, r.stdout);
    assert.match(r.stderr, /password refused: .*e-mail address's name/);
    assert.equal(sql(`SELECT count(*)::int AS n FROM staff_users WHERE email = ${lit(email)}`)[0].n, 0);
    const u = newAdmin('resetname');
    const reset = clinicd(['admin', 'reset-password', '--email', u.email], { input: `${u.email.split('@')[0]}-and-more\n` });
    assert.notEqual(reset.status, 0);
    assert.match(reset.stderr, /e-mail address's name/);
    const blank = clinicd(['admin', 'reset-password', '--email', u.email], { input: '          \n' });
    assert.notEqual(blank.status, 0);
    assert.match(blank.stderr, /only spaces/);
  });

  test('create-user checks its arguments', () => {
    const email = freshEmail('args');
    const cases = [
      ['--clinic', C.clinicId, '--email', email, '--role', 'owner'],
      ['--clinic', C.clinicId, '--email', email, '--role', 'practitioner'],
      ['--clinic', C.clinicId, '--email', email, '--role', 'clinic_admin', '--practitioner', C.practitioners.p1],
      ['--clinic', 'not-a-uuid', '--email', email, '--role', 'clinic_admin'],
      ['--email', email, '--role', 'clinic_admin'],
    ];
    for (const args of cases) {
      const r = clinicd(['admin', 'create-user', ...args], { input: `${PASSWORD}\n` });
      assert.notEqual(r.status, 0, `accepted: ${args.join(' ')}`);
    }
    assert.equal(sql(`SELECT count(*)::int AS n FROM staff_users WHERE email = ${lit(email)}`)[0].n, 0);
    // an address that has an account already
    const u = newAdmin('dup');
    const dup = clinicd(['admin', 'create-user', '--clinic', C.clinicId, '--email', u.email.toUpperCase(), '--role', 'clinic_admin'], { input: `${PASSWORD}\n` });
    assert.notEqual(dup.status, 0);
  });

  test('create-user for a practitioner links the practitioner', async () => {
    const u = createUser({ clinic: C.clinicId, role: 'practitioner', practitioner: C.practitioners.p1 });
    const r = await login(u.email, u.password);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.user.practitioner_id, C.practitioners.p1);
    assert.equal(r.json.user.role, 'practitioner');
  });

  test('create-platform-admin makes an account of no clinic', async () => {
    const u = createPlatformAdmin();
    const r = await login(u.email, u.password);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.user.role, 'platform_admin');
    assert.equal(r.json.user.clinic_id, null);
  });

  test('reset-password ends every session; the new password works, the old does not', async () => {
    const u = newAdmin('reset');
    const a = await loginOk(u.email, u.password);
    const next = `reset-${RUN}-passphrase`;
    const r = clinicd(['admin', 'reset-password', '--email', u.email], { input: `${next}\n` });
    assert.equal(r.status, 0, r.stderr);
    assertProblem(await me(bearer(a)), 401);
    assertProblem(await login(u.email, u.password), 401);
    assert.equal((await login(u.email, next)).status, 200);
    // a weak new password is refused and changes nothing
    const weak = clinicd(['admin', 'reset-password', '--email', u.email], { input: 'qwertyuiop\n' });
    assert.notEqual(weak.status, 0);
    assert.equal((await login(u.email, next)).status, 200);
    // nobody by that address
    const none = clinicd(['admin', 'reset-password', '--email', freshEmail('nobody')], { input: `${next}\n` });
    assert.notEqual(none.status, 0);
    clearThrottle();
  });
});
