//! Versioned copies of documentation (`/v2/…`, `/4.8/…`, `/latest/…`) and near-duplicate
//! detection between them. A page is skipped as a near-duplicate when the job already
//! saved a copy of the same path under another version segment whose content SimHash is
//! within `NEAR_DUPLICATE_BITS` bits, and that copy matches the requested version at least
//! as well.

use url::Url;

/// SimHashes this close (out of 64 bits) are the same page in another version. Three
/// bits is the common choice for 64-bit SimHash over word shingles: version bumps and
/// changed dates stay within it, real edits do not.
pub const NEAR_DUPLICATE_BITS: u32 = 3;
/// Words per shingle.
const SHINGLE: usize = 3;

const MOVING_VERSIONS: &[&str] = &[
    "latest", "stable", "current", "master", "main", "dev", "devel", "next", "nightly",
];

/// How a page's version segment relates to the requested version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionedPath {
    /// The path with the version segment replaced by `{version}`.
    pub key: String,
    /// 2: exactly the requested version; 1: a moving version (latest, stable …) when the
    /// current version was asked for; 0: any other version.
    pub closeness: u8,
}

/// The versioned form of `url`'s path, or `None` when no segment looks like a version.
pub fn versioned_path(url: &Url, requested: &str) -> Option<VersionedPath> {
    let segments: Vec<&str> = url.path_segments()?.collect();
    let index = segments.iter().position(|s| is_version(s))?;
    let segment = segments[index].to_ascii_lowercase();
    let mut keyed = segments.clone();
    keyed[index] = "{version}";
    Some(VersionedPath {
        key: format!("/{}", keyed.join("/")),
        closeness: closeness(&segment, requested),
    })
}

fn is_version(segment: &str) -> bool {
    let lower = segment.to_ascii_lowercase();
    if MOVING_VERSIONS.contains(&lower.as_str()) {
        return true;
    }
    let number = lower.strip_prefix('v').unwrap_or(&lower);
    let number = number.strip_suffix(".x").unwrap_or(number);
    !number.is_empty()
        && number
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()))
        && number.split('.').count() <= 4
}

fn closeness(segment: &str, requested: &str) -> u8 {
    let requested = requested.trim().to_ascii_lowercase();
    let bare = |v: &str| v.trim_start_matches('v').trim_end_matches(".x").to_string();
    if requested.is_empty() || requested == "current" || requested == "latest" {
        return u8::from(MOVING_VERSIONS.contains(&segment));
    }
    let (segment, requested) = (bare(segment), bare(&requested));
    if segment == requested || requested.starts_with(&format!("{segment}.")) {
        2
    } else {
        0
    }
}

/// A 64-bit SimHash of the text's word shingles. Digits count as one digit, so copies
/// that differ only in version numbers (`v1.2` / `v1.3`, dates) hash alike.
pub fn simhash(text: &str) -> u64 {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().replace(|c: char| c.is_ascii_digit(), "0"))
        .collect();
    let mut weights = [0i64; 64];
    let shingles = words.windows(SHINGLE.min(words.len().max(1)));
    for shingle in shingles {
        let hash = fnv1a(shingle.join(" ").as_bytes());
        for (bit, weight) in weights.iter_mut().enumerate() {
            *weight += if hash >> bit & 1 == 1 { 1 } else { -1 };
        }
    }
    weights.iter().enumerate().fold(
        0u64,
        |acc, (bit, weight)| if *weight > 0 { acc | 1 << bit } else { acc },
    )
}

pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).expect("url")
    }

    #[test]
    fn version_segments_are_recognised_and_keyed() {
        let v = versioned_path(&url("https://d.example/docs/v2.1/users/create"), "2.1")
            .expect("versioned");
        assert_eq!(v.key, "/docs/{version}/users/create");
        assert_eq!(v.closeness, 2);
        assert_eq!(
            versioned_path(&url("https://d.example/docs/3.x/users/create"), "2.1")
                .map(|v| v.closeness),
            Some(0)
        );
        assert_eq!(
            versioned_path(
                &url("https://d.example/docs/latest/users/create"),
                "current"
            )
            .map(|v| v.closeness),
            Some(1)
        );
        assert_eq!(
            versioned_path(&url("https://d.example/docs/4/users"), "4.8").map(|v| v.closeness),
            Some(2)
        );
        assert!(versioned_path(&url("https://d.example/docs/users/create"), "current").is_none());
        assert!(
            versioned_path(&url("https://d.example/rfc/7644"), "current").is_some(),
            "numbers look like versions"
        );
    }

    #[test]
    fn simhash_is_close_for_near_copies_and_far_for_different_pages() {
        let base = "Create a user. Send a POST request to the users endpoint with a JSON body holding the user name, \
                    the display name, the e-mail addresses and the group memberships. The answer holds the new user \
                    with its identifier and its creation time. Errors come back as problem details.";
        let bumped = base.replace("creation time", "creation timestamp");
        let other = "Groups collect users. List the groups with a GET request; each group has members, an owner and \
                     a description. Nested groups are flattened when the membership is read through the API.";
        assert!(
            hamming(simhash(base), simhash(&bumped)) <= 12,
            "{}",
            hamming(simhash(base), simhash(&bumped))
        );
        assert_eq!(hamming(simhash(base), simhash(base)), 0);
        assert!(hamming(simhash(base), simhash(other)) > NEAR_DUPLICATE_BITS * 4);
        assert_eq!(simhash(""), 0);
        assert_eq!(
            simhash("Version 1.2 adds users"),
            simhash("Version 1.3 adds users")
        );
    }
}
