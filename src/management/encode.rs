//! Percent-encoding for URL path segments, query values and form bodies.

use crate::prelude::*;
/// Percent-encodes `text` so it stays one URL path segment or one query/form value: every byte except
/// RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`) becomes `%XX` of its UTF-8 encoding, so `|`, `/`,
/// `?`, `#`, `%`, `+`, `&`, `=` and non-ASCII all survive.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// An id (a `user_id`, a role id) as one URL path segment, or `None` for `.` and `..`: URL parsing
/// resolves those dot segments (also percent-encoded), so `/users/../permissions` would reach `/permissions`.
pub fn path_segment(id: &str) -> Option<String> {
    (id != "." && id != "..").then(|| encode_component(id))
}

/// An `application/x-www-form-urlencoded` body from name/value pairs.
pub fn form_body(pairs: &[(&str, &str)]) -> String {
    let mut body = String::new();
    for (name, value) in pairs {
        if !body.is_empty() {
            body.push('&');
        }
        body.push_str(&encode_component(name));
        body.push('=');
        body.push_str(&encode_component(value));
    }
    body
}

/// A 64-bit FNV-1a hash of `parts`, each followed by a zero byte (so `["ab", "c"]` and `["a", "bc"]`
/// differ).
pub fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(core::iter::once(0)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    hash
}

/// [`fnv1a`] as 16 hex digits: short, stable cache keys that reveal nothing of their input.
pub fn fnv1a_hex(parts: &[&str]) -> String {
    format!("{:016x}", fnv1a(parts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_stay_one_segment() {
        assert_eq!(encode_component("auth0|64f1c2"), "auth0%7C64f1c2");
        assert_eq!(encode_component("a/b?c#d%e"), "a%2Fb%3Fc%23d%25e");
        assert_eq!(
            encode_component("adfs|john@fabrikam.com"),
            "adfs%7Cjohn%40fabrikam.com"
        );
        assert_eq!(encode_component("ünï"), "%C3%BCn%C3%AF");
        assert_eq!(encode_component("a b+c&d=e"), "a%20b%2Bc%26d%3De");
        assert_eq!(encode_component("A-z_0.9~"), "A-z_0.9~");
    }

    #[test]
    fn dot_segments_are_refused() {
        assert_eq!(path_segment("."), None);
        assert_eq!(path_segment(".."), None);
        assert_eq!(path_segment("...").as_deref(), Some("..."));
        assert_eq!(path_segment("a|b").as_deref(), Some("a%7Cb"));
    }

    #[test]
    fn form_bodies_encode_names_and_values() {
        assert_eq!(
            form_body(&[
                ("grant_type", "client_credentials"),
                ("audience", "https://t/api/v2/")
            ]),
            "grant_type=client_credentials&audience=https%3A%2F%2Ft%2Fapi%2Fv2%2F"
        );
    }

    #[test]
    fn hashes_are_stable_and_separate_parts() {
        // Known values: 64-bit FNV-1a of the parts, each followed by a 0 byte (computed apart from
        // this code). A key that changed between releases would strand every cached token.
        assert_eq!(
            fnv1a_hex(&[]),
            "cbf29ce484222325",
            "the FNV-1a offset basis"
        );
        let ab = fnv1a_hex(&["a", "b"]);
        assert_eq!(ab.len(), 16);
        assert_eq!(ab, "ab40d7820d408076", "FNV-1a of \"a\\0b\\0\"");
        assert_ne!(fnv1a_hex(&["ab", ""]), ab, "parts are separated");
        assert_ne!(fnv1a_hex(&["b", "a"]), ab, "order matters");
    }
}
