//! The one fake of the Management API host for native tests (the client's and the login flow's):
//! every request answered in-process by a handler, a clock that sleeps instantly, an `api.cache` map.

use crate::port::{CacheRecord, Io, Request, Response};
use crate::prelude::*;
use core::cell::{Cell, RefCell};
use std::collections::HashMap;

/// The fake clock's start, epoch ms.
pub(crate) const START: f64 = 1_700_000_000_000.0;

/// Answers one request, given how many requests came before it.
pub(crate) type Handler = Box<dyn FnMut(&Request, u32) -> Result<Response, String>>;

/// A fake host. `handler` gets each request and how many requests came before it.
pub(crate) struct FakeIo {
    pub(crate) now: Cell<f64>,
    pub(crate) requests: RefCell<Vec<Request>>,
    pub(crate) handler: RefCell<Handler>,
    pub(crate) cache: RefCell<HashMap<String, CacheRecord>>,
    pub(crate) cache_set_error: Option<String>,
    pub(crate) logs: RefCell<Vec<String>>,
    /// How long each request takes on the fake clock, in ms.
    pub(crate) latency_ms: Cell<f64>,
}

impl FakeIo {
    pub(crate) fn new(
        handler: impl FnMut(&Request, u32) -> Result<Response, String> + 'static,
    ) -> Self {
        Self {
            now: Cell::new(START),
            requests: RefCell::new(Vec::new()),
            handler: RefCell::new(Box::new(handler)),
            cache: RefCell::new(HashMap::new()),
            cache_set_error: None,
            logs: RefCell::new(Vec::new()),
            latency_ms: Cell::new(0.0),
        }
    }

    pub(crate) fn urls(&self) -> Vec<String> {
        self.requests
            .borrow()
            .iter()
            .map(|r| r.url.clone())
            .collect()
    }

    pub(crate) fn count(&self, part: &str) -> usize {
        self.urls().iter().filter(|u| u.contains(part)).count()
    }
}

impl Io for FakeIo {
    async fn send(&self, request: Request, _timeout_ms: f64) -> Result<Response, String> {
        let index = self.requests.borrow().len() as u32;
        self.requests.borrow_mut().push(request.clone());
        self.now.set(self.now.get() + self.latency_ms.get());
        (self.handler.borrow_mut())(&request, index)
    }

    async fn sleep(&self, ms: f64) {
        self.now.set(self.now.get() + ms);
    }

    fn now_ms(&self) -> f64 {
        self.now.get()
    }

    fn random(&self) -> f64 {
        0.5
    }

    fn cache_get(&self, key: &str) -> Option<CacheRecord> {
        self.cache.borrow().get(key).cloned()
    }

    fn cache_set(&self, key: &str, value: &str, expires_at_ms: f64) -> Result<(), String> {
        if let Some(code) = &self.cache_set_error {
            return Err(code.clone());
        }
        self.cache.borrow_mut().insert(
            key.into(),
            CacheRecord {
                value: value.into(),
                expires_at_ms,
            },
        );
        Ok(())
    }

    fn cache_delete(&self, key: &str) {
        self.cache.borrow_mut().remove(key);
    }

    fn log(&self, line: &str) {
        self.logs.borrow_mut().push(line.into());
    }
}
