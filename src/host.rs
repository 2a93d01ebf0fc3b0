//! Bindings to the Action host: the few `event` fields we read, the `api` methods we call, `console`.
//!
//! Every getter and method that JavaScript can make throw (a `null` object, a Proxy, a frozen object) is
//! bound with `catch`, so a hostile event becomes an [`Error`], never an exception through the wasm stack.
//! Nothing else lives here: no policy.

use crate::error::Error;
use crate::json::{self, Json};
use crate::management::CacheRecord;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The post-login `event` (read-only context).
    pub type Event;
    #[wasm_bindgen(method, getter, catch)]
    fn secrets(this: &Event) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn authorization(this: &Event) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn user(this: &Event) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn resource_server(this: &Event) -> Result<JsValue, JsValue>;

    /// `event.authorization`: `{ roles: string[] }`.
    type Authorization;
    #[wasm_bindgen(method, getter, catch)]
    fn roles(this: &Authorization) -> Result<JsValue, JsValue>;

    /// `JSON.stringify(value)`: a string, or `undefined` for `undefined` and functions.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = stringify)]
    fn json_stringify(value: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = parse)]
    fn json_parse(text: &str) -> Result<JsValue, JsValue>;

    /// The post-login `api` object.
    pub type Api;
    #[wasm_bindgen(method, getter, catch, js_name = idToken)]
    fn id_token(this: &Api) -> Result<TokenApi, JsValue>;
    #[wasm_bindgen(method, getter, catch, js_name = accessToken)]
    fn access_token(this: &Api) -> Result<TokenApi, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn access(this: &Api) -> Result<AccessApi, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn cache(this: &Api) -> Result<CacheApi, JsValue>;

    /// `api.cache`: synchronous `get`, `set`, `delete` (contract doc §2.5).
    type CacheApi;
    #[wasm_bindgen(method, catch, js_name = get)]
    fn get_record(this: &CacheApi, key: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = set)]
    fn set_record(
        this: &CacheApi,
        key: &str,
        value: &str,
        options: &JsValue,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, js_name = delete)]
    fn delete_record(this: &CacheApi, key: &str) -> Result<JsValue, JsValue>;

    /// `api.idToken` / `api.accessToken`.
    type TokenApi;
    #[wasm_bindgen(method, catch, js_name = setCustomClaim)]
    fn set_custom_claim(
        this: &TokenApi,
        name: &JsValue,
        value: &JsValue,
    ) -> Result<JsValue, JsValue>;

    /// `api.access`.
    type AccessApi;
    #[wasm_bindgen(method, catch)]
    fn deny(this: &AccessApi, reason: &str) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;

    #[wasm_bindgen(js_namespace = console, js_name = log)]
    fn console_log(line: &str);
}

/// Writes one operator log line, prefixed with the crate name.
pub fn log(line: &str) {
    console_log(&format!("rbac-claims: {line}"));
}

/// Describes a thrown JavaScript value as `Name: message` without running any of its code unguarded.
pub fn describe_js_error(thrown: &JsValue) -> String {
    if let Some(text) = thrown.as_string() {
        return text;
    }
    if !thrown.is_object() {
        return format!("a thrown {}", type_name(thrown));
    }
    let field = |name: &str| {
        Reflect::get(thrown, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_string())
    };
    match (field("name"), field("message")) {
        (Some(name), Some(message)) => format!("{name}: {message}"),
        (None, Some(message)) => message,
        (Some(name), None) => name,
        (None, None) => "an unreadable thrown object".to_owned(),
    }
}

/// `typeof`, with `null` and arrays told apart; never throws.
fn type_name(value: &JsValue) -> &'static str {
    if value.is_null() {
        return "null";
    }
    if is_array(value).unwrap_or(false) {
        return "array";
    }
    match value.js_typeof().as_string().as_deref() {
        Some("string") => "string",
        Some("number") => "number",
        Some("boolean") => "boolean",
        Some("bigint") => "bigint",
        Some("symbol") => "symbol",
        Some("function") => "function",
        Some("undefined") => "undefined",
        _ => "object",
    }
}

fn thrown(call: &'static str) -> impl Fn(JsValue) -> Error {
    move |value| Error::host(call, describe_js_error(&value))
}

/// `value` as parsed JSON, crossing into wasm once (`JSON.stringify`); `None` for `undefined`/`null`.
fn as_json(value: &JsValue, call: &'static str) -> Result<Option<Json>, Error> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let Some(text) = json_stringify(value).map_err(thrown(call))?.as_string() else {
        return Ok(None);
    };
    json::parse(&text)
        .map(Some)
        .map_err(|err| Error::host(call, err))
}

impl Event {
    /// `event.secrets` as JSON text (one `JSON.stringify`), `None` when there are none.
    pub fn secrets_text(&self) -> Result<Option<String>, Error> {
        let secrets = self.secrets().map_err(thrown("event.secrets"))?;
        if secrets.is_undefined() || secrets.is_null() {
            return Ok(None);
        }
        Ok(json_stringify(&secrets)
            .map_err(thrown("JSON.stringify(event.secrets)"))?
            .as_string())
    }

    /// Reads `event.authorization.roles` as entries, `None` for each entry that is not a string.
    /// Absent or `null` `authorization` or `roles` give no entries; more than `limit` entries is an error.
    pub fn role_entries(&self, limit: usize) -> Result<Vec<Option<String>>, Error> {
        let authorization = self
            .authorization()
            .map_err(thrown("event.authorization"))?;
        if authorization.is_undefined() || authorization.is_null() {
            return Ok(Vec::new());
        }
        let roles = authorization
            .unchecked_into::<Authorization>()
            .roles()
            .map_err(thrown("event.authorization.roles"))?;
        if roles.is_undefined() || roles.is_null() {
            return Ok(Vec::new());
        }
        if !is_array(&roles).map_err(thrown("Array.isArray(event.authorization.roles)"))? {
            return Err(Error::Event(format!(
                "authorization.roles is {}, not an array",
                type_name(&roles)
            )));
        }
        // Checked before JSON.stringify, so a huge sparse array is refused without being written out.
        let length = Reflect::get(&roles, &JsValue::from_str("length"))
            .map_err(thrown("event.authorization.roles.length"))?
            .as_f64()
            .unwrap_or(0.0);
        if length > limit as f64 {
            // Whole numbers only in messages: formatting an f64 would add kilobytes of float code.
            let shown = length.min(u32::MAX as f64) as u32;
            return Err(Error::Event(format!(
                "authorization.roles has {shown} entries, more than {limit}"
            )));
        }
        match as_json(&roles, "JSON.stringify(event.authorization.roles)")? {
            Some(Json::Array(items)) => Ok(items
                .into_iter()
                .map(|item| match item {
                    Json::String(name) => Some(name),
                    _ => None,
                })
                .collect()),
            _ => Ok(Vec::new()),
        }
    }
}

/// Reads `object[key]`, `None` when the object is `undefined`/`null` or the value is not a string.
fn string_field(object: &JsValue, key: &str, call: &'static str) -> Result<Option<String>, Error> {
    if object.is_undefined() || object.is_null() {
        return Ok(None);
    }
    Ok(Reflect::get(object, &JsValue::from_str(key))
        .map_err(thrown(call))?
        .as_string())
}

impl Event {
    /// `event.user.user_id`, required and non-empty.
    pub fn user_id(&self) -> Result<String, Error> {
        let user = self.user().map_err(thrown("event.user"))?;
        match string_field(&user, "user_id", "event.user.user_id")? {
            Some(id) if !id.is_empty() => Ok(id),
            _ => Err(Error::Event(
                "user.user_id is missing or not a non-empty string".into(),
            )),
        }
    }

    /// `event.resource_server.identifier`, the requested API, when there is one.
    pub fn requested_api(&self) -> Result<Option<String>, Error> {
        let server = self
            .resource_server()
            .map_err(thrown("event.resource_server"))?;
        Ok(
            string_field(&server, "identifier", "event.resource_server.identifier")?
                .filter(|id| !id.is_empty()),
        )
    }
}

impl Api {
    /// `api.cache.get(key)`: the record when there is a well-formed one.
    pub fn cache_get(&self, key: &str) -> Result<Option<CacheRecord>, Error> {
        let cache = self.cache().map_err(thrown("api.cache"))?;
        let record = cache.get_record(key).map_err(thrown("api.cache.get"))?;
        let value = string_field(&record, "value", "api.cache.get().value")?;
        let expires_at = if record.is_object() {
            Reflect::get(&record, &JsValue::from_str("expires_at"))
                .map_err(thrown("api.cache.get().expires_at"))?
                .as_f64()
        } else {
            None
        };
        Ok(value
            .zip(expires_at)
            .map(|(value, expires_at_ms)| CacheRecord {
                value,
                expires_at_ms,
            }))
    }

    /// `api.cache.set(key, value, {expires_at})`; `Err` holds the error code or what was thrown.
    pub fn cache_set(&self, key: &str, value: &str, expires_at_ms: f64) -> Result<(), String> {
        let cache = self.cache().map_err(|e| describe_js_error(&e))?;
        let options = js_sys::Object::new();
        Reflect::set(
            &options,
            &JsValue::from_str("expires_at"),
            &JsValue::from_f64(expires_at_ms.floor()),
        )
        .map_err(|e| describe_js_error(&e))?;
        let result = cache
            .set_record(key, value, &options)
            .map_err(|e| describe_js_error(&e))?;
        let field = |name: &str| {
            Reflect::get(&result, &JsValue::from_str(name))
                .ok()
                .and_then(|v| v.as_string())
        };
        match field("type").as_deref() {
            Some("success") => Ok(()),
            Some("error") => Err(field("code").unwrap_or_else(|| "unknown error code".into())),
            _ => Err("unexpected result".into()),
        }
    }

    /// `api.cache.delete(key)`; a missing key is fine.
    pub fn cache_delete(&self, key: &str) -> Result<(), Error> {
        let cache = self.cache().map_err(thrown("api.cache"))?;
        cache
            .delete_record(key)
            .map_err(thrown("api.cache.delete"))?;
        Ok(())
    }

    /// Sets each claim (name, value) on the ID token (`id == true`) or the access token.
    pub fn set_claims(&self, id: bool, claims: &[(JsValue, JsValue)]) -> Result<(), Error> {
        if claims.is_empty() {
            return Ok(());
        }
        let (token, call) = if id {
            (
                self.id_token().map_err(thrown("api.idToken"))?,
                "api.idToken.setCustomClaim",
            )
        } else {
            (
                self.access_token().map_err(thrown("api.accessToken"))?,
                "api.accessToken.setCustomClaim",
            )
        };
        for (name, value) in claims {
            token.set_custom_claim(name, value).map_err(thrown(call))?;
        }
        Ok(())
    }

    /// Denies the login with `reason`.
    pub fn deny_login(&self, reason: &str) -> Result<(), Error> {
        let access = self.access().map_err(thrown("api.access"))?;
        access.deny(reason).map_err(thrown("api.access.deny"))?;
        Ok(())
    }
}

/// A JSON text as a JavaScript value (`JSON.parse`): one crossing for a whole claim value.
pub fn parse_json(text: &str) -> Result<JsValue, Error> {
    json_parse(text).map_err(thrown("JSON.parse(claim value)"))
}
