//! [`Io`] for the Action host: the global `fetch` (with `AbortSignal.timeout`), `setTimeout`,
//! `Date.now`, `Math.random`, `api.cache` and `console.log`. Every JS call that can throw is caught.

use super::decode::RESPONSE_FIELDS;
use super::{CacheRecord, Io, Method, Request, Response};
use crate::host::{describe_js_error, log, Api};
use crate::json::Json;
use js_sys::{Function, Object, Promise, Reflect};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(url: &str, init: &JsValue) -> Result<Promise, JsValue>;

    type FetchResponse;
    #[wasm_bindgen(method, getter, catch)]
    fn status(this: &FetchResponse) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn headers(this: &FetchResponse) -> Result<FetchHeaders, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn text(this: &FetchResponse) -> Result<Promise, JsValue>;

    type FetchHeaders;
    #[wasm_bindgen(method, catch)]
    fn get(this: &FetchHeaders, name: &str) -> Result<JsValue, JsValue>;

    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, text: &JsValue) -> js_sys::Uint8Array;

    #[wasm_bindgen(catch, js_namespace = AbortSignal, js_name = timeout)]
    fn abort_signal_timeout(ms: f64) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

thread_local! {
    /// One encoder per instance.
    static UTF8: TextEncoder = TextEncoder::new();
}

/// A 2xx body: its text crosses into wasm once and [`crate::json`] reads it, building only the fields
/// the decoders use ([`RESPONSE_FIELDS`]). No JavaScript parse at all: measured, parsing natively and
/// reducing with `JSON.stringify(body, fields)` cost more than this.
async fn read_body(response: &FetchResponse) -> Result<Json, String> {
    // Only the error's name: a body read error can quote the body, and a token response's body holds
    // the token.
    let promise = response.text().map_err(|e| error_name(&e))?;
    let text = JsFuture::from(promise).await.map_err(|e| error_name(&e))?;
    let text = text
        .as_string()
        .ok_or_else(|| "body is not text".to_owned())?;
    crate::json::parse_keeping(&text, Some(RESPONSE_FIELDS))
}

/// The host side of the Management API client for one login.
pub struct JsIo<'a> {
    api: &'a Api,
}

impl<'a> JsIo<'a> {
    /// I/O through the host's globals and this login's `api.cache`.
    pub fn new(api: &'a Api) -> Self {
        Self { api }
    }
}

/// Describes a fetch failure, with its `cause` (Node puts the socket error there).
fn describe_fetch_error(thrown: &JsValue) -> String {
    let described = describe_js_error(thrown);
    match Reflect::get(thrown, &JsValue::from_str("cause")) {
        Ok(cause) if !cause.is_undefined() && !cause.is_null() => {
            format!("{described} (cause: {})", describe_js_error(&cause))
        }
        _ => described,
    }
}

/// The `name` of a thrown error (`SyntaxError`, `TimeoutError`, ...), never its message.
fn error_name(thrown: &JsValue) -> String {
    let name = Reflect::get(thrown, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string());
    format!("body unreadable ({})", name.as_deref().unwrap_or("error"))
}

fn set(target: &Object, key: &str, value: &JsValue) -> Result<(), String> {
    Reflect::set(target, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|e| describe_js_error(&e))
}

/// A `setTimeout` as a future; dropping it clears the timer so nothing keeps Node awake.
struct Sleep {
    timer: JsValue,
    done: JsFuture,
}

impl Sleep {
    fn new(ms: f64) -> Self {
        let ms = if ms.is_finite() {
            ms.clamp(0.0, 2_147_483_647.0)
        } else {
            0.0
        };
        let mut timer = JsValue::UNDEFINED;
        let promise = Promise::new(&mut |resolve, _reject| timer = set_timeout(&resolve, ms));
        Self {
            timer,
            done: JsFuture::from(promise),
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.done).poll(cx).map(|_| ())
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        clear_timeout(&self.timer);
    }
}

impl Io for JsIo<'_> {
    async fn send(&self, request: Request, timeout_ms: f64) -> Result<Response, String> {
        let init = Object::new();
        let method = match request.method {
            Method::Get => "GET",
            Method::Post => "POST",
        };
        set(&init, "method", &JsValue::from_str(method))?;
        let headers = Object::new();
        for (name, value) in &request.headers {
            set(&headers, name, &JsValue::from_str(value))?;
        }
        set(&init, "headers", &headers)?;
        if let Some(body) = &request.body {
            set(&init, "body", &JsValue::from_str(body))?;
        }
        let signal =
            abort_signal_timeout(timeout_ms.max(1.0).floor()).map_err(|e| describe_js_error(&e))?;
        set(&init, "signal", &signal)?;
        let pending = global_fetch(&request.url, &init).map_err(|e| describe_fetch_error(&e))?;
        let response: FetchResponse = JsFuture::from(pending)
            .await
            .map_err(|e| describe_fetch_error(&e))?
            .unchecked_into();
        let status = response
            .status()
            .ok()
            .and_then(|s| s.as_f64())
            .filter(|s| (100.0..=599.0).contains(s))
            .map_or(0, |s| s as u16);
        let header = |name: &str| {
            response
                .headers()
                .ok()
                .and_then(|h| h.get(name).ok())
                .and_then(|v| v.as_string())
        };
        let rate_limit_reset = header("x-ratelimit-reset");
        let retry_after = header("retry-after");
        let body = if (200..300).contains(&status) {
            read_body(&response).await
        } else {
            // Drain the (small) error body so the connection is released; its content is not needed.
            if let Ok(promise) = response.text() {
                let _ = JsFuture::from(promise).await;
            }
            Err(format!("status {status}: body not read"))
        };
        Ok(Response {
            status,
            rate_limit_reset,
            retry_after,
            body,
        })
    }

    fn sleep(&self, ms: f64) -> impl Future<Output = ()> {
        Sleep::new(ms)
    }

    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }

    fn cache_get(&self, key: &str) -> Option<CacheRecord> {
        match self.api.cache_get(key) {
            Ok(record) => record,
            Err(err) => {
                log(&format!("api.cache unavailable: {err}"));
                None
            }
        }
    }

    fn cache_set(&self, key: &str, value: &str, expires_at_ms: f64) -> Result<(), String> {
        self.api.cache_set(key, value, expires_at_ms)
    }

    fn cache_delete(&self, key: &str) {
        if let Err(err) = self.api.cache_delete(key) {
            log(&format!("api.cache.delete failed: {err}"));
        }
    }

    fn log(&self, line: &str) {
        log(line);
    }
}
