//! A deflate encoder (RFC 1951) for gzip batches: LZ77 over a 32 KB window with hash chains and
//! one step of lazy matching, as zlib's level 6 searches (`max_chain` 128, `max_lazy` 16,
//! `nice_length` 128), then one block with Huffman codes built for it. Java's producer compresses
//! gzip batches with zlib at its default level; this writes a stream of the same kind (a
//! dynamic-Huffman block), not the same bytes, and any inflater reads it (the page's own is
//! miniz_oxide's, the tests' also Python's zlib through kafka-python). Written for the page's
//! size: a general-purpose encoder carried 13 KB of wasm for what a batch needs.

use alloc::vec;
use alloc::vec::Vec;

const WINDOW_BYTES: usize = 32 * 1024;
const MATCH_MIN: usize = 3;
const MATCH_MAX: usize = 258;
const HASH_BITS: u32 = 15;
/// zlib's level 6: candidates followed per position, the match length that ends the search, and
/// the length above which the next position is not tried for a longer one.
const CHAIN_MAX: usize = 128;
const NICE_LENGTH: usize = 128;
const LAZY_MAX: usize = 16;
const NONE: u32 = u32::MAX;
/// A token is a literal byte, or a match: this flag, the length at bit 16, the distance below.
pub(super) const MATCH_FLAG: u32 = 1 << 31;
const END_OF_BLOCK: usize = 256;

pub(super) const LENGTH_BASE: [u16; 29] =
    [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
pub(super) const LENGTH_EXTRA: [u8; 29] =
    [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
pub(super) const DISTANCE_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
    8193, 12289, 16385, 24577,
];
pub(super) const DISTANCE_EXTRA: [u8; 30] =
    [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/// The order in which the code-length code's lengths are written (RFC 1951 3.2.7).
pub(super) const CODE_LENGTH_ORDER: [usize; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/// The raw deflate stream of `data`: one final block with dynamic Huffman codes.
pub fn compress(data: &[u8]) -> Vec<u8> {
    let tokens = lz77(data);
    let mut lit_freq = [0u32; 286];
    let mut dist_freq = [0u32; 30];
    for &t in &tokens {
        if t & MATCH_FLAG == 0 {
            lit_freq[t as usize] += 1;
        } else {
            let (length, distance) = split(t);
            lit_freq[257 + code_of(&LENGTH_BASE, length)] += 1;
            dist_freq[code_of(&DISTANCE_BASE, distance)] += 1;
        }
    }
    lit_freq[END_OF_BLOCK] += 1;
    let lit_lengths = huffman_lengths(&mut lit_freq, 15);
    let dist_lengths = huffman_lengths(&mut dist_freq, 15);
    let (lit_codes, dist_codes) = (canonical_codes(&lit_lengths), canonical_codes(&dist_lengths));
    let hlit = 257.max(used(&lit_lengths));
    let hdist = 1.max(used(&dist_lengths));

    // The two code lengths' sequence, run-length coded with 16 (repeat the last 3-6 times),
    // 17 (3-10 zeros) and 18 (11-138 zeros).
    let all: Vec<u8> = lit_lengths[..hlit].iter().chain(&dist_lengths[..hdist]).copied().collect();
    let mut runs: Vec<(u8, u8)> = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let len = all[i];
        let run = all[i..].iter().take_while(|&&l| l == len).count();
        let mut left = run;
        if len == 0 {
            while left >= 11 {
                let n = left.min(138);
                runs.push((18, (n - 11) as u8));
                left -= n;
            }
            if left >= 3 {
                runs.push((17, (left - 3) as u8));
                left = 0;
            }
        } else {
            runs.push((len, 0));
            left -= 1;
            while left >= 3 {
                let n = left.min(6);
                runs.push((16, (n - 3) as u8));
                left -= n;
            }
        }
        runs.extend(core::iter::repeat_n((len, 0), left));
        i += run;
    }
    let mut cl_freq = [0u32; 19];
    for &(symbol, _) in &runs {
        cl_freq[symbol as usize] += 1;
    }
    let cl_lengths = huffman_lengths(&mut cl_freq, 7);
    let cl_codes = canonical_codes(&cl_lengths);
    let hclen = 4.max(CODE_LENGTH_ORDER.iter().rposition(|&s| cl_lengths[s] != 0).map_or(0, |p| p + 1));

    let mut out = Bits { bytes: Vec::with_capacity(data.len() / 2 + 64), ..Bits::default() };
    // BFINAL, then BTYPE 2 (dynamic Huffman codes).
    out.put(1, 1);
    out.put(2, 2);
    out.put((hlit - 257) as u32, 5);
    out.put((hdist - 1) as u32, 5);
    out.put((hclen - 4) as u32, 4);
    for &s in &CODE_LENGTH_ORDER[..hclen] {
        out.put(cl_lengths[s] as u32, 3);
    }
    for &(symbol, extra) in &runs {
        out.code(cl_codes[symbol as usize], cl_lengths[symbol as usize]);
        match symbol {
            16 => out.put(extra as u32, 2),
            17 => out.put(extra as u32, 3),
            18 => out.put(extra as u32, 7),
            _ => {}
        }
    }
    for &t in &tokens {
        if t & MATCH_FLAG == 0 {
            out.code(lit_codes[t as usize], lit_lengths[t as usize]);
            continue;
        }
        let (length, distance) = split(t);
        let c = code_of(&LENGTH_BASE, length);
        out.code(lit_codes[257 + c], lit_lengths[257 + c]);
        out.put((length - LENGTH_BASE[c] as usize) as u32, LENGTH_EXTRA[c] as u32);
        let d = code_of(&DISTANCE_BASE, distance);
        out.code(dist_codes[d], dist_lengths[d]);
        out.put((distance - DISTANCE_BASE[d] as usize) as u32, DISTANCE_EXTRA[d] as u32);
    }
    out.code(lit_codes[END_OF_BLOCK], lit_lengths[END_OF_BLOCK]);
    out.finish()
}

pub(super) fn split(token: u32) -> (usize, usize) {
    (((token >> 16) & 0x1ff) as usize, (token & 0xffff) as usize + 1)
}

/// The code whose base is the largest not above `value`.
fn code_of(base: &[u16], value: usize) -> usize {
    base.iter().rposition(|&b| b as usize <= value).unwrap_or(0)
}

/// How many symbols, from the first, the code needs to name (the last with a length, plus one).
fn used(lengths: &[u8]) -> usize {
    lengths.iter().rposition(|&l| l != 0).map_or(0, |p| p + 1)
}

/// Literals and matches, each match the longest found among the last `CHAIN_MAX` positions with
/// the same three bytes, taken only if the next position has no longer one.
pub(super) fn lz77(data: &[u8]) -> Vec<u32> {
    let mut head = vec![NONE; 1 << HASH_BITS];
    let mut prev = vec![NONE; data.len()];
    let hash = |i: usize| {
        let h = (data[i] as u32) << 10 ^ (data[i + 1] as u32) << 5 ^ data[i + 2] as u32;
        (h.wrapping_mul(2_654_435_761) >> (32 - HASH_BITS)) as usize
    };
    let insert = |i: usize, head: &mut Vec<u32>, prev: &mut Vec<u32>| {
        if i + MATCH_MIN <= data.len() {
            let h = hash(i);
            prev[i] = head[h];
            head[h] = i as u32;
        }
    };
    let longest = |i: usize, head: &Vec<u32>, prev: &Vec<u32>| -> (usize, usize) {
        if i + MATCH_MIN > data.len() {
            return (0, 0);
        }
        let limit = (data.len() - i).min(MATCH_MAX);
        let (mut best, mut best_distance) = (0, 0);
        let mut candidate = head[hash(i)];
        let mut chain = CHAIN_MAX;
        while candidate != NONE && chain > 0 {
            let at = candidate as usize;
            if i - at > WINDOW_BYTES {
                break;
            }
            // A candidate that cannot beat the best differs at the best's end (zlib's first test).
            if data[at + best] != data[i + best] {
                candidate = prev[at];
                chain -= 1;
                continue;
            }
            let length = match_length(&data[at..at + limit], &data[i..i + limit]);
            if length > best {
                (best, best_distance) = (length, i - at);
                if length >= NICE_LENGTH.min(limit) {
                    break;
                }
            }
            candidate = prev[at];
            chain -= 1;
        }
        (best, best_distance)
    };
    let mut tokens = Vec::with_capacity(data.len() / 3 + 1);
    let mut i = 0;
    // The next position's match, when it was looked for (lazily) and the head has not moved since.
    let mut ahead = None;
    while i < data.len() {
        let (length, distance) = ahead.take().unwrap_or_else(|| longest(i, &head, &prev));
        insert(i, &mut head, &mut prev);
        if length < MATCH_MIN {
            tokens.push(data[i] as u32);
            i += 1;
            continue;
        }
        if length < LAZY_MAX {
            let next = longest(i + 1, &head, &prev);
            if next.0 > length {
                // The next position starts a longer match: this byte goes as a literal.
                tokens.push(data[i] as u32);
                ahead = Some(next);
                i += 1;
                continue;
            }
        }
        tokens.push(MATCH_FLAG | (length as u32) << 16 | (distance - 1) as u32);
        for j in i + 1..i + length {
            insert(j, &mut head, &mut prev);
        }
        i += length;
    }
    tokens
}

/// How many bytes two equally long slices share from their start, compared eight at a time.
fn match_length(a: &[u8], b: &[u8]) -> usize {
    let (mut wa, mut wb) = (a.chunks_exact(8), b.chunks_exact(8));
    let mut n = 0;
    for (x, y) in (&mut wa).zip(&mut wb) {
        let word = |c: &[u8]| <[u8; 8]>::try_from(c).map_or(0, u64::from_le_bytes);
        let differ = word(x) ^ word(y);
        if differ != 0 {
            return n + (differ.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    n + wa.remainder().iter().zip(wb.remainder()).take_while(|(x, y)| x == y).count()
}

/// Code lengths of a Huffman code for `freq`, none longer than `limit`: frequencies are halved
/// (keeping every used symbol used) until the tree is shallow enough. At least two symbols get a
/// code, so every code is complete, as strict inflaters want.
pub(super) fn huffman_lengths(freq: &mut [u32], limit: u8) -> Vec<u8> {
    for s in 0..2 {
        if freq.iter().filter(|&&f| f > 0).count() < 2 && freq[s] == 0 {
            freq[s] = 1;
        }
    }
    loop {
        // Huffman's construction with two queues: the leaves sorted by weight (ties by symbol),
        // and the inner nodes, made in order of weight. Nodes are the leaves, then inner nodes.
        let mut leaves: Vec<usize> = (0..freq.len()).filter(|&s| freq[s] > 0).collect();
        crate::sort::sort_by_key(&mut leaves, |&s| (freq[s], s));
        let mut weight: Vec<u64> = leaves.iter().map(|&s| freq[s] as u64).collect();
        let mut parent = vec![usize::MAX; weight.len()];
        let (mut next_leaf, mut next_inner) = (0, leaves.len());
        while weight.len() - next_inner + leaves.len() - next_leaf > 1 {
            let mut pick = || {
                let inner_first =
                    next_inner < weight.len() && (next_leaf == leaves.len() || weight[next_inner] < weight[next_leaf]);
                let at = if inner_first { &mut next_inner } else { &mut next_leaf };
                *at += 1;
                *at - 1
            };
            let (a, b) = (pick(), pick());
            let node = weight.len();
            weight.push(weight[a] + weight[b]);
            parent.push(usize::MAX);
            (parent[a], parent[b]) = (node, node);
        }
        let mut symbol_node: Vec<usize> = vec![usize::MAX; freq.len()];
        for (n, &s) in leaves.iter().enumerate() {
            symbol_node[s] = n;
        }
        let depth = |mut n: usize| {
            let mut d = 0u8;
            while parent[n] != usize::MAX {
                n = parent[n];
                d += 1;
            }
            d
        };
        let lengths: Vec<u8> = symbol_node.iter().map(|&n| if n == usize::MAX { 0 } else { depth(n) }).collect();
        if lengths.iter().all(|&l| l <= limit) {
            return lengths;
        }
        for f in freq.iter_mut().filter(|f| **f > 0) {
            *f = (*f >> 1) | 1;
        }
    }
}

/// Canonical Huffman codes for the lengths (RFC 1951 3.2.2), bit-reversed: deflate sends a code's
/// bits from its most significant, into a stream filled from each byte's least significant.
fn canonical_codes(lengths: &[u8]) -> Vec<u16> {
    let mut count = [0u16; 16];
    for &l in lengths {
        count[l as usize] += 1;
    }
    count[0] = 0;
    let mut next = [0u16; 16];
    let mut code = 0u16;
    for bits in 1..16 {
        code = (code + count[bits - 1]) << 1;
        next[bits] = code;
    }
    lengths
        .iter()
        .map(|&l| {
            if l == 0 {
                return 0;
            }
            let c = next[l as usize];
            next[l as usize] += 1;
            c.reverse_bits() >> (16 - l)
        })
        .collect()
}

/// A bitstream filled from each byte's least significant bit, as deflate writes and as zstd
/// writes the streams its readers take from the end.
#[derive(Default)]
pub(super) struct Bits {
    bytes: Vec<u8>,
    acc: u64,
    count: u32,
}

impl Bits {
    /// Appends the low `bits` bits of `value`.
    pub(super) fn put(&mut self, value: u32, bits: u32) {
        self.acc |= (value as u64 & ((1u64 << bits) - 1)) << self.count;
        self.count += bits;
        while self.count >= 8 {
            self.bytes.push(self.acc as u8);
            self.acc >>= 8;
            self.count -= 8;
        }
    }

    pub(super) fn code(&mut self, code: u16, length: u8) {
        self.put(code as u32, length as u32);
    }

    /// The bytes, the last one padded with zeros.
    pub(super) fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            self.bytes.push(self.acc as u8);
        }
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(data: &[u8]) -> usize {
        let packed = compress(data);
        let back = miniz_oxide::inflate::decompress_to_vec(&packed).expect("miniz_oxide inflates what compress wrote");
        assert_eq!(back, data, "round trip of {} bytes", data.len());
        packed.len()
    }

    #[test]
    fn empty_and_tiny_inputs_round_trip() {
        round_trip(b"");
        round_trip(b"a");
        round_trip(b"ab");
        round_trip(b"abc");
        round_trip(b"aaaa");
    }

    #[test]
    fn runs_and_repeats_compress() {
        let zeros = vec![0u8; 100_000];
        assert!(round_trip(&zeros) < 400, "a run of zeros compresses to almost nothing");
        let text: Vec<u8> =
            (0..2_000).flat_map(|i| alloc::format!("{{\"order\":{i},\"amount\":150.0}}").into_bytes()).collect();
        let packed = round_trip(&text);
        let level6 = miniz_oxide::deflate::compress_to_vec(&text, 6).len();
        assert!(packed * 10 < text.len() * 3, "JSON-like records compress: {packed} of {}", text.len());
        assert!(packed * 100 < level6 * 115, "within 15% of zlib-style level 6: {packed} against {level6}");
    }

    #[test]
    fn every_byte_value_and_far_matches_round_trip() {
        let mut rng = crate::rand::Rng::new(7);
        let noise: Vec<u8> = (0..70_000).map(|_| rng.next_u64() as u8).collect();
        round_trip(&noise);
        // The same 20 KB twice, then again 40 KB later: matches near the window's edge and beyond it.
        let mut far = noise[..20_000].to_vec();
        far.extend_from_slice(&noise[..20_000]);
        far.extend_from_slice(&noise[20_000..60_000]);
        far.extend_from_slice(&noise[..20_000]);
        round_trip(&far);
        let all: Vec<u8> = (0..=255u8).cycle().take(5_000).collect();
        round_trip(&all);
    }

    #[test]
    fn skewed_frequencies_keep_codes_within_fifteen_bits() {
        // Fibonacci-like frequencies make an unlimited Huffman tree deeper than 15.
        let mut data = Vec::new();
        let (mut a, mut b) = (1usize, 1usize);
        for symbol in 0..25u8 {
            data.extend(core::iter::repeat_n(symbol * 7 + 1, a));
            (a, b) = (b, a + b);
        }
        let mut rng = crate::rand::Rng::new(3);
        // Shuffled so that LZ77 finds few matches and the literals keep their counts.
        for i in (1..data.len()).rev() {
            data.swap(i, rng.next_u64() as usize % (i + 1));
        }
        round_trip(&data);
    }
}
