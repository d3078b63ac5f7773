//! Personal data at rest. ID numbers and phones are looked up by a keyed hash (HMAC-SHA256
//! under a key derived from the gateway's data key) and stored only encrypted
//! (ChaCha20-Poly1305, random nonce). SMS codes and session tokens are stored as keyed hashes.
//!
//! This is storage protection for the gateway's database, not ballot cryptography (which lives
//! in `electx-crypto` only); it uses the standard RustCrypto implementations.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use chacha20poly1305::{
    aead::{Aead, KeyInit},
    ChaCha20Poly1305, Key, Nonce,
};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Keys derived from the data key, one per purpose.
#[derive(Clone)]
pub struct Protector {
    lookup_key: [u8; 32],
    code_key: [u8; 32],
    token_key: [u8; 32],
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for Protector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Protector(..)")
    }
}

fn derive(key: &[u8; 32], label: &[u8]) -> [u8; 32] {
    // HMAC as a PRF for key separation (RFC 5869's HKDF-Expand with one block).
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(label);
    mac.update(&[1]);
    mac.finalize().into_bytes().into()
}

impl Protector {
    /// All keys from one 32-byte data key.
    pub fn new(data_key: &[u8; 32]) -> Self {
        let enc = derive(data_key, b"electx/gateway/encrypt");
        Self {
            lookup_key: derive(data_key, b"electx/gateway/lookup"),
            code_key: derive(data_key, b"electx/gateway/sms-code"),
            token_key: derive(data_key, b"electx/gateway/session"),
            cipher: ChaCha20Poly1305::new(Key::from_slice(&enc)),
        }
    }

    fn mac(key: &[u8; 32], parts: &[&[u8]]) -> Vec<u8> {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
        for part in parts {
            mac.update(&(part.len() as u32).to_le_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().to_vec()
    }

    /// Keyed hash of a normalised identifier (`kind` separates ID numbers from phones).
    pub fn lookup(&self, kind: &str, value: &str) -> Vec<u8> {
        Self::mac(&self.lookup_key, &[kind.as_bytes(), value.as_bytes()])
    }

    /// Keyed hash of an SMS code, bound to the code's row.
    pub fn code_hash(&self, code_id: &str, code: &str) -> Vec<u8> {
        Self::mac(&self.code_key, &[code_id.as_bytes(), code.as_bytes()])
    }

    /// Keyed hash of a session or CSRF token.
    pub fn token_hash(&self, token: &str) -> Vec<u8> {
        Self::mac(&self.token_key, &[token.as_bytes()])
    }

    /// Encrypts `plaintext`; the output is `nonce ‖ ciphertext ‖ tag`.
    pub fn encrypt(&self, plaintext: &str) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut out = nonce.to_vec();
        // Encryption with a fresh nonce cannot fail for inputs below 2^38 bytes.
        let sealed = self
            .cipher
            .encrypt(Nonce::from_slice(&nonce), plaintext.as_bytes())
            .unwrap_or_default();
        out.extend_from_slice(&sealed);
        out
    }

    /// Decrypts what [`Self::encrypt`] produced; `None` if it was tampered with.
    pub fn decrypt(&self, sealed: &[u8]) -> Option<String> {
        if sealed.len() < 12 {
            return None;
        }
        let (nonce, body) = sealed.split_at(12);
        let plain = self.cipher.decrypt(Nonce::from_slice(nonce), body).ok()?;
        String::from_utf8(plain).ok()
    }
}

/// A random URL-safe token of 32 bytes.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A uniformly random 6-digit code from the OS CSPRNG.
pub fn random_code() -> String {
    use rand::Rng;
    format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32))
}

/// `+34 6•• ••• •78`: enough to recognise one's own phone, not to learn someone else's.
pub fn mask_phone(e164: &str) -> String {
    let digits: Vec<char> = e164.trim_start_matches("+34").chars().collect();
    if digits.len() != 9 {
        return "•••".into();
    }
    format!("+34 {}•• ••• •{}{}", digits[0], digits[7], digits[8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypt_round_trip_and_tamper() {
        let p = Protector::new(&[7u8; 32]);
        let sealed = p.encrypt("+34612345678");
        assert!(!sealed.windows(12).any(|w| w == b"+34612345678"));
        assert_eq!(p.decrypt(&sealed).as_deref(), Some("+34612345678"));
        let mut bad = sealed.clone();
        if let Some(b) = bad.last_mut() {
            *b ^= 1;
        }
        assert_eq!(p.decrypt(&bad), None);
        assert_ne!(p.encrypt("x"), p.encrypt("x"), "fresh nonce each time");
    }

    #[test]
    fn lookups_are_keyed_and_separated() {
        let a = Protector::new(&[1u8; 32]);
        let b = Protector::new(&[2u8; 32]);
        assert_eq!(a.lookup("id", "12345678Z"), a.lookup("id", "12345678Z"));
        assert_ne!(a.lookup("id", "12345678Z"), b.lookup("id", "12345678Z"));
        assert_ne!(a.lookup("id", "1"), a.lookup("phone", "1"));
    }

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let c = random_code();
            assert_eq!(c.len(), 6);
            assert!(c.bytes().all(|b| b.is_ascii_digit()));
        }
        assert_eq!(mask_phone("+34612345678"), "+34 6•• ••• •78");
    }
}
