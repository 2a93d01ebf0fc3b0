//! Bindings to Auth0's post-login objects: the few `event` fields we read, the `api` methods we call,
//! `console`.
//!
//! Every getter and method that JavaScript can make throw (a `null` object, a Proxy, a frozen object) is
//! bound with `catch`, so a hostile event becomes an [`Error`], never an exception through the wasm stack.
//! Nothing else lives here: no policy.

use crate::config::ALL_KEYS;
use crate::error::Error;
use crate::port::{CacheRecord, Token};
use crate::prelude::*;
use alloc::rc::Rc;
use core::cell::RefCell;
use js_sys::{Array, Function, JsString, Reflect};
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
    #[wasm_bindgen(method, getter, catch)]
    fn organization(this: &Event) -> Result<JsValue, JsValue>;

    /// `event.authorization`: `{ roles: string[] }`.
    type Authorization;
    #[wasm_bindgen(method, getter, catch)]
    fn roles(this: &Authorization) -> Result<JsValue, JsValue>;

    /// `Function(parameters, body)`: a function made from source, once per instance; throws where
    /// code generation from strings is not allowed.
    #[wasm_bindgen(catch, js_name = Function)]
    fn make_function(parameters: &str, body: &str) -> Result<Function, JsValue>;
    /// `JSON.stringify(value, keys)`: only the listed keys are read, at every depth.
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = stringify)]
    fn json_stringify_keys(value: &JsValue, keys: &JsValue) -> Result<JsValue, JsValue>;
    /// `Object.keys(value)`: own enumerable string keys; a Proxy's traps may throw.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn object_keys(value: &JsValue) -> Result<Array, JsValue>;
    /// A promise an `api` method returned (not Auth0's, whose methods return nothing).
    type Returned;
    /// `returned.catch(handler)`; a promise-like whose `catch` throws is caught.
    #[wasm_bindgen(method, catch, js_name = catch)]
    fn ignore_rejection(
        this: &Returned,
        handler: &Closure<dyn FnMut(JsValue)>,
    ) -> Result<JsValue, JsValue>;
    /// `Object.hasOwn(object, key)`: no getter runs; a Proxy's `getOwnPropertyDescriptor` trap may throw.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = hasOwn)]
    fn has_own(object: &JsValue, key: &str) -> Result<bool, JsValue>;
    /// Throws (`URIError`) on a string with an unpaired surrogate: the check Node 18 has for that.
    #[wasm_bindgen(catch, js_name = encodeURIComponent)]
    fn encode_uri_component(text: &JsValue) -> Result<JsValue, JsValue>;
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

    /// `api.cache`: synchronous `get`, `set`, `delete`.
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

    /// `api.accessToken.addScope(scope)`: throws on an invalid scope, or is missing on an older host.
    #[wasm_bindgen(method, catch, js_name = addScope)]
    fn add_scope(this: &TokenApi, scope: &str) -> Result<JsValue, JsValue>;

    /// `api.access`.
    type AccessApi;
    #[wasm_bindgen(method, catch)]
    fn deny(this: &AccessApi, reason: &str) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    pub(super) fn is_array(value: &JsValue) -> Result<bool, JsValue>;

    /// `console.log`, caught: a host whose console throws loses the line, never the login (an
    /// exception through a poll would end it as an internal failure, even after its claims were set).
    #[wasm_bindgen(catch, js_namespace = console, js_name = log)]
    fn console_log(line: &str) -> Result<(), JsValue>;
}

/// Writes one operator log line ([`crate::error::log_line`]: prefixed, one line, at most 256 characters).
pub fn log(line: &str) {
    let _ = console_log(&crate::error::log_line(line));
}

/// What the reads of one string list are called in messages: `Array.isArray`, `.length`, an entry.
pub(super) struct ListCalls {
    is_array: &'static str,
    length: &'static str,
    entry: &'static str,
}

/// `event.authorization.roles`.
const EVENT_ROLES: ListCalls = ListCalls {
    is_array: "Array.isArray(event.authorization.roles)",
    length: "event.authorization.roles.length",
    entry: "event.authorization.roles[i]",
};

/// The roles array in `event.user.app_metadata` (`roles=metadata`).
const METADATA_ROLES: ListCalls = ListCalls {
    is_array: "Array.isArray(event.user.app_metadata roles)",
    length: "event.user.app_metadata roles.length",
    entry: "event.user.app_metadata roles[i]",
};

/// The entries of the array `list` (`label` in messages), `None` for each one that is not a
/// well-formed string: more than `limit` entries, or more than `max_chars` UTF-16 units of strings,
/// is an error, found before long strings are copied. Each entry read is also pushed to `read`.
fn string_entries(
    list: &JsValue,
    label: &str,
    calls: &ListCalls,
    limit: usize,
    max_chars: usize,
    read: Option<&Array>,
) -> Result<Vec<Option<String>>, Error> {
    if !is_array(list).map_err(thrown(calls.is_array))? {
        return Err(Error::Event(format!(
            "{label} is {}, not an array",
            type_name(list)
        )));
    }
    let limit = limit.min(u32::MAX as usize) as u32;
    let length = match array_length(list, limit).map_err(thrown(calls.length))? {
        Length::Fits(length) => length,
        Length::TooMany(shown) => {
            return Err(Error::Event(format!(
                "{label} has {shown} entries, more than {limit}"
            )))
        }
        // An array whose length lies (only a Proxy can): its entries up to that bound are read.
        Length::Invalid(read_as) => read_as,
    };
    // One read per entry: its type is checked before anything is converted, so an object with
    // toJSON, a Date or a Proxy is dropped, never turned into a role name.
    let mut chars_left = max_chars as u32;
    let mut entries = Vec::with_capacity(length as usize);
    for index in 0..length {
        let entry = Reflect::get_u32(list, index).map_err(thrown(calls.entry))?;
        match well_formed_string(&entry, chars_left) {
            Ok(name) => {
                chars_left = chars_left.saturating_sub(name.encode_utf16().count() as u32);
                if let Some(read) = read {
                    read.push(&entry);
                }
                entries.push(Some(name));
            }
            Err(BadString::TooLong) => {
                return Err(Error::Event(format!(
                    "{label} holds more than {max_chars} characters: the claim cannot fit maxClaimBytes"
                )))
            }
            Err(_) => entries.push(None),
        }
    }
    Ok(entries)
}

/// Writes `line` as it is: the `logLine=json` line, made of words and numbers by the core.
pub fn write_line(line: &str) {
    let _ = console_log(line);
}

/// Describes a thrown value by its error `name` and `cause.code` only, never its message (which can
/// quote request data, e.g. a rejected `Authorization` header): see [`crate::error::error_kind_text`].
pub fn error_kind(what: &str, thrown: &JsValue) -> String {
    let field = |object: &JsValue, name: &str| {
        if object.is_object() {
            Reflect::get(object, &JsValue::from_str(name))
                .ok()
                .and_then(|v| v.as_string())
        } else {
            None
        }
    };
    let cause = if thrown.is_object() {
        Reflect::get(thrown, &JsValue::from_str("cause")).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    };
    // Node puts the socket error's code on the cause; a timeout's cause has a `name` instead.
    let code = field(&cause, "code").or_else(|| field(&cause, "name"));
    crate::error::error_kind_text(what, field(thrown, "name").as_deref(), code.as_deref())
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
pub(super) fn type_name(value: &JsValue) -> &'static str {
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

/// Like [`thrown`], but keeps only the error's name and cause code: for calls whose thrown message
/// could quote a token (`api.cache`).
fn named(call: &'static str) -> impl Fn(JsValue) -> Error {
    move |value| Error::host(call, error_kind(call, &value))
}

/// The settings text as read (`None`: no secrets), shared with the login.
type SettingsText = Option<Rc<str>>;

/// Longest `event.secrets` text read (UTF-16 units): Auth0 allows 30 secrets of 4096 characters.
pub(crate) const MAX_SECRETS_TEXT: u32 = 256 * 1024;
/// Longest `user_id` read (UTF-16 units); Auth0 ids are `provider|id`, far shorter.
pub(crate) const MAX_USER_ID: u32 = 1024;

instance_local! {
    /// [`ALL_KEYS`] as a JavaScript array, made once per instance: the replacer of `JSON.stringify`.
    static SETTING_KEYS: JsValue = ALL_KEYS.iter().map(|k| JsValue::from_str(k)).collect::<Array>().into();
    /// The reader [`SETTINGS_READER`] makes, made once per instance, when this runtime allows it.
    static SETTINGS_READER_FN: Option<Function> = make_function("keys", SETTINGS_READER)
        .ok()
        .and_then(|make| SETTING_KEYS.with(|keys| make.call1(&JsValue::UNDEFINED, keys)).ok())
        .and_then(|reader| reader.dyn_into::<Function>().ok());
    /// The last settings text (a JavaScript string), with its copy in wasm memory once it was found
    /// valid (`None` inside: it was not).
    static LAST_SECRETS: RefCell<Option<(JsValue, Option<SettingsText>)>> = const { RefCell::new(None) };
    /// The property name `length`, made once per instance.
    static LENGTH_KEY: JsValue = JsValue::from_str("length");
}

/// Why a JavaScript value was not taken as a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BadString {
    NotString,
    TooLong,
    UnpairedSurrogate,
}

impl BadString {
    pub(super) fn describe(self) -> &'static str {
        match self {
            Self::NotString => "not a string",
            Self::TooLong => "too long",
            Self::UnpairedSurrogate => "a string with an unpaired surrogate",
        }
    }
}

/// `value` as a Rust string if it is a primitive string of at most `max` UTF-16 units with no unpaired
/// surrogate (Rust cannot keep one exactly; it would silently become U+FFFD).
pub(super) fn well_formed_string(value: &JsValue, max: u32) -> Result<String, BadString> {
    if !value.is_string() {
        return Err(BadString::NotString);
    }
    if value.unchecked_ref::<JsString>().length() > max {
        return Err(BadString::TooLong);
    }
    let text = value.as_string().ok_or(BadString::NotString)?;
    // as_string turns an unpaired surrogate into U+FFFD; only then is the (native) check needed.
    // Bytes, not `contains('\u{FFFD}')`: a multi-byte char pattern links the two-way searcher.
    let replaced = crate::config::find_bytes(&text, "\u{FFFD}".as_bytes()).is_some();
    if replaced && encode_uri_component(value).is_err() {
        return Err(BadString::UnpairedSurrogate);
    }
    Ok(text)
}

/// Makes the settings reader, given the keys: a function that writes what `JSON.stringify(s, keys)`
/// writes, reading what it reads once each (for an object that is no array: `s.toJSON`, then each of
/// `keys`) but several times faster: V8's stringify with a key list looks every listed key up through
/// its slow path (1.3 µs a login, measured). The values read are copied into a new object and written
/// by the fast path when each is a string, number, boolean or null (Auth0's secrets are strings), else
/// with the key list. When every value is the same (`===`) as the last login's, all of those kinds (no
/// object, function or bigint, whose `toJSON` could give another text), and that text was written, it
/// writes nothing and returns `true`: the text is the last one. A call made while another runs (a getter
/// of `event.secrets` that starts a login) is counted: the outer call then neither answers `true` nor
/// keeps its values, as the text kept in Rust is the inner call's; each call reads into its own array.
const SETTINGS_READER: &str = "const n = keys.length;
let last = null;
let calls = 0;
return function (s) {
  const call = ++calls;
  if (typeof s !== 'object' || s === null || Array.isArray(s) || typeof s.toJSON === 'function') {
    last = null;
    return JSON.stringify(s, keys);
  }
  const prev = last;
  const cur = new Array(n);
  let same = prev !== null;
  let flat = true;
  for (let i = 0; i < n; i++) {
    const v = s[keys[i]];
    cur[i] = v;
    const t = typeof v;
    if (!(t === 'string' || t === 'number' || t === 'boolean' || v === null || v === undefined)) flat = false;
    if (same && v !== prev[i]) same = false;
  }
  if (same && flat && calls === call) return true;
  const o = {};
  for (let i = 0; i < n; i++) if (cur[i] !== undefined) o[keys[i]] = cur[i];
  last = null;
  const text = flat ? JSON.stringify(o) : JSON.stringify(o, keys);
  if (flat && calls === call) last = cur;
  return text;
};";

impl Event {
    /// The settings part of `event.secrets` as JSON text, as one `JSON.stringify(secrets, ALL_KEYS)`
    /// writes it, reading only the keys in [`ALL_KEYS`], once each (other secrets are never touched).
    /// `None` when there are no secrets. The text is copied into wasm memory only when it differs
    /// from the last login's (compared in JavaScript): an Action's secrets rarely change.
    pub fn secrets_text(&self) -> Result<Option<Rc<str>>, Error> {
        let secrets = self.secrets().map_err(thrown("event.secrets"))?;
        if secrets.is_undefined() || secrets.is_null() {
            return Ok(None);
        }
        let text = SETTING_KEYS
            .with(|keys| match SETTINGS_READER_FN.with(Option::clone) {
                Some(reader) => reader.call1(&JsValue::UNDEFINED, &secrets),
                None => json_stringify_keys(&secrets, keys),
            })
            .map_err(thrown("JSON.stringify(event.secrets)"))?;
        LAST_SECRETS.with(|last| {
            let mut last = last.borrow_mut();
            // `true`: the reader found the values of the last login's text.
            let same = match last.as_ref() {
                Some((seen, _)) => text.as_bool() == Some(true) || *seen == text,
                None => false,
            };
            if !same {
                *last = Some((text, None));
            }
            let Some((text, checked)) = last.as_mut() else {
                return Ok(None);
            };
            if let Some(settings) = checked {
                return Ok(settings.clone());
            }
            let settings = settings_text(text)?.map(Rc::from);
            *checked = Some(settings.clone());
            Ok(settings)
        })
    }

    /// The names of `event.secrets` (`Object.keys`: no getter runs, no value is read), at most `limit`
    /// of them, each a well-formed string of at most `max_chars` UTF-16 units (others are left out);
    /// empty when `event.secrets` is no object or its keys cannot be listed (a throwing Proxy).
    pub fn secret_names(&self, limit: usize, max_chars: usize) -> Vec<String> {
        let Ok(secrets) = self.secrets() else {
            return Vec::new();
        };
        if !secrets.is_object() {
            return Vec::new();
        }
        let Ok(keys) = object_keys(&secrets) else {
            return Vec::new();
        };
        let max_chars = u32::try_from(max_chars).unwrap_or(u32::MAX);
        let mut names = Vec::new();
        for index in (0..keys.length()).take(limit) {
            if let Ok(name) = well_formed_string(&keys.get(index), max_chars) {
                names.push(name);
            }
        }
        names
    }

    /// Reads `event.authorization.roles` as entries, `None` for each entry that is not a well-formed
    /// string. Absent or `null` `authorization` or `roles` give no entries. More than `limit` entries,
    /// or more than `max_chars` characters in all (the claim could not fit `maxClaimBytes`), is an
    /// error found before any long string is copied into wasm memory. Each well-formed entry (the
    /// string itself) is also pushed onto `read`, so the roles claim can be set without a copy.
    pub fn role_entries(
        &self,
        limit: usize,
        max_chars: usize,
        read: &Array,
    ) -> Result<Vec<Option<String>>, Error> {
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
        string_entries(
            &roles,
            "authorization.roles",
            &EVENT_ROLES,
            limit,
            max_chars,
            Some(read),
        )
    }

    /// The entries of the array at `path` (dot-separated keys) inside `event.user.app_metadata`,
    /// `None` when the path is missing: `user`, `app_metadata` or a key on the way is absent, `null`
    /// or not an object (a string, a number; a function). Only the path's keys are read, one `get`
    /// each (at most 9 reads, whatever getters return: no cycle is followed), then the array as
    /// `event.authorization.roles` is: at most `limit` entries and `max_chars` UTF-16 units, each
    /// entry's type checked before it is copied. A value there that is not an array is an error.
    pub fn metadata_role_entries(
        &self,
        path: &str,
        limit: usize,
        max_chars: usize,
    ) -> Result<Option<Vec<Option<String>>>, Error> {
        let mut value = self.user().map_err(thrown("event.user"))?;
        let call = "event.user.app_metadata (metadataPath)";
        for key in core::iter::once("app_metadata").chain(path.split('.')) {
            // Own properties only: a key the user's metadata lacks is missing, never found on a
            // prototype (`Object.prototype.authorization` set by other code must not give roles).
            if !value.is_object() || !has_own(&value, key).map_err(thrown(call))? {
                return Ok(None);
            }
            value = Reflect::get(&value, &JsValue::from_str(key)).map_err(thrown(call))?;
        }
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        let mut label = String::from("user.app_metadata.");
        label.push_str(path);
        string_entries(&value, &label, &METADATA_ROLES, limit, max_chars, None).map(Some)
    }
}

/// The settings text from what `JSON.stringify` wrote: `None` for `undefined`; bounded, well formed.
fn settings_text(text: &JsValue) -> Result<Option<String>, Error> {
    if text.is_undefined() {
        return Ok(None);
    }
    well_formed_string(text, MAX_SECRETS_TEXT)
        .map(Some)
        .map_err(|why| {
            Error::Event(format!(
                "the settings in event.secrets are {}",
                why.describe()
            ))
        })
}

/// An array's `length`, checked against a limit before any entry is read.
pub(super) enum Length {
    /// At most the limit.
    Fits(u32),
    /// More than the limit (shown as a whole number).
    TooMany(u32),
    /// Not a whole number of zero or more (a Proxy or an array-like that lies), with what a loop
    /// bound reads it as.
    Invalid(u32),
}

/// Reads `array.length` and holds it against `limit`.
pub(super) fn array_length(array: &JsValue, limit: u32) -> Result<Length, JsValue> {
    let Some(length) = LENGTH_KEY.with(|key| Reflect::get(array, key))?.as_f64() else {
        return Ok(Length::Invalid(0));
    };
    if length > limit as f64 {
        // Whole numbers only in messages: formatting an f64 would add kilobytes of float code.
        return Ok(Length::TooMany(length.min(u32::MAX as f64) as u32));
    }
    if !(length >= 0.0 && length % 1.0 == 0.0) {
        // `as` reads NaN and negatives as 0, a fraction as its whole part.
        return Ok(Length::Invalid(length as u32));
    }
    Ok(Length::Fits(length as u32))
}

/// Reads `object[key]`, `None` when the object is `undefined`/`null` or the value is not a string.
fn string_field(object: &JsValue, key: &str, call: &'static str) -> Result<Option<String>, Error> {
    field_with(object, key, thrown(call))
}

/// [`string_field`] with the thrown value described by `describe`.
fn field_with(
    object: &JsValue,
    key: &str,
    describe: impl Fn(JsValue) -> Error,
) -> Result<Option<String>, Error> {
    if object.is_undefined() || object.is_null() {
        return Ok(None);
    }
    Ok(Reflect::get(object, &JsValue::from_str(key))
        .map_err(describe)?
        .as_string())
}

impl Event {
    /// `event.user.user_id`, required and non-empty.
    pub fn user_id(&self) -> Result<String, Error> {
        let user = self.user().map_err(thrown("event.user"))?;
        if user.is_undefined() || user.is_null() {
            return Err(Error::Event("user is missing".into()));
        }
        let id = Reflect::get(&user, &JsValue::from_str("user_id"))
            .map_err(thrown("event.user.user_id"))?;
        match well_formed_string(&id, MAX_USER_ID) {
            Ok(id) if !id.is_empty() => Ok(id),
            Ok(_) => Err(Error::Event("user.user_id is empty".into())),
            Err(why) => Err(Error::Event(format!("user.user_id is {}", why.describe()))),
        }
    }

    /// Whether `event.organization.id` is set (not `undefined`, `null` or `""`): an organization
    /// login. An `organization` that is not an object is refused.
    pub fn organization_login(&self) -> Result<bool, Error> {
        let organization = self.organization().map_err(thrown("event.organization"))?;
        if organization.is_undefined() || organization.is_null() {
            return Ok(false);
        }
        if !organization.is_object() {
            return Err(Error::Event(format!(
                "organization is {}, not an object",
                type_name(&organization)
            )));
        }
        let id = Reflect::get(&organization, &JsValue::from_str("id"))
            .map_err(thrown("event.organization.id"))?;
        let empty = id.is_string() && id.unchecked_ref::<JsString>().length() == 0;
        Ok(!(id.is_undefined() || id.is_null() || empty))
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
        let cache = self.cache().map_err(named("api.cache"))?;
        let record = cache.get_record(key).map_err(named("api.cache.get"))?;
        // Errors by name only: a record's getter could quote the value, a token.
        let value = field_with(&record, "value", named("api.cache.get().value"))?;
        let expires_at = if record.is_object() {
            Reflect::get(&record, &JsValue::from_str("expires_at"))
                .map_err(named("api.cache.get().expires_at"))?
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
        // Errors by name only: a thrown message could quote the value, a token.
        let cache = self.cache().map_err(|e| error_kind("api.cache", &e))?;
        let options = js_sys::Object::new();
        Reflect::set(
            &options,
            &JsValue::from_str("expires_at"),
            &JsValue::from_f64(super::floor(expires_at_ms)),
        )
        .map_err(|e| error_kind("api.cache.set", &e))?;
        let result = cache
            .set_record(key, value, &options)
            .map_err(|e| error_kind("api.cache.set", &e))?;
        let field = |name: &str| {
            Reflect::get(&result, &JsValue::from_str(name))
                .ok()
                .and_then(|v| v.as_string())
        };
        match field("type").as_deref() {
            Some("success") => Ok(()),
            Some("error") => Err(crate::error::cache_error_code(field("code").as_deref())),
            _ => Err("unexpected result".into()),
        }
    }

    /// `api.cache.delete(key)`; a missing key is fine.
    pub fn cache_delete(&self, key: &str) -> Result<(), Error> {
        let cache = self.cache().map_err(named("api.cache"))?;
        cache
            .delete_record(key)
            .map_err(named("api.cache.delete"))?;
        Ok(())
    }

    /// Sets each claim (name, value) on the ID token or the access token.
    pub fn set_claims(&self, token: Token, claims: &[(JsValue, JsValue)]) -> Result<(), Error> {
        if claims.is_empty() {
            return Ok(());
        }
        let (token, call) = match token {
            Token::Id => (
                self.id_token().map_err(thrown("api.idToken"))?,
                "api.idToken.setCustomClaim",
            ),
            Token::Access => (
                self.access_token().map_err(thrown("api.accessToken"))?,
                "api.accessToken.setCustomClaim",
            ),
        };
        for (name, value) in claims {
            quiet_if_promise(&token.set_custom_claim(name, value).map_err(thrown(call))?);
        }
        Ok(())
    }

    /// Adds each scope to the access token; a missing `addScope` throws (not a function), caught.
    pub fn add_scopes(&self, scopes: &[String]) -> Result<(), Error> {
        let token = self.access_token().map_err(thrown("api.accessToken"))?;
        for scope in scopes {
            quiet_if_promise(&token.add_scope(scope).map_err(thrown(
                "api.accessToken.addScope (permissionsAs=scope or both; set permissionsAs=claim without it)",
            ))?);
        }
        Ok(())
    }

    /// Denies the login with `reason`.
    pub fn deny_login(&self, reason: &str) -> Result<(), Error> {
        let access = self.access().map_err(thrown("api.access"))?;
        let returned = access.deny(reason).map_err(thrown("api.access.deny"))?;
        quiet_if_promise(&returned);
        Ok(())
    }
}

instance_local! {
    /// A handler that ignores a rejection, made once per instance.
    static IGNORE_REJECTION: Closure<dyn FnMut(JsValue)> = Closure::new(|_: JsValue| {});
}

/// `api` methods are synchronous; one that returns a promise anyway (not Auth0's) gets a rejection
/// handler, so its rejection cannot become an unhandled one that ends the process.
fn quiet_if_promise(returned: &JsValue) {
    // Auth0's methods return undefined: no `instanceof` crossing for them.
    if returned.is_undefined() {
        return;
    }
    if let Some(promise) = returned.dyn_ref::<js_sys::Promise>() {
        // A catching call: a Proxy (or subclass) whose `catch` throws must not unwind through wasm.
        IGNORE_REJECTION.with(|ignore| {
            let _ = promise.unchecked_ref::<Returned>().ignore_rejection(ignore);
        });
    }
}

/// A JSON text as a JavaScript value (`JSON.parse`): one crossing for a whole claim value.
pub fn parse_json(text: &str) -> Result<JsValue, Error> {
    json_parse(text).map_err(thrown("JSON.parse(claim value)"))
}
