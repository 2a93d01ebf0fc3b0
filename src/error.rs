//! The one error type. It keeps apart what the operator reads (precise, logged) and what the end user
//! sees (one generic deny reason that reveals nothing about the configuration).

use crate::claims::PlanError;
use crate::config::ConfigError;
use crate::management::ManagementError;
use std::fmt;

/// The reason given to `api.access.deny` for every failure: Auth0 may show it to the end user.
pub const USER_DENY_REASON: &str =
    "Sign-in could not be completed because authorization data is unavailable. Please try again later.";

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

    /// The reason for `api.access.deny`: always the same generic text.
    pub fn user_reason(&self) -> &'static str {
        USER_DENY_REASON
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config(err) => write!(f, "configuration: {err}"),
            Self::Plan(err) => write!(f, "claim plan: {err}"),
            Self::Management(err) => write!(f, "management API: {err}"),
            Self::Event(what) => write!(f, "event: {what}"),
            Self::Host { call, detail } => write!(f, "{call} threw: {detail}"),
        }
    }
}

impl std::error::Error for Error {}

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

/// Longest log line written, prefix included: Auth0 keeps the first 256 characters of an Action's logs.
pub const MAX_LOG_CHARS: usize = 256;

/// One operator log line as written: `rbac-claims: ` and `line`, control characters (line breaks)
/// shown as `?` so a thrown message cannot forge a line of its own, cut to [`MAX_LOG_CHARS`].
pub fn log_line(line: &str) -> String {
    let line: String = format!("rbac-claims: {line}")
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    shorten(&line, MAX_LOG_CHARS - 1)
}

/// Names a thrown JavaScript error by its `name` and its `cause.code` only (never its message, which
/// can quote request data such as a header): `what failed: TypeError (cause: ECONNREFUSED)`. Both parts
/// keep only identifier characters and are cut short.
pub fn error_kind_text(what: &str, name: Option<&str>, cause_code: Option<&str>) -> String {
    let clean = |text: &str| -> String {
        text.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(40)
            .collect()
    };
    let name = name.map(clean).filter(|n| !n.is_empty());
    let mut text = format!("{what} failed: {}", name.as_deref().unwrap_or("error"));
    if let Some(code) = cause_code.map(clean).filter(|c| !c.is_empty()) {
        text.push_str(&format!(" (cause: {code})"));
    }
    text
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
    fn every_error_gives_the_same_generic_reason() {
        let errors = [
            Error::Config(ConfigError {
                key: "namespace",
                problem: "is required".into(),
            }),
            Error::Event("authorization.roles has 5000 entries".into()),
            Error::host("api.idToken.setCustomClaim", "TypeError: boom"),
        ];
        for err in errors {
            assert_eq!(err.user_reason(), USER_DENY_REASON);
            assert!(!USER_DENY_REASON.contains("namespace"));
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
        assert_eq!(line.chars().count(), MAX_LOG_CHARS);
        assert!(line.starts_with("rbac-claims: a?forged line "));
        assert!(!line.contains('\n'));
        assert_eq!(log_line("short"), "rbac-claims: short");
    }

    #[test]
    fn thrown_errors_are_named_never_quoted() {
        assert_eq!(
            error_kind_text("fetch", Some("TypeError"), Some("ECONNREFUSED")),
            "fetch failed: TypeError (cause: ECONNREFUSED)"
        );
        // Whatever a host puts in `name` or `code`, only identifier characters of it come through.
        assert_eq!(
            error_kind_text("fetch", Some("Type Error: x\ny"), Some("E/1: z")),
            "fetch failed: TypeErrorxy (cause: E1z)"
        );
        assert_eq!(error_kind_text("body", None, None), "body failed: error");
        assert!(error_kind_text("x", Some(&"N".repeat(500)), None).len() < 60);
    }

    #[test]
    fn long_host_details_are_shortened() {
        let err = Error::host("api.access.deny", "x".repeat(1000));
        assert!(err.to_string().chars().count() < 200);
        assert_eq!(shorten("abc", 2), "ab…");
        assert_eq!(shorten("abc", 3), "abc");
    }
}
