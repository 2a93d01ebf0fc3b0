//! The Auth0 binding: the post-login `event` and `api` objects with wasm-bindgen. The only module that
//! touches JavaScript values besides [`crate::login`].
//!
//! - [`bindings`]: the `event` fields read, the `api` methods called, `console.log` (every call that can
//!   throw is caught); no policy.
//! - [`io`]: [`crate::management::Io`] over the global `fetch`, `setTimeout` and `api.cache`.
//! - [`task`]: a login polled by the JS entry, so a wasm trap is caught there and the instance replaced.

pub mod bindings;
pub mod io;
pub mod task;

pub use bindings::{Api, Event};
