//! Compression of a record batch's records, with the framings Kafka's Java
//! client writes: gzip members, snappy in xerial-snappy blocks
//! (`SnappyOutputStream`), LZ4 frames (`Lz4BlockOutputStream`: 64 KB
//! independent blocks; the frame is `lz4.rs`, its blocks `lz4_flex`'s), and zstd
//! frames. gzip is pure no_std Rust (`deflate.rs` writes, `inflate.rs` reads);
//! snappy, lz4 and zstd need the `std` feature.

use super::crc::crc32;
use super::BatchError;
use alloc::vec::Vec;
use core::fmt;

/// Kafka's `CompressionType`, by its attribute id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum Compression {
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}

/// Decompressed records larger than this are refused: a bound against bombs.
pub const DECOMPRESSED_BYTES_MAX: usize = 64 * 1024 * 1024;

impl Compression {
    pub const ALL: [Compression; 5] =
        [Compression::None, Compression::Gzip, Compression::Snappy, Compression::Lz4, Compression::Zstd];

    pub fn from_id(id: u16) -> Option<Compression> {
        Compression::ALL.get(usize::from(id)).copied()
    }

    /// The `compression.type` name.
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Snappy => "snappy",
            Compression::Lz4 => "lz4",
            Compression::Zstd => "zstd",
        }
    }

    pub fn parse(name: &str) -> Option<Compression> {
        Compression::ALL.into_iter().find(|c| c.name() == name)
    }

    pub fn compress(self, raw: &[u8]) -> Result<Vec<u8>, BatchError> {
        match self {
            Compression::None => Ok(raw.to_vec()),
            Compression::Gzip => Ok(gzip(raw)),
            #[cfg(feature = "std")]
            other => codecs_std::compress(other, raw),
            #[cfg(not(feature = "std"))]
            other => Err(BatchError::CodecUnavailable(other)),
        }
    }

    pub fn decompress(self, data: &[u8]) -> Result<Vec<u8>, BatchError> {
        match self {
            Compression::None => Ok(data.to_vec()),
            Compression::Gzip => gunzip(data),
            #[cfg(feature = "std")]
            other => codecs_std::decompress(other, data),
            #[cfg(not(feature = "std"))]
            other => Err(BatchError::CodecUnavailable(other)),
        }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One gzip member: a fixed 10-byte header (no name, no mtime), deflate, CRC-32 and size.
fn gzip(raw: &[u8]) -> Vec<u8> {
    let mut out = alloc::vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
    out.extend(super::deflate::compress(raw));
    out.extend(crc32(raw).to_le_bytes());
    out.extend((raw.len() as u32).to_le_bytes());
    out
}

fn gunzip(data: &[u8]) -> Result<Vec<u8>, BatchError> {
    let bad = || BatchError::Codec(Compression::Gzip);
    if data.len() < 18 || data[0] != 0x1f || data[1] != 0x8b || data[2] != 8 {
        return Err(bad());
    }
    let flags = data[3];
    let mut at = 10;
    if flags & 0x04 != 0 {
        let extra = usize::from(u16::from_le_bytes([data[at], *data.get(at + 1).ok_or_else(bad)?]));
        at += 2 + extra;
    }
    for flag in [0x08, 0x10] {
        if flags & flag != 0 {
            at += data.get(at..).ok_or_else(bad)?.iter().position(|&b| b == 0).ok_or_else(bad)? + 1;
        }
    }
    if flags & 0x02 != 0 {
        at += 2;
    }
    let body = data.get(at..data.len() - 8).ok_or_else(bad)?;
    let out = super::inflate::inflate(body, DECOMPRESSED_BYTES_MAX).map_err(|_| bad())?;
    let trailer = &data[data.len() - 8..];
    let crc = u32::from_le_bytes([trailer[0], trailer[1], trailer[2], trailer[3]]);
    let size = u32::from_le_bytes([trailer[4], trailer[5], trailer[6], trailer[7]]);
    if crc != crc32(&out) || size != out.len() as u32 {
        return Err(bad());
    }
    Ok(out)
}

#[cfg(feature = "std")]
mod codecs_std {
    use super::{BatchError, Compression, DECOMPRESSED_BYTES_MAX};
    use std::vec::Vec;

    /// snappy-java's stream header: magic, version 1, compatible version 1.
    pub(super) const XERIAL_HEADER: [u8; 16] = [0x82, b'S', b'N', b'A', b'P', b'P', b'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1];
    const XERIAL_BLOCK_BYTES: usize = 32 * 1024;

    pub fn compress(codec: Compression, raw: &[u8]) -> Result<Vec<u8>, BatchError> {
        match codec {
            Compression::Snappy => {
                let mut out = XERIAL_HEADER.to_vec();
                for chunk in raw.chunks(XERIAL_BLOCK_BYTES) {
                    let block = crate::batch::snappy::compress(chunk);
                    out.extend((block.len() as u32).to_be_bytes());
                    out.extend(block);
                }
                Ok(out)
            }
            Compression::Lz4 => Ok(crate::batch::lz4::compress(raw)),
            Compression::Zstd => Ok(crate::batch::zstd::compress(raw)),
            // Handled by `Compression::compress` without std; answered the same way here.
            Compression::None | Compression::Gzip => codec.compress(raw),
        }
    }

    pub fn decompress(codec: Compression, data: &[u8]) -> Result<Vec<u8>, BatchError> {
        let bad = || BatchError::Codec(codec);
        let mut out = Vec::new();
        match codec {
            Compression::Snappy => {
                if data.starts_with(&XERIAL_HEADER[..8]) {
                    let mut at = 16;
                    while at < data.len() {
                        let len = data.get(at..at + 4).ok_or_else(bad)?;
                        let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
                        let block = data.get(at + 4..at + 4 + len).ok_or_else(bad)?;
                        snappy_block(block, &mut out).map_err(|e| e.unwrap_or_else(bad))?;
                        at += 4 + len;
                    }
                } else {
                    snappy_block(data, &mut out).map_err(|e| e.unwrap_or_else(bad))?;
                }
            }
            Compression::Lz4 => return crate::batch::lz4::decompress(data),
            Compression::Zstd => {
                return crate::batch::unzstd::decompress(data, DECOMPRESSED_BYTES_MAX).map_err(|e| match e {
                    crate::batch::unzstd::ZstdError::TooLarge => BatchError::TooLarge,
                    crate::batch::unzstd::ZstdError::Corrupt => bad(),
                })
            }
            // Handled by `Compression::decompress` without std; answered the same way here.
            Compression::None | Compression::Gzip => return codec.decompress(data),
        }
        if out.len() > DECOMPRESSED_BYTES_MAX {
            return Err(BatchError::TooLarge);
        }
        Ok(out)
    }

    /// Appends one snappy block. Its header states its decompressed length, which is checked
    /// against the limit before anything is allocated for it: a five-byte block may claim 4 GB.
    /// `Err(None)`: the block is damaged.
    fn snappy_block(block: &[u8], out: &mut Vec<u8>) -> Result<(), Option<BatchError>> {
        let decoded = crate::batch::snappy::decompress(block, DECOMPRESSED_BYTES_MAX - out.len())
            .map_err(|e| (e == crate::batch::snappy::SnappyError::TooLarge).then_some(BatchError::TooLarge))?;
        out.extend_from_slice(&decoded);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        (0..5_000u32).flat_map(|i| alloc::format!("record-{}-", i % 97).into_bytes()).collect()
    }

    #[test]
    fn every_codec_round_trips_and_shrinks_repetitive_data() {
        let raw = sample();
        for codec in Compression::ALL {
            let packed = codec.compress(&raw).unwrap();
            assert_eq!(codec.decompress(&packed).unwrap(), raw, "{codec}");
            if codec != Compression::None {
                assert!(packed.len() < raw.len() / 3, "{codec}: {} of {}", packed.len(), raw.len());
            }
        }
    }

    #[test]
    fn damaged_data_is_an_error_not_a_panic() {
        let raw = sample();
        for codec in Compression::ALL.into_iter().skip(1) {
            let mut packed = codec.compress(&raw).unwrap();
            let mid = packed.len() / 2;
            packed[mid] ^= 0x5a;
            packed.truncate(packed.len() - 3);
            // LZ4 frames here carry no content checksum (as Kafka writes them): damage may
            // decode to other bytes, which the batch CRC then catches. Never a panic.
            assert_ne!(codec.decompress(&packed).ok(), Some(raw.clone()), "{codec}");
            assert!(codec.decompress(&[]).is_err(), "{codec}: empty");
        }
    }

    #[test]
    #[cfg(feature = "std")]
    fn a_snappy_block_claiming_more_than_the_limit_is_refused_before_anything_is_allocated() {
        // A block header (a varint) claiming 4 GB, then one byte.
        let claim = [0xff, 0xff, 0xff, 0xff, 0x0f, 0x00];
        assert_eq!(Compression::Snappy.decompress(&claim), Err(BatchError::TooLarge));
        let mut xerial = codecs_std::XERIAL_HEADER.to_vec();
        xerial.extend((claim.len() as u32).to_be_bytes());
        xerial.extend(claim);
        assert_eq!(Compression::Snappy.decompress(&xerial), Err(BatchError::TooLarge));
    }

    #[test]
    fn names_are_kafkas() {
        assert_eq!(Compression::parse("zstd"), Some(Compression::Zstd));
        assert_eq!(Compression::from_id(3), Some(Compression::Lz4));
        assert_eq!(Compression::from_id(5), None);
    }
}
