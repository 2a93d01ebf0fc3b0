//! One login, one direction: read what the host gives, decide the plan in pure Rust (reading roles,
//! permissions and groups from their configured sources), then apply it once. Runs over any
//! [`Host`]; [`crate::auth0`] is the Auth0 one, the native tests use a fake.

use crate::claims::{permission_names, plan_claims, ClaimPlan, MAX_CLAIMS};
use crate::config::{
    self, ConfigError, PermissionScope, PermissionSettings, PermissionSource, Settings,
};
use crate::error::Error;
use crate::json;
use crate::management::{Client, InstanceMemory};
use crate::port::Host;
use crate::prelude::*;
use crate::roles::Roles;
use crate::sources::{apart, continue_or_fail, read_groups, read_roles, Deadline};
use alloc::rc::Rc;
use core::cell::{Cell, RefCell};

/// What one warm instance keeps across logins: the one per-instance value, held by the host binding
/// and passed to every [`run`].
#[derive(Default)]
pub struct Instance {
    /// Management API tokens and role data.
    pub memory: InstanceMemory,
    /// The last settings text and its validated settings: the same for every login of an Action.
    last_settings: RefCell<Option<(Rc<str>, Rc<Settings>)>>,
    /// Whether the organization rule was logged (once per instance).
    organization_rule_logged: Cell<bool>,
    /// The misspelled-secret lines last logged: logged again only when they change.
    misspelled_logged: RefCell<Vec<String>>,
}

impl Instance {
    /// The validated settings of `text`: parsed once, and again only when the text changes (or was
    /// refused); before each parse, the secrets that misspell a setting are named.
    fn settings<H: Host>(&self, host: &H, text: Option<Rc<str>>) -> Result<Rc<Settings>, Error> {
        let Some(text) = text else {
            return Ok(Rc::new(Settings::from_source(&json::Json::Null)?));
        };
        let cached = self
            .last_settings
            .borrow()
            .as_ref()
            // `Rc<str>` equality compares the pointers first: the same text costs no comparison.
            .filter(|(seen, _)| *seen == text)
            .map(|(_, settings)| Rc::clone(settings));
        if let Some(settings) = cached {
            return Ok(settings);
        }
        self.name_misspelled_secrets(host);
        let secrets =
            json::parse(&text).map_err(|err| Error::Event(format!("event.secrets: {err}")))?;
        let settings = Rc::new(Settings::from_source(&secrets)?);
        *self.last_settings.borrow_mut() = Some((text, Rc::clone(&settings)));
        Ok(settings)
    }

    /// Logs one line per secret whose name misspells a setting (that secret is ignored, so the setting
    /// keeps its default), unless the same lines were the last logged by this instance.
    fn name_misspelled_secrets<H: Host>(&self, host: &H) {
        let names = host.secret_names(config::MAX_SECRET_NAMES, config::MAX_SECRET_NAME_CHARS);
        let lines = config::misspelled_secret_lines(&names);
        if *self.misspelled_logged.borrow() != lines {
            for line in &lines {
                host.log(line);
            }
            *self.misspelled_logged.borrow_mut() = lines;
        }
    }
}

/// How a login ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The claims were set, or the login was denied.
    Done,
    /// The login had to be denied and the deny failed (claims may be half set): the caller must fail
    /// the login (the Auth0 binding rejects with [`crate::error::NOT_DENIED_MESSAGE`]).
    NotDenied,
}

/// Runs the Action for one login: every failure ends in a logged deny, and when even the deny
/// fails, in [`Outcome::NotDenied`]. With `logLine=json`, the login ends with its [`summary_line`].
pub async fn run<H: Host>(host: &H, instance: &Instance) -> Outcome {
    let settings = match host
        .settings_text()
        .and_then(|text| instance.settings(host, text))
    {
        Ok(settings) => settings,
        Err(err) => return deny(host, err),
    };
    let deadline = Deadline::after(settings.budget_ms);
    let planned = match decide(host, instance, &settings, &deadline).await {
        Ok(plan) => apply(host, &settings, &deadline, plan),
        Err(err) => Err(err),
    };
    let (outcome, word, counts) = match planned {
        Ok(counts) if deadline.continued.get() => (Outcome::Done, "continued", counts),
        Ok(counts) => (Outcome::Done, "set", counts),
        Err(err) => (deny(host, err), "denied", [Some(0), None, None]),
    };
    if settings.log_line {
        host.write_line(&summary_line(
            word,
            counts,
            deadline.requests.get(),
            deadline.elapsed_ms(host.io()),
        ));
    }
    outcome
}

/// Logs `err` and denies the login; [`Outcome::NotDenied`] when even the deny fails.
fn deny<H: Host>(host: &H, err: Error) -> Outcome {
    host.log(&format!("login denied: {err}"));
    match host.deny(err.user_reason()) {
        Ok(()) => Outcome::Done,
        Err(deny_err) => {
            host.log(&format!(
                "could not deny the login: {deny_err}; failing it instead"
            ));
            Outcome::NotDenied
        }
    }
}

/// The `logLine=json` line: `rbac-claims ` and one JSON object with exactly the keys `outcome`
/// (`set`, `continued`, `denied`), `roles`, `permissions`, `groups` (the names in each claim, `null`
/// for a claim not set; the roles claim is always set unless denied), `requests` and `ms`. Only words
/// and numbers: never a user id, a name, a secret or a token; at most 137 characters.
pub fn summary_line(outcome: &str, counts: [Option<usize>; 3], requests: u32, ms: u32) -> String {
    let mut line = String::with_capacity(160);
    line.push_str("rbac-claims {\"outcome\":\"");
    line.push_str(outcome);
    line.push('"');
    let [roles, permissions, groups] = counts;
    for (key, value) in [
        ("roles", roles),
        ("permissions", permissions),
        ("groups", groups),
        ("requests", Some(requests as usize)),
        ("ms", Some(ms as usize)),
    ] {
        line.push_str(",\"");
        line.push_str(key);
        line.push_str("\":");
        match value {
            Some(number) => push_decimal(&mut line, number),
            None => line.push_str("null"),
        }
    }
    line.push('}');
    line
}

/// Appends `number` in decimal (without the formatting machinery).
fn push_decimal(out: &mut String, number: usize) {
    if number >= 10 {
        push_decimal(out, number / 10);
    }
    out.push(char::from(b'0' + (number % 10) as u8));
}

/// Reads roles, permissions and groups from their sources, and plans the claims. Every outside call
/// of the login shares one deadline: `budgetMs` from the first of them.
async fn decide<H: Host>(
    host: &H,
    instance: &Instance,
    settings: &Settings,
    deadline: &Deadline,
) -> Result<ClaimPlan, Error> {
    let roles = read_roles(host, settings, deadline).await?;
    let permissions = match &settings.permissions {
        None => None,
        Some(management) => match apart(permissions(
            host,
            instance,
            management,
            settings.tenant_permissions_in_organizations,
            &roles,
            deadline,
        ))
        .await
        {
            Ok(names) => Some(names),
            Err(err) => {
                without_permissions(host, settings, deadline, err)?;
                None
            }
        },
    };
    let groups = read_groups(host, settings, deadline).await?;
    Ok(plan_claims(settings, roles, permissions, groups)?)
}

/// A permissions step that failed (the Management API, or adding scopes): `onError=deny` ends the
/// login, `continue` logs it and goes on without the permissions.
fn without_permissions<H: Host>(
    host: &H,
    settings: &Settings,
    deadline: &Deadline,
    err: Error,
) -> Result<(), Error> {
    continue_or_fail(
        host,
        deadline,
        settings.on_error,
        "without permissions",
        err,
    )
}

/// The user's permission names from the Management API, as the claim will hold them. In an
/// organization login, `user` and `effective` take the `roles` path (the login's roles, which Auth0
/// scoped to the organization), as Auth0's own RBAC does: tenant-wide permissions are never read;
/// unless `tenant_wide` (`organizationPermissions=tenant`), which reads them as outside organizations
/// (and so never asks whether the login is an organization's). Roles from `app_metadata`
/// ([`Roles::tenant_wide`]) are the user's tenant-wide roles, never scoped to an organization: under
/// the organization rule an organization login refuses them (`roles` names the fix; `onError` decides).
async fn permissions<H: Host>(
    host: &H,
    instance: &Instance,
    settings: &PermissionSettings,
    tenant_wide: bool,
    roles: &Roles,
    deadline: &Deadline,
) -> Result<Vec<String>, Error> {
    let metadata_roles = roles.tenant_wide;
    let organization = (settings.source != PermissionSource::Roles || metadata_roles)
        && !tenant_wide
        && host.organization_login()?;
    if organization && metadata_roles {
        return Err(Error::Config(ConfigError {
            key: config::keys::ROLES,
            problem: "is `metadata`, tenant-wide roles: an organization login gets no permissions from them; use roles=event, or organizationPermissions=tenant".to_owned(),
        }));
    }
    let (source, scope) = if organization {
        if !instance.organization_rule_logged.replace(true) {
            host.log("organization login: permissions come from the login's roles (as Auth0 scopes them to the organization), never the user's tenant-wide permissions");
        }
        // `effective` has always given the requested API's permissions only.
        let scope = match settings.source {
            PermissionSource::Effective => PermissionScope::Requested,
            _ => settings.scope,
        };
        (PermissionSource::Roles, scope)
    } else {
        (settings.source, settings.scope)
    };
    // The user id is sent (and so read) in `user` and `effective` mode only.
    let user_id = match source {
        PermissionSource::Roles => None,
        PermissionSource::User | PermissionSource::Effective => Some(host.user_id()?),
    };
    let requested_api = host.requested_api()?;
    if scope == PermissionScope::Requested && requested_api.is_none() {
        return Ok(Vec::new());
    }
    let client = Client::new(
        host.io(),
        settings,
        &instance.memory,
        deadline.at(host.io()),
    );
    let found = client
        .permission_lists(
            source,
            user_id.as_deref().unwrap_or_default(),
            requested_api.as_deref(),
            roles,
        )
        .await;
    deadline.count(client.requests());
    let found = found?;
    Ok(permission_names(&found, scope, requested_api.as_deref()))
}

/// Applies a finished plan: the access token's scopes first (`permissionsAs` `scope`, `both`; when
/// they cannot be added, `onError` decides: `continue` goes on without the permissions), then the ID
/// token claims, then the access token claims, each value as the JSON text the plan wrote once, for
/// both tokens (the roles as the host read them, when they are). Gives the plan's counts.
fn apply<H: Host>(
    host: &H,
    settings: &Settings,
    deadline: &Deadline,
    mut plan: ClaimPlan,
) -> Result<[Option<usize>; 3], Error> {
    if plan.not_scopes > 0 {
        host.log(&format!(
            "not added as scopes: {} permission names that are not RFC 6749 scope-tokens (a space, \", \\ or a character outside printable ASCII)",
            plan.not_scopes
        ));
    }
    if !plan.scopes.is_empty() {
        if let Err(err) = host.add_scopes(&plan.scopes) {
            without_permissions(host, settings, deadline, err)?;
            plan.drop_permissions();
        }
    }
    // At most three claims (roles, permissions, groups): kept on the stack.
    let mut slots = [("", ""); MAX_CLAIMS];
    let mut count = 0;
    for (slot, (claim, json)) in slots.iter_mut().zip(plan.claims.iter().zip(&plan.json)) {
        *slot = (claim.name.as_str(), json.as_str());
        count += 1;
    }
    let claims = slots.get(..count).unwrap_or_default();
    let for_token = |selected: bool| if selected { claims } else { &[] };
    host.set_claims(
        for_token(plan.tokens.id),
        for_token(plan.tokens.access),
        plan.roles_as_read,
    )?;
    Ok(plan.counts)
}

#[cfg(test)]
mod tests;
