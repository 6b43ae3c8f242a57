//! The LZ4 block format (the LZ4 project's "Block Format Description"), written for the page's
//! size: a greedy compressor over a 4,096-entry hash of 4-byte sequences, and a decoder that
//! checks every length, offset and bound. `lz4.rs` frames the blocks as Kafka's
//! `Lz4BlockOutputStream` does.

use alloc::vec::Vec;

/// A match is at least this long.
const MATCH_MIN: usize = 4;
/// The last five bytes are always literals, and the last match starts twelve bytes before the end.
const LAST_LITERALS: usize = 5;
const MATCH_START_LIMIT: usize = 12;
const HASH_BITS: u32 = 12;
const OFFSET_MAX: usize = 65_535;

fn read_u32(data: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]])
}

/// A length past a token's 15: 255s, then the rest.
fn put_length(out: &mut Vec<u8>, mut n: usize) {
    while n >= 255 {
        out.push(255);
        n -= 255;
    }
    out.push(n as u8);
}

fn sequence(out: &mut Vec<u8>, literals: &[u8], m: Option<(usize, usize)>) {
    let lit = literals.len();
    let ml = m.map_or(0, |(_, len)| len - MATCH_MIN);
    out.push((lit.min(15) as u8) << 4 | ml.min(15) as u8);
    if lit >= 15 {
        put_length(out, lit - 15);
    }
    out.extend_from_slice(literals);
    if let Some((offset, _)) = m {
        out.extend_from_slice(&(offset as u16).to_le_bytes());
        if ml >= 15 {
            put_length(out, ml - 15);
        }
    }
}

/// One block of `data`.
pub fn compress(data: &[u8]) -> Vec<u8> {
    let n = data.len();
    let mut out = Vec::with_capacity(n / 2 + 16);
    let mut table = alloc::vec![0u32; 1 << HASH_BITS];
    let (mut anchor, mut i) = (0, 0);
    while n >= MATCH_START_LIMIT && i <= n - MATCH_START_LIMIT {
        let seq = read_u32(data, i);
        let h = (seq.wrapping_mul(2_654_435_761) >> (32 - HASH_BITS)) as usize;
        let candidate = table[h] as usize;
        table[h] = i as u32 + 1;
        if candidate > 0 && i - (candidate - 1) <= OFFSET_MAX && read_u32(data, candidate - 1) == seq {
            let from = candidate - 1;
            let mut len = MATCH_MIN;
            while i + len < n - LAST_LITERALS && data[from + len] == data[i + len] {
                len += 1;
            }
            sequence(&mut out, &data[anchor..i], Some((i - from, len)));
            i += len;
            anchor = i;
        } else {
            i += 1;
        }
    }
    sequence(&mut out, &data[anchor..], None);
    out
}

/// A length past a token's 15, read from `src` at `at`.
fn get_length(src: &[u8], at: &mut usize, mut n: usize) -> Option<usize> {
    loop {
        let b = *src.get(*at)?;
        *at += 1;
        n = n.checked_add(usize::from(b))?;
        if b != 255 {
            return Some(n);
        }
    }
}

/// Decodes a block into `dst`, returning the bytes written; `Err` when the block is damaged or
/// would not fit.
pub fn decompress_into(src: &[u8], dst: &mut [u8]) -> Result<usize, ()> {
    let (mut i, mut o) = (0usize, 0usize);
    loop {
        let token = *src.get(i).ok_or(())?;
        i += 1;
        let mut lit = usize::from(token >> 4);
        if lit == 15 {
            lit = get_length(src, &mut i, lit).ok_or(())?;
        }
        let literals = src.get(i..i.checked_add(lit).ok_or(())?).ok_or(())?;
        dst.get_mut(o..o + lit).ok_or(())?.copy_from_slice(literals);
        i += lit;
        o += lit;
        if i == src.len() {
            return Ok(o);
        }
        let offset = usize::from(u16::from_le_bytes([*src.get(i).ok_or(())?, *src.get(i + 1).ok_or(())?]));
        i += 2;
        let mut len = usize::from(token & 15);
        if len == 15 {
            len = get_length(src, &mut i, len).ok_or(())?;
        }
        len += MATCH_MIN;
        if offset == 0 || offset > o || o.checked_add(len).is_none_or(|end| end > dst.len()) {
            return Err(());
        }
        // Byte by byte: a match may overlap what it writes (a run).
        for k in o..o + len {
            dst[k] = dst[k - offset];
        }
        o += len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rand::Rng;

    fn round_trip(data: &[u8]) {
        let packed = compress(data);
        let mut back = alloc::vec![0u8; data.len()];
        assert_eq!(decompress_into(&packed, &mut back), Ok(data.len()), "{} bytes", data.len());
        assert_eq!(back, data);
        // Another implementation reads it, and ours reads theirs.
        assert!(lz4_flex::block::decompress(&packed, data.len()).ok().as_deref() == Some(data), "lz4_flex reads ours");
        let theirs = lz4_flex::block::compress(data);
        assert_eq!(decompress_into(&theirs, &mut back), Ok(data.len()));
        assert_eq!(back, data);
    }

    #[test]
    fn blocks_round_trip_and_match_lz4_flex() {
        round_trip(b"");
        round_trip(b"a");
        round_trip(b"abcdefghijkl");
        round_trip(&[0u8; 70_000]);
        let mut rng = Rng::new(4);
        for n in [13usize, 100, 5_000, 65_536] {
            let noise: alloc::vec::Vec<u8> = (0..n).map(|_| rng.below(256) as u8).collect();
            round_trip(&noise);
            let text: alloc::vec::Vec<u8> = (0..n).map(|_| b"orders payments "[rng.below(16)]).collect();
            round_trip(&text);
        }
    }

    #[test]
    fn damaged_blocks_and_blocks_too_large_are_errors() {
        let packed = compress(&[7u8; 1_000]);
        let mut small = [0u8; 999];
        assert_eq!(decompress_into(&packed, &mut small), Err(()));
        let mut room = [0u8; 2_000];
        assert_eq!(decompress_into(&[0x0F, 1, 0], &mut room), Err(()), "offset past the start");
        let mut rng = Rng::new(8);
        for _ in 0..3_000 {
            let junk: alloc::vec::Vec<u8> = (0..rng.below(40)).map(|_| rng.below(256) as u8).collect();
            let _ = decompress_into(&junk, &mut room);
        }
    }
}
