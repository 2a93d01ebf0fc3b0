//! A login polled by its caller. `startLogin(event, api)` returns a [`LoginTask`]; the JS entry calls
//! `poll()` until it returns `true`, awaiting `woken()` in between. Every step of the login then runs
//! inside a synchronous call from the entry, so a trap (a bug, out of memory) surfaces there as a
//! `WebAssembly.RuntimeError` the entry can catch, log, and answer by replacing the instance — instead of
//! an uncaught exception in a microtask that would leave every later login hanging.

use crate::host::{Api, Event};
use js_sys::{Function, Promise};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use wasm_bindgen::prelude::*;

/// Per task: woken before anyone waited, or the `resolve` of the promise `woken()` returned.
struct WakeSlot {
    id: u32,
    woken: bool,
    resolve: Option<Function>,
}

thread_local! {
    static SLOTS: RefCell<Vec<WakeSlot>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
}

#[cfg(feature = "test-trap")]
thread_local! {
    static TRAP_NEXT_POLL: Cell<bool> = const { Cell::new(false) };
}

/// Test builds only (`--features test-trap`): the next `poll()` executes `unreachable`, a real trap.
#[cfg(feature = "test-trap")]
#[wasm_bindgen(js_name = trapNextPoll)]
pub fn trap_next_poll() {
    TRAP_NEXT_POLL.with(|flag| flag.set(true));
}

/// Wakes task `id`: resolves its pending `woken()` promise, or remembers the wake for the next one.
fn wake_task(id: u32) {
    let resolve = SLOTS.with(|slots| {
        let mut slots = slots.borrow_mut();
        let slot = slots.iter_mut().find(|slot| slot.id == id)?;
        let resolve = slot.resolve.take();
        if resolve.is_none() {
            slot.woken = true;
        }
        resolve
    });
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

/// One login in progress, driven by `poll()`.
#[wasm_bindgen]
pub struct LoginTask {
    id: u32,
    future: Option<Pin<Box<dyn Future<Output = ()>>>>,
}

/// Starts a login without running any of it yet; the caller drives it with `poll()`.
#[wasm_bindgen(js_name = startLogin)]
pub fn start_login(event: Event, api: Api) -> LoginTask {
    let id = NEXT_ID.with(|next| {
        let id = next.get();
        next.set(id.wrapping_add(1));
        id
    });
    SLOTS.with(|slots| slots.borrow_mut().push(WakeSlot { id, woken: false, resolve: None }));
    let future = async move { crate::login::run(&event, &api).await };
    LoginTask { id, future: Some(Box::pin(future)) }
}

#[wasm_bindgen]
impl LoginTask {
    /// Runs the login as far as it can go now; `true` once it has finished.
    pub fn poll(&mut self) -> bool {
        #[cfg(feature = "test-trap")]
        if TRAP_NEXT_POLL.with(|flag| flag.replace(false)) {
            core::arch::wasm32::unreachable();
        }
        let Some(future) = self.future.as_mut() else { return true };
        SLOTS.with(|slots| {
            if let Some(slot) = slots.borrow_mut().iter_mut().find(|slot| slot.id == self.id) {
                slot.woken = false;
            }
        });
        let waker = Waker::from(Arc::new(TaskWaker(self.id)));
        match future.as_mut().poll(&mut Context::from_waker(&waker)) {
            Poll::Ready(()) => {
                self.future = None;
                true
            }
            Poll::Pending => false,
        }
    }

    /// A promise that resolves when the login can make progress: then call `poll()` again.
    pub fn woken(&self) -> Promise {
        let id = self.id;
        Promise::new(&mut |resolve, _reject| {
            let ready = SLOTS.with(|slots| {
                let mut slots = slots.borrow_mut();
                match slots.iter_mut().find(|slot| slot.id == id) {
                    Some(slot) if slot.woken => {
                        slot.woken = false;
                        true
                    }
                    Some(slot) => {
                        slot.resolve = Some(resolve.clone());
                        false
                    }
                    None => true,
                }
            });
            if ready {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }
        })
    }
}

impl Drop for LoginTask {
    fn drop(&mut self) {
        let id = self.id;
        SLOTS.with(|slots| slots.borrow_mut().retain(|slot| slot.id != id));
    }
}
