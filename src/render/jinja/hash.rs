//! The digests Ansible's `hash`, `checksum`, `sha1`, `md5` and `to_uuid`
//! filters compute (Python's `hashlib`), from the RustCrypto crates.

use sha1::Digest;

/// Hex digest of `data` under a `hashlib` algorithm name, or `None` for
/// a name `hashlib.new` would not know (Ansible's `hash` then returns
/// `None`).
pub fn hexdigest(algorithm: &str, data: &[u8]) -> Option<String> {
    let bytes = match algorithm.to_ascii_lowercase().as_str() {
        "md5" => md5(data).to_vec(),
        "sha1" => sha1(data).to_vec(),
        "sha224" => sha2::Sha224::digest(data).to_vec(),
        "sha256" => sha2::Sha256::digest(data).to_vec(),
        "sha384" => sha2::Sha384::digest(data).to_vec(),
        "sha512" => sha2::Sha512::digest(data).to_vec(),
        _ => return None,
    };
    Some(hex(&bytes))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn md5(data: &[u8]) -> [u8; 16] {
    md5::Md5::digest(data).into()
}

pub fn sha1(data: &[u8]) -> [u8; 20] {
    sha1::Sha1::digest(data).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_hashlib() {
        // hashlib.new(name, data).hexdigest() for b"" and a 200-byte input
        // that spans several blocks.
        let long = "graft ".repeat(40);
        let cases = [
            ("md5", "", "d41d8cd98f00b204e9800998ecf8427e"),
            ("sha1", "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            ("md5", long.as_str(), MD5_LONG),
            ("sha1", long.as_str(), SHA1_LONG),
            ("sha224", long.as_str(), SHA224_LONG),
            ("sha256", long.as_str(), SHA256_LONG),
            ("sha384", long.as_str(), SHA384_LONG),
            ("sha512", long.as_str(), SHA512_LONG),
        ];
        for (name, data, want) in cases {
            assert_eq!(hexdigest(name, data.as_bytes()).unwrap(), want, "{name}");
        }
        assert_eq!(hexdigest("whirlpool", b""), None);
    }

    const MD5_LONG: &str = "e08a0a91eae0556a4fd1761814542354";
    const SHA1_LONG: &str = "21f3d72b774bb18c45fa10b00b2b276fa79e04b9";
    const SHA224_LONG: &str = "37dcec873e266755d511bfc1d655a412fba2b9a44050a5d9c0de1460";
    const SHA256_LONG: &str = "bde42f4e0afb75136cbee48734f6d74dcff513464dbaccea30156006f6e521d9";
    const SHA384_LONG: &str =
        "8247860a5cdab3623a256a5e7c044f8520bddca663ebba1c5b31c8eb362e7295812785918bc1b6b3c9261a683151ad2f";
    const SHA512_LONG: &str =
        "674adb89aef4bf108494b535315566674ece4166b80f6f06b466feb8f4545cd903b19d933f30284dce28bfb2c3e6e7320d591f14f661499d61c5ee747aeab972";
}
