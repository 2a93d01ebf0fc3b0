//! The Management API client: a cached token (instance memory, then `api.cache`, then client
//! credentials), role data kept in instance memory (both single flight), paginated permission reads,
//! retries and timeouts inside one time budget, and no redirect ever followed.
//!
//! All I/O goes through the host port's [`Io`] ([`crate::port`]: the client depends on the port, never
//! the port on the client), so the whole client runs natively in tests against a fake; the wasm
//! implementation (`JsIo`, in the Auth0 binding) uses the host's global `fetch`, `setTimeout` and
//! `api.cache`.

use crate::prelude::*;
pub mod decode;
pub mod encode;
pub mod flight;
pub mod retry;

use crate::config::{PermissionSettings, PermissionSource};
use crate::port::{Io, Method, Request, Response};
use crate::roles::Roles;
use alloc::rc::Rc;
use core::cell::Cell;
use core::fmt;
use core::future::Future;
use decode::Decode;
use encode::{encode_component, fnv1a_hex, form_body, path_segment};
use flight::{before, Entry, FlightWait, KeptBytes, Lookup, Shared};
use retry::{next_step, request_timeout, Failure, Next};

/// Items per page asked for, permissions or roles (Auth0's maximum; tenants that cap lower send shorter pages).
pub const PER_PAGE: u32 = 100;
/// Most pages read for one list (a user's or a role's permissions, the role directory): 20,000 items,
/// far above Auth0's limits.
pub const MAX_PAGES: u32 = 200;
/// Longest refresh-ahead: a token is replaced this long before it expires (or at 90 % of a short life).
pub const REFRESH_AHEAD_MS: f64 = 300_000.0;
/// `api.cache` keeps records at most 24 h; we stay a minute under.
pub const CACHE_MAX_LIFETIME_MS: f64 = 24.0 * 3_600_000.0 - 60_000.0;
/// `api.cache` values are at most 4 kB.
pub const CACHE_MAX_VALUE_BYTES: usize = 4096;
/// Longest bearer token accepted, in bytes. Management API tokens are JWTs of 1–3 kB.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;
/// Largest 2xx body read, in bytes, checked while reading: a real page of 100 permissions with their
/// descriptions is about 40 kB. A larger body is a failure of the request, never parsed.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Most bytes of text one list (a user's or a role's permissions, the role directory) may hold across
/// its pages: far above any real list (1,000 permissions take about 60 kB; a claim is at most 100 kB),
/// and a bound on what a server can make one login keep in memory (bodies alone allow 200 MiB).
pub const MAX_LIST_BYTES: usize = 2 * 1024 * 1024;
/// Largest error body drained (to release the connection); past it the body is cancelled unread.
pub const MAX_ERROR_BODY_BYTES: usize = 16 * 1024;
/// Most times one login takes over a shared fetch whose leader stopped for a reason of its own (its
/// budget, its cancellation): a bound against a pathological host; the login's own budget ends it first.
const MAX_HANDOVERS: u32 = 64;

/// Why `token` cannot be sent as a bearer token, or `None` when it can: it must be 1 to
/// [`MAX_TOKEN_BYTES`] bytes of RFC 6750's `b64token` characters (`A-Z a-z 0-9 - . _ ~ + /`, then
/// `=` padding). Checked when a token arrives and when it is read back from `api.cache`.
pub fn bearer_token_problem(token: &str) -> Option<&'static str> {
    if token.is_empty() {
        return Some("is empty");
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Some("is longer than 16384 bytes");
    }
    let body = token.trim_end_matches('=');
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b);
    if body.is_empty() || !body.bytes().all(allowed) {
        return Some("holds characters a bearer token cannot hold");
    }
    None
}

/// Which call failed, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST /oauth/token`.
    Token,
    /// `GET /api/v2/users/{id}/permissions`.
    UserPermissions,
    /// `GET /api/v2/users/{id}/effective-permissions`.
    EffectivePermissions,
    /// `GET /api/v2/roles`.
    Roles,
    /// `GET /api/v2/roles/{id}/permissions`.
    RolePermissions,
}

impl Endpoint {
    /// The Management API scope this endpoint needs (`None` for the token request).
    pub fn scope(self) -> Option<&'static str> {
        match self {
            Self::Token => None,
            Self::UserPermissions => Some("read:users"),
            Self::EffectivePermissions => Some("read:user_effective_permissions"),
            Self::Roles | Self::RolePermissions => Some("read:roles"),
        }
    }

    /// What a 404 from this endpoint means, for the operator.
    fn not_found(self) -> &'static str {
        match self {
            Self::UserPermissions | Self::EffectivePermissions => {
                "the user does not exist in this tenant"
            }
            Self::RolePermissions => "the role no longer exists (deleted since its id was read?)",
            Self::Token | Self::Roles => "no such endpoint: check managementUrl and domain",
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Token => "POST /oauth/token",
            Self::UserPermissions => "GET /api/v2/users/{id}/permissions",
            Self::EffectivePermissions => "GET /api/v2/users/{id}/effective-permissions",
            Self::Roles => "GET /api/v2/roles",
            Self::RolePermissions => "GET /api/v2/roles/{id}/permissions",
        })
    }
}

/// Why the Management API could not give the permissions. Never holds a secret or a token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ManagementError {
    /// The time budget ran out.
    Budget(Endpoint),
    /// 429 with a reset that does not fit in what is left of this login's budget.
    RateLimited(Endpoint),
    /// A status we do not retry, or a 5xx or 429 after every attempt.
    Status(Endpoint, u16),
    /// A 5xx, and too little of this login's budget left to try again.
    StatusBeyondBudget(Endpoint, u16),
    /// The request failed before a response after every attempt.
    Network(Endpoint, String),
    /// A 2xx with a body that is not what the API documents.
    Malformed(Endpoint, String),
    /// More pages than [`MAX_PAGES`].
    TooManyPages(Endpoint),
    /// The login that fetched the token for this one stopped without a result.
    Abandoned,
    /// A `user_id` that cannot be one URL path segment (`.` or `..`, which URL parsing resolves).
    InvalidUserId,
}

impl fmt::Display for ManagementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Budget(e) => write!(f, "{e}: time budget (budgetMs) ran out"),
            Self::RateLimited(e) => write!(f, "{e}: rate limited (429) beyond the time budget"),
            Self::StatusBeyondBudget(e, status) => write!(
                f,
                "{e}: status {status}, and the time budget (budgetMs) ran out before another attempt"
            ),
            Self::Status(e, status) => match (e.scope(), status) {
                (None, 401 | 403) => write!(
                    f,
                    "{e}: status {status}: check clientId, clientSecret and that the application is authorized for the Management API"
                ),
                (Some(_), 401) => write!(
                    f,
                    "{e}: status 401, with a new token too: check that the M2M application is authorized for the Management API of this domain"
                ),
                (Some(scope), 403) => write!(
                    f,
                    "{e}: status 403: grant the M2M application the scope {scope} (Applications → APIs → Auth0 Management API)"
                ),
                (_, 404) => write!(f, "{e}: status 404: {}", e.not_found()),
                (_, 300..=399) => write!(
                    f,
                    "{e}: status {status}: redirects are never followed (credentials go only to managementUrl); check managementUrl and domain"
                ),
                (_, 0) => write!(
                    f,
                    "{e}: no usable HTTP status (a redirect or an opaque answer); check managementUrl and domain"
                ),
                _ => write!(f, "{e}: status {status}"),
            },
            Self::Network(e, detail) => write!(f, "{e}: network: {detail}"),
            Self::Malformed(e, detail) => write!(f, "{e}: unexpected response: {detail}"),
            Self::TooManyPages(e) => write!(f, "{e}: more than {MAX_PAGES} pages"),
            Self::Abandoned => {
                f.write_str("the request shared with another login was abandoned")
            }
            Self::InvalidUserId => {
                f.write_str("user_id \".\" or \"..\" cannot be sent as a URL path segment")
            }
        }
    }
}

impl core::error::Error for ManagementError {}

impl ManagementError {
    /// Whether this failure would hit any login that tried the same request (bad credentials, the
    /// server's answer), so logins waiting on a shared fetch take it as their own. A budget that ran
    /// out (also while waiting for a rate limit or between retries) or a cancelled login is that
    /// login's own: a waiter then fetches within its own budget.
    pub fn is_shared(&self) -> bool {
        !matches!(
            self,
            Self::Budget(_) | Self::RateLimited(_) | Self::StatusBeyondBudget(..) | Self::Abandoned
        )
    }
}

/// One permission as the Management API returns it (other fields ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "test-exports", derive(serde::Deserialize))]
pub struct Permission {
    /// The permission, e.g. `read:reports`.
    pub permission_name: String,
    /// The API it belongs to.
    pub resource_server_identifier: String,
}

impl KeptBytes for Permission {
    fn kept_bytes(&self) -> usize {
        core::mem::size_of::<Self>()
            + self.permission_name.len()
            + self.resource_server_identifier.len()
    }
}

/// `POST /oauth/token` response.
pub struct TokenResponse {
    /// The bearer token.
    pub access_token: String,
    /// Lifetime in seconds.
    pub expires_in: f64,
}

/// `GET /users/{id}/permissions` or `GET /roles/{id}/permissions` response (`include_totals=true`).
pub struct PermissionsPage {
    /// Permissions in all pages.
    pub total: f64,
    /// This page.
    pub permissions: Vec<Permission>,
}

/// `GET /users/{id}/effective-permissions` response.
pub struct EffectivePage {
    /// This page.
    pub permissions: Vec<Permission>,
    /// Cursor of the next page, if any.
    pub next: Option<String>,
}

/// A role from `GET /api/v2/roles`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    /// Role id, e.g. `rol_abc`.
    pub id: String,
    /// Role name, as in `event.authorization.roles`.
    pub name: String,
}

impl KeptBytes for Role {
    fn kept_bytes(&self) -> usize {
        core::mem::size_of::<Self>() + self.id.len() + self.name.len()
    }
}

/// `GET /api/v2/roles?include_totals=true` response.
pub struct RolesPage {
    /// Roles in all pages.
    pub total: f64,
    /// This page.
    pub roles: Vec<Role>,
}

/// What one warm wasm instance keeps across logins, each with single flight.
#[derive(Default)]
pub struct InstanceMemory {
    /// Management API tokens (first tier; `api.cache` is the second).
    pub tokens: Shared<String, ManagementError>,
    /// The tenant's role directory (name → id), for `permissions=roles`.
    pub roles: Shared<Rc<Vec<Role>>, ManagementError>,
    /// Each role's permissions, by role id, for `permissions=roles`.
    pub role_permissions: Shared<Rc<Vec<Permission>>, ManagementError>,
}

/// The client for one login: settings, the instance's memory, and a deadline.
pub struct Client<'a, I: Io> {
    io: &'a I,
    settings: &'a PermissionSettings,
    memory: &'a InstanceMemory,
    deadline_ms: f64,
    /// Prefix of every memory and `api.cache` key: a hash of tenant, client and base URL.
    tenant_key: String,
    /// Requests sent (each try of each request), for the `logLine` line.
    sent: Cell<u32>,
}

impl<'a, I: Io> Client<'a, I> {
    /// A client for one login whose time budget ends at `deadline_ms` (epoch ms; the login's one
    /// deadline, shared with its other outside calls).
    pub fn new(
        io: &'a I,
        settings: &'a PermissionSettings,
        memory: &'a InstanceMemory,
        deadline_ms: f64,
    ) -> Self {
        let tenant_key = format!(
            "rbac-claims/{}",
            fnv1a_hex(&[&settings.domain, &settings.client_id, &settings.base_url])
        );
        Self {
            io,
            settings,
            memory,
            deadline_ms,
            tenant_key,
            sent: Cell::new(0),
        }
    }

    /// How many requests this client sent (each try counts).
    pub fn requests(&self) -> u32 {
        self.sent.get()
    }

    /// The user's permissions from `source` (the configured one, or `roles` in an organization login),
    /// as the lists they came in: one per request for `user` and `effective`, one per role (shared with
    /// instance memory, not copied) for `roles`. `resource_server` is the requested API; `roles` are the
    /// login's roles (used by `roles`).
    pub async fn permission_lists(
        &self,
        source: PermissionSource,
        user_id: &str,
        resource_server: Option<&str>,
        roles: &Roles,
    ) -> Result<Vec<Rc<Vec<Permission>>>, ManagementError> {
        // The user id is part of a URL only in `user` and `effective` mode; `roles` never sends it.
        let user = || {
            path_segment(user_id)
                .map(|segment| format!("{}/api/v2/users/{segment}", self.settings.base_url))
                .ok_or(ManagementError::InvalidUserId)
        };
        let list = match source {
            PermissionSource::User => {
                let url = format!("{}/permissions", user()?);
                self.paged_permissions(Endpoint::UserPermissions, &url)
                    .await?
            }
            PermissionSource::Effective => match resource_server {
                Some(api) => self.effective_permissions(&user()?, api).await?,
                None => Vec::new(),
            },
            PermissionSource::Roles => return self.role_derived_permissions(roles).await,
        };
        Ok(vec![Rc::new(list)])
    }

    /// A page may hold at most the [`PER_PAGE`] items asked for; more is a server that lies.
    fn check_page_size(endpoint: Endpoint, got: usize) -> Result<(), ManagementError> {
        if got > PER_PAGE as usize {
            return Err(ManagementError::Malformed(
                endpoint,
                format!("a page holds {got} items, more than the {PER_PAGE} asked for"),
            ));
        }
        Ok(())
    }

    /// Adds `bytes` of kept text to a list's running total; past [`MAX_LIST_BYTES`] the list is refused.
    fn check_list_bytes(
        endpoint: Endpoint,
        total: &mut usize,
        bytes: usize,
    ) -> Result<(), ManagementError> {
        *total += bytes;
        if *total > MAX_LIST_BYTES {
            return Err(ManagementError::Malformed(
                endpoint,
                format!("the list passes {MAX_LIST_BYTES} bytes of text across its pages"),
            ));
        }
        Ok(())
    }

    /// Bytes of text in permissions as kept.
    fn permission_bytes(permissions: &[Permission]) -> usize {
        permissions
            .iter()
            .map(|p| p.permission_name.len() + p.resource_server_identifier.len())
            .sum()
    }

    /// Reads every page of an offset-paginated permissions list (`page`, `per_page`, `include_totals`),
    /// following shorter pages than asked for.
    async fn paged_permissions(
        &self,
        endpoint: Endpoint,
        base: &str,
    ) -> Result<Vec<Permission>, ManagementError> {
        let mut all = Vec::new();
        let mut kept = 0;
        for page in 0..MAX_PAGES {
            let url = format!("{base}?per_page={PER_PAGE}&page={page}&include_totals=true");
            let body: PermissionsPage = self.get_json(endpoint, &url).await?;
            let got = body.permissions.len();
            Self::check_page_size(endpoint, got)?;
            let bytes = Self::permission_bytes(&body.permissions);
            Self::check_list_bytes(endpoint, &mut kept, bytes)?;
            all.extend(body.permissions);
            if got == 0 || all.len() as f64 >= body.total {
                return Ok(all);
            }
        }
        Err(ManagementError::TooManyPages(endpoint))
    }

    /// `effective-permissions` for one API, following the `next` cursor.
    async fn effective_permissions(
        &self,
        user: &str,
        api: &str,
    ) -> Result<Vec<Permission>, ManagementError> {
        let endpoint = Endpoint::EffectivePermissions;
        let mut all = Vec::new();
        let mut kept = 0;
        let mut from: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut url = format!(
                "{user}/effective-permissions?resource_server_identifier={}&take={PER_PAGE}",
                encode_component(api)
            );
            if let Some(cursor) = &from {
                url.push_str(&format!("&from={}", encode_component(cursor)));
            }
            let body: EffectivePage = self.get_json(endpoint, &url).await?;
            let got = body.permissions.len();
            Self::check_page_size(endpoint, got)?;
            let bytes = Self::permission_bytes(&body.permissions);
            Self::check_list_bytes(endpoint, &mut kept, bytes)?;
            all.extend(body.permissions);
            match body.next {
                Some(next) if got > 0 && !next.is_empty() => from = Some(next),
                _ => return Ok(all),
            }
        }
        Err(ManagementError::TooManyPages(endpoint))
    }

    /// `permissions=roles`: the union of the permissions of the login's roles, from instance memory
    /// (kept `rolesCacheMs`) or the Management API. A role with a known id (from `api.roles`) is read
    /// by that id; the others are looked up by name in the role directory, fetched only when needed.
    /// Unknown role names are logged and skipped.
    async fn role_derived_permissions(
        &self,
        roles: &Roles,
    ) -> Result<Vec<Rc<Vec<Permission>>>, ManagementError> {
        if roles.names.is_empty() {
            return Ok(Vec::new());
        }
        let directory_key = format!("{}/roles", self.tenant_key);
        // Role data fetched under a longer rolesCacheMs than the one now set is not kept past it
        // (measured from now: what this login itself just fetched stays).
        let latest = || self.io.now_ms() + self.settings.roles_cache_ms as f64;
        let mut directory: Option<Rc<Vec<Role>>> = None;
        let mut all = Vec::new();
        let mut missing = 0;
        for (name, known_id) in roles.with_ids() {
            // An id that cannot be one URL path segment (`.`, `..`) is looked up by name instead.
            let known_id = known_id.filter(|id| path_segment(id).is_some());
            let id = match known_id {
                Some(id) => id,
                None => {
                    if directory.is_none() {
                        self.memory.roles.expire_after(&directory_key, latest());
                        let fetched = self
                            .single_flight(
                                &self.memory.roles,
                                &directory_key,
                                Endpoint::Roles,
                                None,
                                || self.fetch_roles(),
                            )
                            .await?;
                        directory = Some(fetched);
                    }
                    let found = directory
                        .as_deref()
                        .and_then(|roles| roles.iter().find(|role| role.name == name));
                    match found {
                        Some(role) => role.id.as_str(),
                        None => {
                            missing += 1;
                            continue;
                        }
                    }
                }
            };
            let key = format!("{}/role/{id}", self.tenant_key);
            self.memory.role_permissions.expire_after(&key, latest());
            let permissions = self
                .single_flight(
                    &self.memory.role_permissions,
                    &key,
                    Endpoint::RolePermissions,
                    None,
                    || self.fetch_role_permissions(id),
                )
                .await?;
            all.push(permissions);
        }
        if missing > 0 {
            self.io.log(&format!(
                "{missing} role(s) of the login not in the role directory (created since it was cached?): skipped"
            ));
        }
        Ok(all)
    }

    /// Every role of the tenant (`GET /api/v2/roles`, paginated), kept `rolesCacheMs`.
    async fn fetch_roles(&self) -> Result<Entry<Rc<Vec<Role>>>, ManagementError> {
        let endpoint = Endpoint::Roles;
        let mut roles = Vec::new();
        let mut kept = 0;
        for page in 0..MAX_PAGES {
            let url = format!(
                "{}/api/v2/roles?per_page={PER_PAGE}&page={page}&include_totals=true",
                self.settings.base_url
            );
            let body: RolesPage = self.get_json(endpoint, &url).await?;
            let got = body.roles.len();
            Self::check_page_size(endpoint, got)?;
            let bytes = body.roles.iter().map(|r| r.id.len() + r.name.len()).sum();
            Self::check_list_bytes(endpoint, &mut kept, bytes)?;
            roles.extend(body.roles);
            if got == 0 || roles.len() as f64 >= body.total {
                return Ok(self.for_roles_cache(Rc::new(roles)));
            }
        }
        Err(ManagementError::TooManyPages(endpoint))
    }

    /// One role's permissions (`GET /api/v2/roles/{id}/permissions`), kept `rolesCacheMs`.
    async fn fetch_role_permissions(
        &self,
        id: &str,
    ) -> Result<Entry<Rc<Vec<Permission>>>, ManagementError> {
        // A role id is server data: "." or ".." would leave /roles/{id}/ once the URL is parsed.
        let segment = path_segment(id).ok_or_else(|| {
            ManagementError::Malformed(
                Endpoint::Roles,
                "a role id of \".\" or \"..\" cannot be a URL path segment".into(),
            )
        })?;
        let base = format!(
            "{}/api/v2/roles/{segment}/permissions",
            self.settings.base_url
        );
        let permissions = self
            .paged_permissions(Endpoint::RolePermissions, &base)
            .await?;
        Ok(self.for_roles_cache(Rc::new(permissions)))
    }

    fn for_roles_cache<V>(&self, value: V) -> Entry<V> {
        Entry {
            value,
            usable_until_ms: self.io.now_ms() + self.settings.roles_cache_ms as f64,
        }
    }

    /// A value from instance memory, or fetched once for every login that wants it at the same time.
    /// A value in memory is used however little of the budget is left; fetching needs at least
    /// [`retry::MIN_REQUEST_MS`]. A ready value equal to `rejected` (a token the API just refused) is not used. When the login
    /// that fetched for this one fails for a reason of its own ([`ManagementError::is_shared`]), this
    /// login fetches within its own budget instead of taking that failure.
    async fn single_flight<
        V: Clone + PartialEq + KeptBytes,
        F: Future<Output = Result<Entry<V>, ManagementError>>,
    >(
        &self,
        memory: &Shared<V, ManagementError>,
        key: &str,
        endpoint: Endpoint,
        rejected: Option<&V>,
        fetch: impl Fn() -> F,
    ) -> Result<V, ManagementError> {
        let mut handed_over = false;
        for _ in 0..MAX_HANDOVERS {
            // Memory first, whatever time is left: only a request of this login's own needs time.
            match memory.lookup(key, self.io.now_ms(), rejected) {
                Lookup::Ready(entry) => return Ok(entry.value),
                Lookup::InFlight(wait) => match self.wait_for(endpoint, wait).await {
                    Ok(entry) => return Ok(entry.value),
                    Err(err) if err.is_shared() || self.remaining_ms() < retry::MIN_REQUEST_MS => {
                        return Err(err)
                    }
                    Err(err) => {
                        // One line per login, however many leaders stopped before this one leads.
                        if !handed_over {
                            self.io.log(&format!(
                                "{endpoint}: the login fetching it for this one stopped ({err}); fetching it here"
                            ));
                        }
                        handed_over = true;
                        continue;
                    }
                },
                Lookup::Empty if self.remaining_ms() < retry::MIN_REQUEST_MS => break,
                Lookup::Empty => {}
            }
            let leader = memory.lead(key, ManagementError::Abandoned);
            let result = fetch().await;
            leader.finish(result.clone(), self.io.now_ms());
            return result.map(|entry| entry.value);
        }
        Err(ManagementError::Budget(endpoint))
    }

    /// Waits for another login's request to `endpoint`, but not past this login's own deadline.
    async fn wait_for<V: Clone>(
        &self,
        endpoint: Endpoint,
        wait: FlightWait<V, ManagementError>,
    ) -> Result<Entry<V>, ManagementError> {
        let timer = self.io.sleep(self.remaining_ms().max(0.0));
        before(wait, timer)
            .await
            .unwrap_or(Err(ManagementError::Budget(endpoint)))
    }

    fn remaining_ms(&self) -> f64 {
        self.deadline_ms - self.io.now_ms()
    }

    /// GET `url` with the bearer token. On a 401 or 403 the token is dropped (from instance memory
    /// and `api.cache`, so a scope granted since is picked up) and the request is tried once more
    /// with a new one; a second refusal is the answer.
    async fn get_json<T: Decode>(
        &self,
        endpoint: Endpoint,
        url: &str,
    ) -> Result<T, ManagementError> {
        let mut rejected: Option<String> = None;
        loop {
            let token = self.token(rejected.as_ref()).await?;
            let request = Request {
                method: Method::Get,
                url: url.to_owned(),
                headers: vec![
                    ("authorization", format!("Bearer {token}")),
                    ("accept", "application/json".into()),
                ],
                body: None,
            };
            let response = self.send(endpoint, request).await?;
            if matches!(response.status, 401 | 403) {
                self.drop_token(&token);
                if rejected.is_none() {
                    self.io.log(&format!(
                        "{endpoint}: token refused ({}); fetching a new one",
                        response.status
                    ));
                    rejected = Some(token);
                    continue;
                }
            }
            return self.json(endpoint, response);
        }
    }

    /// Forgets a token the API refused, in instance memory and in `api.cache` (only if `api.cache`
    /// still holds that token: a newer one another login stored stays).
    fn drop_token(&self, token: &String) {
        let key = self.token_key();
        self.memory.tokens.forget(&key, token);
        if self
            .io
            .cache_get(&key)
            .is_some_and(|record| &record.value == token)
        {
            self.io.cache_delete(&key);
        }
    }

    fn json<T: Decode>(
        &self,
        endpoint: Endpoint,
        response: Response,
    ) -> Result<T, ManagementError> {
        if !(200..300).contains(&response.status) {
            return Err(ManagementError::Status(endpoint, response.status));
        }
        let body = response
            .body
            .map_err(|detail| ManagementError::Malformed(endpoint, detail))?;
        T::decode(&body).map_err(|detail| ManagementError::Malformed(endpoint, detail))
    }

    /// Sends with retries (network errors, 5xx, 429) inside the budget. Returns the final response.
    async fn send(
        &self,
        endpoint: Endpoint,
        request: Request,
    ) -> Result<Response, ManagementError> {
        let mut attempt = 1;
        loop {
            let timeout =
                request_timeout(self.remaining_ms()).ok_or(ManagementError::Budget(endpoint))?;
            self.sent.set(self.sent.get().saturating_add(1));
            let failure = match self.io.send(request.clone(), timeout).await {
                Ok(response) if response.status == 429 => Failure::RateLimited {
                    reset: response.rate_limit_reset,
                    retry_after: response.retry_after,
                },
                Ok(response) if response.status >= 500 => Failure::Server(response.status),
                Ok(response) => return Ok(response),
                Err(detail) if self.remaining_ms() < retry::MIN_REQUEST_MS => {
                    self.io.log(&format!("{endpoint}: {detail}"));
                    return Err(ManagementError::Budget(endpoint));
                }
                Err(detail) => {
                    self.io
                        .log(&format!("{endpoint}: attempt {attempt}: {detail}"));
                    Failure::Network
                }
            };
            match next_step(
                &failure,
                attempt,
                self.remaining_ms(),
                self.io.now_ms(),
                self.io.random(),
            ) {
                Next::RetryAfter(wait) => {
                    self.io.sleep(wait).await;
                    attempt += 1;
                }
                Next::GiveUp => {
                    // Fewer attempts than allowed: this login's budget ended the retries.
                    let budget = attempt < retry::MAX_ATTEMPTS;
                    return Err(match failure {
                        Failure::RateLimited { .. } if budget => {
                            ManagementError::RateLimited(endpoint)
                        }
                        Failure::RateLimited { .. } => ManagementError::Status(endpoint, 429),
                        Failure::Server(status) if budget => {
                            ManagementError::StatusBeyondBudget(endpoint, status)
                        }
                        Failure::Server(status) => ManagementError::Status(endpoint, status),
                        Failure::Network if budget => ManagementError::Budget(endpoint),
                        Failure::Network => {
                            ManagementError::Network(endpoint, "no response after retries".into())
                        }
                    });
                }
            }
        }
    }

    fn token_key(&self) -> String {
        format!("{}/token", self.tenant_key)
    }

    /// A usable token: instance memory, else `api.cache`, else a client-credentials request (single
    /// flight). A token equal to `rejected` is not used; one in `api.cache` that could not be sent as a
    /// bearer token is deleted there.
    async fn token(&self, rejected: Option<&String>) -> Result<String, ManagementError> {
        let key = self.token_key();
        self.single_flight(
            &self.memory.tokens,
            &key,
            Endpoint::Token,
            rejected,
            || async {
                if let Some(token) = self.token_from_api_cache(&key, rejected) {
                    return Ok(token);
                }
                let token = self.fetch_token().await?;
                self.store_in_api_cache(&key, &token);
                Ok(token)
            },
        )
        .await
    }

    /// The token in `api.cache`, when it is there, unexpired, not `rejected` and sendable.
    fn token_from_api_cache(&self, key: &str, rejected: Option<&String>) -> Option<Entry<String>> {
        let record = self.io.cache_get(key)?;
        if let Some(problem) = bearer_token_problem(&record.value) {
            self.io.log(&format!(
                "api.cache held a Management API token that {problem}: deleted"
            ));
            self.io.cache_delete(key);
            return None;
        }
        (record.expires_at_ms > self.io.now_ms() && Some(&record.value) != rejected).then_some(
            Entry {
                value: record.value,
                usable_until_ms: record.expires_at_ms,
            },
        )
    }

    /// `POST /oauth/token` with client credentials.
    async fn fetch_token(&self) -> Result<Entry<String>, ManagementError> {
        let audience = self.settings.audience();
        let body = form_body(&[
            ("grant_type", "client_credentials"),
            ("client_id", &self.settings.client_id),
            ("client_secret", self.settings.client_secret.expose()),
            ("audience", &audience),
        ]);
        let request = Request {
            method: Method::Post,
            url: format!("{}/oauth/token", self.settings.base_url),
            headers: vec![
                ("content-type", "application/x-www-form-urlencoded".into()),
                ("accept", "application/json".into()),
            ],
            body: Some(body),
        };
        let response = self.send(Endpoint::Token, request).await?;
        let issued: TokenResponse = self.json(Endpoint::Token, response)?;
        if let Some(problem) = bearer_token_problem(&issued.access_token) {
            return Err(ManagementError::Malformed(
                Endpoint::Token,
                format!("access_token {problem}: not used, not cached"),
            ));
        }
        if !issued.expires_in.is_finite() || issued.expires_in <= 0.0 {
            return Err(ManagementError::Malformed(
                Endpoint::Token,
                "expires_in is not a positive number".into(),
            ));
        }
        // expires_in is in seconds; everything else here is milliseconds.
        let lifetime_ms = issued.expires_in * 1000.0;
        let ahead = REFRESH_AHEAD_MS.min(lifetime_ms / 10.0);
        Ok(Entry {
            value: issued.access_token,
            usable_until_ms: self.io.now_ms() + lifetime_ms - ahead,
        })
    }

    /// Second tier: `api.cache`, with `expires_at` in ms, at most 24 h ahead, checking the result.
    fn store_in_api_cache(&self, key: &str, token: &Entry<String>) {
        if token.value.len() > CACHE_MAX_VALUE_BYTES {
            self.io
                .log("token larger than api.cache's 4 kB value limit: kept in memory only");
            return;
        }
        let expires_at = token
            .usable_until_ms
            .min(self.io.now_ms() + CACHE_MAX_LIFETIME_MS);
        if let Err(code) = self.io.cache_set(key, &token.value, expires_at) {
            self.io.log(&format!(
                "api.cache.set failed ({code}): token kept in memory only"
            ));
        }
    }
}

#[cfg(test)]
pub(crate) mod fake;
#[cfg(test)]
mod tests;
