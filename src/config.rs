//! Settings: every key the Action reads from `event.secrets`, parsed and validated in one place.
//!
//! Action secrets are strings. A key that is missing, empty or only white space counts as unset.
//! Every problem becomes one [`ConfigError`] that names the key and says what is wrong; the value of a
//! secret setting (`clientSecret`) is never repeated in an error.

use std::fmt;

/// What the host found under one key of `event.secrets`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawSetting {
    /// The key is not there (or is `undefined`/`null`).
    Absent,
    /// A string value.
    Text(String),
    /// A value of another JavaScript type; the payload names the type.
    NotText(&'static str),
}

/// Where settings come from: the host reads `event.secrets`, tests hand in a list.
pub trait SettingSource {
    /// The raw value under `key`.
    fn raw(&self, key: &str) -> RawSetting;
}

impl SettingSource for [(&str, &str)] {
    fn raw(&self, key: &str) -> RawSetting {
        self.iter()
            .find(|(name, _)| *name == key)
            .map_or(RawSetting::Absent, |(_, value)| {
                RawSetting::Text((*value).to_owned())
            })
    }
}

/// Setting names, as written in `event.secrets`.
pub mod keys {
    /// Claim namespace (required).
    pub const NAMESPACE: &str = "namespace";
    /// Which tokens get the claims.
    pub const TOKENS: &str = "tokens";
}

/// Every key this module reads; the host reads these and nothing else from `event.secrets`.
pub const ALL_KEYS: &[&str] = &[keys::NAMESPACE, keys::TOKENS];

/// Which tokens receive the claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSelection {
    /// The ID token gets the claims.
    pub id: bool,
    /// The access token gets the claims.
    pub access: bool,
}

impl Default for TokenSelection {
    fn default() -> Self {
        Self {
            id: true,
            access: true,
        }
    }
}

/// A validated claim namespace, without trailing `/`, so that `<namespace>/<name>` has exactly one `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace(String);

impl Namespace {
    /// The full claim name for `name` under this namespace.
    pub fn claim(&self, name: &str) -> String {
        format!("{}/{}", self.0, name)
    }

    /// The namespace as text (no trailing `/`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Hosts under which Auth0 silently drops namespaced claims.
const AUTH0_RESERVED_HOSTS: &[&str] = &["auth0.com", "webtask.io", "webtask.run"];

/// Everything the Action is configured to do, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Claim namespace.
    pub namespace: Namespace,
    /// Tokens that get the claims.
    pub tokens: TokenSelection,
}

/// A setting that is missing or wrong. Its message names the key and the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The setting's name in `event.secrets`.
    pub key: &'static str,
    /// What is wrong with it, in words for the operator.
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "setting `{}` {}", self.key, self.problem)
    }
}

impl std::error::Error for ConfigError {}

/// Longest excerpt of a bad value quoted in an error, so logs stay short.
const QUOTE_LIMIT: usize = 40;

/// Quotes a (non-secret) bad value for an error message, shortened to [`QUOTE_LIMIT`] characters,
/// with control characters shown as `?` so one log line stays one line.
fn quote(value: &str) -> String {
    let shown: String = value
        .chars()
        .take(QUOTE_LIMIT)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    let more = if value.chars().count() > QUOTE_LIMIT {
        "…"
    } else {
        ""
    };
    format!("\"{shown}{more}\"")
}

impl Settings {
    /// Reads and validates every setting from `source`.
    pub fn from_source(source: &(impl SettingSource + ?Sized)) -> Result<Self, ConfigError> {
        let namespace = match text(source, keys::NAMESPACE)? {
            Some(value) => parse_namespace(&value)?,
            None => {
                return Err(error(
                    keys::NAMESPACE,
                    "is required (e.g. https://example.com)",
                ))
            }
        };
        let tokens = match text(source, keys::TOKENS)? {
            Some(value) => parse_tokens(&value)?,
            None => TokenSelection::default(),
        };
        Ok(Self { namespace, tokens })
    }
}

fn error(key: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        key,
        problem: problem.into(),
    }
}

/// The trimmed text under `key`; `None` when unset or blank; an error when not a string.
fn text(
    source: &(impl SettingSource + ?Sized),
    key: &'static str,
) -> Result<Option<String>, ConfigError> {
    match source.raw(key) {
        RawSetting::Absent => Ok(None),
        RawSetting::NotText(kind) => Err(error(key, format!("must be a string, not {kind}"))),
        RawSetting::Text(value) => {
            let trimmed = value.trim();
            Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
        }
    }
}

/// Parses `tokens`: a comma-separated list of `id` and `access`.
fn parse_tokens(value: &str) -> Result<TokenSelection, ConfigError> {
    let mut selection = TokenSelection {
        id: false,
        access: false,
    };
    for word in value.split(',').map(str::trim) {
        match word {
            "id" => selection.id = true,
            "access" => selection.access = true,
            other => {
                return Err(error(
                    keys::TOKENS,
                    format!(
                        "has unknown token {}: use id, access or id,access",
                        quote(other)
                    ),
                ))
            }
        }
    }
    Ok(selection)
}

/// Validates a namespace: an `http(s)` URL or a URN that Auth0 will not silently ignore.
fn parse_namespace(value: &str) -> Result<Namespace, ConfigError> {
    let bad = |why: &str| error(keys::NAMESPACE, format!("{} {why}", quote(value)));
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("must not contain spaces or control characters"));
    }
    if value.contains(['?', '#']) {
        return Err(bad("must not contain `?` or `#`"));
    }
    let normalized = value.trim_end_matches('/');
    let lower = normalized.to_ascii_lowercase();
    if let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    {
        let authority = rest.split('/').next().unwrap_or_default();
        let host_port = authority.rsplit('@').next().unwrap_or_default();
        let host = host_port
            .split(':')
            .next()
            .unwrap_or_default()
            .trim_end_matches('.');
        if host.is_empty() {
            return Err(bad("has no host"));
        }
        if let Some(reserved) = AUTH0_RESERVED_HOSTS
            .iter()
            .find(|reserved| host == **reserved || host.ends_with(&format!(".{reserved}")))
        {
            return Err(bad(&format!(
                "is under {reserved}: Auth0 silently drops such claims"
            )));
        }
    } else if let Some(rest) = lower.strip_prefix("urn:") {
        let nid = rest.split(':').next().unwrap_or_default();
        if nid.is_empty() || !nid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(bad("is not a valid URN (urn:<id>:<name>)"));
        }
        if nid == "auth0" {
            return Err(bad("uses urn:auth0, which Auth0 reserves"));
        }
    } else {
        return Err(bad("must be an http(s) URL or a URN"));
    }
    Ok(Namespace(normalized.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        Settings::from_source(pairs)
    }

    fn namespace_error(ns: &str) -> ConfigError {
        parse(&[("namespace", ns)]).unwrap_err()
    }

    #[test]
    fn namespace_is_required() {
        let err = parse(&[]).unwrap_err();
        assert_eq!(err.key, "namespace");
        assert!(
            err.to_string()
                .starts_with("setting `namespace` is required"),
            "{err}"
        );
        assert_eq!(parse(&[("namespace", "   ")]).unwrap_err().key, "namespace");
    }

    #[test]
    fn claim_names_have_exactly_one_slash() {
        for ns in [
            "https://rbac.example.com",
            "https://rbac.example.com/",
            "https://rbac.example.com//",
        ] {
            let settings = parse(&[("namespace", ns)]).unwrap();
            assert_eq!(
                settings.namespace.claim("roles"),
                "https://rbac.example.com/roles"
            );
        }
        let settings = parse(&[("namespace", "urn:example:claims")]).unwrap();
        assert_eq!(
            settings.namespace.claim("roles"),
            "urn:example:claims/roles"
        );
        let settings = parse(&[("namespace", "http://example.com/app/")]).unwrap();
        assert_eq!(
            settings.namespace.claim("roles"),
            "http://example.com/app/roles"
        );
    }

    #[test]
    fn namespace_keeps_its_case_and_path() {
        let settings = parse(&[("namespace", "https://Example.com/Claims")]).unwrap();
        assert_eq!(settings.namespace.as_str(), "https://Example.com/Claims");
    }

    #[test]
    fn namespaces_auth0_would_ignore_are_refused() {
        for ns in [
            "https://auth0.com",
            "https://tenant.auth0.com/claims",
            "https://TENANT.Auth0.com",
            "http://x.webtask.io",
            "https://webtask.run/",
            "https://user@auth0.com:443/x",
            "https://auth0.com./x",
            "urn:auth0:claims",
            "URN:AUTH0",
        ] {
            let err = namespace_error(ns);
            assert_eq!(err.key, "namespace", "{ns}");
            assert!(
                err.problem.contains("auth0") || err.problem.contains("webtask"),
                "{ns}: {err}"
            );
        }
    }

    #[test]
    fn look_alike_hosts_are_accepted() {
        for ns in [
            "https://notauth0.com",
            "https://auth0.com.example.org",
            "urn:auth0x:claims",
        ] {
            assert!(parse(&[("namespace", ns)]).is_ok(), "{ns}");
        }
    }

    #[test]
    fn namespaces_that_are_not_urls_or_urns_are_refused() {
        for ns in [
            "example.com",
            "roles",
            "ftp://example.com",
            "https://",
            "https:///x",
            "urn:",
            "urn:a b",
            "https://ex ample.com",
            "https://e.com?x",
            "https://e.com#x",
        ] {
            assert_eq!(namespace_error(ns).key, "namespace", "{ns}");
        }
    }

    #[test]
    fn tokens_default_to_both() {
        let settings = parse(&[("namespace", "https://e.com")]).unwrap();
        assert_eq!(
            settings.tokens,
            TokenSelection {
                id: true,
                access: true
            }
        );
    }

    #[test]
    fn tokens_select_each_token() {
        let cases = [
            ("id", (true, false)),
            ("access", (false, true)),
            ("id,access", (true, true)),
            (" access , id ", (true, true)),
            ("", (true, true)),
        ];
        for (value, (id, access)) in cases {
            let settings = parse(&[("namespace", "https://e.com"), ("tokens", value)]).unwrap();
            assert_eq!(settings.tokens, TokenSelection { id, access }, "{value:?}");
        }
    }

    #[test]
    fn unknown_tokens_are_named_in_the_error() {
        for value in ["refresh", "id,", "ID", "id;access"] {
            let err = parse(&[("namespace", "https://e.com"), ("tokens", value)]).unwrap_err();
            assert_eq!(err.key, "tokens");
            assert!(err.problem.contains("unknown token"), "{err}");
        }
        let err = parse(&[("namespace", "https://e.com"), ("tokens", "refresh")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "setting `tokens` has unknown token \"refresh\": use id, access or id,access"
        );
    }

    #[test]
    fn settings_that_are_not_strings_are_refused() {
        struct NumberTokens;
        impl SettingSource for NumberTokens {
            fn raw(&self, key: &str) -> RawSetting {
                match key {
                    "namespace" => RawSetting::Text("https://e.com".into()),
                    "tokens" => RawSetting::NotText("number"),
                    _ => RawSetting::Absent,
                }
            }
        }
        let err = Settings::from_source(&NumberTokens).unwrap_err();
        assert_eq!(
            err.to_string(),
            "setting `tokens` must be a string, not number"
        );
    }

    #[test]
    fn long_bad_values_are_shortened_in_errors() {
        let long = format!("x{}", "y".repeat(500));
        let err = namespace_error(&long);
        assert!(err.to_string().len() < 120, "{err}");
    }
}
