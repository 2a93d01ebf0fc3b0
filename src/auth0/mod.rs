//! The Auth0 binding: [`Host`] over the post-login `event` and `api` objects, with wasm-bindgen. The
//! only module that touches JavaScript values.
//!
//! - [`bindings`]: the `event` fields read, the `api` methods called, `console.log` (every call that can
//!   throw is caught); no policy.
//! - [`io`]: [`crate::management::Io`] over the global `fetch`, `setTimeout` and `api.cache`.
//! - [`task`]: a login polled by the JS entry, so a wasm trap is caught there and the instance replaced.
//!
//! This instance's [`Instance`] (token memory, role data, last settings) lives here, in one place.

pub mod bindings;
pub mod io;
pub mod task;

pub use bindings::{Api, Event};

use crate::error::Error;
use crate::login::{self, Instance, Outcome};
use crate::port::{Host, Token};
use io::JsIo;
use js_sys::Array;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// What this wasm instance keeps across logins.
    static INSTANCE: Rc<Instance> = Rc::new(Instance::default());
}

/// Runs one login on Auth0's `event` and `api` with this instance's [`Instance`]: what both exports
/// (`onExecutePostLogin`, `startLogin`) run.
pub async fn run(event: Event, api: Api) -> Outcome {
    let instance = INSTANCE.with(Rc::clone);
    let host = Auth0 {
        event,
        io: JsIo::new(api),
        made: RefCell::new(Vec::new()),
    };
    login::run(&host, &instance).await
}

/// One login's `event` and `api`, as a [`Host`].
pub struct Auth0 {
    event: Event,
    io: JsIo,
    /// Claim names and values already made into JavaScript values in this login (JSON text → value).
    made: RefCell<Vec<(String, JsValue)>>,
}

impl Auth0 {
    /// The claims of one token as JavaScript values. Each JSON text is parsed once per login (one
    /// `JSON.parse` for the whole value); the second token gets a `slice()` copy of an array made
    /// before any claim is set (about half the cost of a second parse, measured), so one token's host
    /// cannot change the other's value; a primitive is reused as it is.
    fn values(&self, claims: &[(&str, String)]) -> Result<Vec<(JsValue, JsValue)>, Error> {
        claims
            .iter()
            .map(|(name, json)| Ok((JsValue::from_str(name), self.value_of(json)?)))
            .collect()
    }

    fn value_of(&self, json: &str) -> Result<JsValue, Error> {
        if let Some((_, value)) = self.made.borrow().iter().find(|(text, _)| text == json) {
            return Ok(match value.dyn_ref::<Array>() {
                Some(array) => array.slice(0, array.length()).into(),
                None => value.clone(),
            });
        }
        let value = bindings::parse_json(json)?;
        self.made
            .borrow_mut()
            .push((json.to_owned(), value.clone()));
        Ok(value)
    }
}

impl Host for Auth0 {
    type Io = JsIo;

    fn settings_text(&self) -> Result<Option<String>, Error> {
        self.event.secrets_text()
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

    fn set_claims(&self, id: &[(&str, String)], access: &[(&str, String)]) -> Result<(), Error> {
        let id_values = self.values(id)?;
        let access_values = self.values(access)?;
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
