//! Test builds only (`--features test-exports`): the core's claim plan for a case the JS suites make,
//! handed over with serde-wasm-bindgen. The hostile suite models only the host (which role entries a
//! JavaScript event holds, what the Management API stand-in answers) and takes the roles, the
//! permission names and the claims it must see from here, the code the Action runs, instead of
//! rebuilding the plan's rules (deduplication, filtering, sorting, the size limit, `onOverflow`).

use crate::claims::{permission_names, plan_claims, ClaimPlan};
use crate::config::{PermissionScope, Settings};
use crate::management::Permission;
use crate::prelude::*;
use crate::roles::Roles;
use alloc::rc::Rc;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// A login as the suites model it: what the host gave, after the binding read it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PlanCase {
    /// The settings text, as `JSON.stringify(event.secrets, keys)` writes it.
    settings: String,
    /// The role entries read: a string, or `null` for an entry the binding does not take (not a
    /// primitive string, or one with an unpaired surrogate).
    role_entries: Vec<Option<String>>,
    /// Whether they came from `app_metadata` (`roles=metadata`).
    roles_from_metadata: bool,
    /// The permissions step, when it gave permissions: the lists the Management API answered.
    permissions: Option<PermissionsCase>,
    /// The group names, with `groups=on`.
    groups: Option<Vec<String>>,
}

/// The Management API's answers of one login and the scope the login applies to them.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PermissionsCase {
    /// Every list answered (one per request: a user's pages, or each role's).
    lists: Vec<Vec<Permission>>,
    /// Only the requested API's permissions (`permissionsFor=requested`, or an organization login's
    /// `effective`).
    requested_only: bool,
    /// `event.resource_server.identifier`, if any.
    api: Option<String>,
}

/// What the core makes of a [`PlanCase`].
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PlanAnswer {
    /// The role names of the claim, in order.
    roles: Vec<String>,
    /// The role entries dropped (the "dropped N role entries" log line).
    dropped: usize,
    /// The permission names, when the step gave permissions.
    permissions: Option<Vec<String>>,
    /// The plan, when it can be applied.
    plan: Option<ClaimPlan>,
    /// Why the plan was refused (the claims do not fit `maxClaimBytes`).
    refused: Option<String>,
}

/// The permission names the claim gets from the Management API's `lists`: the core's filtering by the
/// requested API, deduplication and order.
fn names_of(case: PermissionsCase) -> Vec<String> {
    let lists: Vec<Rc<Vec<Permission>>> = case.lists.into_iter().map(Rc::new).collect();
    let scope = if case.requested_only {
        PermissionScope::Requested
    } else {
        PermissionScope::All
    };
    permission_names(&lists, scope, case.api.as_deref())
}

/// `claimPlan(case)`: the roles, permissions and claim plan the core makes for `case` (see
/// [`PlanCase`], fields in camelCase); throws on a case that is not of that shape or whose settings
/// are refused (the suites ask only for accepted settings).
#[wasm_bindgen(js_name = claimPlan)]
pub fn claim_plan(case: JsValue) -> Result<JsValue, JsValue> {
    let case: PlanCase = serde_wasm_bindgen::from_value(case)?;
    let source = crate::json::parse(&case.settings)
        .map_err(|err| JsValue::from_str(&format!("settings: {err}")))?;
    let settings = Settings::from_source(&source)
        .map_err(|err| JsValue::from_str(&format!("settings: {err}")))?;
    let roles = if case.roles_from_metadata {
        Roles::from_metadata(case.role_entries)
    } else {
        Roles::from_entries(case.role_entries)
    };
    let permissions = case.permissions.map(names_of);
    let (names, dropped) = (roles.names.clone(), roles.dropped);
    let (plan, refused) = match plan_claims(&settings, roles, permissions.clone(), case.groups) {
        Ok(plan) => (Some(plan), None),
        Err(err) => (None, Some(err.to_string())),
    };
    let answer = PlanAnswer {
        roles: names,
        dropped,
        permissions,
        plan,
        refused,
    };
    Ok(serde_wasm_bindgen::to_value(&answer)?)
}

/// `permissionNames(lists, requestedOnly, api)`: the names the permissions claim gets from the
/// Management API's answers `lists` (arrays of `{permission_name, resource_server_identifier}`).
#[wasm_bindgen(js_name = permissionNames)]
pub fn permission_names_export(
    lists: JsValue,
    requested_only: bool,
    api: Option<String>,
) -> Result<Vec<String>, JsValue> {
    Ok(names_of(PermissionsCase {
        lists: serde_wasm_bindgen::from_value(lists)?,
        requested_only,
        api,
    }))
}
