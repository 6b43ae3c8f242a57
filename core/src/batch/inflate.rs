//! A DEFLATE decoder (RFC 1951) for gzip batches and share links, written for the page's size:
//! canonical Huffman codes decoded one bit at a time by code length, as zlib's `puff.c` does, in
//! a few hundred bytes of code where a table-driven inflater takes kilobytes. A stream is
//! refused (never a panic) when its codes are over-subscribed, a distance reaches before the
//! start, it ends early, or it would grow past the caller's limit.

use super::deflate::{CODE_LENGTH_ORDER, DISTANCE_BASE, DISTANCE_EXTRA, LENGTH_BASE, LENGTH_EXTRA};
use alloc::vec::Vec;

/// Why a stream was not inflated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InflateError {
    /// Not a valid DEFLATE stream (or it ends early).
    Corrupt,
    /// It decodes to more than the limit.
    TooLarge,
}

/// Codes of one Huffman table: how many codes of each length, and the symbols in code order.
struct Huffman {
    count: [u16; 16],
    symbol: Vec<u16>,
}

impl Huffman {
    /// The canonical code of these lengths; over-subscribed lengths are corrupt, incomplete ones
    /// are allowed (a lone distance code), their unused codes refused when met.
    fn new(lengths: &[u8]) -> Result<Self, InflateError> {
        let mut count = [0u16; 16];
        for &l in lengths {
            count[usize::from(l)] += 1;
        }
        let mut left: i32 = 1;
        for &c in &count[1..] {
            left = (left << 1) - i32::from(c);
            if left < 0 {
                return Err(InflateError::Corrupt);
            }
        }
        let mut offset = [0u16; 16];
        for len in 1..15 {
            offset[len + 1] = offset[len] + count[len];
        }
        let mut symbol = alloc::vec![0u16; lengths.len()];
        for (s, &l) in lengths.iter().enumerate() {
            if l != 0 {
                symbol[usize::from(offset[usize::from(l)])] = s as u16;
                offset[usize::from(l)] += 1;
            }
        }
        Ok(Huffman { count, symbol })
    }
}

struct Reader<'a> {
    data: &'a [u8],
    /// The next bit, counted from the first byte's lowest.
    at: usize,
}

impl Reader<'_> {
    fn bits(&mut self, n: u32) -> Result<u32, InflateError> {
        let mut v = 0;
        for i in 0..n {
            let byte = *self.data.get(self.at >> 3).ok_or(InflateError::Corrupt)?;
            v |= u32::from((byte >> (self.at & 7)) & 1) << i;
            self.at += 1;
        }
        Ok(v)
    }

    /// One symbol: codes are read most significant bit first, one length at a time.
    fn decode(&mut self, h: &Huffman) -> Result<u16, InflateError> {
        let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
        for &count in &h.count[1..] {
            code |= self.bits(1)? as i32;
            let count = i32::from(count);
            if code - first < count {
                return h.symbol.get((index + code - first) as usize).copied().ok_or(InflateError::Corrupt);
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        Err(InflateError::Corrupt)
    }
}

/// Inflates a raw DEFLATE stream (no zlib or gzip wrapper) of at most `limit` bytes.
pub fn inflate(data: &[u8], limit: usize) -> Result<Vec<u8>, InflateError> {
    let mut r = Reader { data, at: 0 };
    let mut out: Vec<u8> = Vec::new();
    loop {
        let last = r.bits(1)? == 1;
        match r.bits(2)? {
            0 => {
                // Stored: from the next byte, a length, its complement, and the bytes.
                let start = r.at.div_ceil(8);
                let head = data.get(start..start + 4).ok_or(InflateError::Corrupt)?;
                let len = usize::from(u16::from_le_bytes([head[0], head[1]]));
                if len != usize::from(!u16::from_le_bytes([head[2], head[3]])) {
                    return Err(InflateError::Corrupt);
                }
                let body = data.get(start + 4..start + 4 + len).ok_or(InflateError::Corrupt)?;
                if out.len() + len > limit {
                    return Err(InflateError::TooLarge);
                }
                out.extend_from_slice(body);
                r.at = (start + 4 + len) * 8;
            }
            1 => {
                let mut lengths = [8u8; 288];
                lengths[144..256].fill(9);
                lengths[256..280].fill(7);
                let (lit, dist) = (Huffman::new(&lengths)?, Huffman::new(&[5u8; 30])?);
                codes(&mut r, &lit, &dist, &mut out, limit)?;
            }
            2 => {
                let (lit, dist) = dynamic_tables(&mut r)?;
                codes(&mut r, &lit, &dist, &mut out, limit)?;
            }
            _ => return Err(InflateError::Corrupt),
        }
        if last {
            return Ok(out);
        }
    }
}

/// A dynamic block's literal/length and distance tables, themselves Huffman-coded.
fn dynamic_tables(r: &mut Reader<'_>) -> Result<(Huffman, Huffman), InflateError> {
    let literals = r.bits(5)? as usize + 257;
    let distances = r.bits(5)? as usize + 1;
    let code_lengths = r.bits(4)? as usize + 4;
    if literals > 286 || distances > 30 {
        return Err(InflateError::Corrupt);
    }
    let mut lengths = [0u8; 19];
    for &i in &CODE_LENGTH_ORDER[..code_lengths] {
        lengths[i] = r.bits(3)? as u8;
    }
    let lencode = Huffman::new(&lengths)?;
    let mut lengths = [0u8; 316];
    let mut n = 0;
    while n < literals + distances {
        let symbol = r.decode(&lencode)?;
        let (value, repeat) = match symbol {
            0..=15 => (symbol as u8, 1),
            16 => (*lengths.get(n.wrapping_sub(1)).filter(|_| n > 0).ok_or(InflateError::Corrupt)?, 3 + r.bits(2)?),
            17 => (0, 3 + r.bits(3)?),
            _ => (0, 11 + r.bits(7)?),
        };
        let end = n + repeat as usize;
        lengths.get_mut(n..end).filter(|_| end <= literals + distances).ok_or(InflateError::Corrupt)?.fill(value);
        n = end;
    }
    if lengths[256] == 0 {
        return Err(InflateError::Corrupt); // no end-of-block code
    }
    Ok((Huffman::new(&lengths[..literals])?, Huffman::new(&lengths[literals..literals + distances])?))
}

/// A block's literals and matches, up to its end-of-block code.
fn codes(
    r: &mut Reader<'_>,
    lit: &Huffman,
    dist: &Huffman,
    out: &mut Vec<u8>,
    limit: usize,
) -> Result<(), InflateError> {
    loop {
        let symbol = usize::from(r.decode(lit)?);
        if symbol < 256 {
            if out.len() >= limit {
                return Err(InflateError::TooLarge);
            }
            out.push(symbol as u8);
            continue;
        }
        if symbol == 256 {
            return Ok(());
        }
        let i = symbol - 257;
        let (base, extra) = (LENGTH_BASE.get(i).ok_or(InflateError::Corrupt)?, LENGTH_EXTRA[i]);
        let len = usize::from(*base) + r.bits(u32::from(extra))? as usize;
        let d = usize::from(r.decode(dist)?);
        let (base, extra) = (DISTANCE_BASE.get(d).ok_or(InflateError::Corrupt)?, DISTANCE_EXTRA[d]);
        let distance = usize::from(*base) + r.bits(u32::from(extra))? as usize;
        if distance > out.len() {
            return Err(InflateError::Corrupt);
        }
        if out.len() + len > limit {
            return Err(InflateError::TooLarge);
        }
        // Byte by byte: a match may overlap what it writes (a run).
        for _ in 0..len {
            out.push(out[out.len() - distance]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rand::Rng;

    fn check(data: &[u8]) {
        let ours = super::super::deflate::compress(data);
        assert_eq!(inflate(&ours, usize::MAX).as_deref(), Ok(data), "our own deflate");
        for level in [0u8, 1, 6, 9] {
            let theirs = miniz_oxide::deflate::compress_to_vec(data, level);
            assert_eq!(inflate(&theirs, usize::MAX).as_deref(), Ok(data), "miniz level {level}");
        }
    }

    #[test]
    fn inflates_what_deflaters_write_stored_fixed_and_dynamic() {
        check(b"");
        check(b"a");
        check(&[7u8; 100_000]);
        check(b"{\"amount\": 150, \"currency\": \"EUR\"} {\"amount\": 151, \"currency\": \"EUR\"}");
        let mut rng = Rng::new(5);
        for n in [10usize, 1_000, 70_000, 300_000] {
            let noise: Vec<u8> = (0..n).map(|_| rng.below(256) as u8).collect();
            check(&noise);
            let text: Vec<u8> = (0..n).map(|_| b"kafka topic partition offset "[rng.below(29)]).collect();
            check(&text);
        }
    }

    #[test]
    fn refuses_damage_and_streams_past_the_limit() {
        let packed = super::super::deflate::compress(&[b'x'; 5_000]);
        assert_eq!(inflate(&packed, 4_999), Err(InflateError::TooLarge));
        assert_eq!(inflate(&packed[..packed.len() / 2], usize::MAX), Err(InflateError::Corrupt));
        assert_eq!(inflate(&[0b111], usize::MAX), Err(InflateError::Corrupt), "block type 3");
        // A stored block whose length and complement disagree.
        assert_eq!(inflate(&[1, 5, 0, 0, 0], usize::MAX), Err(InflateError::Corrupt));
        // Any bytes at all: an answer, never a panic.
        let mut rng = Rng::new(9);
        for _ in 0..2_000 {
            let junk: Vec<u8> = (0..rng.below(64)).map(|_| rng.below(256) as u8).collect();
            let _ = inflate(&junk, 1 << 20);
        }
    }
}
