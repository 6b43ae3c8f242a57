// Shortens the names the wasm module and wasm-bindgen's JS glue use for each other: the import
// names (`__wbg_createElement_8c9931a732ee2fea`: a name and a hash per imported JS function) and
// the export names (`wasm_bindgen_<hash>___convert__closures_____invoke_...`, up to 190 characters)
// become `a`, `b`, ... in both files, and the import module's name (`./kafka-playground_bg.js`,
// written before every import) `m0`. The hashes do not compress, and each name is carried twice
// (once in the wasm, once in the JS), so this is about 4 KB of the gzipped page.
//
// The wasm's import and export sections are rewritten; every other section is copied byte for
// byte (imports and exports are referred to by index, never by name). A name is renamed only
// where the JS refers to it in exactly the expected places, otherwise the build stops: an import
// once, as its key in the imports object; an export only as `wasm.NAME`. Exports other than
// wasm-bindgen's generated ones (`memory`, `main`) keep their names.
//
// Usage: import { shortenNames } from './wasm-names.mjs'; const { wasm, js } = shortenNames(wasmBytes, jsText)

// LEB128 unsigned, as the wasm binary format writes lengths and counts.
function readU32(bytes, pos) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = bytes[pos++];
    value |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  return [value >>> 0, pos];
}

function writeU32(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return out;
}

const IMPORT_SECTION = 2;
const EXPORT_SECTION = 7;

// Reads an import or export section's entries: the module name (imports), the name, and the
// descriptor bytes after the name, kept as they are.
function readEntries(bytes, start, end, id) {
  let [count, pos] = readU32(bytes, start);
  const entries = [];
  for (let i = 0; i < count; i++) {
    let module = null;
    if (id === IMPORT_SECTION) {
      const [length, at] = readU32(bytes, pos);
      module = new TextDecoder().decode(bytes.subarray(at, at + length));
      pos = at + length;
    }
    const [length, at] = readU32(bytes, pos);
    const name = new TextDecoder().decode(bytes.subarray(at, at + length));
    pos = at + length;
    const descStart = pos;
    const kind = bytes[pos++];
    if (id === EXPORT_SECTION || kind === 0) {
      [, pos] = readU32(bytes, pos); // an index (export), a type index (imported function)
    } else if (kind === 1 || kind === 2) {
      if (kind === 1) pos++; // a table's element type
      const flags = bytes[pos++];
      [, pos] = readU32(bytes, pos);
      if (flags & 1) [, pos] = readU32(bytes, pos);
    } else if (kind === 3) {
      pos += 2; // a global's value type and mutability
    } else {
      throw new Error(`wasm-names: import kind ${kind} is not one this tool reads`);
    }
    entries.push({ module, name, desc: bytes.subarray(descStart, pos) });
  }
  if (pos !== end) throw new Error(`wasm-names: section ${id} ends at ${pos}, not at ${end}`);
  return entries;
}

// a, b, ..., Z, aa, ba, ...: valid JS identifiers and property names.
function shortName(index) {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let name = '';
  do {
    name += letters[index % letters.length];
    index = Math.floor(index / letters.length) - 1;
  } while (index >= 0);
  return name;
}

// NAME as a whole word; with `dotted`, only as a property (`.NAME`).
const word = (name, dotted = false) =>
  new RegExp(`${dotted ? '\\.' : '(?<![\\w$])'}${name.replace(/\$/g, '\\$')}(?![\\w$])`, 'g');
const count = (text, re) => (text.match(re) || []).length;

export function shortenNames(wasm, js) {
  if (wasm.readUInt32LE(0) !== 0x6d736100) throw new Error('wasm-names: not a wasm module');
  const sections = [wasm.subarray(0, 8)];
  const renamed = [];
  for (let pos = 8; pos < wasm.length; ) {
    const id = wasm[pos];
    const [size, start] = readU32(wasm, pos + 1);
    const end = start + size;
    if (id === IMPORT_SECTION || id === EXPORT_SECTION) {
      const entries = readEntries(wasm, start, end, id);
      sections.push({ id, entries });
      renamed.push(...entries.map((entry) => ({ id, entry })));
    } else {
      sections.push(wasm.subarray(pos, end));
    }
    pos = end;
  }

  // The import module's name (`./kafka-playground_bg.js`), written before each of the 123 imports
  // and once in the JS, as the key of the imports object.
  const modules = [...new Set(renamed.filter((r) => r.id === IMPORT_SECTION).map((r) => r.entry.module))];
  const moduleNames = new Map();
  modules.forEach((module, i) => {
    const quoted = JSON.stringify(module);
    const hits = js.split(quoted).length - 1;
    if (hits !== 1) throw new Error(`wasm-names: import module ${module} named ${hits} times in the JS, not once`);
    const short = `m${i}`;
    js = js.replace(quoted, JSON.stringify(short));
    moduleNames.set(module, short);
  });
  for (const { id, entry } of renamed) {
    if (id === IMPORT_SECTION) entry.module = moduleNames.get(entry.module);
  }

  let next = 0;
  for (const { id, entry } of renamed) {
    const short = shortName(next);
    if (id === IMPORT_SECTION) {
      const hits = count(js, word(entry.name));
      if (hits !== 1) throw new Error(`wasm-names: import ${entry.name} named ${hits} times in the JS, not once`);
      js = js.replace(word(entry.name), short);
    } else {
      // Only wasm-bindgen's own generated names: `memory` or `main` could be some other
      // object's property too, and are short anyway.
      if (!/^(__wbindgen_|__externref_|wasm_bindgen_)/.test(entry.name)) continue;
      const hits = count(js, word(entry.name));
      if (hits === 0) continue;
      if (count(js, word(entry.name, true)) !== hits) {
        throw new Error(`wasm-names: export ${entry.name} is named in the JS other than as wasm.${entry.name}`);
      }
      js = js.replace(word(entry.name, true), `.${short}`);
    }
    entry.name = short;
    next++;
  }

  const out = [];
  for (const section of sections) {
    if (section instanceof Uint8Array) {
      out.push(section);
      continue;
    }
    const body = writeU32(section.entries.length);
    for (const { module, name, desc } of section.entries) {
      if (module !== null) {
        const bytes = new TextEncoder().encode(module);
        body.push(...writeU32(bytes.length), ...bytes);
      }
      const bytes = new TextEncoder().encode(name);
      body.push(...writeU32(bytes.length), ...bytes, ...desc);
    }
    out.push(Uint8Array.from([section.id, ...writeU32(body.length), ...body]));
  }
  return { wasm: Buffer.concat(out), js };
}
