//! The claim plan: which claims each token gets, decided in plain Rust before anything touches `api`.

use crate::config::{PermissionScope, Settings};
use crate::management::Permission;
use std::fmt;

/// Claim names Auth0 silently refuses to add to a token (contract doc §3).
pub const RESTRICTED_CLAIM_NAMES: &[&str] = &[
    "acr",
    "act",
    "active",
    "amr",
    "at_hash",
    "ath",
    "attest",
    "aud",
    "auth_time",
    "authorization_details",
    "azp",
    "c_hash",
    "client_id",
    "cnf",
    "cty",
    "dest",
    "entitlements",
    "events",
    "exp",
    "groups",
    "gty",
    "htm",
    "htu",
    "iat",
    "internalService",
    "iss",
    "jcard",
    "jku",
    "jti",
    "jwe",
    "jwk",
    "kid",
    "may_act",
    "mky",
    "nbf",
    "nonce",
    "object_id",
    "org_id",
    "org_name",
    "orig",
    "origid",
    "permissions",
    "roles",
    "rph",
    "s_hash",
    "sid",
    "sip_callid",
    "sip_cseq_num",
    "sip_date",
    "sip_from_tag",
    "sip_via_branch",
    "sub",
    "sub_jwk",
    "toe",
    "txn",
    "typ",
    "uuid",
    "vot",
    "vtm",
    "x5t#S256",
];

/// True when Auth0 would silently drop a claim with this name: a restricted name or one starting with `$`.
pub fn is_restricted_claim_name(name: &str) -> bool {
    name.starts_with('$') || RESTRICTED_CLAIM_NAMES.contains(&name)
}

/// A claim value the Action sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimValue {
    /// A JSON array of strings.
    Strings(Vec<String>),
}

/// One custom claim: full (namespaced) name and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The namespaced claim name.
    pub name: String,
    /// The value.
    pub value: ClaimValue,
}

/// The finished plan: the claims for each token, applied to `api` in one go at the end of a login.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClaimPlan {
    /// Claims for `api.idToken.setCustomClaim`.
    pub id_token: Vec<Claim>,
    /// Claims for `api.accessToken.setCustomClaim`.
    pub access_token: Vec<Claim>,
}

/// A plan that must not be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// A claim name Auth0 would silently drop.
    RestrictedName(String),
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RestrictedName(name) => write!(f, "claim name \"{name}\" is restricted by Auth0"),
        }
    }
}

impl std::error::Error for PlanError {}

/// Most role entries read from an event: Auth0 allows 1000 roles per tenant, so more is not a real login.
pub const MAX_ROLE_ENTRIES: usize = 1000;

/// What the event said about the user's roles.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Roles {
    /// Role names in the order the event gave them.
    pub names: Vec<String>,
    /// How many entries were dropped because they were not strings.
    pub dropped: usize,
}

impl Roles {
    /// Keeps the string entries, in order, and counts the rest.
    pub fn from_entries(entries: impl IntoIterator<Item = Option<String>>) -> Self {
        let mut roles = Self::default();
        for entry in entries {
            match entry {
                Some(name) => roles.names.push(name),
                None => roles.dropped += 1,
            }
        }
        roles
    }
}

/// The permission names for the claim: deduplicated, sorted, and with [`PermissionScope::Requested`]
/// only those of `requested_api` (none when no API was requested).
pub fn permission_names(
    permissions: &[Permission],
    scope: PermissionScope,
    requested_api: Option<&str>,
) -> Vec<String> {
    let mut names: Vec<String> = permissions
        .iter()
        .filter(|p| match scope {
            PermissionScope::All => true,
            PermissionScope::Requested => {
                Some(p.resource_server_identifier.as_str()) == requested_api
            }
        })
        .map(|p| p.permission_name.clone())
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// Plans the claims for one login: `<namespace>/roles`, and `<namespace>/permissions` when
/// `permissions` is given, on each selected token.
pub fn plan_claims(
    settings: &Settings,
    roles: &Roles,
    permissions: Option<Vec<String>>,
) -> Result<ClaimPlan, PlanError> {
    let mut claims = vec![Claim {
        name: settings.namespace.claim("roles"),
        value: ClaimValue::Strings(roles.names.clone()),
    }];
    if let Some(names) = permissions {
        claims.push(Claim {
            name: settings.namespace.claim("permissions"),
            value: ClaimValue::Strings(names),
        });
    }
    if let Some(bad) = claims
        .iter()
        .find(|claim| is_restricted_claim_name(&claim.name))
    {
        return Err(PlanError::RestrictedName(bad.name.clone()));
    }
    let for_token = |selected: bool| if selected { claims.clone() } else { Vec::new() };
    Ok(ClaimPlan {
        id_token: for_token(settings.tokens.id),
        access_token: for_token(settings.tokens.access),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(tokens: &str) -> Settings {
        Settings::from_source(
            [
                ("namespace", "https://rbac.example.com/"),
                ("tokens", tokens),
            ]
            .as_slice(),
        )
        .unwrap()
    }

    fn roles(names: &[&str]) -> Roles {
        Roles::from_entries(names.iter().map(|n| Some((*n).to_owned())))
    }

    fn roles_claim(names: &[&str]) -> Claim {
        Claim {
            name: "https://rbac.example.com/roles".into(),
            value: ClaimValue::Strings(names.iter().map(|n| (*n).to_owned()).collect()),
        }
    }

    #[test]
    fn both_tokens_get_the_roles_claim_in_order() {
        let plan = plan_claims(&settings("id,access"), &roles(&["editor", "admin"]), None).unwrap();
        assert_eq!(plan.id_token, vec![roles_claim(&["editor", "admin"])]);
        assert_eq!(plan.access_token, vec![roles_claim(&["editor", "admin"])]);
    }

    #[test]
    fn only_selected_tokens_get_claims() {
        let plan = plan_claims(&settings("id"), &roles(&["a"]), None).unwrap();
        assert_eq!(plan.id_token, vec![roles_claim(&["a"])]);
        assert!(plan.access_token.is_empty());
        let plan = plan_claims(&settings("access"), &roles(&["a"]), None).unwrap();
        assert!(plan.id_token.is_empty());
        assert_eq!(plan.access_token, vec![roles_claim(&["a"])]);
    }

    #[test]
    fn no_roles_gives_an_empty_array() {
        let plan = plan_claims(&settings("id,access"), &Roles::default(), None).unwrap();
        assert_eq!(plan.id_token, vec![roles_claim(&[])]);
    }

    #[test]
    fn non_string_entries_are_dropped_and_counted() {
        let roles = Roles::from_entries([Some("a".to_owned()), None, Some("b".to_owned()), None]);
        assert_eq!(roles.names, vec!["a", "b"]);
        assert_eq!(roles.dropped, 2);
    }

    fn permission(name: &str, api: &str) -> Permission {
        Permission {
            permission_name: name.into(),
            resource_server_identifier: api.into(),
        }
    }

    #[test]
    fn permissions_are_deduplicated_and_sorted() {
        let perms = [
            permission("write", "https://a"),
            permission("read", "https://b"),
            permission("read", "https://a"),
        ];
        assert_eq!(
            permission_names(&perms, PermissionScope::All, None),
            vec!["read", "write"]
        );
    }

    #[test]
    fn requested_scope_keeps_only_the_requested_api() {
        let perms = [
            permission("write", "https://a"),
            permission("read", "https://b"),
            permission("admin", "https://a"),
        ];
        assert_eq!(
            permission_names(&perms, PermissionScope::Requested, Some("https://a")),
            vec!["admin", "write"]
        );
        assert!(permission_names(&perms, PermissionScope::Requested, None).is_empty());
        assert!(permission_names(&perms, PermissionScope::Requested, Some("https://c")).is_empty());
    }

    #[test]
    fn the_permissions_claim_follows_the_roles_claim() {
        let plan = plan_claims(
            &settings("access"),
            &roles(&["a"]),
            Some(vec!["read".into()]),
        )
        .unwrap();
        assert!(plan.id_token.is_empty());
        assert_eq!(
            plan.access_token,
            vec![
                roles_claim(&["a"]),
                Claim {
                    name: "https://rbac.example.com/permissions".into(),
                    value: ClaimValue::Strings(vec!["read".into()])
                }
            ]
        );
    }

    #[test]
    fn restricted_names_are_recognised() {
        for name in [
            "roles",
            "permissions",
            "groups",
            "sub",
            "x5t#S256",
            "$anything",
        ] {
            assert!(is_restricted_claim_name(name), "{name}");
        }
        for name in [
            "https://e.com/roles",
            "Roles",
            "role",
            "urn:x:y/permissions",
        ] {
            assert!(!is_restricted_claim_name(name), "{name}");
        }
    }
}
