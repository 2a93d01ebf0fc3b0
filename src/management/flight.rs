//! Values kept in the wasm instance's memory and shared by every login on one warm instance (the
//! Management API token, the role directory, each role's permissions), with single flight: while one
//! login fetches a value, the others wait for that same result instead of asking again.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// A value and the time (epoch ms) after which we no longer use it.
#[derive(Clone, PartialEq)]
pub struct Entry<V> {
    /// The value (for the token: the bearer token).
    pub value: V,
    /// For a token, the refresh-ahead point before its real expiry; for role data, the cache lifetime.
    pub usable_until_ms: f64,
}

impl<V> std::fmt::Debug for Entry<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Entry([redacted])")
    }
}

/// The shared outcome of one fetch (the token, the role directory or one role's permissions).
struct Flight<V, E> {
    result: RefCell<Option<Result<Entry<V>, E>>>,
    waiters: RefCell<Vec<Waker>>,
}

enum Slot<V, E> {
    Ready(Entry<V>),
    InFlight(Rc<Flight<V, E>>),
}

/// What the memory tier holds for a key.
pub enum Lookup<V, E> {
    /// A usable value.
    Ready(Entry<V>),
    /// Another login is fetching one: await this.
    InFlight(FlightWait<V, E>),
    /// Nothing usable: the caller should fetch (see [`Shared::lead`]).
    Empty,
}

/// Values per key, in the wasm instance's memory. There are few keys (a token, the role directory, one
/// key per role whose permissions were read), so a small list (no hash map code in the module) does.
pub struct Shared<V, E> {
    slots: RefCell<Slots<V, E>>,
}

impl<V, E> Default for Shared<V, E> {
    fn default() -> Self {
        Self {
            slots: RefCell::new(Slots(Vec::new())),
        }
    }
}

/// Key/slot pairs with the few map operations we need.
struct Slots<V, E>(Vec<(String, Slot<V, E>)>);

impl<V, E> Slots<V, E> {
    fn get(&self, key: &str) -> Option<&Slot<V, E>> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, slot)| slot)
    }
    fn insert(&mut self, key: String, slot: Slot<V, E>) {
        self.remove(&key);
        self.0.push((key, slot));
    }
    fn remove(&mut self, key: &str) {
        self.0.retain(|(k, _)| k != key);
    }
}

impl<V: Clone + PartialEq, E: Clone> Shared<V, E> {
    /// Looks `key` up at `now_ms`. A ready value equal to `rejected` (a token the API just refused) is dropped.
    pub fn lookup(&self, key: &str, now_ms: f64, rejected: Option<&V>) -> Lookup<V, E> {
        let mut slots = self.slots.borrow_mut();
        match slots.get(key) {
            Some(Slot::Ready(token))
                if token.usable_until_ms > now_ms && Some(&token.value) != rejected =>
            {
                Lookup::Ready(token.clone())
            }
            Some(Slot::Ready(_)) => {
                slots.remove(key);
                Lookup::Empty
            }
            Some(Slot::InFlight(flight)) => Lookup::InFlight(FlightWait(Rc::clone(flight))),
            None => Lookup::Empty,
        }
    }

    /// Keeps a value found elsewhere (the token in `api.cache`).
    pub fn remember(&self, key: &str, token: Entry<V>) {
        self.slots
            .borrow_mut()
            .insert(key.to_owned(), Slot::Ready(token));
    }

    /// Drops the ready value of `key` if it would be kept past `latest_ms` (kept under a longer lifetime
    /// than the one now configured): the next lookup fetches it again.
    pub fn expire_after(&self, key: &str, latest_ms: f64) {
        let mut slots = self.slots.borrow_mut();
        if matches!(slots.get(key), Some(Slot::Ready(entry)) if entry.usable_until_ms > latest_ms) {
            slots.remove(key);
        }
    }

    /// Drops the ready value of `key` if it is `value` (a token the API refused); a newer value stays.
    pub fn forget(&self, key: &str, value: &V) {
        let mut slots = self.slots.borrow_mut();
        if matches!(slots.get(key), Some(Slot::Ready(entry)) if &entry.value == value) {
            slots.remove(key);
        }
    }

    /// Marks `key` as being fetched by the caller; others will wait on it. The returned guard must be
    /// finished with the result; if it is dropped unfinished, waiters get `abandoned`.
    pub fn lead<'a>(&'a self, key: &str, abandoned: E) -> Leader<'a, V, E> {
        let flight = Rc::new(Flight {
            result: RefCell::new(None),
            waiters: RefCell::new(Vec::new()),
        });
        self.slots
            .borrow_mut()
            .insert(key.to_owned(), Slot::InFlight(Rc::clone(&flight)));
        Leader {
            memory: self,
            key: key.to_owned(),
            flight,
            abandoned: Some(abandoned),
        }
    }

    fn settle(&self, key: &str, flight: &Rc<Flight<V, E>>, result: Result<Entry<V>, E>) {
        {
            let mut slots = self.slots.borrow_mut();
            let ours = matches!(slots.get(key), Some(Slot::InFlight(current)) if Rc::ptr_eq(current, flight));
            if ours {
                match &result {
                    Ok(token) => {
                        slots.insert(key.to_owned(), Slot::Ready(token.clone()));
                    }
                    Err(_) => {
                        slots.remove(key);
                    }
                }
            }
        }
        *flight.result.borrow_mut() = Some(result);
        let waiters = std::mem::take(&mut *flight.waiters.borrow_mut());
        for waker in waiters {
            waker.wake();
        }
    }
}

/// The login that fetches the value for everyone waiting on the same key.
pub struct Leader<'a, V: Clone + PartialEq, E: Clone> {
    memory: &'a Shared<V, E>,
    key: String,
    flight: Rc<Flight<V, E>>,
    abandoned: Option<E>,
}

impl<V: Clone + PartialEq, E: Clone> Leader<'_, V, E> {
    /// Publishes the result to the memory tier and to every waiting login.
    pub fn finish(mut self, result: Result<Entry<V>, E>) {
        self.abandoned = None;
        self.memory.settle(&self.key, &self.flight, result);
    }
}

impl<V: Clone + PartialEq, E: Clone> Drop for Leader<'_, V, E> {
    fn drop(&mut self) {
        if let Some(abandoned) = self.abandoned.take() {
            self.memory.settle(&self.key, &self.flight, Err(abandoned));
        }
    }
}

/// Waits for another login's request.
pub struct FlightWait<V, E>(Rc<Flight<V, E>>);

impl<V: Clone, E: Clone> Future for FlightWait<V, E> {
    type Output = Result<Entry<V>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(result) = self.0.result.borrow().as_ref() {
            return Poll::Ready(result.clone());
        }
        self.0.waiters.borrow_mut().push(cx.waker().clone());
        Poll::Pending
    }
}

/// Resolves with `Some(output)` of `work`, or `None` if `timer` finishes first.
pub async fn before<W: Future, T: Future<Output = ()>>(work: W, timer: T) -> Option<W::Output> {
    let mut work = Box::pin(work);
    let mut timer = Box::pin(timer);
    std::future::poll_fn(move |cx| {
        if let Poll::Ready(output) = work.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        if timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Poll::Pending
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::task::Wake;

    struct CountingWaker(std::sync::atomic::AtomicUsize);
    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    type TokenMemory<E> = Shared<String, E>;

    fn token(value: &str, until: f64) -> Entry<String> {
        Entry {
            value: value.into(),
            usable_until_ms: until,
        }
    }

    #[test]
    fn a_ready_token_is_used_until_its_refresh_point() {
        let memory = TokenMemory::<String>::default();
        memory.remember("k", token("t1", 1000.0));
        assert!(matches!(memory.lookup("k", 999.0, None), Lookup::Ready(t) if t.value == "t1"));
        assert!(matches!(memory.lookup("k", 1000.0, None), Lookup::Empty));
        assert!(
            matches!(memory.lookup("k", 0.0, None), Lookup::Empty),
            "expired entry was dropped"
        );
    }

    #[test]
    fn a_rejected_token_is_dropped() {
        let memory = TokenMemory::<String>::default();
        memory.remember("k", token("t1", 1000.0));
        assert!(matches!(
            memory.lookup("k", 0.0, Some(&"other".to_owned())),
            Lookup::Ready(_)
        ));
        assert!(matches!(
            memory.lookup("k", 0.0, Some(&"t1".to_owned())),
            Lookup::Empty
        ));
    }

    #[test]
    fn waiters_share_the_leaders_result() {
        let memory = TokenMemory::<String>::default();
        let leader = memory.lead("k", "abandoned".into());
        let Lookup::InFlight(wait) = memory.lookup("k", 0.0, None) else {
            panic!("expected in flight")
        };
        let counter = Arc::new(CountingWaker(0.into()));
        let waker = Waker::from(Arc::clone(&counter));
        let mut cx = Context::from_waker(&waker);
        let mut wait = Box::pin(wait);
        assert!(wait.as_mut().poll(&mut cx).is_pending());
        leader.finish(Ok(token("t2", 50.0)));
        assert_eq!(
            counter.0.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "waiter woken once"
        );
        assert!(matches!(wait.as_mut().poll(&mut cx), Poll::Ready(Ok(t)) if t.value == "t2"));
        assert!(matches!(memory.lookup("k", 0.0, None), Lookup::Ready(_)));
    }

    #[test]
    fn a_dropped_leader_releases_waiters_with_an_error() {
        let memory = TokenMemory::<String>::default();
        let leader = memory.lead("k", "abandoned".into());
        let Lookup::InFlight(wait) = memory.lookup("k", 0.0, None) else {
            panic!("expected in flight")
        };
        drop(leader);
        let waker = Waker::from(Arc::new(CountingWaker(0.into())));
        let mut cx = Context::from_waker(&waker);
        assert!(
            matches!(Box::pin(wait).as_mut().poll(&mut cx), Poll::Ready(Err(e)) if e == "abandoned")
        );
        assert!(matches!(memory.lookup("k", 0.0, None), Lookup::Empty));
    }

    #[test]
    fn a_failed_fetch_leaves_nothing_cached() {
        let memory = TokenMemory::<String>::default();
        memory.lead("k", "x".into()).finish(Err("denied".into()));
        assert!(matches!(memory.lookup("k", 0.0, None), Lookup::Empty));
    }

    #[test]
    fn tokens_never_print() {
        assert!(!format!("{:?}", token("s3cr3t", 1.0)).contains("s3cr3t"));
    }
}
