//! The Auth0 binding: [`Host`] over the post-login `event` and `api` objects, with wasm-bindgen. The
//! only module that touches JavaScript values.
//!
//! - [`bindings`]: the `event` fields read, the `api` methods called, `console.log` (every call that can
//!   throw is caught); no policy.
//! - [`io`]: the port's [`crate::port::Io`] over the global `fetch`, `setTimeout` and `api.cache`.
//! - [`lists`]: pages of `api.roles.getUserEffectiveRoles` and `api.groups.getUserGroups`.
//! - [`task`]: a login driven by promise callbacks, so a wasm trap rejects its promise and the JS entry
//!   replaces the instance.
//!
//! This instance's [`Instance`] (token memory, role data, last settings) lives here, in one place.

use crate::prelude::*;
/// Per-instance values: `thread_local!` with std; without it (the shipped wasm) a static made on first
/// use by [`Local`], which the one thread of a wasm instance without atomics may share.
#[cfg(feature = "std")]
macro_rules! instance_local {
    ($($tokens:tt)*) => { std::thread_local! { $($tokens)* } };
}

/// Per-instance values: `thread_local!` with std; without it (the shipped wasm) a static made on first
/// use by [`Local`], which the one thread of a wasm instance without atomics may share.
#[cfg(not(feature = "std"))]
macro_rules! instance_local {
    ($($(#[$attr:meta])* static $name:ident: $t:ty = $(const)? $init:expr;)*) => {
        $($(#[$attr])* static $name: $crate::auth0::Local<$t> = $crate::auth0::Local::new(|| $init);)*
    };
}

#[cfg(all(not(feature = "std"), target_feature = "atomics"))]
compile_error!(
    "without std, per-instance values are statics for one thread: build without atomics"
);
#[cfg(all(not(feature = "std"), not(target_arch = "wasm32")))]
compile_error!(
    "the build without std is the wasm32 one: its per-instance values assume one thread"
);

/// A value made on first use and kept for the instance's life (without std; see `instance_local!`).
#[cfg(not(feature = "std"))]
pub struct Local<T: 'static> {
    init: fn() -> T,
    value: core::cell::OnceCell<T>,
}

// SAFETY: without the `atomics` target feature (checked above) a wasm instance runs one thread.
#[cfg(not(feature = "std"))]
unsafe impl<T> Sync for Local<T> {}

#[cfg(not(feature = "std"))]
impl<T> Local<T> {
    /// A value that `init` makes on first use.
    pub const fn new(init: fn() -> T) -> Self {
        Self {
            init,
            value: core::cell::OnceCell::new(),
        }
    }

    /// Runs `f` on the value, made first if needed (the same call as `LocalKey::with`).
    pub fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
        f(self.value.get_or_init(self.init))
    }
}

/// `x` rounded down, as `f64::floor` (which `core` does not offer without std); infinities and NaN as
/// they are.
pub(crate) fn floor(x: f64) -> f64 {
    let fraction = x % 1.0;
    // No fraction (a whole number, ±0) or none to take (infinities, NaN): `x` itself, its sign kept.
    if fraction.is_nan() || fraction == 0.0 {
        x
    } else if fraction < 0.0 {
        x - fraction - 1.0
    } else {
        x - fraction
    }
}

pub mod bindings;
pub mod io;
pub mod lists;
#[cfg(feature = "test-exports")]
pub mod plan_export;
pub mod task;

pub use bindings::{Api, Event};

use crate::claims::MAX_CLAIMS;
use crate::error::Error;
use crate::login::{self, Instance, Outcome};
use crate::port::{ApiList, Host, ListFailure, ListPage, Token};
use alloc::rc::Rc;
use core::cell::RefCell;
use io::JsIo;
use js_sys::Array;
use wasm_bindgen::{JsCast, JsValue};

instance_local! {
    /// What this wasm instance keeps across logins.
    static INSTANCE: Rc<Instance> = Rc::new(Instance::default());
    /// Claim names made as JavaScript strings, kept: the same few names (one namespace's roles,
    /// permissions, groups and their `_truncated` flags) at every login.
    static CLAIM_NAMES: RefCell<Vec<(String, JsValue)>> = const { RefCell::new(Vec::new()) };
}

/// Most claim names kept in [`CLAIM_NAMES`] (six per namespace); past it the list starts again.
const MAX_CLAIM_NAMES: usize = 12;

/// `name` as a JavaScript string, made once per instance.
fn claim_name(name: &str) -> JsValue {
    CLAIM_NAMES.with(|names| {
        let mut names = names.borrow_mut();
        if let Some((_, value)) = names.iter().find(|(seen, _)| seen == name) {
            return value.clone();
        }
        if names.len() >= MAX_CLAIM_NAMES {
            names.clear();
        }
        let value = JsValue::from_str(name);
        names.push((name.to_owned(), value.clone()));
        value
    })
}

/// Runs one login on Auth0's `event` and `api` with this instance's [`Instance`]: what the export
/// `onExecutePostLogin` runs ([`task::start`]).
pub async fn run(event: Event, api: Api) -> Outcome {
    let instance = INSTANCE.with(Rc::clone);
    let host = Auth0 {
        event,
        io: JsIo::new(api),
        roles_read: RefCell::new(None),
    };
    login::run(&host, &instance).await
}

/// One login's `event` and `api`, as a [`Host`].
pub struct Auth0 {
    event: Event,
    io: JsIo,
    /// The well-formed role entries as read from the event (the strings themselves), once read.
    roles_read: RefCell<Option<Array>>,
}

/// A claim value made for one token: its JSON text, the value, and whether a token has it already.
type Made<'a> = (&'a str, JsValue, bool);

/// Writes the claims of one token into `values` as JavaScript values and says how many. Each JSON
/// text is parsed once per login (one `JSON.parse` for the whole value): `made` holds the values
/// already made (parsed, or the role entries as read), of which the first token to use one gets it and
/// the other a `slice()` copy of an array made before any claim is set (about half the cost of a
/// second parse, measured), so one token's host cannot change the other's value; a primitive is
/// reused. `values` has room for every claim of a plan ([`MAX_CLAIMS`], as `claims`).
fn claim_values<'a>(
    claims: &'a [(&str, &'a str)],
    made: &mut [Option<Made<'a>>],
    values: &mut [(JsValue, JsValue); MAX_CLAIMS],
) -> Result<usize, Error> {
    for ((name, json), slot) in claims.iter().zip(values.iter_mut()) {
        // The plan gives both tokens the same texts: the same slice is found without reading it.
        let same = |text: &&str| {
            (text.as_ptr() == json.as_ptr() && text.len() == json.len()) || text == json
        };
        let found = made.iter_mut().flatten().find(|(text, _, _)| same(text));
        let value = match found {
            Some((_, value, used)) if !*used => {
                *used = true;
                value.clone()
            }
            Some((_, value, _)) => match value.dyn_ref::<Array>() {
                Some(array) => array.slice(0, array.length()).into(),
                None => value.clone(),
            },
            None => {
                let value = bindings::parse_json(json)?;
                if let Some(free) = made.iter_mut().find(|m| m.is_none()) {
                    *free = Some((json, value.clone(), true));
                }
                value
            }
        };
        *slot = (claim_name(name), value);
    }
    Ok(claims.len().min(MAX_CLAIMS))
}

impl Host for Auth0 {
    type Io = JsIo;

    fn settings_text(&self) -> Result<Option<Rc<str>>, Error> {
        self.event.secrets_text()
    }

    fn secret_names(&self, limit: usize, max_chars: usize) -> Vec<String> {
        self.event.secret_names(limit, max_chars)
    }

    fn role_entries(&self, limit: usize, max_chars: usize) -> Result<Vec<Option<String>>, Error> {
        let read = Array::new();
        let entries = self.event.role_entries(limit, max_chars, &read)?;
        *self.roles_read.borrow_mut() = Some(read);
        Ok(entries)
    }

    fn metadata_role_entries(
        &self,
        path: &str,
        limit: usize,
        max_chars: usize,
    ) -> Result<Option<Vec<Option<String>>>, Error> {
        self.event.metadata_role_entries(path, limit, max_chars)
    }

    fn user_id(&self) -> Result<String, Error> {
        self.event.user_id()
    }

    fn requested_api(&self) -> Result<Option<String>, Error> {
        self.event.requested_api()
    }

    fn organization_login(&self) -> Result<bool, Error> {
        self.event.organization_login()
    }

    async fn list_page(
        &self,
        list: ApiList,
        take: u32,
        from: Option<&str>,
        max_chars: usize,
    ) -> Result<ListPage, ListFailure> {
        self.io.api().list_page(list, take, from, max_chars).await
    }

    fn set_claims(
        &self,
        id: &[(&str, &str)],
        access: &[(&str, &str)],
        roles_as_read: bool,
    ) -> Result<(), Error> {
        // The texts made (one per claim, and the roles as read): on the stack, as the values.
        let mut made: [Option<Made>; MAX_CLAIMS + 1] = Default::default();
        // The roles claim gets the strings read from the event: no JSON text to parse.
        let roles_json = id.first().or(access.first()).map(|(_, json)| *json);
        if let (true, Some(json), Some(read), Some(first)) = (
            roles_as_read,
            roles_json,
            self.roles_read.borrow_mut().take(),
            made.first_mut(),
        ) {
            *first = Some((json, read.into(), false));
        }
        // Both tokens' values made before any is set, the ID token's first.
        let mut id_values: [(JsValue, JsValue); MAX_CLAIMS] = Default::default();
        let mut access_values: [(JsValue, JsValue); MAX_CLAIMS] = Default::default();
        let id_count = claim_values(id, &mut made, &mut id_values)?;
        let access_count = claim_values(access, &mut made, &mut access_values)?;
        let id_values = id_values.get(..id_count).unwrap_or_default();
        let access_values = access_values.get(..access_count).unwrap_or_default();
        self.io.api().set_claims(Token::Id, id_values)?;
        self.io.api().set_claims(Token::Access, access_values)
    }

    fn add_scopes(&self, scopes: &[String]) -> Result<(), Error> {
        self.io.api().add_scopes(scopes)
    }

    fn deny(&self, reason: &str) -> Result<(), Error> {
        self.io.api().deny_login(reason)
    }

    fn log(&self, line: &str) {
        bindings::log(line);
    }

    fn write_line(&self, line: &str) {
        bindings::write_line(line);
    }

    fn io(&self) -> &JsIo {
        &self.io
    }
}

/// Test builds only (`--features test-exports`): the deny reason of a configuration error
/// ([`crate::error::CONFIG_DENY_REASON`]), so the JS suites compare with the Rust text.
#[cfg(feature = "test-exports")]
#[wasm_bindgen::prelude::wasm_bindgen(js_name = configDenyReason)]
pub fn config_deny_reason() -> String {
    crate::error::CONFIG_DENY_REASON.to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn floor_is_the_std_floor() {
        let values = [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.0,
            -1.0,
            2.75,
            -2.75,
            1e15 + 0.5,
            -1e15 - 0.5,
            4.5e15,
            9.1e18,
            -9.1e18,
            1e300,
            f64::MAX,
            f64::MIN,
            f64::EPSILON,
            -f64::EPSILON,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for x in values {
            assert_eq!(super::floor(x).to_bits(), x.floor().to_bits(), "{x}");
        }
        assert!(super::floor(f64::NAN).is_nan());
    }
}
