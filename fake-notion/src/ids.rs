//! Object ids, property ids and the percent-encoding Notion uses for property ids.

use crate::error::{ApiError, ApiResult};

/// A fresh object id, dashed lowercase as Notion returns them.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Accepts 32 hex digits with or without dashes; returns the dashed lowercase form.
pub fn normalize(raw: &str) -> Option<String> {
    let hex: String = raw.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let h = hex.to_ascii_lowercase();
    Some(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

/// An id taken from the URL path; `param` names it in the error (`page_id`, `block_id`, ...).
pub fn path_id(param: &str, raw: &str) -> ApiResult<String> {
    normalize(raw).ok_or_else(|| ApiError::bad_path_id(param, raw))
}

pub fn compact(id: &str) -> String {
    id.replace('-', "")
}

/// Characters of raw property ids. The punctuation makes many ids need percent-encoding,
/// as real ones do (`%3CnJT`, `X%3E%40X`), so clients have to prove they pass them through
/// without encoding them twice. `/`, `%`, `#` and `&` are left out.
const PROP_ID_CHARS: &[u8] =
    b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789:;<=>?@[]^_{|}~";

/// The `n`th property id of a deterministic sequence, already percent-encoded as Notion sends it.
pub fn property_id(n: u64) -> String {
    let mut x = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut raw = String::new();
    for _ in 0..4 {
        // splitmix64: cheap, deterministic, well spread.
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        raw.push(PROP_ID_CHARS[(z % PROP_ID_CHARS.len() as u64) as usize] as char);
    }
    percent_encode(&raw)
}

/// `encodeURIComponent`: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )` is escaped.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%xx` escapes; with `plus_is_space` (query strings) `+` becomes a space.
/// Malformed escapes are kept literally.
pub fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Pairs of a query string, decoded.
pub fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_normalize() {
        let dashed = "393abc1e-edcd-81f5-ae94-ec2d55fe98ed";
        assert_eq!(
            normalize("393ABC1EEDCD81F5AE94EC2D55FE98ED").as_deref(),
            Some(dashed)
        );
        assert_eq!(normalize(dashed).as_deref(), Some(dashed));
        assert_eq!(normalize("abc"), None);
    }

    #[test]
    fn percent_round_trip() {
        let raw = "a:b<>~_";
        let enc = percent_encode(raw);
        assert_eq!(enc, "a%3Ab%3C%3E~_");
        assert_eq!(percent_decode(&enc, false), raw);
        assert_eq!(percent_decode("100%", false), "100%");
        assert_eq!(percent_decode("a+b", true), "a b");
    }
}
