// The SQL function contact_key() (migration 0011) folds addresses as domain/contact.c
// does (tests/unit/test_contact.c holds the same table): the database's per-contact
// limits and the service's must agree on who is one person.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, lit } from './lib.mjs';

const CASES = [
  ['Ana@Example.org', 'ana@example.org'],
  ['ana+1@example.org', 'ana@example.org'],
  ['ana+clinic+2@example.org', 'ana@example.org'],
  ['a.n.a@example.org', 'a.n.a@example.org'],
  ['A.N.A+x@GMail.com', 'ana@gmail.com'],
  ['ana@googlemail.com', 'ana@gmail.com'],
  ['+tag@example.org', '+tag@example.org'],
  ['...@gmail.com', '...@gmail.com'],
  ['ana@sub.example.org', 'ana@sub.example.org'],
  ['"a@b"@example.org', '"a@b"@example.org'],
];

test('contact_key() in SQL folds addresses like the service', () => {
  for (const [email, key] of CASES) {
    assert.equal(sql(`SELECT contact_key(${lit(email)}) AS k`)[0].k, key, email);
  }
});
