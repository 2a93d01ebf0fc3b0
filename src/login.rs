//! One login, one direction: read the event, decide the plan in pure Rust, then apply it to `api` once.

use crate::claims::{plan_claims, ClaimPlan, ClaimValue, Roles, MAX_ROLE_ENTRIES};
use crate::config::{Settings, ALL_KEYS};
use crate::error::Error;
use crate::host::{log, string_array, Api, Event};
use wasm_bindgen::JsValue;

/// Runs the Action for one login. Never throws: every failure ends in a logged deny.
pub async fn run(event: &Event, api: &Api) {
    let outcome = match decide(event) {
        Ok(plan) => apply(api, &plan),
        Err(err) => Err(err),
    };
    if let Err(err) = outcome {
        log(&format!("login denied: {err}"));
        if let Err(deny_err) = api.deny_login(err.user_reason()) {
            log(&format!("could not deny the login: {deny_err}"));
        }
    }
}

/// Reads settings and roles from the event and plans the claims.
fn decide(event: &Event) -> Result<ClaimPlan, Error> {
    let settings = Settings::from_source(&event.settings(ALL_KEYS)?)?;
    let roles = Roles::from_entries(event.role_entries(MAX_ROLE_ENTRIES)?);
    if roles.dropped > 0 {
        log(&format!(
            "dropped {} role entries that were not strings",
            roles.dropped
        ));
    }
    Ok(plan_claims(&settings, &roles)?)
}

/// Applies a finished plan: ID token claims first, then access token claims.
fn apply(api: &Api, plan: &ClaimPlan) -> Result<(), Error> {
    api.set_claims(true, &to_js(&plan.id_token))?;
    api.set_claims(false, &to_js(&plan.access_token))
}

fn to_js(claims: &[crate::claims::Claim]) -> Vec<(String, JsValue)> {
    claims
        .iter()
        .map(|claim| {
            let value = match &claim.value {
                ClaimValue::Strings(items) => string_array(items),
            };
            (claim.name.clone(), value)
        })
        .collect()
}
