'use strict';
/**
 * basE91 (Joachim Henke's scheme: 13 or 14 bits in two characters) over the 91 printable ASCII
 * characters other than `'`, `\`, `#` and `@`: the single-file Action carries its compressed wasm in
 * one single-quoted string with no escapes (about 23 % larger than the bytes, against 33 % for
 * base64), and `#`/`@` can never form the Auth0 Deploy CLI's `##KEY##`/`@@KEY@@` replacement markers.
 * scripts/bundle.js encodes at build time; `decodeBase91` is copied into the single file by
 * `toString()`, so it must stay self-contained.
 */

/** The 91 characters, in code order. */
const ALPHABET = [...Array(95)].map((_, i) => String.fromCharCode(32 + i)).filter((c) => !"'\\#@".includes(c)).join('');

/**
 * @param {Uint8Array} bytes
 * @returns {string} basE91 text over {@link ALPHABET}
 */
function encodeBase91(bytes) {
  let out = '';
  let bits = 0;
  let count = 0;
  for (const byte of bytes) {
    bits |= byte << count;
    count += 8;
    if (count > 13) {
      let value = bits & 8191;
      if (value > 88) {
        bits >>= 13;
        count -= 13;
      } else {
        value = bits & 16383;
        bits >>= 14;
        count -= 14;
      }
      out += ALPHABET[value % 91] + ALPHABET[Math.floor(value / 91)];
    }
  }
  if (count) {
    out += ALPHABET[bits % 91];
    if (count > 7 || bits > 90) out += ALPHABET[Math.floor(bits / 91)];
  }
  return out;
}

/**
 * Decode basE91 text made by {@link encodeBase91}. Self-contained (copied into the single file).
 * @param {string} text
 * @param {number} length the number of bytes it holds
 * @returns {Buffer}
 */
function decodeBase91(text, length) {
  const index = new Uint8Array(127);
  for (let c = 32, i = 0; c < 127; c++) if (c !== 39 && c !== 92 && c !== 35 && c !== 64) index[c] = i++;
  const out = Buffer.allocUnsafe(length);
  let o = 0;
  let bits = 0;
  let count = 0;
  let value = -1;
  for (let i = 0; i < text.length; i++) {
    const digit = index[text.charCodeAt(i)];
    if (value < 0) {
      value = digit;
      continue;
    }
    value += digit * 91;
    bits |= value << count;
    count += (value & 8191) > 88 ? 13 : 14;
    do {
      out[o++] = bits & 255;
      bits >>= 8;
      count -= 8;
    } while (count > 7);
    value = -1;
  }
  if (value > -1) out[o++] = (bits | (value << count)) & 255;
  if (o !== length) throw new Error(`rbac-claims bundle: the inlined wasm decoded to ${o} bytes, not ${length}`);
  return out;
}

module.exports = { ALPHABET, encodeBase91, decodeBase91 };
