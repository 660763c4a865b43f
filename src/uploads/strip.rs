//! Removes metadata (EXIF with its GPS position, XMP, IPTC, comments, text
//! chunks) from images, keeping only what decoding needs.
use bytes::Bytes;
use img_parts::{jpeg::Jpeg, png::Png, webp::WebP, ImageEXIF};

/// The image formats accepted for upload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    Jpeg,
    Png,
    Gif,
    WebP,
}

impl ImageFormat {
    pub fn from_mime(mime: &str) -> Option<Self> {
        match mime {
            "image/jpeg" => Some(Self::Jpeg),
            "image/png" => Some(Self::Png),
            "image/gif" => Some(Self::Gif),
            "image/webp" => Some(Self::WebP),
            _ => None,
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Gif => "image/gif",
            Self::WebP => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Gif => "gif",
            Self::WebP => "webp",
        }
    }
}

/// `None` when the bytes do not parse as the format they claim to be.
pub fn strip(format: ImageFormat, data: Bytes) -> Option<Bytes> {
    match format {
        ImageFormat::Jpeg => strip_jpeg(data),
        ImageFormat::Png => strip_png(data),
        ImageFormat::WebP => strip_webp(data),
        ImageFormat::Gif => strip_gif(&data),
    }
}

fn strip_jpeg(data: Bytes) -> Option<Bytes> {
    use img_parts::jpeg::markers::{APP0, APP14, APP15, APP2, COM};
    let mut jpeg = Jpeg::from_bytes(data).ok()?;
    // Keep JFIF (APP0), the ICC colour profile (an APP2 that says so; an
    // APP2 can also index further images, MPF, each with its own EXIF) and
    // Adobe's colour transform flag (APP14); everything else in
    // APP1..APP15 is metadata.
    jpeg.segments_mut().retain(|s| {
        let m = s.marker();
        let is_app = (APP0..=APP15).contains(&m);
        let icc = m == APP2 && s.contents().starts_with(b"ICC_PROFILE\0");
        !(m == COM || (is_app && m != APP0 && !icc && m != APP14))
    });
    Some(end_at_eoi(jpeg.encoder().bytes()))
}

/// The image ends at its end-of-image marker: whatever follows (a trailer,
/// the further images of an MPF file with their own EXIF) goes. In the
/// entropy-coded data every 0xFF is followed by 0x00 or a restart marker,
/// so the first 0xFFD9 after the first start-of-scan is the end.
fn end_at_eoi(bytes: Bytes) -> Bytes {
    let scan = bytes.windows(2).position(|w| w == [0xFF, 0xDA]);
    let end = scan.and_then(|from| {
        bytes[from..]
            .windows(2)
            .position(|w| w == [0xFF, 0xD9])
            .map(|at| from + at + 2)
    });
    match end {
        Some(end) => bytes.slice(..end),
        None => bytes,
    }
}

/// PNG chunks kept: the critical ones, colour and transparency, pixel
/// size and APNG's animation. Everything else goes, private chunks and
/// any metadata chunk a future encoder invents included.
const PNG_KEPT: &[&[u8; 4]] = &[
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"cICP",
    b"sBIT", b"bKGD", b"pHYs", b"acTL", b"fcTL", b"fdAT",
];

fn strip_png(data: Bytes) -> Option<Bytes> {
    let mut png = Png::from_bytes(data).ok()?;
    png.chunks_mut().retain(|c| PNG_KEPT.contains(&&c.kind()));
    Some(png.encoder().bytes())
}

/// WebP chunks kept: the image, its alpha, animation and colour profile.
const WEBP_KEPT: &[&[u8; 4]] = &[
    b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP",
];

fn strip_webp(data: Bytes) -> Option<Bytes> {
    let mut webp = WebP::from_bytes(data).ok()?;
    // Clears the EXIF flag in VP8X along with the chunk.
    webp.set_exif(None);
    webp.remove_chunks_by_id(*b"XMP ");
    webp.chunks_mut().retain(|c| WEBP_KEPT.contains(&&c.id()));
    Some(webp.encoder().bytes())
}

/// Walks the GIF block structure and drops comment, plain-text and
/// application extensions (XMP lives in one), keeping the looping ones.
fn strip_gif(data: &[u8]) -> Option<Bytes> {
    if data.len() < 13 || !(data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a")) {
        return None;
    }
    let mut out = Vec::with_capacity(data.len());
    let mut pos = 13;
    let flags = data[10];
    if flags & 0x80 != 0 {
        pos += 3 * (1 << ((flags & 0x07) + 1));
    }
    out.extend_from_slice(data.get(..pos)?);
    loop {
        match *data.get(pos)? {
            0x3B => {
                out.push(0x3B);
                return Some(Bytes::from(out));
            }
            0x21 => {
                let label = *data.get(pos + 1)?;
                let end = skip_sub_blocks(data, pos + 2)?;
                let keep = match label {
                    0xF9 => true,
                    0xFF => {
                        let app = data.get(pos + 3..pos + 14)?;
                        app == b"NETSCAPE2.0" || app == b"ANIMEXTS1.0"
                    }
                    _ => false,
                };
                if keep {
                    out.extend_from_slice(&data[pos..end]);
                }
                pos = end;
            }
            0x2C => {
                let desc_flags = *data.get(pos + 9)?;
                let mut end = pos + 10;
                if desc_flags & 0x80 != 0 {
                    end += 3 * (1 << ((desc_flags & 0x07) + 1));
                }
                end = skip_sub_blocks(data, end + 1)?;
                out.extend_from_slice(data.get(pos..end)?);
                pos = end;
            }
            _ => return None,
        }
    }
}

/// The index just past a run of sub-blocks ending with a zero length.
fn skip_sub_blocks(data: &[u8], mut pos: usize) -> Option<usize> {
    loop {
        let len = *data.get(pos)? as usize;
        pos += 1;
        if len == 0 {
            return Some(pos);
        }
        pos += len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1x1 GIF with a comment and an XMP application extension.
    fn gif_with_metadata() -> Vec<u8> {
        let mut g = b"GIF89a".to_vec();
        g.extend_from_slice(&[1, 0, 1, 0, 0x80, 0, 0]); // 1x1, 2-colour global table
        g.extend_from_slice(&[0, 0, 0, 255, 255, 255]);
        g.extend_from_slice(&[0x21, 0xFE, 6]);
        g.extend_from_slice(b"SECRET");
        g.push(0);
        g.extend_from_slice(&[0x21, 0xFF, 11]);
        g.extend_from_slice(b"XMP DataXMP");
        g.extend_from_slice(&[3]);
        g.extend_from_slice(b"GPS");
        g.push(0);
        g.extend_from_slice(&[0x21, 0xFF, 11]);
        g.extend_from_slice(b"NETSCAPE2.0");
        g.extend_from_slice(&[3, 1, 0, 0, 0]);
        g.extend_from_slice(&[0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0]);
        g.extend_from_slice(&[2, 2, 0x4C, 0x01, 0]);
        g.push(0x3B);
        g
    }

    #[test]
    fn gif_comments_and_xmp_go_and_looping_stays() {
        let out = strip(ImageFormat::Gif, Bytes::from(gif_with_metadata())).unwrap();
        let text = String::from_utf8_lossy(&out);
        assert!(!text.contains("SECRET"));
        assert!(!text.contains("XMP DataXMP"));
        assert!(text.contains("NETSCAPE2.0"));
        assert_eq!(out.last(), Some(&0x3B));
    }

    #[test]
    fn truncated_gif_is_refused() {
        let g = gif_with_metadata();
        assert!(strip(ImageFormat::Gif, Bytes::from(g[..30].to_vec())).is_none());
    }
}
