'use strict';
/**
 * Measure 2, where the single file's `require` goes: each phase of loading dist/rbac-claims-action.js,
 * timed on the file's own bytes in a fresh `node` process per sample (bench/run.js spawns it), and the
 * text encodings and compressions issue #17 asks about, each decoded in a fresh process too.
 *
 *   node bench/phases.js file <bundle> <size.json>
 *       read (fs.readFileSync of the file, as `require` reads it), require('node:zlib'), text decode (the
 *       inlined basE91 string with js/base91.js's decodeBase91, the function copied into the file, with
 *       the wasm decoder assembled from js/base91-decode.wat as the build assembles it),
 *       decompress (as size.json `method` says), compile (`new WebAssembly.Module`); prints JSON.
 *   node bench/phases.js variant <dir> <name>
 *       one variant prepared by prepareVariants(): read its text, decode it, decompress it; prints JSON.
 *
 * Instantiating the module and evaluating the glue are what remains of bench/cold.js's `require` time
 * after these phases (bench/run.js subtracts the medians); the first login is cold.js's `loginMs`.
 */
const fs = require('node:fs');
const path = require('node:path');
const { decodeBase91, encodeBase91, assembleDecoder } = require('../js/base91');

/**
 * The inlined wasm: the one single-quoted literal longer than 20,000 characters, as the string it
 * evaluates to (terser writes `-->` in it as `--\x3e`, so the literal is evaluated, not sliced).
 */
function inlinedText(source) {
  const found = source.match(/'(?:[^'\\\n]|\\.){20000,}'/g) || [];
  if (found.length !== 1) throw new Error(`expected one single-quoted literal over 20,000 characters in the single file, found ${found.length}`);
  const text = require('node:vm').runInNewContext(found[0]);
  if (typeof text !== 'string') throw new Error('the inlined literal is not a string');
  return text;
}

/**
 * The variants compared with what ships, on the same wasm bytes (the module the file carries).
 * `text` is the encoding of the compressed bytes, `compression` how they are compressed.
 */
const VARIANTS = [
  { name: 'shipped', text: 'base91', compression: 'brotli', quality: 11, label: 'brotli q11 + basE91 (what ships)' },
  { name: 'base64', text: 'base64', compression: 'brotli', quality: 11, label: 'brotli q11 + base64' },
  { name: 'gzip9', text: 'base91', compression: 'gzip', level: 9, label: 'gzip -9 + basE91' },
  { name: 'brotli9', text: 'base91', compression: 'brotli', quality: 9, label: 'brotli q9 + basE91' },
  { name: 'brotli5', text: 'base91', compression: 'brotli', quality: 5, label: 'brotli q5 + basE91' },
];

/**
 * Decode the single file's wasm (outside any timing) and write each variant's text to `dir`, with a
 * manifest of their sizes. The shipped variant is the file's own text, unchanged.
 * @returns {{wasmBytes: number, variants: object[]}}
 */
function prepareVariants(bundle, sizeJson, dir) {
  const zlib = require('node:zlib');
  const size = JSON.parse(fs.readFileSync(sizeJson, 'utf8'));
  const text = inlinedText(fs.readFileSync(bundle, 'utf8'));
  const compressedBytes = size.method === 'brotli' ? size.wasmBrotli : size.wasmGzip;
  const shipped = decodeBase91(text, compressedBytes, assembleDecoder());
  const wasm = size.method === 'brotli' ? zlib.brotliDecompressSync(shipped) : zlib.gunzipSync(shipped);
  const compress = (v) => {
    if (v.compression === 'gzip') return zlib.gzipSync(wasm, { level: v.level });
    if (v.quality === 11 && size.method === 'brotli') return shipped;
    return zlib.brotliCompressSync(wasm, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: v.quality,
        [zlib.constants.BROTLI_PARAM_LGWIN]: zlib.constants.BROTLI_MAX_WINDOW_BITS,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: wasm.length,
      },
    });
  };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'wasm.bin'), wasm);
  const variants = VARIANTS.map((v) => {
    const data = v.name === 'shipped' ? shipped : compress(v);
    const encoded = v.name === 'shipped' ? text : v.text === 'base64' ? data.toString('base64') : encodeBase91(data);
    fs.writeFileSync(path.join(dir, `${v.name}.txt`), encoded);
    return { ...v, compressedBytes: data.length, textChars: encoded.length };
  });
  const manifest = { wasmBytes: wasm.length, variants };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  return manifest;
}

const now = () => performance.now();

/** The phases of the single file, each timed alone, in the order the file runs them. */
function measureFile(bundle, sizeJson) {
  const size = JSON.parse(fs.readFileSync(sizeJson, 'utf8'));
  let t = now();
  const source = fs.readFileSync(bundle, 'utf8');
  const readMs = now() - t;
  const text = inlinedText(source);
  const compressedBytes = size.method === 'brotli' ? size.wasmBrotli : size.wasmGzip;
  const decoder = assembleDecoder(); // the bytes the file carries (outside the timing)
  t = now();
  const zlib = require('node:zlib');
  const zlibMs = now() - t;
  t = now();
  const compressed = decodeBase91(text, compressedBytes, decoder);
  const decodeMs = now() - t;
  t = now();
  const wasm = size.method === 'brotli' ? zlib.brotliDecompressSync(compressed) : zlib.gunzipSync(compressed);
  const decompressMs = now() - t;
  t = now();
  const module = new WebAssembly.Module(wasm);
  const compileMs = now() - t;
  if (!WebAssembly.Module.exports(module).length) throw new Error('the compiled module exports nothing');
  return {
    fileBytes: Buffer.byteLength(source), textChars: text.length, compressedBytes, wasmBytes: wasm.length, method: size.method,
    readMs, zlibMs, decodeMs, decompressMs, compileMs,
  };
}

/** One prepared variant: read its text, decode, decompress; checked against the module afterwards. */
function measureVariant(dir, name) {
  const zlib = require('node:zlib');
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  const v = manifest.variants.find((x) => x.name === name);
  if (!v) throw new Error(`no variant ${name} in ${dir}`);
  const text = fs.readFileSync(path.join(dir, `${name}.txt`), 'latin1');
  const decoder = v.text === 'base64' ? null : assembleDecoder();
  let t = now();
  const compressed = v.text === 'base64' ? Buffer.from(text, 'base64') : decodeBase91(text, v.compressedBytes, decoder);
  const decodeMs = now() - t;
  t = now();
  const wasm = v.compression === 'gzip' ? zlib.gunzipSync(compressed) : zlib.brotliDecompressSync(compressed);
  const decompressMs = now() - t;
  if (!wasm.equals(fs.readFileSync(path.join(dir, 'wasm.bin')))) throw new Error(`variant ${name} did not decode to the module`);
  return { name, decodeMs, decompressMs };
}

if (require.main === module) {
  const [what, a, b] = process.argv.slice(2);
  const result = what === 'file' ? measureFile(a, b) : what === 'variant' ? measureVariant(a, b) : null;
  if (!result) {
    process.stderr.write('usage: node bench/phases.js file <bundle> <size.json> | variant <dir> <name>\n');
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

module.exports = { VARIANTS, prepareVariants, inlinedText };
