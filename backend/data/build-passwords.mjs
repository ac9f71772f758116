// Writes the common-password list clinicd refuses (one per line, lower case, sorted,
// only those of 8 characters or more: shorter ones fail the length rule anyway).
// Source: @zxcvbn-ts/language-common (MIT), the password list zxcvbn ranks by frequency.
//
// Usage: node backend/data/build-passwords.mjs OUT.txt
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const out = process.argv[2];
if (!out) {
  console.error('usage: build-passwords.mjs OUT.txt');
  process.exit(2);
}
const list = require('@zxcvbn-ts/language-common/src/passwords.json');
const words = [...new Set(list.map((w) => String(w).toLowerCase())
  .filter((w) => [...w].length >= 8 && !/[\n\r\t]/.test(w)))].sort();
writeFileSync(out, words.join('\n') + '\n');
console.error(`build-passwords: ${words.length} common passwords -> ${out}`);
