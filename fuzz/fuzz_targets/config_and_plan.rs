//! Fuzzes the pure core: arbitrary settings and roles through `Settings::from_source` and `plan_claims`.
//! Invariants: no panic; a plan's claims are all under the namespace, never restricted, within
//! `maxClaimBytes`, and the same for every selected token.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rbac_claims::claims::{claims_json_bytes, is_restricted_claim_name, plan_claims};
use rbac_claims::roles::Roles;
use rbac_claims::config::{Settings, ALL_KEYS};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut fields = text.split('\u{1}');
    // The first fields are setting values, in ALL_KEYS order; an empty field leaves that key unset.
    let pairs: Vec<(&str, &str)> = ALL_KEYS
        .iter()
        .zip(fields.by_ref())
        .filter(|(_, value)| !value.is_empty())
        .map(|(key, value)| (*key, value))
        .collect();
    let roles = Roles::from_entries(fields.by_ref().take(200).map(|r| (!r.starts_with('\u{2}')).then(|| r.to_owned())));
    let rest: Vec<String> = fields.map(str::to_owned).collect();
    let (first, second) = rest.split_at(rest.len() / 2);
    let permissions = text.contains('\u{3}').then(|| first.to_vec());
    let groups = text.contains('\u{4}').then(|| second.to_vec());
    let Ok(settings) = Settings::from_source(pairs.as_slice()) else { return };
    let Ok(plan) = plan_claims(&settings, &roles, permissions, groups) else { return };
    for claims in [plan.id_token(), plan.access_token()] {
        assert!(claims_json_bytes(claims) <= settings.max_claim_bytes);
        for claim in claims.iter() {
            assert!(claim.name.starts_with(settings.namespace.as_str()));
            assert!(!is_restricted_claim_name(&claim.name));
        }
    }
    if settings.tokens.id && settings.tokens.access {
        assert_eq!(plan.id_token(), plan.access_token());
    }
});
