//! Where a login's roles and groups come from: [`read_roles`] reads the configured
//! [`RolesSource`] (declared in [`crate::roles`], with its setting words and doc), [`read_groups`] the
//! groups claim's names.
//!
//! `api.roles` and `api.groups` lists are read page by page ([`read_list`]): `{ take: 100, from }`,
//! following `next` for at most [`MAX_API_PAGES`] pages, every page raced against the login's one
//! deadline (`budgetMs`, shared with the Management API). A failure is one [`SourceError`], which
//! `onError` turns into a deny or a fallback.

use crate::claims::sorted_unique;
use crate::config::{OnError, Settings};
use crate::error::Error;
use crate::management::flight::before;
use crate::port::{ApiList, Host, Io, ListFailure};
use crate::prelude::*;
use crate::roles::{Roles, RolesSource, MAX_ROLE_ENTRIES};
use core::cell::Cell;
use core::fmt;
use core::future::Future;
use core::pin::Pin;

/// Items asked for per page of an `api` list (the most `api.roles` gives).
pub const API_TAKE: u32 = 100;
/// Most pages read of one `api` list: 5,000 entries, far above Auth0's 50 roles per user.
pub const MAX_API_PAGES: u32 = 50;

/// The login's one deadline for outside work: `budgetMs` from the first time it is asked for, so a
/// login that asks nothing outside the event never reads the clock. It also tallies that work for the
/// `logLine` line: the requests made and whether `onError=continue` went on after a failed step.
pub struct Deadline {
    budget_ms: f64,
    at_ms: Cell<Option<f64>>,
    /// Management API requests and `api.roles`/`api.groups` calls made by this login.
    pub requests: Cell<u32>,
    /// Whether a step failed and `onError=continue` went on.
    pub continued: Cell<bool>,
}

impl Deadline {
    /// A deadline `budget_ms` after its first use.
    pub fn after(budget_ms: u64) -> Self {
        Self {
            budget_ms: budget_ms as f64,
            at_ms: Cell::new(None),
            requests: Cell::new(0),
            continued: Cell::new(false),
        }
    }

    /// Counts `more` requests made by this login.
    pub fn count(&self, more: u32) {
        self.requests.set(self.requests.get().saturating_add(more));
    }

    /// Whole milliseconds since the first outside call (0 when there was none: the clock is not read).
    pub fn elapsed_ms(&self, io: &impl Io) -> u32 {
        match self.at_ms.get() {
            // A float-to-integer `as` saturates: a clock that went back gives 0.
            Some(at) => (io.now_ms() - (at - self.budget_ms)) as u32,
            None => 0,
        }
    }

    /// The deadline in epoch milliseconds, fixed at the first call.
    pub fn at(&self, io: &impl Io) -> f64 {
        match self.at_ms.get() {
            Some(at) => at,
            None => {
                let at = io.now_ms() + self.budget_ms;
                self.at_ms.set(Some(at));
                at
            }
        }
    }
}

/// `onError` for a step that failed: `deny` gives the error back; `continue` logs
/// `continuing {instead} (onError=continue): {err}`, notes it in `deadline`'s tally and lets the login
/// go on.
pub fn continue_or_fail<H: Host>(
    host: &H,
    deadline: &Deadline,
    on_error: OnError,
    instead: &str,
    err: impl Into<Error> + fmt::Display,
) -> Result<(), Error> {
    if on_error != OnError::Continue {
        return Err(err.into());
    }
    host.log(&format!("continuing {instead} (onError=continue): {err}"));
    deadline.continued.set(true);
    Ok(())
}

/// Why an `api` list could not be read. Names the call, and what to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceError {
    /// The host has no such method: what is missing.
    Missing(ApiList, String),
    /// The method threw or rejected.
    Failed(ApiList, String),
    /// An answer of the wrong shape.
    Unexpected(ApiList, String),
    /// More than [`MAX_API_PAGES`] pages.
    TooManyPages(ApiList),
    /// The login's time budget ended first.
    Budget(ApiList),
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing(list, what) => {
                let (setting, instead) = match list {
                    ApiList::EffectiveRoles => ("roles=effective", "roles=event"),
                    ApiList::Groups => ("groups=on", "groups=off"),
                };
                write!(
                    f,
                    "{} is not available on this host ({what}): {setting} needs Auth0's api.{}; set {instead}",
                    list.call(),
                    list.object()
                )
            }
            Self::Failed(list, detail) => write!(f, "{}: {detail}", list.call()),
            Self::Unexpected(list, detail) => {
                write!(f, "{}: unexpected answer: {detail}", list.call())
            }
            Self::TooManyPages(list) => {
                write!(f, "{}: more than {MAX_API_PAGES} pages", list.call())
            }
            Self::Budget(list) => write!(f, "{}: time budget (budgetMs) ran out", list.call()),
        }
    }
}

impl core::error::Error for SourceError {}

impl From<SourceError> for Error {
    fn from(err: SourceError) -> Self {
        Self::List(err.to_string())
    }
}

/// The named entries of a list (name, id) in order, and how many had no string name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListEntries {
    /// Each named entry's name and id.
    pub named: Vec<(String, Option<String>)>,
    /// Entries without a well-formed string `name`.
    pub dropped: usize,
}

/// Reads every page of `list`, before the login's deadline, at most `max_chars` UTF-16 units of names
/// and ids in all. Entries without a string name are dropped, with one log line for the list.
pub async fn read_list<H: Host>(
    host: &H,
    list: ApiList,
    deadline: &Deadline,
    max_chars: usize,
) -> Result<ListEntries, SourceError> {
    let deadline_ms = deadline.at(host.io());
    let mut out = ListEntries::default();
    let mut chars_left = max_chars;
    let mut from: Option<String> = None;
    for _ in 0..MAX_API_PAGES {
        let remaining = deadline_ms - host.io().now_ms();
        if remaining <= 0.0 {
            return Err(SourceError::Budget(list));
        }
        deadline.count(1);
        let page = before(
            host.list_page(list, API_TAKE, from.as_deref(), chars_left),
            host.io().sleep(remaining),
        )
        .await
        .ok_or(SourceError::Budget(list))?
        .map_err(|failure| match failure {
            ListFailure::Missing(what) => SourceError::Missing(list, what),
            ListFailure::Failed(detail) => SourceError::Failed(list, detail),
            ListFailure::Unexpected(detail) => SourceError::Unexpected(list, detail),
        })?;
        for entry in page.entries {
            let used = [&entry.name, &entry.id]
                .iter()
                .filter_map(|text| text.as_ref())
                .map(|text| text.encode_utf16().count())
                .sum::<usize>();
            chars_left = chars_left.saturating_sub(used);
            match entry.name {
                Some(name) => out.named.push((name, entry.id)),
                None => out.dropped += 1,
            }
        }
        match page.next {
            Some(next) if !next.is_empty() => from = Some(next),
            _ => {
                if out.dropped > 0 {
                    host.log(&format!(
                        "dropped {} {} entries without a string name",
                        out.dropped,
                        list.entry()
                    ));
                }
                return Ok(out);
            }
        }
    }
    Err(SourceError::TooManyPages(list))
}

/// Most characters of names and ids read from one `api` list: what the claim could hold, twice.
fn list_chars(settings: &Settings) -> usize {
    settings.max_claim_bytes * 2
}

/// The login's roles from the configured source, chosen by a `match` on [`RolesSource`] (a new source
/// does not compile until it has its arm). With `roles=effective`, a failure is handled by `onError`:
/// `deny` ends the login, `continue` logs it and reads `event.authorization.roles`.
pub async fn read_roles<H: Host>(
    host: &H,
    settings: &Settings,
    deadline: &Deadline,
) -> Result<Roles, Error> {
    match settings.roles {
        RolesSource::Event => event_roles(host, settings),
        RolesSource::Metadata => metadata_roles(host, settings, deadline),
        RolesSource::Effective => apart(effective_roles(host, settings, deadline)).await,
    }
}

/// A step that most logins skip, compiled apart: as a boxed `dyn Future` it is polled through its
/// vtable, so its state machine is not inlined into the login's. The engine compiles a wasm function
/// on its first call (V8's lazy compilation), so a login that never takes the step never compiles it:
/// the first login of an instance (part of its cold start) compiles only what it runs.
pub(crate) fn apart<'a, T>(
    step: impl Future<Output = T> + 'a,
) -> Pin<Box<dyn Future<Output = T> + 'a>> {
    Box::pin(step)
}

/// `roles=effective`: every page of `api.roles.getUserEffectiveRoles`; a failure is handled by
/// `onError` (`continue`: the event's roles).
async fn effective_roles<H: Host>(
    host: &H,
    settings: &Settings,
    deadline: &Deadline,
) -> Result<Roles, Error> {
    let read = read_list(
        host,
        ApiList::EffectiveRoles,
        deadline,
        list_chars(settings),
    )
    .await
    .and_then(|entries| {
        // Entries, not distinct names, are counted: repeats cost the same to read. As many as
        // the event may hold: Auth0 allows 1000 roles per tenant.
        if entries.named.len() > MAX_ROLE_ENTRIES {
            return Err(SourceError::Unexpected(
                ApiList::EffectiveRoles,
                format!("more than {MAX_ROLE_ENTRIES} role entries"),
            ));
        }
        Ok(Roles::from_named(entries.named))
    });
    match read {
        Ok(roles) => Ok(roles),
        Err(err) => event_roles_instead(host, settings, deadline, err),
    }
}

/// `roles=metadata`: the array at `metadataPath` in `event.user.app_metadata` (none when the path is
/// missing), entries that are not non-empty strings dropped and logged, names deduplicated. A value
/// that is not an array (or cannot be read) is handled by `onError`, like a failed `api.roles`.
fn metadata_roles<H: Host>(
    host: &H,
    settings: &Settings,
    deadline: &Deadline,
) -> Result<Roles, Error> {
    match host.metadata_role_entries(
        &settings.metadata_path,
        MAX_ROLE_ENTRIES,
        settings.max_claim_bytes,
    ) {
        Ok(entries) => {
            let roles = Roles::from_metadata(entries.unwrap_or_default());
            if roles.dropped > 0 {
                host.log(&format!(
                    "dropped {} app_metadata role entries that were not non-empty strings",
                    roles.dropped
                ));
            }
            Ok(roles)
        }
        Err(err) => event_roles_instead(host, settings, deadline, err),
    }
}

/// A roles step that failed (`api.roles`, `app_metadata`): `onError=deny` ends the login, `continue`
/// logs it and takes `event.authorization.roles`.
fn event_roles_instead<H: Host>(
    host: &H,
    settings: &Settings,
    deadline: &Deadline,
    err: impl Into<Error> + fmt::Display,
) -> Result<Roles, Error> {
    continue_or_fail(
        host,
        deadline,
        settings.on_error,
        "with event.authorization.roles",
        err,
    )?;
    event_roles(host, settings)
}

/// `event.authorization.roles`: string entries kept in order, the others dropped and logged.
fn event_roles<H: Host>(host: &H, settings: &Settings) -> Result<Roles, Error> {
    let roles = Roles::from_entries(host.role_entries(MAX_ROLE_ENTRIES, settings.max_claim_bytes)?);
    if roles.dropped > 0 {
        host.log(&format!(
            "dropped {} role entries that were not well-formed strings",
            roles.dropped
        ));
    }
    Ok(roles)
}

/// The names for the groups claim (sorted, deduplicated), or `None` when `groups=off` or, with
/// `onError=continue`, when `api.groups` failed (logged).
pub async fn read_groups<H: Host>(
    host: &H,
    settings: &Settings,
    deadline: &Deadline,
) -> Result<Option<Vec<String>>, Error> {
    if !settings.groups {
        return Ok(None);
    }
    apart(groups_claim(host, settings, deadline)).await
}

/// `groups=on`: the sorted names of every page of `api.groups.getUserGroups`; a failure is handled
/// by `onError` (`continue`: no groups claim).
async fn groups_claim<H: Host>(
    host: &H,
    settings: &Settings,
    deadline: &Deadline,
) -> Result<Option<Vec<String>>, Error> {
    match read_list(host, ApiList::Groups, deadline, list_chars(settings)).await {
        Ok(entries) => {
            let names = entries
                .named
                .iter()
                .map(|(name, _)| name.as_str())
                .collect();
            Ok(Some(sorted_unique(names)))
        }
        Err(err) => {
            continue_or_fail(
                host,
                deadline,
                settings.on_error,
                "without the groups claim",
                err,
            )?;
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::keys;
    use crate::config::table::SETTINGS;
    use crate::roles::ROLES_DOC;

    fn doc(key: &str) -> &'static str {
        SETTINGS.iter().find(|s| s.name == key).unwrap().doc
    }

    #[test]
    fn the_settings_docs_state_the_paging_limits_these_constants_set() {
        let take = format!("take: {API_TAKE}");
        assert!(ROLES_DOC.contains(&take), "{ROLES_DOC}");
        assert!(doc(keys::GROUPS).contains(&take));
        assert!(doc(keys::ON_ERROR).contains(&format!("more than {MAX_API_PAGES} pages")));
    }
}
