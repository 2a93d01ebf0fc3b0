//! The port's [`Io`] for the Action host: the global `fetch` (with `AbortSignal.timeout`),
//! `setTimeout`, `Date.now`, `Math.random`, `api.cache` and `console.log`. Every JS call that can
//! throw is caught.

use super::bindings::{error_kind, log, Api};
use crate::json::Json;
use crate::management::decode::RESPONSE_FIELDS;
use crate::management::flight::before;
use crate::management::{MAX_BODY_BYTES, MAX_ERROR_BODY_BYTES};
use crate::port::{CacheRecord, Io, Method, Request, Response};
use crate::prelude::*;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};
use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_name = fetch)]
    fn global_fetch(url: &str, init: &JsValue) -> Result<Promise, JsValue>;

    /// A `Uint8Array` (a body chunk, or a view of wasm memory), read through catching calls: a chunk
    /// that is a Proxy (or a subclass with its own getter) may throw, or answer differently at each read.
    type Bytes;
    /// `bytes.length`.
    #[wasm_bindgen(method, getter, catch)]
    fn length(this: &Bytes) -> Result<f64, JsValue>;
    /// `view.set(source)`: copies within `view` only; throws (a `RangeError`) when `source` holds more.
    #[wasm_bindgen(method, catch)]
    fn set(this: &Bytes, source: &Bytes) -> Result<(), JsValue>;

    type FetchResponse;
    #[wasm_bindgen(method, getter, catch)]
    fn status(this: &FetchResponse) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn headers(this: &FetchResponse) -> Result<FetchHeaders, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn text(this: &FetchResponse) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn body(this: &FetchResponse) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch)]
    fn redirected(this: &FetchResponse) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, getter, catch, js_name = type)]
    fn response_type(this: &FetchResponse) -> Result<JsValue, JsValue>;

    /// `response.body`, a `ReadableStream` of bytes.
    type BodyStream;
    #[wasm_bindgen(method, catch, js_name = getReader)]
    fn get_reader(this: &BodyStream) -> Result<BodyReader, JsValue>;

    type BodyReader;
    #[wasm_bindgen(method, catch)]
    fn read(this: &BodyReader) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, catch)]
    fn cancel(this: &BodyReader) -> Result<Promise, JsValue>;

    type FetchHeaders;
    #[wasm_bindgen(method, catch)]
    fn get(this: &FetchHeaders, name: &str) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(catch, js_namespace = AbortSignal, js_name = timeout)]
    fn abort_signal_timeout(ms: f64) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

/// Reads a body of at most `limit` bytes, chunk by chunk as it arrives, and cancels it (unread past
/// that point) when it is longer: a hostile answer costs at most `limit` bytes of memory and copying.
/// A host whose responses have no byte stream (a test double) is read with `text()`, then measured.
async fn read_bounded(
    response: &FetchResponse,
    limit: usize,
    signal: &JsValue,
) -> Result<Vec<u8>, String> {
    // A declared length over the limit: nothing is read.
    let declared = header(response, "content-length").and_then(|l| l.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        cancel_body(response).await;
        return Err(format!("body larger than {limit} bytes"));
    }
    let stream = response.body().map_err(|e| error_kind("body", &e))?;
    let has_reader = stream.is_object()
        && Reflect::get(&stream, &JsValue::from_str("getReader")).is_ok_and(|f| f.is_function());
    if !has_reader {
        let promise = response.text().map_err(|e| error_kind("body", &e))?;
        let text = Awaited::new(&promise)
            .await
            .map_err(|e| error_kind("body", &e))?
            .as_string()
            .ok_or_else(|| "body is not text".to_owned())?;
        if text.len() > limit {
            return Err(format!("body larger than {limit} bytes"));
        }
        return Ok(text.into_bytes());
    }
    let reader = stream
        .unchecked_into::<BodyStream>()
        .get_reader()
        .map_err(|e| error_kind("body", &e))?;
    let mut bytes = Vec::new();
    loop {
        let promise = reader.read().map_err(|e| error_kind("body", &e))?;
        let chunk = Awaited::new(&promise)
            .await
            .map_err(|e| error_kind("body", &e))?;
        let done =
            Reflect::get(&chunk, &JsValue::from_str("done")).map_err(|e| error_kind("body", &e))?;
        // A stream ended by the request's timeout is not a whole body.
        if aborted(signal) {
            return Err("body failed: TimeoutError".to_owned());
        }
        if done.is_truthy() {
            return Ok(bytes);
        }
        let value = Reflect::get(&chunk, &JsValue::from_str("value"))
            .map_err(|e| error_kind("body", &e))?;
        let Some(chunk) = value.dyn_ref::<Uint8Array>() else {
            return Err("body chunk is not bytes".to_owned());
        };
        // The length is read once and the copy cannot go past it: a chunk whose `length` changes
        // between reads (a Proxy that passes `instanceof`) must not make wasm memory be written past
        // the bytes made room for (as `to_vec` / `copy_to`, which read it again, would).
        let chunk: &Bytes = chunk.unchecked_ref();
        let length = chunk.length().map_err(|e| error_kind("body", &e))?;
        let room = limit.saturating_sub(bytes.len());
        if !(length >= 0.0 && length <= room as f64) {
            // Stop the transfer: the rest is never read.
            if let Ok(promise) = reader.cancel() {
                let _ = Awaited::new(&promise).await;
            }
            return Err(format!("body larger than {limit} bytes"));
        }
        let start = bytes.len();
        bytes.resize(start + length as usize, 0);
        let Some(target) = bytes.get_mut(start..) else {
            return Err("body chunk is not bytes".to_owned());
        };
        // SAFETY: the view covers exactly `target`, which outlives the call, and nothing allocates
        // in wasm memory between making the view and the copy (an allocation that grew the memory
        // would detach the view: `set` then throws, caught here). `set` writes within the view only.
        let view = unsafe { Uint8Array::view_mut_raw(target.as_mut_ptr(), target.len()) };
        view.unchecked_ref::<Bytes>()
            .set(chunk)
            .map_err(|e| error_kind("body", &e))?;
    }
}

/// Whether the request's `AbortSignal` has fired.
fn aborted(signal: &JsValue) -> bool {
    Reflect::get(signal, &JsValue::from_str("aborted")).is_ok_and(|a| a.is_truthy())
}

/// A response header, when the host gives it as a string.
fn header(response: &FetchResponse, name: &str) -> Option<String> {
    response
        .headers()
        .ok()
        .and_then(|h| h.get(name).ok())
        .and_then(|v| v.as_string())
}

/// Cancels a body that will not be read, so its connection is released.
async fn cancel_body(response: &FetchResponse) {
    let stream = response.body().unwrap_or(JsValue::NULL);
    let cancel = Reflect::get(&stream, &JsValue::from_str("cancel")).ok();
    if let Some(cancel) = cancel.and_then(|f| f.dyn_into::<Function>().ok()) {
        if let Ok(promise) = cancel.call0(&stream) {
            if let Ok(promise) = promise.dyn_into::<Promise>() {
                let _ = Awaited::new(&promise).await;
            }
        }
    }
}

/// A 2xx body, read within [`MAX_BODY_BYTES`]; [`crate::json`] builds only the fields the decoders
/// use ([`RESPONSE_FIELDS`]). No JavaScript parse at all: measured, parsing natively and reducing with
/// `JSON.stringify(body, fields)` cost more than this.
async fn read_body(response: &FetchResponse, signal: &JsValue) -> Result<Json, String> {
    let bytes = read_bounded(response, MAX_BODY_BYTES, signal).await?;
    let text = String::from_utf8(bytes).map_err(|_| "body is not UTF-8".to_owned())?;
    crate::json::parse_keeping(&text, Some(RESPONSE_FIELDS))
}

/// The host side of the Management API client for one login.
pub struct JsIo {
    api: Api,
}

impl JsIo {
    /// I/O through the host's globals and this login's `api.cache`.
    pub fn new(api: Api) -> Self {
        Self { api }
    }

    /// This login's `api` object.
    pub fn api(&self) -> &Api {
        &self.api
    }
}

fn set(target: &Object, key: &str, value: &JsValue) -> Result<(), String> {
    Reflect::set(target, &JsValue::from_str(key), value)
        .map(|_| ())
        .map_err(|e| error_kind("request", &e))
}

/// A `setTimeout` as a future. Dropped before it fires, it clears the timer (nothing keeps Node
/// awake), and its wait is given up like any other ([`Awaited`]), so nothing stays in wasm memory.
struct Sleep {
    timer: JsValue,
    done: Awaited,
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
            done: Awaited::new(&promise),
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

/// A JavaScript promise awaited so that giving up the wait settles what is awaited: the wait races the
/// promise against one this value resolves when it is dropped. A `JsFuture` whose promise never
/// settles (a host call that hangs, a `fetch` that ignores its abort signal, a cleared timer) would
/// keep its callbacks and state in wasm memory for good (measured: megabytes over 100,000 logins).
pub(super) struct Awaited {
    done: JsFuture,
    cancel: Option<Function>,
}

impl Awaited {
    pub(super) fn new(promise: &Promise) -> Self {
        let mut cancel = None;
        let stop = Promise::new(&mut |resolve, _reject| cancel = Some(resolve));
        let raced = Promise::race(&js_sys::Array::of2(promise, &stop));
        Self {
            done: JsFuture::from(raced),
            cancel,
        }
    }
}

impl Future for Awaited {
    type Output = Result<JsValue, JsValue>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.done).poll(cx)
    }
}

impl Drop for Awaited {
    fn drop(&mut self) {
        if let Some(cancel) = self.cancel.take() {
            let _ = cancel.call0(&JsValue::UNDEFINED);
        }
    }
}

impl JsIo {
    /// One request with `fetch`, aborted by `AbortSignal.timeout(timeout_ms)`.
    async fn send_once(&self, request: Request, timeout_ms: f64) -> Result<Response, String> {
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
        // Never follow a redirect: the answer is the 3xx itself, a failure of this request, so the
        // client secret and the bearer token go to the managementUrl origin and nowhere else.
        set(&init, "redirect", &JsValue::from_str("manual"))?;
        if let Some(body) = &request.body {
            set(&init, "body", &JsValue::from_str(body))?;
        }
        let signal = abort_signal_timeout(super::floor(timeout_ms.max(1.0)))
            .map_err(|e| error_kind("fetch", &e))?;
        set(&init, "signal", &signal)?;
        // Errors are described by name and cause code only: a fetch error's message can quote the
        // request (Node quotes a rejected header, i.e. the whole Authorization value).
        let pending = global_fetch(&request.url, &init).map_err(|e| error_kind("fetch", &e))?;
        let response: FetchResponse = Awaited::new(&pending)
            .await
            .map_err(|e| error_kind("fetch", &e))?
            .unchecked_into();
        // A host whose fetch followed a redirect anyway (or hid it): the answer is not used.
        let followed = response.redirected().is_ok_and(|r| r.is_truthy())
            || response
                .response_type()
                .ok()
                .and_then(|t| t.as_string())
                .is_some_and(|t| t == "opaqueredirect");
        let status = response
            .status()
            .ok()
            .and_then(|s| s.as_f64())
            .filter(|s| (100.0..=599.0).contains(s) && !followed)
            .map_or(0, |s| s as u16);
        let rate_limit_reset = header(&response, "x-ratelimit-reset");
        let retry_after = header(&response, "retry-after");
        let body = if (200..300).contains(&status) {
            read_body(&response, &signal).await
        } else {
            // Drain a small error body so the connection is released; its content is not needed.
            let _ = read_bounded(&response, MAX_ERROR_BODY_BYTES, &signal).await;
            Err(format!("status {status}: body not read"))
        };
        // A body cut short by the request's timeout is a timeout (the budget's, or the per-request
        // cap's), not a malformed answer: retried or reported as such.
        if aborted(&signal) {
            return Err("fetch failed: TimeoutError (while reading the body)".to_owned());
        }
        Ok(Response {
            status,
            rate_limit_reset,
            retry_after,
            body,
        })
    }
}

/// How long past its timeout a request is given to end by its abort signal before it is given up.
const ABORT_GRACE_MS: f64 = 100.0;

impl Io for JsIo {
    async fn send(&self, request: Request, timeout_ms: f64) -> Result<Response, String> {
        // A host whose fetch (or body stream) ignores its abort signal still ends at the timeout.
        before(
            self.send_once(request, timeout_ms),
            Sleep::new(timeout_ms + ABORT_GRACE_MS),
        )
        .await
        .unwrap_or_else(|| {
            Err("fetch failed: TimeoutError (the host's fetch ignored its abort signal)".to_owned())
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
