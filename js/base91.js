'use strict';
/**
 * basE91 (Joachim Henke's scheme: 13 or 14 bits in two characters) over the 91 printable ASCII
 * characters other than `'`, `\`, `#` and `@`: the single-file Action carries its compressed wasm in
 * one single-quoted string with no escapes (about 23 % larger than the bytes, against 33 % for
 * base64), and `#`/`@` can never form the Auth0 Deploy CLI's `##KEY##`/`@@KEY@@` replacement markers.
 * scripts/bundle.js encodes at build time; `decodeBase91` is copied into the single file by
 * `toString()`, so it must stay self-contained, with the bytes of the wasm decoder it runs.
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
 * Decode basE91 text made by {@link encodeBase91}, with the wasm decoder assembled from
 * js/base91-decode.wat (in JavaScript the loop runs mostly in the interpreter at a cold start: about
 * 2.5 ms for the Action's 75 kB, measured). Self-contained: copied into the single file.
 * @param {string} text
 * @param {number} length the number of bytes it holds
 * @param {Uint8Array} decoder the decoder module's bytes
 * @returns {Buffer} a view of the decoded bytes
 */
function decodeBase91(text, length, decoder) {
  const at = 128 + text.length;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((at + length) / 65536) });
  const bytes = Buffer.from(memory.buffer);
  for (let c = 32, i = 0; c < 127; c++) if (c !== 39 && c !== 92 && c !== 35 && c !== 64) bytes[c] = i++;
  bytes.write(text, 128, 'latin1');
  const { d } = new WebAssembly.Instance(new WebAssembly.Module(decoder), { e: { m: memory } }).exports;
  const written = d(text.length, at);
  if (written !== length) throw new Error(`rbac-claims bundle: the inlined wasm decoded to ${written} bytes, not ${length}`);
  return bytes.subarray(at, at + length);
}

/**
 * Assemble js/base91-decode.wat into the decoder's bytes (build and test time: wasm-opt from the npm
 * package binaryen).
 * @returns {Buffer}
 */
function assembleDecoder() {
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const { execFileSync } = require('node:child_process');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbac-claims-base91-'));
  try {
    const out = path.join(dir, 'decode.wasm');
    const wasmOpt = path.join(__dirname, '..', 'node_modules', '.bin', 'wasm-opt');
    execFileSync(wasmOpt, [path.join(__dirname, 'base91-decode.wat'), '-Oz', '--strip-debug', '--strip-producers', '-o', out]);
    return fs.readFileSync(out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { ALPHABET, encodeBase91, decodeBase91, assembleDecoder };
