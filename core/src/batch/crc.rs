//! The two checksums the formats need: CRC-32C (Castagnoli), which a Kafka v2
//! record batch carries over its attributes-to-end bytes, and CRC-32 (IEEE),
//! which closes a gzip member. Table-driven, computed at compile time.

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

const CASTAGNOLI: [u32; 256] = table(0x82F6_3B78);
const IEEE: [u32; 256] = table(0xEDB8_8320);

fn run(t: &[u32; 256], bytes: &[u8]) -> u32 {
    !bytes.iter().fold(!0u32, |c, &b| t[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8))
}

/// CRC-32C, as `org.apache.kafka.common.utils.Crc32C`.
pub fn crc32c(bytes: &[u8]) -> u32 {
    run(&CASTAGNOLI, bytes)
}

/// CRC-32 (IEEE 802.3), as gzip uses.
pub fn crc32(bytes: &[u8]) -> u32 {
    run(&IEEE, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_values_of_the_standards() {
        // The "check" value of each CRC catalogue entry: the CRC of "123456789".
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32c(b""), 0);
    }
}
