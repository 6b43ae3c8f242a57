//! The snappy raw block format (Google's `format_description.txt`), written for the page's size:
//! a varint of the uncompressed length, then literals and copies; a greedy compressor over a
//! hash of 4-byte sequences writing copies with 1- or 2-byte offsets, and a decoder that checks the
//! stated length against the caller's limit before it allocates and every element against it
//! after. `codec.rs` frames the blocks as snappy-java's xerial stream, as Kafka does.

use alloc::vec::Vec;

const HASH_BITS: u32 = 14;
/// A copy with a 2-byte offset holds 1 to 64 bytes.
const COPY_MAX: usize = 64;
const OFFSET_MAX: usize = 65_535;

/// Why a block was not decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnappyError {
    Corrupt,
    TooLarge,
}

fn literal(out: &mut Vec<u8>, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    let n = bytes.len() - 1;
    if n < 60 {
        out.push((n as u8) << 2);
    } else {
        let len = n.to_le_bytes();
        let width = (usize::BITS - n.leading_zeros()).div_ceil(8) as usize;
        out.push(((59 + width) as u8) << 2);
        out.extend_from_slice(&len[..width]);
    }
    out.extend_from_slice(bytes);
}

/// One block of `data`.
pub fn compress(data: &[u8]) -> Vec<u8> {
    let n = data.len();
    let mut out = Vec::with_capacity(n / 2 + 8);
    let mut len = n;
    while len >= 0x80 {
        out.push(len as u8 | 0x80);
        len >>= 7;
    }
    out.push(len as u8);
    let mut table = alloc::vec![0u32; 1 << HASH_BITS];
    let (mut anchor, mut i) = (0, 0);
    while i + 4 <= n {
        let seq = u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
        let h = (seq.wrapping_mul(0x1E35_A7BD) >> (32 - HASH_BITS)) as usize;
        let candidate = table[h] as usize;
        table[h] = i as u32 + 1;
        let from = candidate.wrapping_sub(1);
        if candidate == 0 || i - from > OFFSET_MAX || data[from..from + 4] != data[i..i + 4] {
            i += 1;
            continue;
        }
        let mut end = i + 4;
        while end < n && data[end - i + from] == data[end] {
            end += 1;
        }
        literal(&mut out, &data[anchor..i]);
        let offset = (i - from) as u16;
        let mut left = end - i;
        while left > 0 {
            // A copy of 1 to 3 bytes is not worth its tag; pieces of at most 64, none below 4.
            let piece = if left > COPY_MAX && left - COPY_MAX < 4 { COPY_MAX - 4 } else { left.min(COPY_MAX) };
            if piece <= 11 && offset < 2048 {
                // 4 to 11 bytes within 2 KB: the one-byte-offset form.
                out.push(((offset >> 8) as u8) << 5 | ((piece - 4) as u8) << 2 | 1);
                out.push(offset as u8);
            } else {
                out.push(((piece - 1) as u8) << 2 | 2);
                out.extend_from_slice(&offset.to_le_bytes());
            }
            left -= piece;
        }
        i = end;
        anchor = end;
    }
    literal(&mut out, &data[anchor..]);
    out
}

/// Decodes a block of at most `limit` bytes.
pub fn decompress(src: &[u8], limit: usize) -> Result<Vec<u8>, SnappyError> {
    use SnappyError::Corrupt;
    let (mut len, mut shift, mut i) = (0usize, 0u32, 0usize);
    loop {
        let b = *src.get(i).ok_or(Corrupt)?;
        i += 1;
        if shift > 28 {
            return Err(Corrupt);
        }
        len |= usize::from(b & 0x7F) << shift;
        shift += 7;
        if b & 0x80 == 0 {
            break;
        }
    }
    if len > limit {
        return Err(SnappyError::TooLarge);
    }
    let mut out = Vec::with_capacity(len);
    while i < src.len() {
        let tag = src[i];
        i += 1;
        let (copy_len, offset) = match tag & 3 {
            0 => {
                let mut n = usize::from(tag >> 2);
                if n >= 60 {
                    let width = n - 59;
                    let bytes = src.get(i..i + width).ok_or(Corrupt)?;
                    n = bytes.iter().rev().fold(0, |v, &b| v << 8 | usize::from(b));
                    i += width;
                }
                let bytes = src.get(i..i.checked_add(n + 1).ok_or(Corrupt)?).ok_or(Corrupt)?;
                if out.len() + bytes.len() > len {
                    return Err(Corrupt);
                }
                out.extend_from_slice(bytes);
                i += n + 1;
                continue;
            }
            1 => {
                let low = *src.get(i).ok_or(Corrupt)?;
                i += 1;
                (usize::from(tag >> 2 & 7) + 4, usize::from(tag >> 5) << 8 | usize::from(low))
            }
            2 => {
                let b = src.get(i..i + 2).ok_or(Corrupt)?;
                i += 2;
                (usize::from(tag >> 2) + 1, usize::from(u16::from_le_bytes([b[0], b[1]])))
            }
            _ => {
                let b = src.get(i..i + 4).ok_or(Corrupt)?;
                i += 4;
                (usize::from(tag >> 2) + 1, u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            }
        };
        if offset == 0 || offset > out.len() || out.len() + copy_len > len {
            return Err(Corrupt);
        }
        for _ in 0..copy_len {
            out.push(out[out.len() - offset]);
        }
    }
    if out.len() != len {
        return Err(Corrupt);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rand::Rng;

    fn round_trip(data: &[u8]) {
        let ours = compress(data);
        assert_eq!(decompress(&ours, usize::MAX).as_deref(), Ok(data), "{} bytes", data.len());
        assert_eq!(snap::raw::Decoder::new().decompress_vec(&ours).ok().as_deref(), Some(data), "snap reads ours");
        let theirs = snap::raw::Encoder::new().compress_vec(data).expect("snap compresses");
        assert_eq!(decompress(&theirs, usize::MAX).as_deref(), Ok(data), "ours reads snap's");
    }

    #[test]
    fn blocks_round_trip_both_ways_with_the_snap_crate() {
        round_trip(b"");
        round_trip(b"a");
        round_trip(&[3u8; 100_000]);
        let mut rng = Rng::new(6);
        for n in [5usize, 64, 70, 1_000, 40_000] {
            let noise: Vec<u8> = (0..n).map(|_| rng.below(256) as u8).collect();
            round_trip(&noise);
            let text: Vec<u8> = (0..n).map(|_| b"payments orders "[rng.below(16)]).collect();
            round_trip(&text);
        }
    }

    #[test]
    fn a_block_claiming_too_much_or_damaged_is_an_error() {
        assert_eq!(decompress(&[0xFF, 0xFF, 0xFF, 0xFF, 0x0F], 1 << 20), Err(SnappyError::TooLarge));
        assert_eq!(decompress(&[5, 0x0A, 1], usize::MAX), Err(SnappyError::Corrupt), "copy before any byte");
        let mut rng = Rng::new(12);
        for _ in 0..3_000 {
            let junk: Vec<u8> = (0..rng.below(40)).map(|_| rng.below(256) as u8).collect();
            let _ = decompress(&junk, 1 << 20);
        }
    }
}
