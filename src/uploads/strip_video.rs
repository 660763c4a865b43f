//! Removes user data boxes from MP4 and QuickTime videos: `udta` (where a
//! phone puts the `©xyz` GPS position, the device, the author) and `meta`
//! (QuickTime's keys, `com.apple.quicktime.location.ISO6709` among them),
//! at the top level, in the movie and in each track, and the XMP `uuid`
//! box. Each is turned, in place, into a `free` box of the same size whose
//! bytes are zero: nothing moves, so the sample offsets the player follows
//! stay right, and the video plays as before.
use std::io::SeekFrom;

use tokio::{
    fs::File,
    io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt},
};

/// XMP's box in ISO media files: `uuid` with this user type.
const XMP_UUID: [u8; 16] = [
    0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC,
];

/// Boxes whose children are walked (no deeper than the track's media).
const CONTAINERS: &[&[u8; 4]] = &[b"moov", b"trak", b"mdia", b"minf"];
const MAX_DEPTH: usize = 4;

/// Blanks the metadata boxes of the `len` bytes of `file`; returns how many
/// it blanked. A box layout that does not parse ends the walk (the bytes
/// were sniffed as a video; what follows a broken box is not read as one).
pub async fn strip_video(file: &mut File, len: u64) -> std::io::Result<usize> {
    let mut blanked = 0;
    // An explicit stack instead of recursion: (start, end, depth).
    let mut ranges = vec![(0u64, len, 0usize)];
    while let Some((start, end, depth)) = ranges.pop() {
        let mut pos = start;
        while pos + 8 <= end {
            let Some(b) = read_box(file, pos, end).await? else {
                break;
            };
            if is_metadata(file, &b).await? {
                blank(file, &b).await?;
                blanked += 1;
            } else if CONTAINERS.contains(&&b.kind) && depth < MAX_DEPTH {
                ranges.push((pos + b.header, pos + b.size, depth + 1));
            }
            pos += b.size;
        }
    }
    file.flush().await?;
    file.seek(SeekFrom::Start(0)).await?;
    Ok(blanked)
}

struct BoxHeader {
    at: u64,
    kind: [u8; 4],
    /// Header length: 8, or 16 with a 64-bit size.
    header: u64,
    /// The whole box, header included.
    size: u64,
}

async fn read_box(file: &mut File, at: u64, end: u64) -> std::io::Result<Option<BoxHeader>> {
    let mut head = [0u8; 8];
    file.seek(SeekFrom::Start(at)).await?;
    file.read_exact(&mut head).await?;
    let small = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as u64;
    let kind = [head[4], head[5], head[6], head[7]];
    let (header, size) = match small {
        // The box runs to the end of its parent.
        0 => (8, end - at),
        1 if at + 16 <= end => {
            let mut large = [0u8; 8];
            file.read_exact(&mut large).await?;
            (16, u64::from_be_bytes(large))
        }
        1 => return Ok(None),
        n => (8, n),
    };
    if size < header || at + size > end {
        return Ok(None);
    }
    Ok(Some(BoxHeader {
        at,
        kind,
        header,
        size,
    }))
}

async fn is_metadata(file: &mut File, b: &BoxHeader) -> std::io::Result<bool> {
    match &b.kind {
        b"udta" | b"meta" => Ok(true),
        b"uuid" if b.size >= b.header + 16 => {
            let mut user_type = [0u8; 16];
            file.seek(SeekFrom::Start(b.at + b.header)).await?;
            file.read_exact(&mut user_type).await?;
            Ok(user_type == XMP_UUID)
        }
        _ => Ok(false),
    }
}

/// Renames the box `free` and zeroes what it held.
async fn blank(file: &mut File, b: &BoxHeader) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(b.at + 4)).await?;
    file.write_all(b"free").await?;
    file.seek(SeekFrom::Start(b.at + b.header)).await?;
    let zeros = [0u8; 64 * 1024];
    let mut left = b.size - b.header;
    while left > 0 {
        let n = left.min(zeros.len() as u64) as usize;
        file.write_all(&zeros[..n]).await?;
        left -= n as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mp4_box(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
        let mut out = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(payload);
        out
    }

    /// A small MP4 whose movie carries a GPS position in `udta/©xyz`, a
    /// track with its own `meta`, and an XMP packet at the top level.
    fn mp4_with_location(location: &str) -> Vec<u8> {
        let mut ftyp = b"isom".to_vec();
        ftyp.extend_from_slice(&[0, 0, 2, 0]);
        ftyp.extend_from_slice(b"isomiso2mp41");
        let xyz = mp4_box(b"\xA9xyz", location.as_bytes());
        let udta = mp4_box(b"udta", &xyz);
        let track_meta = mp4_box(b"meta", format!("track {location}").as_bytes());
        let tkhd = mp4_box(b"tkhd", &[0u8; 84]);
        let trak = mp4_box(b"trak", &[tkhd, track_meta].concat());
        let mvhd = mp4_box(b"mvhd", &[0u8; 100]);
        let moov = mp4_box(b"moov", &[mvhd, trak, udta].concat());
        let mut xmp = XMP_UUID.to_vec();
        xmp.extend_from_slice(format!("<x:xmpmeta>{location}</x:xmpmeta>").as_bytes());
        [
            mp4_box(b"ftyp", &ftyp),
            moov,
            mp4_box(b"uuid", &xmp),
            mp4_box(b"mdat", b"frames and frames"),
        ]
        .concat()
    }

    #[tokio::test]
    async fn location_boxes_become_free_space_and_nothing_moves() {
        let location = "+37.7749-122.4194/";
        let original = mp4_with_location(location);
        let mut file = File::from_std(tempfile::tempfile().unwrap());
        file.write_all(&original).await.unwrap();
        let blanked = strip_video(&mut file, original.len() as u64).await.unwrap();
        assert_eq!(blanked, 3, "udta, the track's meta and the XMP uuid");
        let mut stripped = Vec::new();
        file.read_to_end(&mut stripped).await.unwrap();
        assert_eq!(stripped.len(), original.len());
        let text = String::from_utf8_lossy(&stripped);
        assert!(!text.contains("37.7749"), "the position is gone");
        assert!(!text.contains("xmpmeta"));
        // The samples and the boxes around them are where they were.
        assert!(stripped.ends_with(b"mdatframes and frames"));
        assert_eq!(&stripped[..32], &original[..32]);
    }

    #[tokio::test]
    async fn a_broken_box_ends_the_walk_without_an_error() {
        let mut bytes = mp4_with_location("+1+2/");
        // A box claiming more bytes than the file has.
        bytes.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xF0, b'u', b'd', b't', b'a']);
        let mut file = File::from_std(tempfile::tempfile().unwrap());
        file.write_all(&bytes).await.unwrap();
        let blanked = strip_video(&mut file, bytes.len() as u64).await.unwrap();
        assert_eq!(blanked, 3);
    }
}
