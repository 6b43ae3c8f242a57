//! A zstd decoder (RFC 8878) written for the page's size, beside the encoder in `zstd.rs`:
//! frames of raw, RLE and compressed blocks; literals raw, RLE or Huffman-coded (weights written
//! directly or FSE-compressed, one stream or four, a table repeated from the block before);
//! sequences with predefined, RLE, FSE-described or repeated tables and the three repeat offsets.
//! Bits are read one at a time (simple, and fast enough for record batches). Skippable frames are
//! skipped; a frame that needs a dictionary is refused; a content checksum is not verified (the
//! batch's CRC already covers the bytes). Damage is an error, never a panic.

use super::zstd::{fse_table, LL_BASE, LL_DEFAULT, LL_EXTRA, MAGIC, ML_BASE, ML_DEFAULT, ML_EXTRA, OF_DEFAULT};
use alloc::vec::Vec;

/// Why a frame was not decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZstdError {
    Corrupt,
    TooLarge,
}

use ZstdError::Corrupt;

/// An FSE decoding table: per state its symbol, the bits to read and the baseline they add to.
type Fse = Vec<(u8, u32, u16)>;

/// A reader from the front, a byte at a time.
struct Front<'a>(&'a [u8]);

impl<'a> Front<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ZstdError> {
        let (head, rest) = (self.0.get(..n).ok_or(Corrupt)?, &self.0[n..]);
        self.0 = rest;
        Ok(head)
    }

    fn le(&mut self, n: usize) -> Result<u64, ZstdError> {
        Ok(self.take(n)?.iter().rev().fold(0, |v, &b| v << 8 | u64::from(b)))
    }
}

/// A stream read from its end (RFC 8878 4.1): its last byte's highest 1 marks where it starts;
/// bits before the beginning read as zeros.
struct Back<'a> {
    data: &'a [u8],
    /// Bits not yet read: the next read takes those just below.
    at: isize,
}

impl<'a> Back<'a> {
    fn new(data: &'a [u8]) -> Result<Self, ZstdError> {
        let last = *data.last().filter(|&&b| b != 0).ok_or(Corrupt)?;
        Ok(Back { data, at: (data.len() * 8) as isize - 1 - last.leading_zeros() as isize })
    }

    fn read(&mut self, n: u32) -> u32 {
        self.at -= n as isize;
        let mut v = 0u32;
        for i in 0..n as isize {
            let bit = self.at + i;
            if bit >= 0 {
                v |= u32::from(self.data[(bit >> 3) as usize] >> (bit & 7) & 1) << i;
            }
        }
        v
    }
}

/// A forward bit reader over a table description.
struct Bits<'a> {
    data: &'a [u8],
    at: usize,
}

impl Bits<'_> {
    fn peek(&self, n: u32) -> u32 {
        (0..n as usize).fold(0, |v, i| {
            let bit = self.at + i;
            v | u32::from(self.data.get(bit >> 3).map_or(0, |b| b >> (bit & 7) & 1)) << i
        })
    }

    fn read(&mut self, n: u32) -> Result<u32, ZstdError> {
        let v = self.peek(n);
        self.at += n as usize;
        if self.at > self.data.len() * 8 {
            return Err(Corrupt);
        }
        Ok(v)
    }
}

/// An FSE table description (RFC 8878 4.1.1): the normalised distribution and its accuracy log,
/// and the bytes it took.
fn read_distribution(data: &[u8], log_max: u32, symbols_max: usize) -> Result<(Fse, usize), ZstdError> {
    let mut b = Bits { data, at: 0 };
    let log = b.read(4)? + 5;
    if log > log_max {
        return Err(Corrupt);
    }
    let mut norm: Vec<i16> = Vec::new();
    let mut remaining = (1i32 << log) + 1;
    let mut threshold = 1i32 << log;
    let mut bits = log + 1;
    while remaining > 1 {
        if norm.len() >= symbols_max {
            return Err(Corrupt);
        }
        let max = 2 * threshold - 1 - remaining;
        let peek = b.peek(bits) as i32;
        let mut count = if peek & (threshold - 1) < max {
            b.read(bits - 1)?;
            peek & (threshold - 1)
        } else {
            b.read(bits)?;
            let c = peek & (2 * threshold - 1);
            if c >= threshold {
                c - max
            } else {
                c
            }
        };
        count -= 1;
        remaining -= count.abs();
        norm.push(count as i16);
        if count == 0 {
            loop {
                let repeat = b.read(2)?;
                norm.extend(core::iter::repeat_n(0, repeat as usize));
                if repeat != 3 {
                    break;
                }
            }
        }
        while remaining < threshold && threshold > 1 {
            bits -= 1;
            threshold >>= 1;
        }
    }
    if remaining != 1 || norm.len() > symbols_max {
        return Err(Corrupt);
    }
    Ok((fse_table(&norm, log), b.at.div_ceil(8)))
}

/// One step of an FSE state: its symbol, then the next state.
fn fse_step(table: &Fse, state: &mut u32, bits: &mut Back<'_>) -> Result<u8, ZstdError> {
    let &(symbol, n, base) = table.get(*state as usize).ok_or(Corrupt)?;
    *state = u32::from(base) + bits.read(n);
    Ok(symbol)
}

/// A Huffman decoding table: `1 << max_bits` entries of (symbol, code length).
struct Huffman {
    max_bits: u32,
    table: Vec<(u8, u8)>,
}

/// A Huffman tree description (RFC 8878 4.2.1) and the bytes it took.
fn read_huffman(data: &[u8]) -> Result<(Huffman, usize), ZstdError> {
    let head = usize::from(*data.first().ok_or(Corrupt)?);
    let mut weights: Vec<u8> = Vec::new();
    let used = if head < 128 {
        // FSE-compressed weights: two states taking turns over one stream.
        let body = data.get(1..1 + head).ok_or(Corrupt)?;
        let (table, taken) = read_distribution(body, 6, 256)?;
        let log = table.len().trailing_zeros();
        let mut bits = Back::new(body.get(taken..).ok_or(Corrupt)?)?;
        let mut states = [bits.read(log), bits.read(log)];
        'turns: loop {
            for i in 0..2 {
                weights.push(fse_step(&table, &mut states[i], &mut bits)?);
                if bits.at < 0 {
                    weights.push(table.get(states[1 - i] as usize).ok_or(Corrupt)?.0);
                    break 'turns;
                }
                if weights.len() > 255 {
                    return Err(Corrupt);
                }
            }
        }
        1 + head
    } else {
        let count = head - 127;
        let body = data.get(1..1 + count.div_ceil(2)).ok_or(Corrupt)?;
        weights.extend((0..count).map(|i| if i % 2 == 0 { body[i / 2] >> 4 } else { body[i / 2] & 15 }));
        1 + count.div_ceil(2)
    };
    // The last symbol's weight makes the total a power of two.
    let total: u32 = weights.iter().filter(|&&w| w > 0).map(|&w| 1u32 << (w - 1)).sum();
    if total == 0 || weights.iter().any(|&w| w > 11) {
        return Err(Corrupt);
    }
    let max_bits = 32 - total.leading_zeros();
    if max_bits > 11 {
        return Err(Corrupt);
    }
    let rest = (1u32 << max_bits) - total;
    if !rest.is_power_of_two() || weights.len() > 255 {
        return Err(Corrupt);
    }
    weights.push(rest.trailing_zeros() as u8 + 1);
    let length = |w: u8| if w == 0 { 0 } else { max_bits + 1 - u32::from(w) };
    // Codes by length, longest first, each length's symbols in order (as `zstd.rs` writes them).
    let mut table = Vec::with_capacity(1 << max_bits);
    for len in (1..=max_bits).rev() {
        for (s, &w) in weights.iter().enumerate() {
            if length(w) == len {
                table.extend(core::iter::repeat_n((s as u8, len as u8), 1 << (max_bits - len)));
            }
        }
    }
    if table.len() != 1 << max_bits {
        return Err(Corrupt);
    }
    Ok((Huffman { max_bits, table }, used))
}

/// One Huffman stream of `n` literals.
fn huffman_stream(h: &Huffman, data: &[u8], n: usize, out: &mut Vec<u8>) -> Result<(), ZstdError> {
    let mut bits = Back::new(data)?;
    let mask = (1u32 << h.max_bits) - 1;
    let mut state = bits.read(h.max_bits);
    for _ in 0..n {
        let (symbol, len) = h.table[state as usize];
        out.push(symbol);
        state = (state << len | bits.read(u32::from(len))) & mask;
    }
    // A stream that ran past its beginning is damaged.
    if bits.at < -(h.max_bits as isize) {
        return Err(Corrupt);
    }
    Ok(())
}

/// What carries over from block to block within a frame.
struct Frame {
    repeats: [usize; 3],
    huffman: Option<Huffman>,
    /// The last literal length, offset and match length tables, for Repeat mode.
    tables: [Option<Fse>; 3],
}

/// Decodes a zstd stream (frames one after another) of at most `limit` bytes.
pub fn decompress(data: &[u8], limit: usize) -> Result<Vec<u8>, ZstdError> {
    if data.is_empty() {
        return Err(Corrupt); // not even one frame
    }
    let mut r = Front(data);
    let mut out = Vec::new();
    while !r.0.is_empty() {
        let magic = r.le(4)?;
        if magic & 0xFFFF_FFF0 == 0x184D_2A50 {
            let size = r.le(4)? as usize;
            r.take(size)?;
            continue;
        }
        if magic != u64::from(u32::from_le_bytes(MAGIC)) {
            return Err(Corrupt);
        }
        frame(&mut r, &mut out, limit)?;
    }
    Ok(out)
}

fn frame(r: &mut Front<'_>, out: &mut Vec<u8>, limit: usize) -> Result<(), ZstdError> {
    let descriptor = r.le(1)? as usize;
    let single_segment = descriptor >> 5 & 1 == 1;
    if descriptor & 0b1000 != 0 || descriptor & 3 != 0 {
        return Err(Corrupt); // a reserved bit, or a dictionary this decoder does not have
    }
    if !single_segment {
        r.take(1)?; // the window: the whole output is kept
    }
    r.take([usize::from(single_segment), 2, 4, 8][descriptor >> 6])?;
    let start = out.len();
    let mut state = Frame { repeats: [1, 4, 8], huffman: None, tables: [None, None, None] };
    loop {
        let header = r.le(3)? as usize;
        let size = header >> 3;
        match header >> 1 & 3 {
            0 => out.extend_from_slice(r.take(size)?),
            1 => {
                let byte = r.take(1)?[0];
                if out.len() + size > limit {
                    return Err(ZstdError::TooLarge);
                }
                out.resize(out.len() + size, byte);
            }
            2 => block(r.take(size)?, &mut state, out, start, limit)?,
            _ => return Err(Corrupt),
        }
        if out.len() > limit {
            return Err(ZstdError::TooLarge);
        }
        if header & 1 == 1 {
            break;
        }
    }
    if descriptor >> 2 & 1 == 1 {
        r.take(4)?; // the content checksum
    }
    Ok(())
}

fn block(data: &[u8], frame: &mut Frame, out: &mut Vec<u8>, start: usize, limit: usize) -> Result<(), ZstdError> {
    let mut r = Front(data);
    let literals = literals(&mut r, frame)?;
    // The sequences section.
    let first = r.le(1)? as usize;
    let count = match first {
        0..=127 => first,
        128..=254 => (first - 128) << 8 | r.le(1)? as usize,
        _ => r.le(2)? as usize + 0x7F00,
    };
    if count == 0 {
        out.extend_from_slice(&literals);
        return Ok(());
    }
    let modes = r.le(1)? as usize;
    // Literal lengths, offsets and match lengths: predefined, RLE, described, or repeated.
    let defaults: [(&[i16], u32, u32, usize); 3] =
        [(&LL_DEFAULT, 6, 9, 36), (&OF_DEFAULT, 5, 8, 32), (&ML_DEFAULT, 6, 9, 53)];
    for (i, &(norm, log, log_max, symbols)) in defaults.iter().enumerate() {
        let table = match modes >> (6 - 2 * i) & 3 {
            0 => fse_table(norm, log),
            1 => alloc::vec![(r.take(1)?[0], 0, 0)],
            2 => {
                let (table, used) = read_distribution(r.0, log_max, symbols)?;
                r.take(used)?;
                table
            }
            _ => frame.tables[i].take().ok_or(Corrupt)?,
        };
        frame.tables[i] = Some(table);
    }
    let [Some(ll), Some(of), Some(ml)] = &frame.tables else { return Err(Corrupt) };
    let mut bits = Back::new(r.0)?;
    let log = |t: &Fse| t.len().trailing_zeros();
    let mut states = [bits.read(log(ll)), bits.read(log(of)), bits.read(log(ml))];
    let mut lit = 0usize;
    for n in 0..count {
        let [ll_code, of_code, ml_code] =
            [(ll, 0), (of, 1), (ml, 2)].map(|(t, i)| t.get(states[i] as usize).map(|e| e.0));
        let (ll_code, of_code, ml_code) = (ll_code.ok_or(Corrupt)?, of_code.ok_or(Corrupt)?, ml_code.ok_or(Corrupt)?);
        if of_code > 31 {
            return Err(Corrupt);
        }
        let offset_value = (1usize << of_code) + bits.read(u32::from(of_code)) as usize;
        let ml_len = match usize::from(ml_code) {
            c @ 0..=31 => c + 3,
            c => *ML_BASE.get(c - 32).ok_or(Corrupt)? as usize + bits.read(u32::from(ML_EXTRA[c - 32])) as usize,
        };
        let ll_len = match usize::from(ll_code) {
            c @ 0..=15 => c,
            c => *LL_BASE.get(c - 16).ok_or(Corrupt)? as usize + bits.read(u32::from(LL_EXTRA[c - 16])) as usize,
        };
        if n + 1 < count {
            // Literal lengths, then match lengths, then offsets.
            for (t, i) in [(ll, 0), (ml, 2), (of, 1)] {
                fse_step(t, &mut states[i], &mut bits)?;
            }
        }
        let rep = &mut frame.repeats;
        let offset = if offset_value > 3 {
            *rep = [offset_value - 3, rep[0], rep[1]];
            rep[0]
        } else {
            let index = offset_value - 1 + usize::from(ll_len == 0);
            let offset = if index == 3 { rep[0].wrapping_sub(1) } else { rep[index] };
            match index {
                0 => {}
                1 => *rep = [offset, rep[0], rep[2]],
                _ => *rep = [offset, rep[0], rep[1]],
            }
            offset
        };
        out.extend_from_slice(literals.get(lit..lit + ll_len).ok_or(Corrupt)?);
        lit += ll_len;
        if offset == 0 || offset > out.len() - start {
            return Err(Corrupt);
        }
        if out.len() + ml_len > limit {
            return Err(ZstdError::TooLarge);
        }
        for _ in 0..ml_len {
            out.push(out[out.len() - offset]);
        }
    }
    out.extend_from_slice(literals.get(lit..).ok_or(Corrupt)?);
    Ok(())
}

/// The literals section (RFC 8878 3.1.1.3.1).
fn literals(r: &mut Front<'_>, frame: &mut Frame) -> Result<Vec<u8>, ZstdError> {
    let b0 = r.le(1)? as usize;
    let (kind, format) = (b0 & 3, b0 >> 2 & 3);
    if kind < 2 {
        let size = match format {
            0 | 2 => b0 >> 3,
            1 => b0 >> 4 | (r.le(1)? as usize) << 4,
            _ => b0 >> 4 | (r.le(2)? as usize) << 4,
        };
        return Ok(if kind == 0 { r.take(size)?.to_vec() } else { alloc::vec![r.take(1)?[0]; size] });
    }
    let (extra, size_bits) = [(2, 10), (2, 10), (3, 14), (4, 18)][format];
    let header = (b0 as u64) | r.le(extra)? << 8;
    let mask = (1u64 << size_bits) - 1;
    let (size, compressed) = ((header >> 4 & mask) as usize, (header >> (4 + size_bits) & mask) as usize);
    let mut body = r.take(compressed)?;
    if kind == 2 {
        let (h, used) = read_huffman(body)?;
        frame.huffman = Some(h);
        body = &body[used..];
    }
    let h = frame.huffman.as_ref().ok_or(Corrupt)?;
    let mut out = Vec::with_capacity(size);
    if format == 0 {
        huffman_stream(h, body, size, &mut out)?;
    } else {
        let mut jump = Front(body);
        let sizes = [jump.le(2)? as usize, jump.le(2)? as usize, jump.le(2)? as usize];
        let segment = size.div_ceil(4);
        let mut rest = jump.0;
        for (i, n) in sizes.into_iter().map(Some).chain([None]).enumerate() {
            let stream = match n {
                Some(n) => {
                    let (s, r) = (rest.get(..n).ok_or(Corrupt)?, &rest[n..]);
                    rest = r;
                    s
                }
                None => rest,
            };
            let want = if i < 3 { segment } else { size.checked_sub(3 * segment).ok_or(Corrupt)? };
            huffman_stream(h, stream, want, &mut out)?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rand::Rng;

    fn check(data: &[u8]) {
        let ours = super::super::zstd::compress(data);
        assert_eq!(decompress(&ours, usize::MAX).as_deref(), Ok(data), "our own encoder, {} bytes", data.len());
        let theirs = ruzstd::encoding::compress_to_vec(data, ruzstd::encoding::CompressionLevel::Fastest);
        assert_eq!(decompress(&theirs, usize::MAX).as_deref(), Ok(data), "ruzstd's encoder, {} bytes", data.len());
    }

    #[test]
    fn decodes_what_the_encoders_write() {
        check(b"");
        check(b"a");
        check(&[9u8; 200_000]);
        check(b"{\"amount\": 150, \"currency\": \"EUR\"} {\"amount\": 151, \"currency\": \"EUR\"}");
        let mut rng = Rng::new(3);
        for n in [10usize, 100, 1_000, 5_000, 70_000, 300_000] {
            let noise: Vec<u8> = (0..n).map(|_| rng.below(256) as u8).collect();
            check(&noise);
            let text: Vec<u8> = (0..n).map(|_| b"kafka topic partition offset {}:,\"0123"[rng.below(38)]).collect();
            check(&text);
            let json: Vec<u8> = (0..n / 40)
                .flat_map(|i| alloc::format!("{{\"id\": {i}, \"amount\": {}}}", rng.below(1000)).into_bytes())
                .collect();
            check(&json);
        }
    }

    /// Frames the zstd library wrote (Python's `zstandard`, tools' levels 1, 3 and 19, with a
    /// content checksum; and two frames with a skippable frame between): FSE-compressed Huffman
    /// weights, four-stream literals, described and repeated sequence tables.
    #[test]
    fn decodes_the_zstd_librarys_frames() {
        let text: Vec<u8> = (0..3000u32)
            .flat_map(|i| {
                alloc::format!("{{\"id\": {i}, \"customer\": \"c{}\", \"amount\": {}}}\n", i * 7 % 13, i * 37 % 1000)
                    .into_bytes()
            })
            .collect();
        for name in ["level1", "level3", "level19", "frames"] {
            let path = alloc::format!("{}/tests/fixtures/zstd/zstandard-{name}.zst", env!("CARGO_MANIFEST_DIR"));
            let packed = std::fs::read(&path).expect("fixture present");
            assert!(decompress(&packed, usize::MAX).as_deref() == Ok(&text[..]), "{name}");
        }
    }

    #[test]
    fn refuses_damage_and_output_past_the_limit() {
        let packed = super::super::zstd::compress(&[b'x'; 5_000]);
        assert_eq!(decompress(&packed, 4_999), Err(ZstdError::TooLarge));
        assert_eq!(decompress(&packed[..packed.len() - 3], usize::MAX), Err(Corrupt));
        assert_eq!(decompress(b"not zstd", usize::MAX), Err(Corrupt));
        let mut rng = Rng::new(11);
        let text: Vec<u8> = (0..20_000).map(|_| b"abcabcabd xyz"[rng.below(13)]).collect();
        let packed = super::super::zstd::compress(&text);
        for _ in 0..3_000 {
            // Any damage at all: an answer, never a panic.
            let mut damaged = packed.clone();
            let i = rng.below(damaged.len());
            damaged[i] ^= 1 << rng.below(8);
            let _ = decompress(&damaged, 1 << 20);
            let junk: Vec<u8> = (0..rng.below(40)).map(|_| rng.below(256) as u8).collect();
            let _ = decompress(&[&MAGIC[..], &junk].concat(), 1 << 20);
        }
    }
}
