//! # rbac-claims
//!
//! An Auth0 post-login Action written in Rust and compiled to WebAssembly. Auth0 (or any Node host that
//! speaks the Action contract) calls `onExecutePostLogin(event, api)` at every login; it puts the user's
//! roles, and optionally permissions, into the ID token and the access token as namespaced custom claims.
//!
//! **Reads** only `event.secrets` (the settings of [`config`]), `event.authorization.roles` (or the pages
//! of `api.roles.getUserEffectiveRoles` with `roles=effective`), the pages of `api.groups.getUserGroups`
//! with `groups=on`, and, when permissions are on, `event.organization` (in `user` and `effective` mode),
//! `event.user.user_id` and `event.resource_server.identifier`.
//! **Writes** `<namespace>/roles`, `<namespace>/permissions` and `<namespace>/groups` (or their
//! `…_truncated` flags) with `api.idToken.setCustomClaim` / `api.accessToken.setCustomClaim`, after the
//! whole plan is decided; on any failure, `api.access.deny` with a generic reason and one precise
//! `console.log` line instead.
//! **Calls** the Management API through the host's global `fetch` ([`management`]) and caches its token
//! in instance memory and `api.cache`.
//!
//! One way in: the export [`on_execute_post_login`], which the JS entry calls with the real objects. It
//! returns a promise whose every step runs inside a promise callback ([`auth0::task`]), so that a wasm
//! trap rejects it and the entry replaces the instance. It runs [`auth0::run`], which runs
//! [`login::run`] over [`auth0::Auth0`] with the instance's one [`login::Instance`] (token memory,
//! role data, last settings).
//!
//! The login flow works over a port, [`port::Host`] (read the settings, the roles, the user id, the
//! organization and the requested API; page through `api` lists; set claims or deny; log), and
//! [`port::Io`] (requests, `api.cache`, clock, log), which the Management API client uses too:
//! everything a host provides is declared in [`port`], which imports only [`error`] and [`json`],
//! never the client or the login. So the core ([`config`], [`claims`], [`error`], [`json`],
//! [`management`], [`port`], [`roles`], [`sources`], [`login`]) is plain Rust tested natively, the
//! whole login with a fake host. Only [`auth0`] (the binding to Auth0's `event` and `api`, `fetch` and
//! `api.cache`, and the exports' task loop) touches JavaScript values; dependencies point one way,
//! from it to the core. Another host is one more module like [`auth0`].
#![deny(missing_docs)]
// The shipped wasm is built without the `std` feature: `no_std` with `alloc`, and a panic handler that
// only traps (below). Everything else, native tests included, links std as usual.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

/// What std's prelude gives and `alloc` holds, for the build without std.
pub(crate) mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::boxed::Box;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec::Vec;
    pub use alloc::{format, vec};
}

pub mod auth0;
pub mod claims;
pub mod config;
pub mod error;
pub mod json;
pub mod login;
pub mod management;
pub mod port;
pub mod roles;
pub mod rules;
pub mod sources;

use wasm_bindgen::prelude::*;

/// The wasm allocator: talc, smaller than the default dlmalloc (see Cargo.toml).
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Without std (the shipped wasm), a panic traps at once: a panic is a bug (clippy denies `unwrap`,
/// `expect`, indexing and `panic!`), and the trap rejects the login's promise so that the entry replaces
/// the instance. Formatting its message would link core::fmt's panic machinery for a text nobody reads.
#[cfg(all(not(feature = "std"), target_arch = "wasm32"))]
#[panic_handler]
fn trap_on_panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// The Action: `onExecutePostLogin(event, api)`, called by the JS entry at every login.
///
/// Failures are logged and end in `api.access.deny`; the returned promise rejects only when the login
/// had to be denied and `api.access.deny` failed (see [`login::Outcome::NotDenied`]), or when the
/// instance trapped (a `WebAssembly.RuntimeError`: the entry replaces the instance).
#[wasm_bindgen(js_name = onExecutePostLogin)]
pub fn on_execute_post_login(event: auth0::Event, api: auth0::Api) -> js_sys::Promise {
    auth0::task::start(event, api)
}

/// The generic deny reason, for the JS entry's last-resort guard (so the text lives in one place).
#[wasm_bindgen(js_name = denyReason)]
pub fn deny_reason() -> alloc::string::String {
    alloc::borrow::ToOwned::to_owned(error::USER_DENY_REASON)
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
