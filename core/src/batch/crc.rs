//! The two checksums the formats need: CRC-32C (Castagnoli), which a Kafka v2
//! record batch carries over its attributes-to-end bytes, and CRC-32 (IEEE),
//! which closes a gzip member. Table-driven (the tables computed at first use
//! with std, at compile time without); CRC-32C
//! (every batch a broker, follower or consumer reads) eight bytes at a step
//! ("slicing-by-8"), the engine's hottest loop. Natively, with the `std`
//! feature on x86_64 and aarch64, CRC-32C is the processor's own instruction
//! (the `crc32c` crate detects it at run time), as Java's `Crc32C` intrinsic is;
//! the result is the same number either way.

const fn table(poly: u32) -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { (c >> 1) ^ poly } else { c >> 1 };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

/// CRC-32C's polynomial, reversed.
const CASTAGNOLI: u32 = 0x82F6_3B78;
/// CRC-32's polynomial, reversed.
const IEEE: u32 = 0xEDB8_8320;

/// `SLICES[k][b]`: the CRC of byte `b` followed by `k` zero bytes.
const fn slices(t: [u32; 256]) -> [[u32; 256]; 8] {
    let mut s = [[0u32; 256]; 8];
    s[0] = t;
    let mut k = 1;
    while k < 8 {
        let mut i = 0;
        while i < 256 {
            let prev = s[k - 1][i];
            s[k][i] = (prev >> 8) ^ t[(prev & 0xff) as usize];
            i += 1;
        }
        k += 1;
    }
    s
}

/// The slicing tables. With std they are computed once at first use instead of stored: 8 KB of
/// numbers that compress to nearly 8 KB, which the page would otherwise download.
#[cfg(feature = "std")]
fn castagnoli_slices() -> &'static [[u32; 256]; 8] {
    static SLICES: std::sync::OnceLock<[[u32; 256]; 8]> = std::sync::OnceLock::new();
    SLICES.get_or_init(|| slices(table(CASTAGNOLI)))
}

#[cfg(not(feature = "std"))]
fn castagnoli_slices() -> &'static [[u32; 256]; 8] {
    const SLICES: [[u32; 256]; 8] = slices(table(CASTAGNOLI));
    &SLICES
}

/// CRC-32's table, computed at first use with std for the same reason (1 KB).
#[cfg(feature = "std")]
fn ieee_table() -> &'static [u32; 256] {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| table(IEEE))
}

#[cfg(not(feature = "std"))]
fn ieee_table() -> &'static [u32; 256] {
    const TABLE: [u32; 256] = table(IEEE);
    &TABLE
}

fn run(t: &[u32; 256], bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |c, &b| t[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8))
}

/// CRC-32C, as `org.apache.kafka.common.utils.Crc32C`.
pub fn crc32c(bytes: &[u8]) -> u32 {
    #[cfg(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64")))]
    return ::crc32c::crc32c(bytes);
    #[cfg(not(all(feature = "std", any(target_arch = "x86_64", target_arch = "aarch64"))))]
    return crc32c_by_table(bytes);
}

/// CRC-32C eight bytes at a step, for targets without the instruction (wasm).
pub fn crc32c_by_table(bytes: &[u8]) -> u32 {
    let s = castagnoli_slices();
    let mut c = !0u32;
    let mut chunks = bytes.chunks_exact(8);
    for w in &mut chunks {
        let lo = c ^ u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        c = s[7][(lo & 0xff) as usize]
            ^ s[6][((lo >> 8) & 0xff) as usize]
            ^ s[5][((lo >> 16) & 0xff) as usize]
            ^ s[4][(lo >> 24) as usize]
            ^ s[3][w[4] as usize]
            ^ s[2][w[5] as usize]
            ^ s[1][w[6] as usize]
            ^ s[0][w[7] as usize];
    }
    !chunks.remainder().iter().fold(c, |c, &b| s[0][((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8))
}

/// CRC-32 (IEEE 802.3), as gzip uses.
pub fn crc32(bytes: &[u8]) -> u32 {
    run(ieee_table(), bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_values_of_the_standards() {
        // The "check" value of each CRC catalogue entry: the CRC of "123456789".
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
        assert_eq!(crc32c_by_table(b"123456789"), 0xE306_9283);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32c(b""), 0);
    }

    #[test]
    fn eight_bytes_at_a_step_and_the_instruction_agree_with_one_at_a_time_at_every_length_and_alignment() {
        let data: alloc::vec::Vec<u8> = (0..300u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for start in 0..9 {
            for end in start..data.len() {
                let one_at_a_time = run(&table(CASTAGNOLI), &data[start..end]);
                assert_eq!(crc32c_by_table(&data[start..end]), one_at_a_time, "{start}..{end}");
                assert_eq!(crc32c(&data[start..end]), one_at_a_time, "{start}..{end}, the instruction");
            }
        }
    }
}
