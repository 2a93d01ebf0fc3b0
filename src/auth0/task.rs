//! A login polled by its caller. `startLogin(event, api)` runs the login as far as it can go and
//! returns [`FINISHED`] or [`NOT_DENIED`] when it has finished, else a task id (≥ 0); the JS entry then
//! awaits `loginWoken(id)` and calls `pollLogin(id)` until it returns [`FINISHED`] or [`NOT_DENIED`]
//! instead of [`PENDING`] (a finished task is forgotten; `endLogin(id)` drops an abandoned one). On
//! [`NOT_DENIED`] the entry rejects with `notDeniedMessage()`.
//! Every step of the login then runs inside a synchronous call from the entry, so a trap (a bug, out of
//! memory) surfaces there as a `WebAssembly.RuntimeError` the entry can catch, log, and answer by
//! replacing the instance — instead of an uncaught exception in a microtask that would leave every later
//! login hanging. Tasks are plain ids (no exported class), so a login costs no `FinalizationRegistry` work.

use super::bindings::{describe_js_error, log, Api, Event};
use crate::login::Outcome;
use js_sys::{Function, Promise};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use wasm_bindgen::prelude::*;

type LoginFuture = Pin<Box<dyn Future<Output = Outcome>>>;

/// `pollLogin`: the login waits for I/O.
pub const PENDING: i32 = 0;
/// `startLogin` / `pollLogin`: the login has finished (claims set, or denied).
pub const FINISHED: i32 = -1;
/// `startLogin` / `pollLogin`: the login had to be denied and could not be; the entry must reject.
pub const NOT_DENIED: i32 = -2;

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

fn finished(outcome: Outcome) -> i32 {
    match outcome {
        Outcome::Done => FINISHED,
        Outcome::NotDenied => NOT_DENIED,
    }
}

/// One login in progress.
struct Task {
    id: u32,
    /// `None` while being polled (taken out, so a re-entrant call cannot touch it) or once finished.
    future: Option<LoginFuture>,
    /// Woken before anyone waited.
    woken: bool,
    /// The `resolve` of the promise `loginWoken` returned, if someone waits.
    resolve: Option<Function>,
}

thread_local! {
    static TASKS: RefCell<Vec<Task>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
}

#[cfg(feature = "test-exports")]
thread_local! {
    static TRAP_NEXT_POLL: Cell<bool> = const { Cell::new(false) };
}

/// Test builds only (`--features test-exports`): the next `pollLogin` executes `unreachable`, a real trap.
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

fn with_task<R>(id: u32, f: impl FnOnce(&mut Task) -> R) -> Option<R> {
    TASKS.with(|tasks| {
        tasks
            .borrow_mut()
            .iter_mut()
            .find(|task| task.id == id)
            .map(f)
    })
}

/// Wakes task `id`: resolves its pending `loginWoken` promise, or remembers the wake for the next one.
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
        let _ = resolve.call0(&JsValue::UNDEFINED);
    }
}

struct TaskWaker(u32);

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        wake_task(self.0);
    }
}

/// Starts a login and runs it as far as it can go now: [`FINISHED`] or [`NOT_DENIED`] when it has
/// already finished (no wait was needed, e.g. roles only), else its id for `loginWoken` / `pollLogin`.
#[wasm_bindgen(js_name = startLogin)]
pub fn start_login(event: Event, api: Api) -> i32 {
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
    match poll_login(id) {
        PENDING => id as i32,
        done => done,
    }
}

/// Runs login `id` as far as it can go now: [`PENDING`], or once it has finished (then it is
/// forgotten) [`FINISHED`] or [`NOT_DENIED`]. An unknown id counts as finished.
#[wasm_bindgen(js_name = pollLogin)]
pub fn poll_login(id: u32) -> i32 {
    #[cfg(feature = "test-exports")]
    if TRAP_NEXT_POLL.with(|flag| flag.replace(false)) {
        core::arch::wasm32::unreachable();
    }
    let Some(mut future) = with_task(id, |task| {
        task.woken = false;
        task.future.take()
    })
    .flatten() else {
        return FINISHED;
    };
    let waker = Waker::from(Arc::new(TaskWaker(id)));
    match future.as_mut().poll(&mut Context::from_waker(&waker)) {
        Poll::Ready(outcome) => {
            drop(future);
            end_login(id);
            finished(outcome)
        }
        Poll::Pending => {
            with_task(id, |task| task.future = Some(future));
            PENDING
        }
    }
}

/// A promise that resolves when login `id` can make progress: then call `pollLogin` again.
#[wasm_bindgen(js_name = loginWoken)]
pub fn login_woken(id: u32) -> Promise {
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
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    })
}

/// Forgets login `id` (finished or abandoned).
#[wasm_bindgen(js_name = endLogin)]
pub fn end_login(id: u32) {
    let removed = TASKS.with(|tasks| {
        let mut tasks = tasks.borrow_mut();
        let index = tasks.iter().position(|task| task.id == id)?;
        Some(tasks.swap_remove(index))
    });
    // Dropped outside the borrow: dropping a future may run code that wakes another task.
    drop(removed);
}
