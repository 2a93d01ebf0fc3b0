//! The host port: everything one login needs from the system that runs it, as plain Rust.
//!
//! Everything a host provides is declared here and nowhere else: the event fields, the `api` lists,
//! setting claims or denying ([`Host`]), and the I/O of the login ([`Io`]: HTTP requests, `api.cache`,
//! the clock, randomness, log lines). [`crate::login::run`] works over [`Host`] only, and
//! [`crate::management::Client`] over the [`Io`] that [`Host::io`] gives; both depend on this module,
//! which imports only [`crate::error`] and [`crate::json`]. [`crate::auth0`] binds it to Auth0's
//! `event` and `api` objects; the native tests of [`crate::login`] drive it with a fake. Another host
//! (another runtime, a CLI) is one more module that implements [`Host`] and [`Io`]; nothing in the
//! core changes.

use crate::error::Error;
use crate::json::Json;
use crate::prelude::*;
use alloc::rc::Rc;
use core::future::Future;

/// Which token a claim is set on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// The ID token (`api.idToken`).
    Id,
    /// The access token (`api.accessToken`).
    Access,
}

/// A list the login's `api` gives page by page (`{ take, from }` → `{ <items>, next? }`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiList {
    /// `api.roles.getUserEffectiveRoles`: roles assigned directly or through groups, scoped by Auth0
    /// to the login's organization; entries `{ id, name, type }` under `roles`.
    EffectiveRoles,
    /// `api.groups.getUserGroups`: the user's groups; entries `{ id, name }` under `groups`.
    Groups,
}

impl ApiList {
    /// The `api` object that holds the method (`roles`, `groups`); also the answer's list field.
    pub fn object(self) -> &'static str {
        match self {
            Self::EffectiveRoles => "roles",
            Self::Groups => "groups",
        }
    }

    /// The method's name.
    pub fn method(self) -> &'static str {
        match self {
            Self::EffectiveRoles => "getUserEffectiveRoles",
            Self::Groups => "getUserGroups",
        }
    }

    /// What one entry is, for log lines: `role`, `group`.
    pub fn entry(self) -> &'static str {
        match self {
            Self::EffectiveRoles => "role",
            Self::Groups => "group",
        }
    }

    /// The whole call as an operator reads it, e.g. `api.roles.getUserEffectiveRoles`.
    pub fn call(self) -> &'static str {
        match self {
            Self::EffectiveRoles => "api.roles.getUserEffectiveRoles",
            Self::Groups => "api.groups.getUserGroups",
        }
    }
}

/// One entry of a list page: its `name` and `id` when each is a well-formed string (`id` is read
/// for roles only).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListEntry {
    /// The entry's `name`.
    pub name: Option<String>,
    /// The entry's `id`.
    pub id: Option<String>,
}

/// One page of an [`ApiList`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListPage {
    /// The entries, in order.
    pub entries: Vec<ListEntry>,
    /// The cursor of the next page; `None` (or empty) on the last one.
    pub next: Option<String>,
}

/// Why a page of an [`ApiList`] could not be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListFailure {
    /// The host has no such method (an older host): what is missing.
    Missing(String),
    /// The method threw or its promise rejected: the thrown value, described.
    Failed(String),
    /// The answer is not of the documented shape: what is wrong.
    Unexpected(String),
}

/// What one login reads from, and does to, its host.
///
/// A login calls these in a fixed order, and only those it needs: [`Host::settings_text`] first
/// (then [`Host::secret_names`] when that text is new to the instance), then the roles ([`Host::role_entries`], [`Host::metadata_role_entries`] or [`Host::list_page`] of
/// [`ApiList::EffectiveRoles`]); when permissions are on, [`Host::organization_login`] (in `user` and
/// `effective` mode only), [`Host::user_id`] (the same modes, outside organization logins) and
/// [`Host::requested_api`], then [`Host::io`] for the Management API; then the groups ([`Host::list_page`] of
/// [`ApiList::Groups`]) when on; at the end [`Host::add_scopes`] (with scopes to add), then [`Host::set_claims`] once (the ID token's claims, then the
/// access token's); on a failure, [`Host::log`] and [`Host::deny`]; last, with `logLine=json`,
/// [`Host::write_line`] once. The clock ([`Host::io`]) is first
/// read just before the first call outside the event, which starts the login's `budgetMs`.
/// A host must not read anything it is not asked for (a hostile event can throw from any getter).
pub trait Host {
    /// The Management API I/O of this login.
    type Io: Io;

    /// The settings part of the secrets (only the keys in [`crate::config::ALL_KEYS`]) as JSON text;
    /// `None` when there are no secrets. Shared: a host that finds the last login's text hands out
    /// that same text, so the login knows it without copying or comparing it.
    fn settings_text(&self) -> Result<Option<Rc<str>>, Error>;

    /// The names of the secrets (their own enumerable keys, never a value), in order: at most `limit`,
    /// leaving out a name longer than `max_chars` UTF-16 units or that is not a well-formed string;
    /// empty when there are none or they cannot be listed. Only to name a secret that misspells a
    /// setting ([`crate::config::misspelled_secret_lines`]).
    fn secret_names(&self, limit: usize, max_chars: usize) -> Vec<String>;

    /// The event's role entries, `None` for each one that is not a well-formed string. More than
    /// `limit` entries, or more than `max_chars` UTF-16 units in all, is an error.
    fn role_entries(&self, limit: usize, max_chars: usize) -> Result<Vec<Option<String>>, Error>;

    /// `roles=metadata`: the entries of the array at `path` (dot-separated keys) inside
    /// `event.user.app_metadata`, `None` for each one that is not a well-formed string; `None` when
    /// the path is missing (an absent, `null` or non-object value on the way). A value there that is
    /// not an array, a read that throws, more than `limit` entries or more than `max_chars` UTF-16
    /// units in all is an error. Only the path's keys are read.
    fn metadata_role_entries(
        &self,
        path: &str,
        limit: usize,
        max_chars: usize,
    ) -> Result<Option<Vec<Option<String>>>, Error>;

    /// The user id, required and non-empty.
    fn user_id(&self) -> Result<String, Error>;

    /// The identifier of the API the login asks a token for, when there is one (never empty).
    fn requested_api(&self) -> Result<Option<String>, Error>;

    /// Whether this is an organization login (`event.organization.id` set).
    fn organization_login(&self) -> Result<bool, Error>;

    /// One page of `list`: the method called with `{ take, from }` (`from` left out when `None`),
    /// awaited. A page of more than `take` entries, or whose names and ids hold more than `max_chars`
    /// UTF-16 units in all, is [`ListFailure::Unexpected`], found before long strings are copied.
    fn list_page(
        &self,
        list: ApiList,
        take: u32,
        from: Option<&str>,
        max_chars: usize,
    ) -> impl Future<Output = Result<ListPage, ListFailure>>;

    /// Sets each claim (its name and its value as JSON text, in order) on the ID token, then each of
    /// `access` on the access token; stops at the first failure. A token with no claims is not touched.
    /// Every value is made before the first claim is set, and no value is shared between the tokens.
    /// With `roles_as_read`, the first claim of each token is the roles and its value is the role
    /// entries [`Host::role_entries`] returned (the well-formed ones, in order): the host may set the
    /// values it read instead of the JSON text (the same claim).
    fn set_claims(
        &self,
        id: &[(&str, &str)],
        access: &[(&str, &str)],
        roles_as_read: bool,
    ) -> Result<(), Error>;

    /// Adds each of `scopes` to the access token (`api.accessToken.addScope`), in order; stops at the
    /// first failure (a missing method is one). Called before [`Host::set_claims`], only with scopes.
    fn add_scopes(&self, scopes: &[String]) -> Result<(), Error>;

    /// Denies the login with `reason` (shown to the end user).
    fn deny(&self, reason: &str) -> Result<(), Error>;

    /// Writes one operator log line (the host formats it with [`crate::error::log_line`]).
    fn log(&self, line: &str);

    /// Writes `line` as it is (`console.log`): the `logLine=json` line, which the core makes of words
    /// and numbers only ([`crate::login::summary_line`]), once at the end of a login.
    fn write_line(&self, line: &str);

    /// The I/O the Management API client uses for this login.
    fn io(&self) -> &Self::Io;
}

/// An HTTP method we use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
}

/// One HTTP request.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// Method.
    pub method: Method,
    /// Absolute URL.
    pub url: String,
    /// Header names (lower case) and values.
    pub headers: Vec<(&'static str, String)>,
    /// Body, for POST.
    pub body: Option<String>,
}

/// One HTTP response: the status, the rate-limit headers and, for 2xx, the parsed JSON body.
#[derive(Debug)]
pub struct Response {
    /// HTTP status.
    pub status: u16,
    /// `x-ratelimit-reset`.
    pub rate_limit_reset: Option<String>,
    /// `retry-after`.
    pub retry_after: Option<String>,
    /// The JSON body for a 2xx status, or why it could not be read; not read for other statuses.
    pub body: Result<Json, String>,
}

/// A record read from `api.cache`.
#[derive(Debug, Clone, PartialEq)]
pub struct CacheRecord {
    /// The cached string.
    pub value: String,
    /// When it expires, epoch ms.
    pub expires_at_ms: f64,
}

/// The I/O of one login, given by [`Host::io`]: HTTP requests and `api.cache` for the Management API
/// client ([`crate::management::Client`]), and the clock, randomness and log lines the login and the
/// client both use.
pub trait Io {
    /// Sends `request`, giving up after `timeout_ms`. `Err` is a network failure or timeout, described.
    fn send(
        &self,
        request: Request,
        timeout_ms: f64,
    ) -> impl Future<Output = Result<Response, String>>;
    /// Resolves after `ms` milliseconds.
    fn sleep(&self, ms: f64) -> impl Future<Output = ()>;
    /// Now, in epoch milliseconds.
    fn now_ms(&self) -> f64;
    /// A uniform random number in `[0, 1)`, for jitter.
    fn random(&self) -> f64;
    /// `api.cache.get(key)`.
    fn cache_get(&self, key: &str) -> Option<CacheRecord>;
    /// `api.cache.set(key, value, {expires_at})`; `Err` carries the error code.
    fn cache_set(&self, key: &str, value: &str, expires_at_ms: f64) -> Result<(), String>;
    /// `api.cache.delete(key)`.
    fn cache_delete(&self, key: &str);
    /// One operator log line.
    fn log(&self, line: &str);
}
