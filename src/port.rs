//! The host port: everything one login needs from the system that runs it, as plain Rust.
//!
//! [`crate::login::run`] works over [`Host`] only, the way [`crate::management::Client`] works over
//! [`Io`]. [`crate::auth0`] binds it to Auth0's `event` and `api` objects; the native tests of
//! [`crate::login`] drive it with a fake. Another host (another runtime, a CLI) is one more module that
//! implements this trait; nothing in the core changes.

use crate::error::Error;
use crate::management::Io;

/// Which token a claim is set on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// The ID token (`api.idToken`).
    Id,
    /// The access token (`api.accessToken`).
    Access,
}

/// What one login reads from, and does to, its host.
///
/// A login calls these in a fixed order, and only those it needs: [`Host::settings_text`] first,
/// then [`Host::role_entries`]; when permissions are on, [`Host::user_id`] (in `user` and `effective`
/// mode only) and [`Host::requested_api`], then [`Host::io`]; at the end [`Host::set_claims`] once
/// (the ID token's claims, then the access token's); on a failure, [`Host::log`] and [`Host::deny`].
/// A host must not read anything it is not asked for (a hostile event can throw from any getter).
pub trait Host {
    /// The Management API I/O of this login.
    type Io: Io;

    /// The settings part of the secrets (only the keys in [`crate::config::ALL_KEYS`]) as JSON text;
    /// `None` when there are no secrets.
    fn settings_text(&self) -> Result<Option<String>, Error>;

    /// The event's role entries, `None` for each one that is not a well-formed string. More than
    /// `limit` entries, or more than `max_chars` UTF-16 units in all, is an error.
    fn role_entries(&self, limit: usize, max_chars: usize) -> Result<Vec<Option<String>>, Error>;

    /// The user id, required and non-empty.
    fn user_id(&self) -> Result<String, Error>;

    /// The identifier of the API the login asks a token for, when there is one (never empty).
    fn requested_api(&self) -> Result<Option<String>, Error>;

    /// Sets each claim (its name and its value as JSON text, in order) on the ID token, then each of
    /// `access` on the access token; stops at the first failure. A token with no claims is not touched.
    /// Every value is made before the first claim is set, and no value is shared between the tokens.
    fn set_claims(&self, id: &[(&str, String)], access: &[(&str, String)]) -> Result<(), Error>;

    /// Denies the login with `reason` (shown to the end user).
    fn deny(&self, reason: &str) -> Result<(), Error>;

    /// Writes one operator log line (the host formats it with [`crate::error::log_line`]).
    fn log(&self, line: &str);

    /// The I/O the Management API client uses for this login.
    fn io(&self) -> &Self::Io;
}
