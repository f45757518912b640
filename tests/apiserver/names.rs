//! Generated names in the alphabet Kubernetes uses for them (no vowels, no
//! look-alike digits): `generateName` suffixes and pod template hashes.
//! The hash is FNV-1a of the template's JSON, not the Go struct hash the
//! deployment controller computes, so the values differ from a real
//! cluster's while looking the same.

const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

fn fnv(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

/// Five characters derived from `seed`.
pub fn random_suffix(seed: &str) -> String {
    let mut state = u64::from(fnv(seed)) | 1;
    (0..5)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ALPHABET[((state >> 33) % ALPHABET.len() as u64) as usize] as char
        })
        .collect()
}

/// `pod-template-hash` of a pod template: the hash's decimal digits in the safe alphabet.
pub fn template_hash(template: &serde_json::Value) -> String {
    let mut template = template.clone();
    if let Some(metadata) = template
        .get_mut("metadata")
        .and_then(serde_json::Value::as_object_mut)
    {
        metadata.remove("creationTimestamp");
    }
    let hash = fnv(&template.to_string());
    hash.to_string()
        .bytes()
        .map(|digit| ALPHABET[digit as usize % ALPHABET.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_use_the_safe_alphabet() {
        let suffix = random_suffix("x");
        assert_eq!(suffix.len(), 5);
        assert!(suffix.bytes().all(|b| ALPHABET.contains(&b)));
        assert_ne!(random_suffix("x"), random_suffix("y"));
        let hash = template_hash(&serde_json::json!({"spec": {}}));
        assert!(hash.len() >= 8 && hash.bytes().all(|b| ALPHABET.contains(&b)));
    }
}
