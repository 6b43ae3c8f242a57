//! The LZ4 frame as Kafka writes and reads it (`Lz4BlockOutputStream` and
//! `Lz4BlockInputStream`, "a partial implementation of the v1.5.1 LZ4 Frame
//! format"), around the LZ4 block codec of `lz4_block.rs`.
//!
//! Written: magic, FLG `0x60` (version 1, independent blocks, no checksums, no
//! content size), BD `0x40` (64 KB blocks), the descriptor's checksum byte, then
//! 64 KB blocks, each stored raw when compressing does not shrink it, and an end
//! mark. Read: what Kafka accepts — version 1, independent blocks only, reserved
//! bits zero, block sizes 64 KB to 4 MB, an optional content size (skipped), the
//! descriptor checksum checked, block checksums checked when present, the content
//! checksum checked when present (over all of the content, as the frame format
//! defines it).
//!
//! The frame is parsed here rather than by `lz4_flex`'s `io::Read` frame decoder:
//! that decoder's errors travel boxed in `io::Error`, which keeps every error's
//! formatting code in the page although none is ever shown, and the frame is
//! small enough to state in full.

use super::codec::DECOMPRESSED_BYTES_MAX;
use super::BatchError;
use super::Compression;
use alloc::vec::Vec;

const MAGIC: [u8; 4] = 0x184D_2204u32.to_le_bytes();
/// Version 1, independent blocks; no block checksum, content size or content checksum.
const FLG_WRITTEN: u8 = 0x60;
/// 64 KB blocks (`Lz4BlockOutputStream.BLOCKSIZE_64KB`).
const BD_WRITTEN: u8 = 0x40;
const BLOCK_BYTES_WRITTEN: usize = 64 * 1024;
/// A block's size word with this bit set holds the block's bytes uncompressed.
const INCOMPRESSIBLE: u32 = 0x8000_0000;

const FLG_BLOCK_CHECKSUM: u8 = 0x10;
const FLG_CONTENT_SIZE: u8 = 0x08;
const FLG_CONTENT_CHECKSUM: u8 = 0x04;

/// The frame descriptor's checksum byte: the second byte of the descriptor's XXH32.
fn descriptor_checksum(descriptor: &[u8]) -> u8 {
    (xxh32(descriptor, 0) >> 8) as u8
}

pub fn compress(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() / 2 + 16);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&[FLG_WRITTEN, BD_WRITTEN, descriptor_checksum(&[FLG_WRITTEN, BD_WRITTEN])]);
    for block in raw.chunks(BLOCK_BYTES_WRITTEN) {
        let packed = super::lz4_block::compress(block);
        if packed.len() < block.len() {
            out.extend_from_slice(&(packed.len() as u32).to_le_bytes());
            out.extend_from_slice(&packed);
        } else {
            out.extend_from_slice(&(block.len() as u32 | INCOMPRESSIBLE).to_le_bytes());
            out.extend_from_slice(block);
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out
}

/// Reads the frame, refusing what Kafka's reader refuses, and output past [`DECOMPRESSED_BYTES_MAX`].
pub fn decompress(data: &[u8]) -> Result<Vec<u8>, BatchError> {
    let bad = || BatchError::Codec(Compression::Lz4);
    let mut input = Input(data);
    if input.take(4).ok_or_else(bad)? != MAGIC {
        return Err(bad());
    }
    let descriptor_start = input.0;
    let [flg, bd] = input.array().ok_or_else(bad)?;
    let version = flg >> 6;
    let independent = flg & 0x20 != 0;
    let reserved = flg & 0x03 != 0 || bd & 0x8f != 0;
    let size_code = (bd >> 4) & 0x07;
    if version != 1 || !independent || reserved || !(4..=7).contains(&size_code) {
        return Err(bad());
    }
    let block_bytes_max = 1usize << (2 * size_code + 8);
    if flg & FLG_CONTENT_SIZE != 0 {
        input.take(8).ok_or_else(bad)?;
    }
    let descriptor = &descriptor_start[..descriptor_start.len() - input.0.len()];
    let [checksum] = input.array().ok_or_else(bad)?;
    if checksum != descriptor_checksum(descriptor) {
        return Err(bad());
    }

    let mut out = Vec::new();
    loop {
        let word = u32::from_le_bytes(input.array().ok_or_else(bad)?);
        let size = (word & !INCOMPRESSIBLE) as usize;
        if size == 0 {
            break;
        }
        if size > block_bytes_max {
            return Err(bad());
        }
        let block = input.take(size).ok_or_else(bad)?;
        if flg & FLG_BLOCK_CHECKSUM != 0 && u32::from_le_bytes(input.array().ok_or_else(bad)?) != xxh32(block, 0) {
            return Err(bad());
        }
        // Room for one block, but never past the limit plus one byte: a block that fills
        // that room is over the limit.
        let room = block_bytes_max.min(DECOMPRESSED_BYTES_MAX + 1 - out.len());
        let at = out.len();
        if word & INCOMPRESSIBLE != 0 {
            out.extend_from_slice(block);
        } else {
            out.resize(at + room, 0);
            let written = super::lz4_block::decompress_into(block, &mut out[at..]);
            let written = written.map_err(|_| if room < block_bytes_max { BatchError::TooLarge } else { bad() })?;
            out.truncate(at + written);
        }
        if out.len() > DECOMPRESSED_BYTES_MAX {
            return Err(BatchError::TooLarge);
        }
    }
    if flg & FLG_CONTENT_CHECKSUM != 0 && u32::from_le_bytes(input.array().ok_or_else(bad)?) != xxh32(&out, 0) {
        return Err(bad());
    }
    Ok(out)
}

/// The unread rest of the frame.
struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = self.0.split_at_checked(n)?;
        self.0 = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }
}

const PRIME32_1: u32 = 0x9E37_79B1;
const PRIME32_2: u32 = 0x85EB_CA77;
const PRIME32_3: u32 = 0xC2B2_AE3D;
const PRIME32_4: u32 = 0x27D4_EB2F;
const PRIME32_5: u32 = 0x1656_67B1;

/// XXH32, the checksum of LZ4 frames (descriptor, blocks and content).
pub fn xxh32(bytes: &[u8], seed: u32) -> u32 {
    fn round(acc: u32, lane: u32) -> u32 {
        acc.wrapping_add(lane.wrapping_mul(PRIME32_2)).rotate_left(13).wrapping_mul(PRIME32_1)
    }
    fn word(b: &[u8]) -> u32 {
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }
    let mut stripes = bytes.chunks_exact(16);
    let mut h = if bytes.len() >= 16 {
        let mut v = [
            seed.wrapping_add(PRIME32_1).wrapping_add(PRIME32_2),
            seed.wrapping_add(PRIME32_2),
            seed,
            seed.wrapping_sub(PRIME32_1),
        ];
        for stripe in &mut stripes {
            for (lane, acc) in stripe.chunks_exact(4).zip(&mut v) {
                *acc = round(*acc, word(lane));
            }
        }
        v[0].rotate_left(1)
            .wrapping_add(v[1].rotate_left(7))
            .wrapping_add(v[2].rotate_left(12))
            .wrapping_add(v[3].rotate_left(18))
    } else {
        seed.wrapping_add(PRIME32_5)
    };
    h = h.wrapping_add(bytes.len() as u32);
    let mut words = stripes.remainder().chunks_exact(4);
    for w in &mut words {
        h = h.wrapping_add(word(w).wrapping_mul(PRIME32_3)).rotate_left(17).wrapping_mul(PRIME32_4);
    }
    for &b in words.remainder() {
        h = h.wrapping_add(u32::from(b).wrapping_mul(PRIME32_5)).rotate_left(11).wrapping_mul(PRIME32_1);
    }
    h ^= h >> 15;
    h = h.wrapping_mul(PRIME32_2);
    h ^= h >> 13;
    h = h.wrapping_mul(PRIME32_3);
    h ^ (h >> 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xxh32_gives_the_reference_values() {
        // From the xxHash reference implementation's sanity checks and the python xxhash docs.
        assert_eq!(xxh32(b"", 0), 0x02CC_5D05);
        assert_eq!(xxh32(b"a", 0), 0x550D_7456);
        assert_eq!(xxh32(b"abc", 0), 0x32D1_53FF);
        assert_eq!(xxh32(b"Nobody inspects the spammish repetition", 0), 0xE229_3B2F);
    }

    #[test]
    fn the_descriptor_is_kafkas() {
        let frame = compress(b"");
        // Magic, FLG 0x60, BD 0x40, HC, end mark: Lz4BlockOutputStream's empty frame.
        assert_eq!(frame, [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82, 0, 0, 0, 0]);
        assert_eq!(decompress(&frame).unwrap(), b"");
    }

    #[test]
    fn blocks_are_64_kb_and_incompressible_ones_are_stored() {
        let mut x = 2_463_534_242u32;
        let noise: Vec<u8> = (0..70_000)
            .map(|_| {
                // xorshift32: bytes LZ4 cannot shrink.
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x as u8
            })
            .collect();
        let frame = compress(&noise);
        let first = u32::from_le_bytes(frame[7..11].try_into().unwrap());
        assert_eq!(first, 65_536 | INCOMPRESSIBLE, "the first block holds 64 KB, stored");
        assert_eq!(decompress(&frame).unwrap(), noise);
    }

    /// A frame with the given FLG and BD, its descriptor checksum right, and one block.
    fn frame_with(flg: u8, bd: u8, extra: &[u8], block: &[u8], block_checksum: bool, trailer: &[u8]) -> Vec<u8> {
        let mut f = MAGIC.to_vec();
        let mut descriptor = alloc::vec![flg, bd];
        descriptor.extend_from_slice(extra);
        f.extend_from_slice(&descriptor);
        f.push(descriptor_checksum(&descriptor));
        f.extend_from_slice(&(block.len() as u32 | INCOMPRESSIBLE).to_le_bytes());
        f.extend_from_slice(block);
        if block_checksum {
            f.extend_from_slice(&xxh32(block, 0).to_le_bytes());
        }
        f.extend_from_slice(&0u32.to_le_bytes());
        f.extend_from_slice(trailer);
        f
    }

    #[test]
    fn what_kafka_reads_is_read() {
        let body = b"hello, kafka";
        // Block checksums, content size and content checksum, all present and right.
        let flg = FLG_WRITTEN | FLG_BLOCK_CHECKSUM | FLG_CONTENT_SIZE | FLG_CONTENT_CHECKSUM;
        let frame = frame_with(flg, 0x70, &12u64.to_le_bytes(), body, true, &xxh32(body, 0).to_le_bytes());
        assert_eq!(decompress(&frame).unwrap(), body);
    }

    #[test]
    fn what_kafka_refuses_is_refused() {
        let body = b"hello, kafka";
        let err = Err(BatchError::Codec(Compression::Lz4));
        for (why, flg, bd) in [
            ("dependent blocks", 0x40, 0x40),
            ("version 0", 0x20, 0x40),
            ("reserved FLG bits", 0x61, 0x40),
            ("reserved BD bits", 0x60, 0x41),
            ("block size code 3", 0x60, 0x30),
        ] {
            assert_eq!(decompress(&frame_with(flg, bd, &[], body, false, &[])), err, "{why}");
        }
        let mut wrong_descriptor = frame_with(0x60, 0x40, &[], body, false, &[]);
        wrong_descriptor[6] ^= 1;
        assert_eq!(decompress(&wrong_descriptor), err, "descriptor checksum");
        let mut wrong_block = frame_with(0x70, 0x40, &[], body, true, &[]);
        wrong_block[11] ^= 1;
        assert_eq!(decompress(&wrong_block), err, "block checksum");
        let wrong_content = frame_with(0x64, 0x40, &[], body, false, &[0, 0, 0, 0]);
        assert_eq!(decompress(&wrong_content), err, "content checksum");
        let no_end_mark = &frame_with(0x60, 0x40, &[], body, false, &[])[..22];
        assert_eq!(decompress(no_end_mark), err, "no end mark");
    }

    #[test]
    fn a_frame_that_decompresses_past_the_limit_is_too_large() {
        // 65 blocks of 1 MB of zeros (4 MB blocks allowed), each a few kilobytes packed.
        let zeros = alloc::vec![0u8; 1 << 20];
        let packed = super::super::lz4_block::compress(&zeros);
        let mut frame = MAGIC.to_vec();
        frame.extend_from_slice(&[0x60, 0x70, descriptor_checksum(&[0x60, 0x70])]);
        for _ in 0..65 {
            frame.extend_from_slice(&(packed.len() as u32).to_le_bytes());
            frame.extend_from_slice(&packed);
        }
        frame.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(decompress(&frame), Err(BatchError::TooLarge));
    }
}
