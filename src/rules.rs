//! Auth0's custom-claim rules from data/auth0-claim-rules.json (one file, also read by the local Action
//! host), made into constants by build.rs: restricted claim names, reserved namespace hosts and URNs.

include!(concat!(env!("OUT_DIR"), "/claim_rules.rs"));
