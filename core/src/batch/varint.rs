//! Zigzag varints, as Kafka's `ByteUtils.writeVarint` / `writeVarlong`.

use super::BatchError;
use alloc::vec::Vec;

pub fn put_varlong(out: &mut Vec<u8>, value: i64) {
    let mut v = ((value << 1) ^ (value >> 63)) as u64;
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub fn put_varint(out: &mut Vec<u8>, value: i32) {
    put_varlong(out, i64::from(value));
}

/// Bytes `put_varint` would write.
pub fn varint_len(value: i32) -> usize {
    varlong_len(i64::from(value))
}

/// Bytes `put_varlong` would write (`ByteUtils.sizeOfVarlong`): counted, not written, since
/// a producer sizes every record it batches.
pub fn varlong_len(value: i64) -> usize {
    let mut v = ((value << 1) ^ (value >> 63)) as u64;
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

/// Reads a varlong at `*at`, moving `*at` past it.
#[inline(always)]
pub fn get_varlong(bytes: &[u8], at: &mut usize) -> Result<i64, BatchError> {
    // Most varints in a batch (lengths of small fields, deltas, counts) take one byte.
    match bytes.get(*at) {
        Some(&b) if b & 0x80 == 0 => {
            *at += 1;
            Ok(i64::from(b >> 1) ^ -i64::from(b & 1))
        }
        _ => get_varlong_long(bytes, at),
    }
}

fn get_varlong_long(bytes: &[u8], at: &mut usize) -> Result<i64, BatchError> {
    let mut v: u64 = 0;
    for shift in (0..70).step_by(7) {
        let b = *bytes.get(*at).ok_or(BatchError::Truncated)?;
        *at += 1;
        if shift == 63 && b > 1 {
            return Err(BatchError::BadVarint);
        }
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(((v >> 1) as i64) ^ -((v & 1) as i64));
        }
    }
    Err(BatchError::BadVarint)
}

#[inline(always)]
pub fn get_varint(bytes: &[u8], at: &mut usize) -> Result<i32, BatchError> {
    i32::try_from(get_varlong(bytes, at)?).map_err(|_| BatchError::BadVarint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zigzag_matches_kafka_byte_utils() {
        // ByteUtilsTest: 0 -> 00, -1 -> 01, 1 -> 02, 63 -> 7e, -64 -> 7f, 64 -> 80 01.
        for (v, bytes) in
            [(0, &[0x00][..]), (-1, &[0x01]), (1, &[0x02]), (63, &[0x7e]), (-64, &[0x7f]), (64, &[0x80, 0x01])]
        {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            assert_eq!(out, bytes, "{v}");
            assert_eq!(varint_len(v), bytes.len());
            assert_eq!(get_varint(&out, &mut 0), Ok(v));
        }
    }

    #[test]
    fn extremes_round_trip_and_garbage_is_refused() {
        for v in [i64::MIN, i64::MAX, 0, -300, 300] {
            let mut out = Vec::new();
            put_varlong(&mut out, v);
            assert_eq!(varlong_len(v), out.len(), "{v}");
            assert_eq!(get_varlong(&out, &mut 0), Ok(v));
        }
        assert_eq!(get_varlong(&[0x80], &mut 0), Err(BatchError::Truncated));
        assert_eq!(get_varlong(&[0xff; 11], &mut 0), Err(BatchError::BadVarint));
    }
}
