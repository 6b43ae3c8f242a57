//! A zstd encoder (RFC 8878) for zstd batches: one single-segment frame of blocks of at most
//! 128 KB, each compressed from the deflate encoder's LZ77 matches (`deflate::lz77`): literals
//! Huffman-coded (their weights written directly, so for literals up to byte 128, else raw),
//! offsets through the three repeat offsets where they can be, and the sequences' three codes
//! with the format's predefined FSE tables or tables of their own, whichever is smaller. Java's
//! producer writes zstd with zstd-jni at level 3: the same format, not the same bytes; any zstd
//! decoder reads these (the page's is `unzstd.rs`, the tests' also the zstd library's through
//! kafka-python). On JSON-like records it writes 0-25% more than level 3 (ruzstd's fastest level,
//! used before, wrote 25-90% more, more than gzip), and the page is 16.7 KB of wasm lighter than
//! with ruzstd's encoder.

use super::deflate::{huffman_lengths, lz77, split, Bits, MATCH_FLAG};
use alloc::vec;
use alloc::vec::Vec;

pub(super) const MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];
const BLOCK_BYTES_MAX: usize = 128 * 1024;
/// Literals shorter than this go raw: a Huffman table would cost more than it saves.
const HUFFMAN_LITERALS_MIN: usize = 64;
const HUFFMAN_BITS_MAX: u8 = 11;

/// The predefined distributions (RFC 8878 3.1.1.3.2.2): literal lengths and match lengths at
/// accuracy log 6, offsets at 5.
pub(super) const LL_DEFAULT: [i16; 36] =
    [4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1];
pub(super) const ML_DEFAULT: [i16; 53] = [
    1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1,
];
pub(super) const OF_DEFAULT: [i16; 29] =
    [1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1];
/// Literal length codes 16 to 35: their baselines (codes 0-15 are the length itself).
pub(super) const LL_BASE: [u32; 20] =
    [16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536];
pub(super) const LL_EXTRA: [u8; 20] = [1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
/// Match length codes 32 to 52 (codes 0-31 are lengths 3 to 34).
pub(super) const ML_BASE: [u32; 21] =
    [35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051, 4099, 8195, 16387, 32771, 65539];
pub(super) const ML_EXTRA: [u8; 21] = [1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

/// A zstd frame of `data`.
pub fn compress(data: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    // Single segment (the window is the content), with the content size in 1, 2 or 4 bytes.
    let size = data.len();
    if size < 256 {
        out.extend([0b0010_0000, size as u8]);
    } else if size < 256 + 65536 {
        out.push(0b0110_0000);
        out.extend(((size - 256) as u16).to_le_bytes());
    } else {
        out.push(0b1010_0000);
        out.extend((size as u32).to_le_bytes());
    }
    let chunks: Vec<&[u8]> = if data.is_empty() { vec![data] } else { data.chunks(BLOCK_BYTES_MAX).collect() };
    let last = chunks.len() - 1;
    // The repeat offsets (RFC 8878 3.1.2.5), kept from block to block.
    let mut repeats = [1u32, 4, 8];
    for (i, chunk) in chunks.into_iter().enumerate() {
        let before = repeats;
        let body = block(chunk, &mut repeats);
        if !matches!(&body, Some(b) if b.len() < chunk.len()) {
            // A raw block uses no offset: the decoder's history stays where it was.
            repeats = before;
        }
        // Block header: last flag, type (0 raw, 2 compressed), size; raw when compression does not pay.
        let (kind, body) = match body {
            Some(b) if b.len() < chunk.len() => (2u32, b),
            _ => (0u32, chunk.to_vec()),
        };
        let header = (i == last) as u32 | kind << 1 | (body.len() as u32) << 3;
        out.extend(&header.to_le_bytes()[..3]);
        out.extend(body);
    }
    out
}

/// A compressed block's content: the literals section, then the sequences section.
fn block(data: &[u8], repeats: &mut [u32; 3]) -> Option<Vec<u8>> {
    let mut literals = Vec::new();
    let mut sequences: Vec<(u32, u32, u32)> = Vec::new();
    let mut run = 0u32;
    let mut at = 0;
    for t in lz77(data) {
        if t & MATCH_FLAG == 0 {
            literals.push(t as u8);
            run += 1;
            at += 1;
        } else {
            let (length, distance) = split(t);
            let distance = distance as u32;
            // Offset values 1-3 name the repeat offsets (shifted by one after no literal); a new
            // offset is sent as distance + 3. The history moves as the decoder's will.
            let slot = repeats.iter().position(|&r| r == distance).filter(|&k| k > 0 || run > 0);
            let value = match slot {
                Some(k) => {
                    repeats[..=k].rotate_right(1);
                    k as u32 + if run == 0 { 0 } else { 1 }
                }
                None => {
                    repeats.rotate_right(1);
                    repeats[0] = distance;
                    distance + 3
                }
            };
            sequences.push((run, length as u32, value));
            run = 0;
            at += length;
        }
    }
    debug_assert_eq!(at, data.len(), "the tokens cover the block");
    let mut out = literals_section(&literals);
    let n = sequences.len();
    if n < 128 {
        out.push(n as u8);
    } else if n < 0x7f00 {
        out.extend([(n >> 8) as u8 + 0x80, n as u8]);
    } else {
        out.push(0xff);
        out.extend(((n - 0x7f00) as u16).to_le_bytes());
    }
    if n == 0 {
        return Some(out);
    }
    let codes: Vec<[(u8, u32, u8); 3]> = sequences
        .iter()
        .map(|&(ll, ml, of)| {
            let code = |base: &[u32], extra: &[u8], direct: u32, offset: u32, value: u32| {
                if value < direct + offset {
                    ((value - offset) as u8, 0, 0)
                } else {
                    let c = base.iter().rposition(|&b| b <= value).unwrap_or(0);
                    ((c as u32 + direct) as u8, value - base[c], extra[c])
                }
            };
            let of_code = 31 - of.leading_zeros();
            [
                code(&LL_BASE, &LL_EXTRA, 16, 0, ll),
                code(&ML_BASE, &ML_EXTRA, 32, 3, ml),
                (of_code as u8, of - (1 << of_code), of_code as u8),
            ]
        })
        .collect();
    // Each of the three codes with the predefined table or one of its own, whichever is smaller
    // with its description; the modes byte, then the descriptions of literal lengths, offsets and
    // match lengths (RFC 8878 3.1.1.3.2.1).
    let mut modes = 0u8;
    let mut descriptions = [Vec::new(), Vec::new(), Vec::new()];
    let mut logs = [6u32, 6, 5];
    let mut tables: [Vec<(u8, u32, u16)>; 3] =
        [fse_table(&LL_DEFAULT, 6), fse_table(&ML_DEFAULT, 6), fse_table(&OF_DEFAULT, 5)];
    for (k, (default, log_max, shift)) in
        [(&LL_DEFAULT[..], 9, 6), (&ML_DEFAULT[..], 9, 2), (&OF_DEFAULT[..], 8, 4)].into_iter().enumerate()
    {
        let mut counts = vec![0u32; default.len()];
        for c in &codes {
            counts[c[k].0 as usize] += 1;
        }
        let used = counts.iter().filter(|&&c| c > 0).count() as u32;
        let log = (32 - (n as u32).leading_zeros()).clamp(logs[k], log_max).max(32 - used.leading_zeros());
        let own = normalize(&counts, log);
        let description = describe(&own, log);
        let predefined: Vec<i16> = default.iter().map(|&p| p.max(1)).collect();
        if cost(&counts, &own, log) + description.len() as u64 * 128 < cost(&counts, &predefined, logs[k]) {
            modes |= 2 << shift;
            tables[k] = fse_table(&own, log);
            (logs[k], descriptions[k]) = (log, description);
        }
    }
    out.push(modes);
    for k in [0, 2, 1] {
        out.extend(&descriptions[k]);
    }
    let mut bits = Bits::default();
    // Encoded from the last sequence to the first, read back from the end (RFC 8878 3.1.1.4).
    let last = codes[n - 1];
    let mut states = [0usize; 3];
    for k in 0..3 {
        states[k] = tables[k].iter().position(|e| e.0 == last[k].0).unwrap_or(0);
    }
    for k in [0, 1, 2] {
        bits.put(last[k].1, last[k].2.into());
    }
    // Each symbol's states by baseline: their ranges of next states tile the table.
    let by_symbol: Vec<Vec<Vec<usize>>> = tables
        .iter()
        .map(|table| {
            let mut lists = vec![Vec::new(); 53];
            for (x, e) in table.iter().enumerate() {
                lists[e.0 as usize].push(x);
            }
            for list in &mut lists {
                crate::sort::sort_by_key(list, |&x| table[x].2);
            }
            lists
        })
        .collect();
    for seq in codes[..n - 1].iter().rev() {
        // Each state moves to the state of its symbol whose range holds it: the low bits say where.
        for k in [2, 1, 0] {
            let (table, y) = (&tables[k], states[k]);
            let list = &by_symbol[k][seq[k].0 as usize];
            let x = *list.get(list.partition_point(|&x| table[x].2 as usize <= y).checked_sub(1)?)?;
            debug_assert!(y < table[x].2 as usize + (1 << table[x].1), "state {y} in the range of state {x}");
            bits.put((y - table[x].2 as usize) as u32, table[x].1);
            states[k] = x;
        }
        for k in [0, 1, 2] {
            bits.put(seq[k].1, seq[k].2.into());
        }
    }
    for k in [1, 2, 0] {
        bits.put(states[k] as u32, logs[k]);
    }
    out.extend(close(bits));
    Some(out)
}

/// Counts scaled to probabilities summing to 2^log, each used symbol at least 1; what rounding
/// leaves over goes to, or comes from, the most probable symbols.
fn normalize(counts: &[u32], log: u32) -> Vec<i16> {
    let total: u64 = counts.iter().map(|&c| c as u64).sum();
    let mut norm: Vec<i16> =
        counts.iter().map(|&c| if c == 0 { 0 } else { (((c as u64) << log) / total).max(1) as i16 }).collect();
    let mut left = (1i32 << log) - norm.iter().map(|&p| p as i32).sum::<i32>();
    let mut order: Vec<usize> = (0..norm.len()).collect();
    crate::sort::sort_by_key(&mut order, |&s| (core::cmp::Reverse(norm[s]), s));
    for s in order {
        if left == 0 {
            break;
        }
        let change = if left > 0 { left } else { left.max(1 - norm[s] as i32) };
        norm[s] += change as i16;
        left -= change;
    }
    norm
}

/// The bits a code would take with a table for `norm` at `log`, in 1/16 bits: each symbol about
/// log - log2(probability).
fn cost(counts: &[u32], norm: &[i16], log: u32) -> u64 {
    let log2_16 = |x: u32| {
        let high = 31 - x.leading_zeros();
        high * 16 + ((x << 4) >> high) - 16
    };
    counts
        .iter()
        .zip(norm)
        .filter(|(&c, _)| c > 0)
        .map(|(&c, &p)| c as u64 * (log * 16 - log2_16(p.max(1) as u32)) as u64)
        .sum()
}

/// An FSE table's description (RFC 8878 4.1.1, zstd's `FSE_writeNCount`): the accuracy log, then
/// each probability plus one in as few bits as what remains allows, zeros after a zero as runs.
fn describe(norm: &[i16], log: u32) -> Vec<u8> {
    let mut bits = Bits::default();
    bits.put(log - 5, 4);
    let (mut remaining, mut threshold, mut width) = ((1i32 << log) + 1, 1i32 << log, log + 1);
    let mut symbol = 0;
    let mut previous_zero = false;
    while remaining > 1 && symbol < norm.len() {
        if previous_zero {
            let mut start = symbol;
            while symbol < norm.len() && norm[symbol] == 0 {
                symbol += 1;
            }
            while symbol >= start + 24 {
                start += 24;
                bits.put(0xffff, 16);
            }
            while symbol >= start + 3 {
                start += 3;
                bits.put(3, 2);
            }
            bits.put((symbol - start) as u32, 2);
        }
        let count = norm[symbol] as i32;
        symbol += 1;
        let max = (2 * threshold - 1) - remaining;
        remaining -= count.abs();
        let mut value = count + 1;
        if value >= threshold {
            value += max;
        }
        bits.put(value as u32, width - (value < max) as u32);
        previous_zero = value == 1;
        while remaining < threshold {
            width -= 1;
            threshold >>= 1;
        }
    }
    bits.finish()
}

/// An FSE decoding table for a normalised distribution (RFC 8878 4.1.1): per state, its symbol,
/// the bits read to leave it and the baseline they are added to.
pub(super) fn fse_table(distribution: &[i16], log: u32) -> Vec<(u8, u32, u16)> {
    let size = 1usize << log;
    let mut table = vec![(0u8, 0u32, 0u16); size];
    let mut high = size - 1;
    for (s, &p) in distribution.iter().enumerate() {
        if p == -1 {
            table[high].0 = s as u8;
            high -= 1;
        }
    }
    let step = (size >> 1) + (size >> 3) + 3;
    let mut position = 0;
    for (s, &p) in distribution.iter().enumerate() {
        for _ in 0..p.max(0) {
            table[position].0 = s as u8;
            position = (position + step) & (size - 1);
            while position > high {
                position = (position + step) & (size - 1);
            }
        }
    }
    let mut next: Vec<u32> = distribution.iter().map(|&p| p.unsigned_abs() as u32).collect();
    for entry in table.iter_mut() {
        let state = next[entry.0 as usize];
        next[entry.0 as usize] += 1;
        let bits = log - (31 - state.leading_zeros());
        *entry = (entry.0, bits, ((state << bits) - size as u32) as u16);
    }
    table
}

/// The literals section: Huffman-coded in one stream or four when that is smaller, else raw.
fn literals_section(literals: &[u8]) -> Vec<u8> {
    let n = literals.len();
    let raw = || {
        let mut out = if n < 32 {
            vec![(n as u8) << 3]
        } else if n < 4096 {
            (0b0100 | (n as u32) << 4).to_le_bytes()[..2].to_vec()
        } else {
            (0b1100 | (n as u32) << 4).to_le_bytes()[..3].to_vec()
        };
        out.extend_from_slice(literals);
        out
    };
    let mut freq = [0u32; 256];
    for &b in literals {
        freq[b as usize] += 1;
    }
    let last_symbol = freq.iter().rposition(|&f| f > 0).unwrap_or(0);
    if n < HUFFMAN_LITERALS_MIN || last_symbol > 128 || freq.iter().filter(|&&f| f > 0).count() < 2 {
        return raw();
    }
    let lengths = huffman_lengths(&mut freq, HUFFMAN_BITS_MAX);
    let max_bits = lengths.iter().copied().max().unwrap_or(0);
    // Codes by length, longest first, each length's symbols in order (RFC 8878 4.2.1.3).
    let mut codes = [0u16; 256];
    let mut code = 0u16;
    for len in (1..=max_bits).rev() {
        for s in (0..256).filter(|&s| lengths[s] == len) {
            codes[s] = code;
            code += 1;
        }
        code >>= 1;
    }
    // The tree: weights written directly, two to a byte, the last symbol's implied.
    let weight = |s: usize| if lengths[s] == 0 { 0 } else { max_bits + 1 - lengths[s] };
    let mut tree = vec![127 + last_symbol as u8];
    for pair in (0..last_symbol).collect::<Vec<_>>().chunks(2) {
        tree.push(weight(pair[0]) << 4 | pair.get(1).map_or(0, |&s| weight(s)));
    }
    let stream = |part: &[u8]| {
        let mut bits = Bits::default();
        for &b in part.iter().rev() {
            bits.put(codes[b as usize] as u32, lengths[b as usize] as u32);
        }
        close(bits)
    };
    let (four, body) = if n < 1024 {
        (false, stream(literals))
    } else {
        let segment = n.div_ceil(4);
        let streams: Vec<Vec<u8>> = literals.chunks(segment).map(stream).collect();
        let mut body = Vec::new();
        for s in &streams[..3] {
            body.extend((s.len() as u16).to_le_bytes());
        }
        streams.iter().for_each(|s| body.extend(s));
        (true, body)
    };
    let compressed = tree.len() + body.len();
    // Header: type 2 (compressed), size format, regenerated and compressed sizes of 10, 14 or 18 bits.
    let (format, size_bits, header_bytes) = match (four, n.max(compressed)) {
        (false, _) => (0u64, 10, 3),
        (true, m) if m < 1024 => (1, 10, 3),
        (true, m) if m < 16384 => (2, 14, 4),
        _ => (3, 18, 5),
    };
    if compressed + header_bytes >= n + 3 || compressed >= 1 << size_bits {
        return raw();
    }
    let header = 2 | format << 2 | (n as u64) << 4 | (compressed as u64) << (4 + size_bits);
    let mut out = header.to_le_bytes()[..header_bytes].to_vec();
    out.extend(tree);
    out.extend(body);
    out
}

/// Closes a stream its reader takes from the end: a 1 after the last bit, which the reader looks
/// for first.
fn close(mut bits: Bits) -> Vec<u8> {
    bits.put(1, 1);
    bits.finish()
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;
    use crate::batch::codec::Compression;

    fn round_trip(data: &[u8]) -> usize {
        let packed = compress(data);
        let back = Compression::Zstd.decompress(&packed).expect("ruzstd decodes what compress wrote");
        assert!(back == data, "round trip of {} bytes", data.len());
        packed.len()
    }

    #[test]
    fn empty_and_tiny_inputs_round_trip() {
        for data in [&b""[..], b"a", b"ab", b"abcabcabcabc", &[0u8; 300]] {
            round_trip(data);
        }
    }

    #[test]
    fn text_compresses_with_huffman_literals_in_one_and_four_streams() {
        for records in [12, 60, 2_000, 5_000] {
            let text: Vec<u8> = (0..records)
                .flat_map(|i| alloc::format!("{{\"order\":\"ORD{i:05}\",\"amount\":{}.5}}", i % 613).into_bytes())
                .collect();
            let packed = round_trip(&text);
            assert!(packed * 2 < text.len(), "{records} records: {packed} of {} bytes", text.len());
            // Repeat offsets and tables fitted to the block: smaller than ruzstd's fastest level,
            // and than gzip, as zstd's own level 3 is on such records.
            let theirs =
                ruzstd::encoding::compress_to_vec(&text[..], ruzstd::encoding::CompressionLevel::Fastest).len();
            assert!(packed < theirs, "{records} records: {packed} against ruzstd's {theirs}");
            let gzip = crate::batch::deflate::compress(&text).len() + 18;
            assert!(packed < gzip, "{records} records: {packed} against gzip's {gzip}");
        }
    }

    #[test]
    fn binary_and_multi_block_inputs_round_trip() {
        let mut rng = crate::rand::Rng::new(11);
        let noise: Vec<u8> = (0..300_000).map(|_| (rng.next_u64() % 7) as u8 * 37).collect();
        round_trip(&noise);
        let random: Vec<u8> = (0..50_000).map(|_| rng.next_u64() as u8).collect();
        round_trip(&random);
        let mut long = random.clone();
        long.extend_from_slice(&random);
        round_trip(&long);
    }

    #[test]
    fn seeded_inputs_round_trip() {
        let mut rng = crate::rand::Rng::new(5);
        for _ in 0..200 {
            let len = (rng.next_u64() % 3_000) as usize;
            let alphabet = 1 + rng.next_u64() % 200;
            let data: Vec<u8> =
                (0..len)
                    .map(|i| {
                        if i > 10 && rng.next_u64() % 3 == 0 {
                            (i % 11) as u8
                        } else {
                            (rng.next_u64() % alphabet) as u8
                        }
                    })
                    .collect();
            round_trip(&data);
        }
    }
}
