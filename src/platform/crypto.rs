//! Encryption at rest and keyed blind indexes for personal data.
//!
//! One 32-byte data key (from `AGORA_DATA_KEY`, or generated once into
//! `$AGORA_DATA_DIR/data.key`) is expanded with HKDF into independent keys
//! for encryption, blind indexes and SMS-code hashing.
use std::path::Path;

use base64::{engine::general_purpose::STANDARD, Engine};
use chacha20poly1305::{
    aead::{Aead, KeyInit},
    XChaCha20Poly1305, XNonce,
};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::config::Config;

type HmacSha256 = Hmac<Sha256>;

#[derive(Clone)]
pub struct Crypto {
    aead: XChaCha20Poly1305,
    index_key: [u8; 32],
    code_key: [u8; 32],
}

impl std::fmt::Debug for Crypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Crypto([redacted])")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("AGORA_DATA_KEY must be 32 bytes, base64 or hex")]
    BadKey,
    #[error("ciphertext is corrupt or was made with another key")]
    Decrypt,
    #[error("data key file: {0}")]
    Io(#[from] std::io::Error),
}

impl Crypto {
    /// The configured key, or the one in the data dir, generated if missing.
    pub fn from_config(config: &Config) -> Result<Self, CryptoError> {
        let key = match &config.data_key {
            Some(secret) => parse_key(secret.expose())?,
            None => load_or_create_key(&config.data_dir.join("data.key"))?,
        };
        Ok(Self::new(&key))
    }

    pub fn new(master: &[u8; 32]) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(b"agora data key v1"), master);
        let mut enc = [0u8; 32];
        let mut index_key = [0u8; 32];
        let mut code_key = [0u8; 32];
        // Expanding 32 bytes from HKDF-SHA256 cannot fail (limit 8160).
        let _ = hk.expand(b"encryption", &mut enc);
        let _ = hk.expand(b"blind-index", &mut index_key);
        let _ = hk.expand(b"sms-code", &mut code_key);
        Self {
            aead: XChaCha20Poly1305::new((&enc).into()),
            index_key,
            code_key,
        }
    }

    /// Encrypts with a fresh random nonce: base64(nonce || ciphertext).
    pub fn encrypt(&self, plaintext: &str) -> String {
        let mut nonce = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut nonce);
        // Encryption with XChaCha20-Poly1305 only fails for absurd lengths.
        let ciphertext = self
            .aead
            .encrypt(XNonce::from_slice(&nonce), plaintext.as_bytes())
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        STANDARD.encode(out)
    }

    /// An optional ciphertext's plaintext; `None` only when absent (one
    /// that does not decrypt is an error, never taken for "no text").
    pub fn decrypt_opt(&self, encoded: &Option<String>) -> Result<Option<String>, CryptoError> {
        encoded.as_deref().map(|c| self.decrypt(c)).transpose()
    }

    pub fn decrypt(&self, encoded: &str) -> Result<String, CryptoError> {
        let raw = STANDARD.decode(encoded).map_err(|_| CryptoError::Decrypt)?;
        if raw.len() < 24 {
            return Err(CryptoError::Decrypt);
        }
        let (nonce, ciphertext) = raw.split_at(24);
        let plain = self
            .aead
            .decrypt(XNonce::from_slice(nonce), ciphertext)
            .map_err(|_| CryptoError::Decrypt)?;
        String::from_utf8(plain).map_err(|_| CryptoError::Decrypt)
    }

    /// A keyed, deterministic index for equality lookups (HMAC-SHA256).
    pub fn blind_index(&self, domain: &str, value: &str) -> String {
        hmac_hex(&self.index_key, domain, value)
    }

    /// A keyed hash of an SMS code bound to the phone it was sent to.
    pub fn code_hash(&self, phone_index: &str, code: &str) -> String {
        hmac_hex(&self.code_key, phone_index, code)
    }
}

fn hmac_hex(key: &[u8], domain: &str, value: &str) -> String {
    // HMAC accepts keys of any length.
    let Ok(mut mac) = <HmacSha256 as Mac>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(domain.as_bytes());
    mac.update(&[0]);
    mac.update(value.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// SHA-256 of a bearer token, hex: all the database ever sees of it.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// `n` random bytes, URL-safe base64 without padding.
pub fn random_token(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::thread_rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn parse_key(text: &str) -> Result<[u8; 32], CryptoError> {
    let text = text.trim();
    let bytes = hex::decode(text)
        .ok()
        .or_else(|| STANDARD.decode(text).ok())
        .ok_or(CryptoError::BadKey)?;
    bytes.try_into().map_err(|_| CryptoError::BadKey)
}

/// Reads the data key, or makes one when there is no key file at all. Any
/// other failure to read it (unreadable, not text) is an error: writing a
/// fresh key over the old one would make every encrypted value unreadable.
fn load_or_create_key(path: &Path) -> Result<[u8; 32], CryptoError> {
    match std::fs::read_to_string(path) {
        Ok(text) => return parse_key(&text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(err.into()),
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut key = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    // Never over an existing file: two processes starting at once must
    // not each write their own key.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            use std::io::Write;
            file.write_all(hex::encode(key).as_bytes())?;
            file.sync_all()?;
        }
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            return parse_key(&std::fs::read_to_string(path)?);
        }
        Err(err) => return Err(err.into()),
    }
    tracing::warn!(
        path = %path.display(),
        "AGORA_DATA_KEY is not set: generated a data key; back it up, or the encrypted data is lost"
    );
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_key_file_is_an_error_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.key");
        std::fs::write(&path, [0xff, 0xfe, 0x00, 0x80]).unwrap();
        assert!(load_or_create_key(&path).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), [0xff, 0xfe, 0x00, 0x80]);
        // No file at all: a key is made, and read back the same next time.
        let fresh = dir.path().join("new.key");
        let made = load_or_create_key(&fresh).unwrap();
        assert_eq!(load_or_create_key(&fresh).unwrap(), made);
    }

    #[test]
    fn ciphertext_round_trips_and_differs_each_time() {
        let crypto = Crypto::new(&[7u8; 32]);
        let a = crypto.encrypt("+8613800138000");
        let b = crypto.encrypt("+8613800138000");
        assert_ne!(a, b);
        assert!(!a.contains("13800138000"));
        assert_eq!(crypto.decrypt(&a).ok().as_deref(), Some("+8613800138000"));
    }

    #[test]
    fn another_key_cannot_decrypt() {
        let a = Crypto::new(&[1u8; 32]).encrypt("secret");
        assert!(Crypto::new(&[2u8; 32]).decrypt(&a).is_err());
    }

    #[test]
    fn blind_index_is_stable_and_keyed() {
        let one = Crypto::new(&[1u8; 32]);
        let two = Crypto::new(&[2u8; 32]);
        assert_eq!(one.blind_index("phone", "x"), one.blind_index("phone", "x"));
        assert_ne!(one.blind_index("phone", "x"), two.blind_index("phone", "x"));
        assert_ne!(one.blind_index("phone", "x"), one.blind_index("other", "x"));
    }
}
