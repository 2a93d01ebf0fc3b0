'use strict';
// The single file's text encoding (js/base91.js): what the build encodes, the wasm decoder
// (js/base91-decode.wat, assembled as the build assembles it) gives back byte for byte, for every
// length class; the alphabet can neither end the string literal nor form a Deploy CLI marker.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { ALPHABET, encodeBase91, decodeBase91, assembleDecoder } = require('../../js/base91');

const decoder = assembleDecoder();

test('the alphabet: 91 printable ASCII characters, none of \' \\ # @', () => {
  assert.equal(new Set(ALPHABET).size, 91);
  for (const c of ALPHABET) {
    assert.ok(c >= ' ' && c <= '~', JSON.stringify(c));
    assert.ok(!"'\\#@".includes(c), JSON.stringify(c));
  }
});

test('every length from 0 to 600 and a 200 kB module round-trip through the wasm decoder', () => {
  for (let n = 0; n <= 600; n += 1) {
    const bytes = crypto.randomBytes(n);
    assert.deepEqual(decodeBase91(encodeBase91(bytes), n, decoder), bytes, `${n} bytes`);
  }
  for (const fill of [0x00, 0xff]) { // the 13- and 14-bit groups at their extremes
    const bytes = Buffer.alloc(5000, fill);
    assert.deepEqual(decodeBase91(encodeBase91(bytes), bytes.length, decoder), bytes);
  }
  const big = crypto.randomBytes(200 * 1024);
  assert.deepEqual(decodeBase91(encodeBase91(big), big.length, decoder), big);
});

test('it is denser than base64 and a wrong length is an error, not a short module', () => {
  const bytes = crypto.randomBytes(60000);
  const text = encodeBase91(bytes);
  assert.ok(text.length < 0.93 * bytes.toString('base64').length, `${text.length} characters`);
  assert.throws(() => decodeBase91(text, bytes.length + 1, decoder), /decoded to 60000 bytes, not 60001/);
});
