// Makes the release build in dist/ ready to ship, after `trunk build --release` (run by `./x build`):
//
// 1. Minifies wasm-bindgen's JS glue (Trunk minifies the CSS and HTML, not the JS) and puts the
//    new file's hash into index.html's integrity attribute, which Trunk computed for the old one.
// 2. Shortens the names the wasm and the JS glue know each other by (tools/wasm-names.mjs), and
//    puts the wasm's new hash into index.html too.
// 3. Writes NAME.gz beside each .wasm, .js and .css: gzip made with Zopfli, which searches
//    harder than gzip -9 for the same format (the wasm 4% smaller). A server sends it to any
//    browser that accepts gzip (tests/serve.mjs does; nginx's gzip_static, for one, does the
//    same), so these files are the page's download; each is checked to unzip to its original.
//
// Usage: node tools/ship.mjs DIR
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { minify } from 'terser';
import zopfli from '@gfx/zopfli';
import { shortenNames } from './wasm-names.mjs';

const dir = process.argv[2] ?? 'dist';
const files = readdirSync(dir);
const sha384 = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

let html = readFileSync(join(dir, 'index.html'), 'utf8');
for (const name of files.filter((f) => f.endsWith('.js'))) {
  const path = join(dir, name);
  const source = readFileSync(path);
  const { code } = await minify(source.toString('utf8'), { module: true, compress: true, mangle: true });
  const before = sha384(source);
  if (html.includes(before)) {
    html = html.replaceAll(before, sha384(Buffer.from(code)));
  } else if (html.includes(name)) {
    throw new Error(`ship: index.html loads ${name} but not with the integrity Trunk computed for it`);
  }
  writeFileSync(path, code);
}

// The glue is the JS file named like the wasm (NAME.js beside NAME_bg.wasm).
const wasmFiles = files.filter((f) => f.endsWith('_bg.wasm'));
if (wasmFiles.length !== 1) throw new Error(`ship: expected one wasm in ${dir}, found ${wasmFiles.length}`);
const wasmPath = join(dir, wasmFiles[0]);
const gluePath = wasmPath.replace(/_bg\.wasm$/, '.js');
const wasmBefore = readFileSync(wasmPath);
const glueBefore = readFileSync(gluePath);
const shortened = shortenNames(wasmBefore, glueBefore.toString('utf8'));
for (const [path, before, after] of [
  [wasmPath, wasmBefore, shortened.wasm],
  [gluePath, glueBefore, Buffer.from(shortened.js)],
]) {
  if (!html.includes(sha384(before))) throw new Error(`ship: index.html has no integrity for ${path}`);
  html = html.replaceAll(sha384(before), sha384(after));
  writeFileSync(path, after);
}
writeFileSync(join(dir, 'index.html'), html);

for (const name of files.filter((f) => /\.(wasm|js|css)$/.test(f))) {
  const path = join(dir, name);
  const original = readFileSync(path);
  // blocksplittingmax 0: no limit on how many blocks a file is split into (the default, 15, cost the
  // wasm 700 bytes); more iterations than 15 gained nothing measurable.
  const zipped = await zopfli.gzipAsync(original, { numiterations: 15, blocksplittingmax: 0 });
  if (!gunzipSync(zipped).equals(original)) throw new Error(`ship: ${name}.gz does not unzip to ${name}`);
  writeFileSync(`${path}.gz`, zipped);
  console.log(`${name.padEnd(48)} ${String(original.length).padStart(8)} bytes, ${String(zipped.length).padStart(8)} gzip (zopfli)`);
}
