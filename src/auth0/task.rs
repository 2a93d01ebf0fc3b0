//! A login driven by promise callbacks. [`start`] (the export `onExecutePostLogin`) runs the login as far
//! as it can go at once and returns a settled promise when it has finished; otherwise the promise of the
//! task's next wake-up, chained with `then` to [`step`], which polls the login again and returns either
//! the end (resolve, or reject with [`crate::error::NOT_DENIED_MESSAGE`]) or the next wake-up, chained the
//! same way. The JavaScript promise machinery is the driver: every poll runs inside a `then` callback,
//! so a trap (a bug, out of memory) rejects the returned promise with a `WebAssembly.RuntimeError` that
//! the JS entry catches and answers by replacing the instance — instead of an uncaught exception in a
//! microtask that would leave the login hanging. No executor (`future_to_promise`) is linked: tasks are
//! plain ids, and one callback per instance serves every login.

use super::bindings::{describe_js_error, log, Api, Event};
use crate::login::Outcome;
use crate::prelude::*;
use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
use js_sys::{Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::*;

type LoginFuture = Pin<Box<dyn Future<Output = Outcome>>>;

/// The message the entry rejects with on [`NOT_DENIED`] (one text, kept in Rust).
#[wasm_bindgen(js_name = notDeniedMessage)]
pub fn not_denied_message() -> String {
    crate::error::NOT_DENIED_MESSAGE.to_owned()
}

/// The entry's log line for a failure it caught (a trap, or a throw from the glue): described and
/// bounded as every other line; `replaced` adds the line that says the instance was replaced.
#[wasm_bindgen(js_name = logInternalFailure)]
pub fn log_internal_failure(thrown: JsValue, replaced: bool) {
    log(&format!("internal failure: {}", describe_js_error(&thrown)));
    if replaced {
        log("the wasm instance trapped and was replaced");
    }
}

/// The entry's log line when its own `api.access.deny` threw (the login is then failed by rejecting).
#[wasm_bindgen(js_name = logDenyFailure)]
pub fn log_deny_failure(thrown: JsValue) {
    log(&format!(
        "could not deny the login: api.access.deny threw: {}; failing it instead",
        describe_js_error(&thrown)
    ));
}

/// One login in progress.
struct Task {
    id: u32,
    /// `None` while being polled (taken out, so a re-entrant call cannot touch it) or once finished.
    future: Option<LoginFuture>,
    /// Woken before anyone waited.
    woken: bool,
    /// The `resolve` of the task's wake-up promise, if one waits.
    resolve: Option<Function>,
}

instance_local! {
    static TASKS: RefCell<Vec<Task>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
}

#[cfg(feature = "test-exports")]
instance_local! {
    static TRAP_NEXT_POLL: Cell<bool> = const { Cell::new(false) };
}

/// Test builds only (`--features test-exports`): the next poll of a login executes `unreachable`, a real
/// trap (at once in `onExecutePostLogin`, or in its next promise callback).
#[cfg(feature = "test-exports")]
#[wasm_bindgen(js_name = trapNextPoll)]
pub fn trap_next_poll() {
    TRAP_NEXT_POLL.with(|flag| flag.set(true));
}

/// Test builds only (`--features test-exports`): what the settings JSON `text` makes the Action do
/// ([`crate::config::outcome_json`]), for the hostile suite's expectations.
#[cfg(feature = "test-exports")]
#[wasm_bindgen(js_name = settingsOutcome)]
pub fn settings_outcome(text: &str) -> String {
    crate::config::outcome_json(text)
}

/// Test builds only (`--features test-exports`): the settings keys the Action reads, in order.
#[cfg(feature = "test-exports")]
#[wasm_bindgen(js_name = settingKeys)]
pub fn setting_keys() -> Vec<String> {
    crate::config::ALL_KEYS
        .iter()
        .map(|k| (*k).to_owned())
        .collect()
}

/// Test builds only (`--features test-exports`): the `api.cache` error codes the Action logs by name,
/// so the local host's list can be checked against them.
#[cfg(feature = "test-exports")]
#[wasm_bindgen(js_name = cacheErrorCodes)]
pub fn cache_error_codes() -> Vec<String> {
    crate::error::CACHE_ERROR_CODES
        .iter()
        .map(|k| (*k).to_owned())
        .collect()
}

/// Test builds only (`--features test-exports`): the reading limits of the binding, as JSON
/// (`maxSecretsText`, `maxUserId` in UTF-16 units, `jsonMaxDepth`), so the hostile suite's generator
/// probes them from here instead of restating them.
#[cfg(feature = "test-exports")]
#[wasm_bindgen(js_name = readingLimits)]
pub fn reading_limits() -> String {
    format!(
        r#"{{"maxSecretsText":{},"maxUserId":{},"jsonMaxDepth":{}}}"#,
        super::bindings::MAX_SECRETS_TEXT,
        super::bindings::MAX_USER_ID,
        crate::json::MAX_DEPTH
    )
}

/// Where a login is after a poll.
enum Polled {
    /// Waiting for I/O: the task stays.
    Pending,
    /// Finished (and forgotten).
    Finished(Outcome),
}

fn with_task<R>(id: u32, f: impl FnOnce(&mut Task) -> R) -> Option<R> {
    TASKS.with(|tasks| {
        tasks
            .borrow_mut()
            .iter_mut()
            .find(|task| task.id == id)
            .map(f)
    })
}

/// Wakes task `id`: resolves its pending wake-up promise (with the id), or remembers the wake for the
/// next one.
fn wake_task(id: u32) {
    let resolve = with_task(id, |task| {
        let resolve = task.resolve.take();
        if resolve.is_none() {
            task.woken = true;
        }
        resolve
    })
    .flatten();
    if let Some(resolve) = resolve {
        let _ = resolve.call1(&JsValue::UNDEFINED, &JsValue::from(id));
    }
}

/// The waker of login `id`. The id itself is the waker's data, not a pointer: making, cloning and
/// dropping it allocates nothing (an `Arc` waker was one allocation per poll).
fn task_waker(id: u32) -> Waker {
    fn raw(data: *const ()) -> RawWaker {
        RawWaker::new(data, &VTABLE)
    }
    fn wake(data: *const ()) {
        wake_task(data.addr() as u32);
    }
    fn forget(_: *const ()) {}
    static VTABLE: RawWakerVTable = RawWakerVTable::new(raw, wake, wake, forget);
    // SAFETY: the data is a number that is never dereferenced; every function of the vtable accepts
    // any value, owns nothing and may run on the one thread of the instance at any time.
    unsafe { Waker::from_raw(raw(core::ptr::without_provenance(id as usize))) }
}

#[wasm_bindgen]
extern "C" {
    /// A promise, seen as what `then` needs here.
    type Chain;
    /// `promise.then(callback)`, with a callback whose result (a value, a promise, or a throw) settles
    /// the promise returned.
    #[wasm_bindgen(method, js_name = then)]
    fn then_step(
        this: &Chain,
        callback: &Closure<dyn Fn(JsValue) -> Result<JsValue, JsValue>>,
    ) -> Promise;
}

instance_local! {
    /// A promise resolved with `undefined`, made once per instance.
    static DONE: Promise = Promise::resolve(&JsValue::UNDEFINED);
    /// The one `then` callback of this instance: [`step`] for the task id its wake-up resolves with.
    static STEP: Closure<dyn Fn(JsValue) -> Result<JsValue, JsValue>> =
        Closure::new(|id: JsValue| step(id.as_f64().map_or(u32::MAX, |id| id as u32)));
}

/// Starts a login on Auth0's `event` and `api` and runs it as far as it can go now (the whole login
/// when no wait is needed, e.g. roles only). The promise resolves when the login has finished (claims
/// set, or denied) and rejects when it had to be denied and `api.access.deny` failed.
pub fn start(event: Event, api: Api) -> Promise {
    let id = NEXT_ID.with(|next| {
        let id = next.get();
        next.set((id + 1) & 0x7fff_ffff);
        id
    });
    let future: LoginFuture = Box::pin(super::run(event, api));
    TASKS.with(|tasks| {
        tasks.borrow_mut().push(Task {
            id,
            future: Some(future),
            woken: false,
            resolve: None,
        })
    });
    match step(id) {
        Ok(value) => match value.dyn_into::<Promise>() {
            Ok(next) => next,
            // A settled promise cannot change: one serves every login that finished at once.
            Err(_) => DONE.with(Promise::clone),
        },
        Err(thrown) => Promise::reject(&thrown),
    }
}

/// Polls login `id`: `Ok(undefined)` once it has finished, `Err` (an `Error` with
/// [`crate::error::NOT_DENIED_MESSAGE`]) when it had to be denied and could not be, else `Ok` with its
/// next wake-up chained to this same step.
fn step(id: u32) -> Result<JsValue, JsValue> {
    match poll_login(id) {
        Polled::Pending => Ok(STEP
            .with(|step| woken(id).unchecked_into::<Chain>().then_step(step))
            .into()),
        Polled::Finished(Outcome::Done) => Ok(JsValue::UNDEFINED),
        Polled::Finished(Outcome::NotDenied) => {
            Err(js_sys::Error::new(crate::error::NOT_DENIED_MESSAGE).into())
        }
    }
}

/// Runs login `id` as far as it can go now; a finished login is forgotten. An unknown id counts as
/// finished.
fn poll_login(id: u32) -> Polled {
    #[cfg(feature = "test-exports")]
    if TRAP_NEXT_POLL.with(|flag| flag.replace(false)) {
        core::arch::wasm32::unreachable();
    }
    let Some(mut future) = with_task(id, |task| {
        task.woken = false;
        task.future.take()
    })
    .flatten() else {
        return Polled::Finished(Outcome::Done);
    };
    let waker = task_waker(id);
    match future.as_mut().poll(&mut Context::from_waker(&waker)) {
        Poll::Ready(outcome) => {
            drop(future);
            end_login(id);
            Polled::Finished(outcome)
        }
        Poll::Pending => {
            with_task(id, |task| task.future = Some(future));
            Polled::Pending
        }
    }
}

/// A promise that resolves with `id` when login `id` can make progress.
fn woken(id: u32) -> Promise {
    Promise::new(&mut |resolve, _reject| {
        let ready = with_task(id, |task| {
            if task.woken {
                task.woken = false;
                true
            } else {
                task.resolve = Some(resolve.clone());
                false
            }
        })
        .unwrap_or(true);
        if ready {
            let _ = resolve.call1(&JsValue::UNDEFINED, &JsValue::from(id));
        }
    })
}

/// Forgets login `id`.
fn end_login(id: u32) {
    let removed = TASKS.with(|tasks| {
        let mut tasks = tasks.borrow_mut();
        let index = tasks.iter().position(|task| task.id == id)?;
        Some(tasks.swap_remove(index))
    });
    // Dropped outside the borrow: dropping a future may run code that wakes another task.
    drop(removed);
}
