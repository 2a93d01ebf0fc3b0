//! The claim plan: which claims each token gets, decided in plain Rust before anything touches `api`.

use crate::config::{OnOverflow, PermissionScope, Settings, TokenSelection};
use crate::json;
use crate::management::Permission;
use crate::prelude::*;
use alloc::rc::Rc;
use core::fmt;

use crate::roles::Roles;
use crate::rules;
pub use crate::rules::RESTRICTED_CLAIM_NAMES;

/// True when Auth0 would silently drop a claim with this name: a restricted name or one starting with `$`.
pub fn is_restricted_claim_name(name: &str) -> bool {
    name.starts_with(rules::RESTRICTED_CLAIM_PREFIX) || RESTRICTED_CLAIM_NAMES.contains(&name)
}

/// A claim value the Action sets.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "test-exports", derive(serde::Serialize), serde(untagged))]
pub enum ClaimValue {
    /// A JSON array of strings.
    Strings(Vec<String>),
    /// A JSON boolean.
    Bool(bool),
}

impl ClaimValue {
    /// The value as JSON text, escaped as `JSON.stringify` writes it.
    pub fn to_json(&self) -> String {
        match self {
            Self::Strings(items) => {
                let mut out =
                    String::with_capacity(2 + items.iter().map(|i| i.len() + 3).sum::<usize>());
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    json::write_string(&mut out, item);
                }
                out.push(']');
                out
            }
            Self::Bool(flag) => (if *flag { "true" } else { "false" }).to_owned(),
        }
    }
}

/// Bytes of a token's custom claims as one JSON object (`{"name":value,...}`): what Auth0 limits to 100 KB.
pub fn claims_json_bytes(claims: &[Claim]) -> usize {
    let texts: Vec<String> = claims.iter().map(|c| c.value.to_json()).collect();
    json_bytes(claims, &texts)
}

/// [`claims_json_bytes`] with each claim's value already written as JSON (`texts`, in order).
fn json_bytes(claims: &[Claim], texts: &[String]) -> usize {
    2 + claims.len().saturating_sub(1)
        + claims
            .iter()
            .zip(texts)
            .map(|(claim, text)| json::string_bytes(&claim.name) + 1 + text.len())
            .sum::<usize>()
}

/// One custom claim: full (namespaced) name and value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "test-exports", derive(serde::Serialize))]
pub struct Claim {
    /// The namespaced claim name.
    pub name: String,
    /// The value.
    pub value: ClaimValue,
}

/// Most claims a plan makes (roles, permissions, groups): hosts keep one token's claims on the stack.
pub const MAX_CLAIMS: usize = 3;

/// The finished plan: the claims and the tokens that get them, applied to `api` in one go at the end
/// of a login. Both tokens get the same claims (one list, not a copy per token).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "test-exports",
    derive(serde::Serialize),
    serde(rename_all = "camelCase")
)]
pub struct ClaimPlan {
    /// The claims, in the order they are set.
    pub claims: Vec<Claim>,
    /// Each claim's value as JSON text, in the same order: written once, for the size check and for
    /// the host.
    pub json: Vec<String>,
    /// The tokens that get them.
    pub tokens: TokenSelection,
    /// Whether the first claim (the roles) holds the host's role entries exactly as read
    /// ([`Roles::as_read`]).
    pub roles_as_read: bool,
    /// How many names the roles, permissions and groups claims hold, `None` for a claim that is not
    /// set (off, or dropped by `onOverflow=omit`): for the `logLine` line. With `permissionsAs=scope`
    /// (or `both` when the claim was dropped), the permissions' is the number of scopes.
    pub counts: [Option<usize>; 3],
    /// The permissions to add as access token scopes (`permissionsAs` `scope` or `both`): the ones
    /// that are RFC 6749 scope-tokens ([`is_scope_token`]), in order.
    pub scopes: Vec<String>,
    /// How many permission names were not added as scopes for not being scope-tokens.
    pub not_scopes: usize,
    /// Whether claim 1 is the permissions claim (a list of names), for [`ClaimPlan::drop_permissions`].
    pub permissions_claimed: bool,
}

impl ClaimPlan {
    /// The plan without permissions (their scopes could not be added and `onError=continue`): no
    /// permissions claim, no more scopes.
    pub fn drop_permissions(&mut self) {
        if self.permissions_claimed && self.claims.len() > 1 && self.json.len() > 1 {
            self.claims.remove(1);
            self.json.remove(1);
        }
        self.permissions_claimed = false;
        self.scopes.clear();
        if let Some(count) = self.counts.get_mut(1) {
            *count = None;
        }
    }
}

/// An RFC 6749 §3.3 `scope-token`: one or more of `!`, `#`-`[` and `]`-`~` (printable ASCII without
/// space, `"` and `\`).
pub fn is_scope_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b == b'!' || (b'#'..=b'[').contains(&b) || (b']'..=b'~').contains(&b))
}

impl ClaimPlan {
    /// Claims for `api.idToken.setCustomClaim` (none when the ID token is not selected).
    pub fn id_token(&self) -> &[Claim] {
        if self.tokens.id {
            &self.claims
        } else {
            &[]
        }
    }

    /// Claims for `api.accessToken.setCustomClaim` (none when the access token is not selected).
    pub fn access_token(&self) -> &[Claim] {
        if self.tokens.access {
            &self.claims
        } else {
            &[]
        }
    }
}

/// A plan that must not be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// The claims would pass `maxClaimBytes` (and `onOverflow` could not help).
    TooLarge {
        /// JSON bytes the claims would take.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { bytes, limit } => {
                write!(f, "claims take {bytes} bytes, over maxClaimBytes {limit}")
            }
        }
    }
}

impl core::error::Error for PlanError {}

/// The permission names for the claim: deduplicated, sorted, and with [`PermissionScope::Requested`]
/// only those of `requested_api` (none when no API was requested). Reads the lists in place: each
/// name kept is copied once.
pub fn permission_names(
    lists: &[Rc<Vec<Permission>>],
    scope: PermissionScope,
    requested_api: Option<&str>,
) -> Vec<String> {
    let names: Vec<&str> = lists
        .iter()
        .flat_map(|list| list.iter())
        .filter(|p| match scope {
            PermissionScope::All => true,
            PermissionScope::Requested => {
                Some(p.resource_server_identifier.as_str()) == requested_api
            }
        })
        .map(|p| p.permission_name.as_str())
        .collect();
    sorted_unique(names)
}

/// `names` sorted (by bytes, as `Array.prototype.sort` orders ASCII), without repeats, each copied once:
/// how the permissions and groups claims list their names.
pub fn sorted_unique(names: Vec<&str>) -> Vec<String> {
    let mut names = merge_sort(names);
    names.dedup();
    names.into_iter().map(str::to_owned).collect()
}

/// `items` sorted by bytes, with a natural merge sort: the runs already in order (each role's or page's
/// list usually is) are found in one pass and merged pairwise. `sort_unstable` links about 3 kB of
/// pattern-defeating quicksort into the size-capped module (BENCHMARKS.md §3), this a few hundred bytes.
fn merge_sort(mut items: Vec<&str>) -> Vec<&str> {
    // Where each run starts, and the end.
    let mut bounds: Vec<usize> = core::iter::once(0)
        .chain(
            items
                .windows(2)
                .enumerate()
                .filter(|(_, pair)| matches!(pair, [a, b] if b < a))
                .map(|(at, _)| at + 1),
        )
        .chain(core::iter::once(items.len()))
        .collect();
    let mut merged = Vec::with_capacity(items.len());
    let mut next = Vec::with_capacity(bounds.len());
    while bounds.len() > 2 {
        merged.clear();
        next.clear();
        next.push(0);
        let mut at = 0;
        while let [start, middle, rest @ ..] = bounds.get(at..).unwrap_or_default() {
            let end = rest.first().copied().unwrap_or(*middle);
            let run = |from: usize, to: usize| items.get(from..to).unwrap_or_default();
            merge(run(*start, *middle), run(*middle, end), &mut merged);
            next.push(end);
            at += 2;
        }
        core::mem::swap(&mut items, &mut merged);
        core::mem::swap(&mut bounds, &mut next);
    }
    items
}

/// Appends the sorted runs `left` and `right` to `out`, merged in order.
fn merge<'a>(mut left: &[&'a str], mut right: &[&'a str], out: &mut Vec<&'a str>) {
    while let (Some((a, left_rest)), Some((b, right_rest))) =
        (left.split_first(), right.split_first())
    {
        if b < a {
            out.push(b);
            right = right_rest;
        } else {
            out.push(a);
            left = left_rest;
        }
    }
    out.extend_from_slice(left);
    out.extend_from_slice(right);
}

/// Plans the claims for one login: `<namespace>/roles`, `<namespace>/permissions` when
/// `permissions` is given and `<namespace>/groups` when `groups` is given, on each selected token,
/// within `maxClaimBytes`. Over it, `onOverflow=deny` refuses the plan; `onOverflow=omit` replaces
/// the permissions claim by `<namespace>/permissions_truncated: true`, then, if still over, the groups
/// claim by `<namespace>/groups_truncated: true`, and refuses if that is still too large. A flag stands
/// only for names dropped: an empty claim stays as `[]`, never replaced.
pub fn plan_claims(
    settings: &Settings,
    roles: Roles,
    permissions: Option<Vec<String>>,
    groups: Option<Vec<String>>,
) -> Result<ClaimPlan, PlanError> {
    let (scopes, not_scopes) = match &permissions {
        Some(names) if settings.permission_scopes => {
            let scopes: Vec<String> = names
                .iter()
                .filter(|n| is_scope_token(n))
                .cloned()
                .collect();
            let not_scopes = names.len() - scopes.len();
            (scopes, not_scopes)
        }
        _ => (Vec::new(), 0),
    };
    let scoped = settings.permission_scopes && permissions.is_some();
    let permissions = permissions.filter(|_| settings.permission_claim);
    let mut counts = [
        Some(roles.names.len()),
        permissions.as_ref().map(Vec::len),
        groups.as_ref().map(Vec::len),
    ];
    let mut claims = vec![Claim {
        name: settings.namespace.claim("roles"),
        value: ClaimValue::Strings(roles.names),
    }];
    // Dropped in this order when the claims do not fit and onOverflow=omit. An empty list is never
    // replaced: nothing would be dropped, and its flag takes more bytes than its `[]`.
    let mut omittable = Vec::new();
    for (name, value) in [("permissions", permissions), ("groups", groups)] {
        if let Some(names) = value {
            if !names.is_empty() {
                omittable.push(claims.len());
            }
            claims.push(Claim {
                name: settings.namespace.claim(name),
                value: ClaimValue::Strings(names),
            });
        }
    }
    let limit = settings.max_claim_bytes;
    let mut json: Vec<String> = claims.iter().map(|c| c.value.to_json()).collect();
    let mut bytes = json_bytes(&claims, &json);
    let mut omittable = omittable.into_iter();
    while bytes > limit {
        let next = match settings.on_overflow {
            OnOverflow::Omit => omittable.next(),
            OnOverflow::Deny => None,
        };
        let Some(index) = next else {
            return Err(PlanError::TooLarge { bytes, limit });
        };
        // Claim 1 is the permissions when there are any, else the groups (claim 2 is the groups).
        let kind = if index == 1 && counts.get(1).is_some_and(Option::is_some) {
            1
        } else {
            2
        };
        if let Some(count) = counts.get_mut(kind) {
            *count = None;
        }
        if let (Some(claim), Some(text)) = (claims.get_mut(index), json.get_mut(index)) {
            claim.name.push_str("_truncated");
            claim.value = ClaimValue::Bool(true);
            *text = claim.value.to_json();
        }
        bytes = json_bytes(&claims, &json);
    }
    let permissions_claimed = counts.get(1).is_some_and(Option::is_some);
    if scoped && !permissions_claimed {
        if let Some(count) = counts.get_mut(1) {
            *count = Some(scopes.len());
        }
    }
    Ok(ClaimPlan {
        claims,
        json,
        tokens: settings.tokens,
        roles_as_read: roles.as_read,
        counts,
        scopes,
        not_scopes,
        permissions_claimed,
    })
}

#[cfg(test)]
mod tests {

    #[test]
    fn sorted_unique_sorts_by_bytes_and_drops_repeats_like_the_standard_sort() {
        let mut seed = 7u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            seed >> 16
        };
        let words: Vec<String> = (0..300).map(|_| format!("{}", next() % 97)).collect();
        for len in [0, 1, 2, 3, 5, 8, 31, 64, 100, 255, 300] {
            let input: Vec<&str> = words.iter().take(len).map(String::as_str).collect();
            let mut want = input.clone();
            want.sort_unstable();
            want.dedup();
            assert_eq!(sorted_unique(input), want, "{len} names");
        }
        assert_eq!(
            sorted_unique(vec!["b", "B", "a", "é", "Z", "b"]),
            ["B", "Z", "a", "b", "é"]
        );
    }

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
        let plan = plan_claims(
            &settings("id,access"),
            roles(&["editor", "admin"]),
            None,
            None,
        )
        .unwrap();
        assert_eq!(plan.id_token(), vec![roles_claim(&["editor", "admin"])]);
        assert_eq!(plan.access_token(), vec![roles_claim(&["editor", "admin"])]);
    }

    #[test]
    fn only_selected_tokens_get_claims() {
        let plan = plan_claims(&settings("id"), roles(&["a"]), None, None).unwrap();
        assert_eq!(plan.id_token(), vec![roles_claim(&["a"])]);
        assert!(plan.access_token().is_empty());
        let plan = plan_claims(&settings("access"), roles(&["a"]), None, None).unwrap();
        assert!(plan.id_token().is_empty());
        assert_eq!(plan.access_token(), vec![roles_claim(&["a"])]);
    }

    #[test]
    fn no_roles_gives_an_empty_array() {
        let plan = plan_claims(&settings("id,access"), Roles::default(), None, None).unwrap();
        assert_eq!(plan.id_token(), vec![roles_claim(&[])]);
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
            permission_names(&[Rc::new(perms.to_vec())], PermissionScope::All, None),
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
            permission_names(
                &[Rc::new(perms.to_vec())],
                PermissionScope::Requested,
                Some("https://a")
            ),
            vec!["admin", "write"]
        );
        assert!(
            permission_names(&[Rc::new(perms.to_vec())], PermissionScope::Requested, None)
                .is_empty()
        );
        assert!(permission_names(
            &[Rc::new(perms.to_vec())],
            PermissionScope::Requested,
            Some("https://c")
        )
        .is_empty());
    }

    #[test]
    fn the_permissions_claim_follows_the_roles_claim() {
        let plan = plan_claims(
            &settings("access"),
            roles(&["a"]),
            Some(vec!["read".into()]),
            None,
        )
        .unwrap();
        assert!(plan.id_token().is_empty());
        assert_eq!(
            plan.access_token(),
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
    fn json_sizes_match_json_stringify() {
        let strings = ClaimValue::Strings(vec!["a\"b\\c".into(), "\n\u{1}".into(), "é€😀".into()]);
        assert_eq!(strings.to_json(), r#"["a\"b\\c","\n\u0001","é€😀"]"#);
        assert_eq!(ClaimValue::Bool(true).to_json(), "true");
        assert_eq!(ClaimValue::Strings(vec![]).to_json(), "[]");
        let claims = vec![
            roles_claim(&["a", "b"]),
            Claim {
                name: "x".into(),
                value: ClaimValue::Bool(true),
            },
        ];
        let object = r#"{"https://rbac.example.com/roles":["a","b"],"x":true}"#;
        assert_eq!(claims_json_bytes(&claims), object.len());
        assert_eq!(claims_json_bytes(&[]), 2);
    }

    fn long_permissions(count: usize) -> Vec<String> {
        (0..count)
            .map(|i| format!("permission:{i:05}:{}", "x".repeat(40)))
            .collect()
    }

    fn sized_settings(extra: &[(&str, &str)]) -> Settings {
        let mut pairs = vec![("namespace", "https://rbac.example.com")];
        pairs.extend_from_slice(extra);
        Settings::from_source(pairs.as_slice()).unwrap()
    }

    #[test]
    fn too_many_permissions_deny_by_default() {
        let err = plan_claims(
            &sized_settings(&[]),
            roles(&["a"]),
            Some(long_permissions(5000)),
            None,
        )
        .unwrap_err();
        assert!(
            matches!(err, PlanError::TooLarge { limit: 90_000, bytes } if bytes > 90_000),
            "{err}"
        );
    }

    #[test]
    fn omit_replaces_the_permissions_claim_with_a_flag() {
        let settings = sized_settings(&[("onOverflow", "omit")]);
        let plan =
            plan_claims(&settings, roles(&["a"]), Some(long_permissions(5000)), None).unwrap();
        assert_eq!(
            plan.id_token(),
            vec![
                roles_claim(&["a"]),
                Claim {
                    name: "https://rbac.example.com/permissions_truncated".into(),
                    value: ClaimValue::Bool(true)
                }
            ]
        );
        assert_eq!(plan.access_token(), plan.id_token());
        assert_eq!(
            plan.counts,
            [Some(1), None, None],
            "a dropped claim counts as none"
        );
    }

    #[test]
    fn scope_tokens_are_rfc_6749s() {
        for good in [
            "read:x",
            "!",
            "#",
            "[",
            "]",
            "~",
            "a-b_c.d/e",
            "https://api/x:y",
            "#$%&'()*+,-./:;<=>?@[]^_`{|}~",
        ] {
            assert!(is_scope_token(good), "{good}");
        }
        for bad in [
            "",
            " ",
            "a b",
            "\"",
            "a\\b",
            "\t",
            "caf\u{e9}",
            "\u{7f}",
            "a\n",
            "\u{1F600}",
        ] {
            assert!(!is_scope_token(bad), "{bad:?}");
        }
        // Every byte: `!` (0x21), 0x23-0x5B, 0x5D-0x7E, nothing else.
        for b in 0u8..128 {
            let want = b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b);
            assert_eq!(is_scope_token(&char::from(b).to_string()), want, "{b:#x}");
        }
    }

    #[test]
    fn permissions_as_decides_claim_scopes_and_counts() {
        let names = || Some(vec!["read:x".to_owned(), "bad name".to_owned()]);
        for (word, claimed, scopes, count) in [
            ("claim", true, 0, 2),
            ("scope", false, 1, 1),
            ("both", true, 1, 2),
        ] {
            let settings = sized_settings(&[("permissionsAs", word)]);
            let plan = plan_claims(&settings, roles(&["a"]), names(), None).unwrap();
            assert_eq!(plan.claims.len(), 1 + usize::from(claimed), "{word}");
            assert_eq!(plan.permissions_claimed, claimed, "{word}");
            assert_eq!(plan.scopes.len(), scopes, "{word}");
            assert_eq!(
                plan.not_scopes,
                if word == "claim" { 0 } else { 1 },
                "{word}"
            );
            assert_eq!(plan.counts, [Some(1), Some(count), None], "{word}");
            let mut dropped = plan.clone();
            dropped.drop_permissions();
            assert_eq!(dropped.claims.len(), 1, "{word}");
            assert_eq!(dropped.json.len(), 1, "{word}");
            assert!(dropped.scopes.is_empty());
            assert_eq!(dropped.counts, [Some(1), None, None], "{word}");
        }
        // Permissions off: no scopes, whatever permissionsAs says.
        let settings = sized_settings(&[("permissionsAs", "scope")]);
        let plan = plan_claims(&settings, roles(&["a"]), None, Some(vec![])).unwrap();
        assert_eq!(plan.counts, [Some(1), None, Some(0)]);
        assert!(plan.scopes.is_empty());
        // The groups claim stays when the permissions claim is dropped.
        let settings = sized_settings(&[("permissionsAs", "both")]);
        let mut plan =
            plan_claims(&settings, roles(&["a"]), names(), Some(vec!["g".into()])).unwrap();
        plan.drop_permissions();
        assert_eq!(
            plan.claims.last().unwrap().name,
            "https://rbac.example.com/groups"
        );
        assert_eq!(plan.json.last().unwrap(), r#"["g"]"#);
    }

    #[test]
    fn the_counts_follow_the_claims_whichever_is_dropped() {
        let settings = sized_settings(&[("onOverflow", "omit"), ("maxClaimBytes", "1000")]);
        let few = || Some(vec!["p".to_owned(), "q".to_owned()]);
        let counts = |permissions, groups| {
            plan_claims(&settings, roles(&["a", "b"]), permissions, groups)
                .unwrap()
                .counts
        };
        assert_eq!(counts(few(), None), [Some(2), Some(2), None]);
        assert_eq!(counts(None, few()), [Some(2), None, Some(2)]);
        assert_eq!(counts(few(), Some(Vec::new())), [Some(2), Some(2), Some(0)]);
        // Only the groups are too many: dropping the permissions is not enough, then the groups go.
        assert_eq!(
            counts(few(), Some(long_permissions(500))),
            [Some(2), None, None]
        );
        // No permissions claim: the groups are claim 1, and they are the one dropped.
        assert_eq!(
            counts(None, Some(long_permissions(500))),
            [Some(2), None, None]
        );
        assert_eq!(
            counts(Some(Vec::new()), Some(long_permissions(500))),
            [Some(2), Some(0), None]
        );
    }

    #[test]
    fn claims_just_under_the_limit_pass_whole() {
        let names = long_permissions(10);
        let full = plan_claims(
            &sized_settings(&[]),
            roles(&["a"]),
            Some(names.clone()),
            None,
        )
        .unwrap();
        let exact = claims_json_bytes(full.id_token()).to_string();
        let settings = sized_settings(&[("maxClaimBytes", &exact)]);
        assert_eq!(
            plan_claims(&settings, roles(&["a"]), Some(names.clone()), None).unwrap(),
            full
        );
        let one_less = (claims_json_bytes(full.id_token()) - 1).to_string();
        let settings = sized_settings(&[("maxClaimBytes", &one_less)]);
        assert!(plan_claims(&settings, roles(&["a"]), Some(names), None).is_err());
    }

    #[test]
    fn roles_alone_over_the_limit_deny_even_with_omit() {
        let long_role = "y".repeat(2000);
        let settings = sized_settings(&[("onOverflow", "omit"), ("maxClaimBytes", "1000")]);
        let roles = Roles::from_entries([Some(long_role)]);
        assert!(matches!(
            plan_claims(&settings, roles.clone(), None, None),
            Err(PlanError::TooLarge { .. })
        ));
        assert!(matches!(
            plan_claims(&settings, roles.clone(), Some(vec![]), None),
            Err(PlanError::TooLarge { .. })
        ));
    }

    fn named(prefix: &str, count: usize) -> Vec<String> {
        (0..count)
            .map(|i| format!("{prefix}:{i:05}:{}", "x".repeat(40)))
            .collect()
    }

    fn claim_names(claims: &[Claim]) -> Vec<&str> {
        claims
            .iter()
            .map(|c| c.name.trim_start_matches("https://rbac.example.com/"))
            .collect()
    }

    #[test]
    fn the_groups_claim_follows_the_permissions_claim() {
        let plan = plan_claims(
            &settings("id,access"),
            roles(&["a"]),
            Some(vec!["read".into()]),
            Some(vec!["eng".into(), "ops".into()]),
        )
        .unwrap();
        assert_eq!(
            claim_names(plan.id_token()),
            ["roles", "permissions", "groups"]
        );
        assert_eq!(
            plan.id_token()[2].value,
            ClaimValue::Strings(vec!["eng".into(), "ops".into()])
        );
        assert_eq!(plan.access_token(), plan.id_token());
        let plan = plan_claims(&settings("id"), roles(&["a"]), None, Some(vec![])).unwrap();
        assert_eq!(claim_names(plan.id_token()), ["roles", "groups"]);
        assert_eq!(plan.id_token()[1].value, ClaimValue::Strings(vec![]));
    }

    #[test]
    fn omit_drops_permissions_first_then_groups_then_denies() {
        let omit =
            |limit: &str| sized_settings(&[("onOverflow", "omit"), ("maxClaimBytes", limit)]);
        let groups = || Some(named("group", 20));
        let permissions = || Some(named("perm", 20));
        // Permissions alone are too many: groups stay.
        let plan = plan_claims(&omit("2000"), roles(&["a"]), permissions(), groups()).unwrap();
        assert_eq!(
            claim_names(plan.id_token()),
            ["roles", "permissions_truncated", "groups"]
        );
        // Groups too: both flags.
        let plan = plan_claims(&omit("300"), roles(&["a"]), permissions(), groups()).unwrap();
        assert_eq!(
            claim_names(plan.id_token()),
            ["roles", "permissions_truncated", "groups_truncated"]
        );
        assert_eq!(plan.id_token()[2].value, ClaimValue::Bool(true));
        // The JSON written once is each claim's value, flags included.
        let written: Vec<String> = plan.claims.iter().map(|c| c.value.to_json()).collect();
        assert_eq!(plan.json, written);
        assert_eq!(plan.json[1], "true");
        // Without permissions, groups are the first to go.
        let plan = plan_claims(&omit("300"), roles(&["a"]), None, groups()).unwrap();
        assert_eq!(claim_names(plan.id_token()), ["roles", "groups_truncated"]);
        // Roles alone too large: denied.
        let many_roles = Roles::from_entries(named("role", 20).into_iter().map(Some));
        assert!(plan_claims(&omit("300"), many_roles.clone(), permissions(), groups()).is_err());
        // onOverflow=deny never omits.
        let deny = sized_settings(&[("maxClaimBytes", "2000")]);
        assert!(plan_claims(&deny, roles(&["a"]), None, groups()).is_ok());
        assert!(plan_claims(&deny, roles(&["a"]), permissions(), groups()).is_err());
    }

    #[test]
    fn omit_flags_only_a_claim_that_held_something() {
        let omit = |limit: usize| {
            sized_settings(&[
                ("onOverflow", "omit"),
                ("maxClaimBytes", &limit.to_string()),
            ])
        };
        let many = || Some(named("name", 20));
        let without = |claims: &[Claim], dropped: &str| {
            let kept: Vec<Claim> = claims
                .iter()
                .filter(|c| !c.name.ends_with(dropped))
                .cloned()
                .collect();
            claims_json_bytes(&kept)
        };
        let no_permissions =
            plan_claims(&sized_settings(&[]), roles(&["a"]), Some(vec![]), many()).unwrap();
        // No permissions, too many groups, and a limit that fits roles + `[]` + the groups flag only.
        let fits_with_groups_dropped = without(&no_permissions.claims, "/groups")
            + r#","https://rbac.example.com/groups_truncated":true"#.len();
        let plan = plan_claims(
            &omit(fits_with_groups_dropped),
            roles(&["a"]),
            Some(vec![]),
            many(),
        )
        .unwrap();
        assert_eq!(
            claim_names(plan.id_token()),
            ["roles", "permissions", "groups_truncated"]
        );
        assert_eq!(plan.id_token()[1].value, ClaimValue::Strings(vec![]));
        // No groups, too many permissions: the permissions flag, the empty groups claim kept.
        let plan = plan_claims(&omit(300), roles(&["a"]), many(), Some(vec![])).unwrap();
        assert_eq!(
            claim_names(plan.id_token()),
            ["roles", "permissions_truncated", "groups"]
        );
        assert_eq!(plan.id_token()[2].value, ClaimValue::Strings(vec![]));
        // Both empty and the roles alone too large: nothing was dropped, so no flag; denied.
        let many_roles = Roles::from_entries(named("role", 20).into_iter().map(Some));
        for (permissions, groups) in [
            (Some(vec![]), Some(vec![])),
            (Some(vec![]), None),
            (None, Some(vec![])),
        ] {
            let err = plan_claims(&omit(300), many_roles.clone(), permissions, groups).unwrap_err();
            assert!(matches!(err, PlanError::TooLarge { .. }), "{err}");
        }
        // Both empty and a limit the flags would pass but the empty lists fit: kept as they are.
        let empty = plan_claims(
            &sized_settings(&[]),
            roles(&["a"]),
            Some(vec![]),
            Some(vec![]),
        )
        .unwrap();
        let exact = claims_json_bytes(&empty.claims);
        let plan = plan_claims(&omit(exact), roles(&["a"]), Some(vec![]), Some(vec![])).unwrap();
        assert_eq!(plan, empty);
    }

    #[test]
    fn effective_roles_are_deduplicated_by_name_keeping_the_first_id() {
        let roles = Roles::from_named(vec![
            ("b".into(), Some("rol_b".into())),
            ("a".into(), None),
            ("b".into(), Some("rol_b2".into())),
        ]);
        assert_eq!(roles.names, ["b", "a"]);
        let pairs: Vec<_> = roles.with_ids().collect();
        assert_eq!(pairs, [("b", Some("rol_b")), ("a", None)]);
        let event = Roles::from_entries([Some("x".to_owned())]);
        assert_eq!(event.with_ids().collect::<Vec<_>>(), [("x", None)]);
    }

    #[test]
    fn no_claim_the_plan_makes_can_have_a_restricted_name() {
        // Every claim is `<namespace>/<name>` and a namespace is an http(s) URL or a URN (config.rs):
        // no restricted name holds a `/` and none of them, nor the `$` prefix, starts like a namespace.
        // So Auth0's restricted-name rule can never act on our claims; the local host applies it to
        // any Action's claims.
        for name in RESTRICTED_CLAIM_NAMES {
            assert!(!name.contains('/'), "{name}");
        }
        assert!(!"https://".starts_with(rules::RESTRICTED_CLAIM_PREFIX));
        assert!(!"urn:".starts_with(rules::RESTRICTED_CLAIM_PREFIX));
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
