//! # rbac-claims
//!
//! An Auth0 post-login Action written in Rust and compiled to WebAssembly. Auth0 (or any Node host that
//! speaks the Action contract) calls [`on_execute_post_login`] as `onExecutePostLogin(event, api)` at every
//! login; it puts the user's roles into the ID token and the access token as namespaced custom claims.
//!
//! **Reads** only `event.secrets` (the settings, see [`config`]) and `event.authorization.roles`.
//! **Writes** `<namespace>/roles` with `api.idToken.setCustomClaim` / `api.accessToken.setCustomClaim`,
//! or, on any failure, `api.access.deny` with a generic reason and one precise `console.log` line.
//!
//! The policy ([`config`], [`claims`], [`error`]) is plain Rust, tested natively; only [`host`] and
//! [`login`] touch JavaScript values.
#![deny(missing_docs)]

pub mod claims;
pub mod config;
pub mod error;
pub mod host;
pub mod login;
pub mod management;
pub mod task;

use wasm_bindgen::prelude::*;

/// The Action entry: `exports.onExecutePostLogin = async (event, api) => { ... }`.
///
/// The returned promise always resolves; failures are logged and end in `api.access.deny`.
#[wasm_bindgen(js_name = onExecutePostLogin)]
pub async fn on_execute_post_login(event: host::Event, api: host::Api) {
    login::run(&event, &api).await;
}

/// The generic deny reason, for the JS entry's last-resort guard (so the text lives in one place).
#[wasm_bindgen(js_name = denyReason)]
pub fn deny_reason() -> String {
    error::USER_DENY_REASON.to_owned()
}

/// Size of the wasm instance's linear memory in bytes, for the memory-flatness checks.
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        (core::arch::wasm32::memory_size(0) * 65_536) as f64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}
