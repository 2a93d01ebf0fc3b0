//! The one error type. It keeps apart what the operator reads (precise, logged) and what the end user
//! sees (one generic deny reason that reveals nothing about the configuration).

use crate::claims::PlanError;
use crate::config::ConfigError;
use crate::management::ManagementError;
use crate::prelude::*;
use core::fmt;

/// The reason given to `api.access.deny` for every failure but a configuration error: Auth0 may show
/// it to the end user. A later try can succeed (an outage of the Management API ends).
pub const USER_DENY_REASON: &str =
    "Sign-in could not be completed because authorization data is unavailable. Please try again later.";

/// The reason given to `api.access.deny` when a setting is missing or wrong ([`Error::Config`]): no
/// retry can help until the operator fixes it, so it says sign-in is not available and asks the user to
/// tell the administrator; it names nothing of the configuration (the log line names the setting and
/// the fix).
pub const CONFIG_DENY_REASON: &str =
    "Sign-in is not available right now because of a configuration problem; please contact the site's administrator.";

/// The error a login rejects with when it had to be denied and `api.access.deny` failed: Auth0 fails a
/// login whose Action throws, the only way left to stop a login that must not go on.
pub const NOT_DENIED_MESSAGE: &str =
    "rbac-claims: the login had to be denied and api.access.deny failed, so the Action fails it";

/// Longest piece of a JavaScript error message kept in a log line (Auth0 keeps 256 characters of logs).
const DETAIL_LIMIT: usize = 160;

/// Everything that can stop a login from getting its claims.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A setting in `event.secrets` is missing or wrong.
    Config(ConfigError),
    /// The claim plan was refused.
    Plan(PlanError),
    /// The Management API could not give the permissions.
    Management(ManagementError),
    /// `api.roles` or `api.groups` could not give the roles or groups: the cause, naming the call.
    List(String),
    /// The event is not of a shape we can trust.
    Event(String),
    /// A call into the host (`event` getter, `api` method) threw; `call` names it, `detail` is the JS error.
    Host {
        /// The JavaScript expression that threw, e.g. `api.idToken.setCustomClaim`.
        call: &'static str,
        /// The thrown value, described and shortened.
        detail: String,
    },
}

impl Error {
    /// A host call that threw, with the thrown value already described as text.
    pub fn host(call: &'static str, detail: impl Into<String>) -> Self {
        let detail: String = detail.into();
        Self::Host {
            call,
            detail: shorten(&detail, DETAIL_LIMIT),
        }
    }

    /// The reason for `api.access.deny`: [`CONFIG_DENY_REASON`] for a configuration error (a retry
    /// cannot help), else [`USER_DENY_REASON`]; both generic, neither names the cause.
    pub fn user_reason(&self) -> &'static str {
        match self {
            Self::Config(_) => CONFIG_DENY_REASON,
            _ => USER_DENY_REASON,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config(err) => write!(f, "configuration: {err}"),
            Self::Plan(err) => write!(f, "claim plan: {err}"),
            Self::Management(err) => write!(f, "management API: {err}"),
            Self::List(cause) => f.write_str(cause),
            Self::Event(what) => write!(f, "event: {what}"),
            Self::Host { call, detail } => write!(f, "{call} threw: {detail}"),
        }
    }
}

impl core::error::Error for Error {}

impl From<ConfigError> for Error {
    fn from(err: ConfigError) -> Self {
        Self::Config(err)
    }
}

impl From<ManagementError> for Error {
    fn from(err: ManagementError) -> Self {
        Self::Management(err)
    }
}

impl From<PlanError> for Error {
    fn from(err: PlanError) -> Self {
        Self::Plan(err)
    }
}

/// Longest log line written, prefix included, in UTF-16 units (JavaScript's and Auth0's length): Auth0
/// keeps the first 256 characters of an Action's log line.
pub const MAX_LOG_CHARS: usize = 256;

/// One operator log line as written: `rbac-claims: ` and `line`, every control character and line or
/// paragraph separator shown as `?` (so a thrown message cannot forge a line of its own), cut to
/// [`MAX_LOG_CHARS`] UTF-16 units with a final `…`.
pub fn log_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len().min(4 * MAX_LOG_CHARS) + 16);
    let mut units = 0;
    for c in "rbac-claims: ".chars().chain(line.chars()) {
        let c = if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
            '?'
        } else {
            c
        };
        if units + c.len_utf16() > MAX_LOG_CHARS - 1 {
            out.push('…');
            return out;
        }
        units += c.len_utf16();
        out.push(c);
    }
    out
}

/// Error names a log line may show: the standard ones. Any other `name` (a host can set anything,
/// a token included) is shown as `Error`.
const KNOWN_ERROR_NAMES: &[&str] = &[
    "Error",
    "TypeError",
    "RangeError",
    "SyntaxError",
    "ReferenceError",
    "URIError",
    "EvalError",
    "AggregateError",
    "AbortError",
    "TimeoutError",
    "NetworkError",
    "DOMException",
    "RuntimeError",
    "CompileError",
];

/// Whether `code` looks like a Node error code (`ECONNREFUSED`, `UND_ERR_SOCKET`, `ERR_INVALID_URL`).
fn is_node_error_code(code: &str) -> bool {
    let known_prefix = ["E", "UND_ERR_", "ERR_"]
        .iter()
        .any(|p| code.starts_with(p));
    known_prefix
        && code.len() <= 32
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Names a thrown JavaScript error by its `name` and its `cause.code` only (never its message, which
/// can quote request data such as a header): `what failed: TypeError (cause: ECONNREFUSED)`. Only the
/// standard error names and Node-style codes are shown; anything else is `Error` and no cause.
pub fn error_kind_text(what: &str, name: Option<&str>, cause_code: Option<&str>) -> String {
    let name = name
        .and_then(|n| KNOWN_ERROR_NAMES.iter().find(|known| **known == n))
        .copied()
        .unwrap_or("Error");
    match cause_code.filter(|code| is_node_error_code(code)) {
        Some(code) => format!("{what} failed: {name} (cause: {code})"),
        None => format!("{what} failed: {name}"),
    }
}

/// The error codes `api.cache.set` / `delete` document (`CacheWriteErrorCode`).
pub const CACHE_ERROR_CODES: &[&str] = &[
    "MaxSideEffectsExceeded",
    "CacheKeySizeExceeded",
    "CacheValueSizeExceeded",
    "CacheSizeExceeded",
    "ItemAlreadyExpired",
    "InvalidExpiry",
    "FailedToSetCacheRecord",
    "FailedToDeleteCacheRecord",
    "CacheKeyDoesNotExist",
];

/// An `api.cache` error code as logged: a documented one, else `an undocumented error code` (a host
/// could put anything there, the value it was given included).
pub fn cache_error_code(code: Option<&str>) -> String {
    code.and_then(|c| CACHE_ERROR_CODES.iter().find(|known| **known == c))
        .map_or_else(
            || "an undocumented error code".to_owned(),
            |c| (*c).to_owned(),
        )
}

/// Cuts `text` to at most `limit` characters, marking the cut.
pub fn shorten(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(limit).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_never_reads_the_operator_message() {
        let errors = [
            Error::Config(ConfigError {
                key: "namespace",
                problem: "\"https://tenant.auth0.com\" is under auth0.com".into(),
            }),
            Error::Event("authorization.roles has 5000 entries".into()),
            Error::host("api.idToken.setCustomClaim", "TypeError: boom"),
            Error::Management(crate::management::ManagementError::Status(
                crate::management::Endpoint::UserPermissions,
                403,
            )),
        ];
        for err in errors {
            let reason = err.user_reason();
            let operator = err.to_string();
            assert!(!reason.is_empty());
            // No word of the operator's message that names the cause reaches the user.
            for word in [
                "namespace",
                "auth0.com",
                "roles",
                "5000",
                "setCustomClaim",
                "403",
                "read:users",
            ] {
                assert!(
                    !operator.contains(word) || !reason.contains(word),
                    "{word} reaches the user: {reason}"
                );
            }
        }
    }

    #[test]
    fn a_configuration_error_does_not_ask_the_user_to_try_again() {
        let config = Error::Config(ConfigError {
            key: "namespace",
            problem: "is required (e.g. https://example.com)".into(),
        });
        assert_eq!(config.user_reason(), CONFIG_DENY_REASON);
        assert!(!CONFIG_DENY_REASON.to_lowercase().contains("try again"));
        assert!(CONFIG_DENY_REASON.contains("not available"));
        assert!(CONFIG_DENY_REASON.contains("administrator"));
        // Failures a later try can get past keep the reason that says so.
        for err in [
            Error::Management(crate::management::ManagementError::Status(
                crate::management::Endpoint::UserPermissions,
                503,
            )),
            Error::List("api.roles.getUserEffectiveRoles rejected".into()),
            Error::host("event.secrets", "TypeError: nope"),
        ] {
            assert_eq!(err.user_reason(), USER_DENY_REASON, "{err}");
        }
    }

    #[test]
    fn operator_messages_name_the_cause() {
        let err = Error::Config(ConfigError {
            key: "tokens",
            problem: "has unknown token \"x\"".into(),
        });
        assert_eq!(
            err.to_string(),
            "configuration: setting `tokens` has unknown token \"x\""
        );
        let err = Error::host("event.secrets", "TypeError: nope");
        assert_eq!(err.to_string(), "event.secrets threw: TypeError: nope");
    }

    #[test]
    fn log_lines_are_one_bounded_line() {
        let line = log_line(&format!("a\nforged line {}", "x".repeat(1000)));
        assert_eq!(line.encode_utf16().count(), MAX_LOG_CHARS);
        assert!(line.starts_with("rbac-claims: a?forged line "));
        assert_eq!(log_line("short"), "rbac-claims: short");
        // Line separators and astral characters (two UTF-16 units each, as JavaScript counts).
        let line = log_line(&format!("a\u{2028}b\u{2029}c\u{85}d{}", "😀".repeat(300)));
        assert!(line.starts_with("rbac-claims: a?b?c?d"), "{line}");
        assert!(line.encode_utf16().count() <= MAX_LOG_CHARS);
        assert!(line.ends_with('…'));
    }

    #[test]
    fn thrown_errors_are_named_never_quoted() {
        assert_eq!(
            error_kind_text("fetch", Some("TypeError"), Some("ECONNREFUSED")),
            "fetch failed: TypeError (cause: ECONNREFUSED)"
        );
        assert_eq!(
            error_kind_text("fetch", Some("TimeoutError"), Some("UND_ERR_SOCKET")),
            "fetch failed: TimeoutError (cause: UND_ERR_SOCKET)"
        );
        // A host may put anything in `name` or `code`, a token among it: none of it is shown.
        for (name, code) in [
            (
                "OpaqueMgmtToken0123456789abcdef",
                "OpaqueMgmtToken0123456789",
            ),
            ("Type Error: x", "E 1"),
            ("", "eyJhbGciOi"),
            ("TypeError\n", "E_TOKEN_THAT_IS_FAR_TOO_LONG_TO_BE_A_CODE"),
        ] {
            let text = error_kind_text("fetch", Some(name), Some(code));
            assert_eq!(text, "fetch failed: Error", "{name} {code}");
        }
        assert_eq!(error_kind_text("body", None, None), "body failed: Error");
    }

    #[test]
    fn only_documented_cache_codes_are_logged() {
        assert_eq!(
            cache_error_code(Some("CacheSizeExceeded")),
            "CacheSizeExceeded"
        );
        for code in [None, Some("CacheSizeExceeded for OpaqueToken"), Some("x")] {
            assert_eq!(cache_error_code(code), "an undocumented error code");
        }
    }

    #[test]
    fn long_host_details_are_shortened() {
        let err = Error::host("api.access.deny", "x".repeat(1000));
        assert!(err.to_string().chars().count() < 200);
        assert_eq!(shorten("abc", 2), "ab…");
        assert_eq!(shorten("abc", 3), "abc");
    }
}
