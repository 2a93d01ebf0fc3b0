//! The Auth0 binding: [`Host`] over the post-login `event` and `api` objects, with wasm-bindgen. The
//! only module that touches JavaScript values.
//!
//! - [`bindings`]: the `event` fields read, the `api` methods called, `console.log` (every call that can
//!   throw is caught); no policy.
//! - [`io`]: [`crate::management::Io`] over the global `fetch`, `setTimeout` and `api.cache`.
//! - [`lists`]: pages of `api.roles.getUserEffectiveRoles` and `api.groups.getUserGroups`.
//! - [`task`]: a login driven by promise callbacks, so a wasm trap rejects its promise and the JS entry
//!   replaces the instance.
//!
//! This instance's [`Instance`] (token memory, role data, last settings) lives here, in one place.

pub mod bindings;
pub mod io;
pub mod lists;
pub mod task;

pub use bindings::{Api, Event};

use crate::error::Error;
use crate::login::{self, Instance, Outcome};
use crate::port::{ApiList, Host, ListFailure, ListPage, Token};
use io::JsIo;
use js_sys::Array;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// What this wasm instance keeps across logins.
    static INSTANCE: Rc<Instance> = Rc::new(Instance::default());
}

/// Runs one login on Auth0's `event` and `api` with this instance's [`Instance`]: what the export
/// `onExecutePostLogin` runs ([`task::start`]).
pub async fn run(event: Event, api: Api) -> Outcome {
    let instance = INSTANCE.with(Rc::clone);
    let host = Auth0 {
        event,
        io: JsIo::new(api),
    };
    login::run(&host, &instance).await
}

/// One login's `event` and `api`, as a [`Host`].
pub struct Auth0 {
    event: Event,
    io: JsIo,
}

/// The claims of one token as JavaScript values. Each JSON text is parsed once per login (one
/// `JSON.parse` for the whole value): `made` holds the values already parsed for the other token, which
/// gets a `slice()` copy of an array made before any claim is set (about half the cost of a second
/// parse, measured), so one token's host cannot change the other's value; a primitive is reused.
fn claim_values<'a>(
    claims: &'a [(&str, &'a str)],
    made: &mut Vec<(&'a str, JsValue)>,
) -> Result<Vec<(JsValue, JsValue)>, Error> {
    claims
        .iter()
        .map(|(name, json)| {
            // The plan gives both tokens the same texts: the same slice is found without reading it.
            let same = |text: &&str| {
                (text.as_ptr() == json.as_ptr() && text.len() == json.len()) || text == json
            };
            let value = match made.iter().find(|(text, _)| same(text)) {
                Some((_, value)) => match value.dyn_ref::<Array>() {
                    Some(array) => array.slice(0, array.length()).into(),
                    None => value.clone(),
                },
                None => {
                    let value = bindings::parse_json(json)?;
                    made.push((json, value.clone()));
                    value
                }
            };
            Ok((JsValue::from_str(name), value))
        })
        .collect()
}

impl Host for Auth0 {
    type Io = JsIo;

    fn settings_text(&self) -> Result<Option<String>, Error> {
        self.event.secrets_text()
    }

    fn secret_names(&self, limit: usize, max_chars: usize) -> Vec<String> {
        self.event.secret_names(limit, max_chars)
    }

    fn role_entries(&self, limit: usize, max_chars: usize) -> Result<Vec<Option<String>>, Error> {
        self.event.role_entries(limit, max_chars)
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

    fn set_claims(&self, id: &[(&str, &str)], access: &[(&str, &str)]) -> Result<(), Error> {
        let mut made = Vec::new();
        let id_values = claim_values(id, &mut made)?;
        let access_values = claim_values(access, &mut made)?;
        self.io.api().set_claims(Token::Id, &id_values)?;
        self.io.api().set_claims(Token::Access, &access_values)
    }

    fn deny(&self, reason: &str) -> Result<(), Error> {
        self.io.api().deny_login(reason)
    }

    fn log(&self, line: &str) {
        bindings::log(line);
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
