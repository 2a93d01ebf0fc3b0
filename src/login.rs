//! One login, one direction: read the event, decide the plan in pure Rust (fetching permissions if
//! configured), then apply it to `api` once.

use crate::auth0::bindings::{log, parse_json};
use crate::auth0::io::JsIo;
use crate::auth0::{Api, Event};
use crate::claims::{permission_names, plan_claims, Claim, ClaimPlan, Roles, MAX_ROLE_ENTRIES};
use crate::config::{OnError, PermissionScope, PermissionSettings, PermissionSource, Settings};
use crate::error::Error;
use crate::json;
use crate::management::{Client, InstanceMemory};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsValue;

thread_local! {
    /// What this wasm instance keeps across logins: Management API tokens and role data.
    static MEMORY: Rc<InstanceMemory> = Rc::new(InstanceMemory::default());
    /// The last `event.secrets` text and its validated settings: the same for every login of an Action.
    static LAST_SETTINGS: RefCell<Option<(String, Rc<Settings>)>> = const { RefCell::new(None) };
}

/// How a login ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The claims were set, or the login was denied.
    Done,
    /// The login had to be denied and `api.access.deny` failed (claims may be half set): the caller
    /// must fail the login by rejecting with [`crate::error::NOT_DENIED_MESSAGE`].
    NotDenied,
}

/// Runs the Action for one login: every failure ends in a logged deny, and when even the deny
/// fails, in [`Outcome::NotDenied`].
pub async fn run(event: &Event, api: &Api) -> Outcome {
    let outcome = match decide(event, api).await {
        Ok(plan) => apply(api, &plan),
        Err(err) => Err(err),
    };
    let Err(err) = outcome else {
        return Outcome::Done;
    };
    log(&format!("login denied: {err}"));
    match api.deny_login(err.user_reason()) {
        Ok(()) => Outcome::Done,
        Err(deny_err) => {
            log(&format!(
                "could not deny the login: {deny_err}; failing it instead"
            ));
            Outcome::NotDenied
        }
    }
}

/// Reads settings and roles, fetches permissions when configured, and plans the claims.
async fn decide(event: &Event, api: &Api) -> Result<ClaimPlan, Error> {
    let settings = settings(event)?;
    let roles =
        Roles::from_entries(event.role_entries(MAX_ROLE_ENTRIES, settings.max_claim_bytes)?);
    if roles.dropped > 0 {
        log(&format!(
            "dropped {} role entries that were not well-formed strings",
            roles.dropped
        ));
    }
    let permissions = match &settings.permissions {
        None => None,
        Some(management) => match permissions(event, api, management, &roles.names).await {
            Ok(names) => Some(names),
            Err(err) if settings.on_error == OnError::Continue => {
                log(&format!(
                    "continuing without permissions (onError=continue): {err}"
                ));
                None
            }
            Err(err) => return Err(err),
        },
    };
    Ok(plan_claims(&settings, &roles, permissions)?)
}

/// The validated settings: parsed from `event.secrets` once, and again only when the secrets change.
fn settings(event: &Event) -> Result<Rc<Settings>, Error> {
    let Some(text) = event.secrets_text()? else {
        return Ok(Rc::new(Settings::from_source(&json::Json::Null)?));
    };
    let cached = LAST_SETTINGS.with(|last| {
        last.borrow()
            .as_ref()
            .filter(|(seen, _)| *seen == text)
            .map(|(_, settings)| Rc::clone(settings))
    });
    if let Some(settings) = cached {
        return Ok(settings);
    }
    let secrets =
        json::parse(&text).map_err(|err| Error::Event(format!("event.secrets: {err}")))?;
    let settings = Rc::new(Settings::from_source(&secrets)?);
    LAST_SETTINGS.with(|last| *last.borrow_mut() = Some((text, Rc::clone(&settings))));
    Ok(settings)
}

/// The user's permission names from the Management API, as the claim will hold them.
async fn permissions(
    event: &Event,
    api: &Api,
    settings: &PermissionSettings,
    roles: &[String],
) -> Result<Vec<String>, Error> {
    // The user id is sent (and so read) in `user` and `effective` mode only.
    let user_id = match settings.source {
        PermissionSource::Roles => None,
        PermissionSource::User | PermissionSource::Effective => Some(event.user_id()?),
    };
    let requested_api = event.requested_api()?;
    if settings.scope == PermissionScope::Requested && requested_api.is_none() {
        return Ok(Vec::new());
    }
    let memory = MEMORY.with(Rc::clone);
    let io = JsIo::new(api);
    let found = Client::new(&io, settings, &memory)
        .permissions(
            user_id.as_deref().unwrap_or_default(),
            requested_api.as_deref(),
            roles,
        )
        .await?;
    Ok(permission_names(
        &found,
        settings.scope,
        requested_api.as_deref(),
    ))
}

/// Applies a finished plan: ID token claims first, then access token claims. Each claim value is
/// written as JSON once and crosses into JavaScript as one `JSON.parse` per token (so one token's host
/// cannot change the other's value).
fn apply(api: &Api, plan: &ClaimPlan) -> Result<(), Error> {
    let id = as_json(&plan.id_token);
    let access = if plan.access_token == plan.id_token {
        id.clone()
    } else {
        as_json(&plan.access_token)
    };
    api.set_claims(true, &to_js(&id)?)?;
    api.set_claims(false, &to_js(&access)?)
}

/// Each claim's name and its value as JSON text.
fn as_json(claims: &[Claim]) -> Vec<(&str, String)> {
    claims
        .iter()
        .map(|claim| (claim.name.as_str(), claim.value.to_json()))
        .collect()
}

fn to_js(claims: &[(&str, String)]) -> Result<Vec<(JsValue, JsValue)>, Error> {
    claims
        .iter()
        .map(|(name, json)| Ok((JsValue::from_str(name), parse_json(json)?)))
        .collect()
}
