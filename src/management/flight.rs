//! Values kept in the wasm instance's memory and shared by every login on one warm instance (the
//! Management API token, the role directory, each role's permissions), with single flight: while one
//! login fetches a value, the others wait for that same result instead of asking again.

use crate::prelude::*;
use alloc::rc::Rc;
#[cfg(test)]
use core::cell::Cell;
use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, Waker};

/// A value and the time (epoch ms) after which we no longer use it.
#[derive(Clone, PartialEq)]
pub struct Entry<V> {
    /// The value (for the token: the bearer token).
    pub value: V,
    /// For a token, the refresh-ahead point before its real expiry; for role data, the cache lifetime.
    pub usable_until_ms: f64,
}

impl<V> core::fmt::Debug for Entry<V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
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

/// Most entries one [`Shared`] keeps: every role a tenant can hold (Auth0 allows 1,000) stays warm,
/// with as many again for roles replaced since or for a second tenant's settings. Past it, the oldest
/// values go first.
pub const MAX_KEPT_ENTRIES: usize = 2 * crate::roles::MAX_ROLE_ENTRIES;
/// Most bytes one [`Shared`] keeps (keys, values and their structs, as [`KeptBytes`] counts them):
/// twice the largest list a role can have ([`super::MAX_LIST_BYTES`] of text), so such a list is still
/// kept; and the instance's linear memory, which never shrinks, grows by at most about this much for
/// role data however many distinct roles pass through it.
pub const MAX_KEPT_BYTES: usize = 2 * super::MAX_LIST_BYTES;
/// Entries kept before the first sweep of expired values. Each sweep waits until the entries have
/// doubled since the last one, so a sweep's work is paid for by the inserts before it.
const FIRST_SWEEP_AT: usize = 64;
/// Fewest buckets of a table with keys; every table has a power of two of them, at least as many as keys.
const FIRST_BUCKETS: usize = 16;
/// The link of the last entry of a bucket (and of an empty bucket).
const NO_ENTRY: usize = usize::MAX;
/// Bytes of a key's own struct.
const KEY_BYTES: usize = core::mem::size_of::<Key>();

/// Roughly how many bytes of instance memory a kept value holds: its text and the structs around it
/// (not the allocator's own overhead), for [`MAX_KEPT_BYTES`].
pub trait KeptBytes {
    /// Bytes held, approximately.
    fn kept_bytes(&self) -> usize;
}

impl KeptBytes for String {
    fn kept_bytes(&self) -> usize {
        core::mem::size_of::<String>() + self.len()
    }
}

impl<T: KeptBytes> KeptBytes for Rc<Vec<T>> {
    fn kept_bytes(&self) -> usize {
        // The reference counts and the vector, then its items.
        2 * core::mem::size_of::<usize>()
            + core::mem::size_of::<Vec<T>>()
            + self.iter().map(KeptBytes::kept_bytes).sum::<usize>()
    }
}

/// Values per key, in the wasm instance's memory: the token and the role directory (one key per tenant
/// settings), and one key per role whose permissions were read. Bounded by [`MAX_KEPT_ENTRIES`] and
/// [`MAX_KEPT_BYTES`]; expired values are swept on insert, and a lookup compares about one key however
/// many are kept.
pub struct Shared<V, E> {
    slots: RefCell<Slots<V, E>>,
}

impl<V, E> Default for Shared<V, E> {
    fn default() -> Self {
        Self {
            slots: RefCell::new(Slots {
                index: Index::default(),
                slots: Vec::new(),
            }),
        }
    }
}

/// The slots of a [`Shared`], each at the position of its key in `index`; `None` for a value removed
/// (its key leaves at the next sweep).
struct Slots<V, E> {
    index: Index,
    slots: Vec<Option<Slot<V, E>>>,
}

/// One key, the bytes its entry holds, and the next key of its bucket.
struct Key {
    text: String,
    hash: u64,
    /// The key, the value and the entry's structs, in bytes.
    bytes: usize,
    /// When its value expires (epoch ms), or `None` while it is being fetched (never swept, never
    /// evicted). Kept here so that sweeping is decided by this code, which is not generic.
    usable_until_ms: Option<f64>,
    /// The position of the next key in the same bucket, or [`NO_ENTRY`].
    next: usize,
}

/// The keys of a [`Shared`] as a small hash table: one vector of keys, chained per bucket through their
/// positions, hashed with FNV-1a. Written out rather than taken from `std`, and kept apart from the
/// values so that its code is in the module once, not once per kind of value: a general hash map would
/// cost module bytes the size cap does not have. The keys are a hash of the settings and the tenant's
/// own role ids, which no user chooses, and there are at most [`MAX_KEPT_ENTRIES`] of them.
struct Index {
    keys: Vec<Key>,
    /// The position of the first key of each bucket, or [`NO_ENTRY`]; a power of two of them, at
    /// least as many as keys.
    buckets: Vec<usize>,
    /// The sum of the keys' bytes.
    bytes: usize,
    /// The number of keys at which the next sweep runs.
    sweep_at: usize,
    /// Keys visited by lookups, inserts, sweeps and evictions: the work, held flat by tests.
    #[cfg(test)]
    entries_visited: Cell<u64>,
}

impl Default for Index {
    fn default() -> Self {
        Self {
            keys: Vec::new(),
            // None until the first key: `push` then sizes them.
            buckets: Vec::new(),
            bytes: 0,
            sweep_at: FIRST_SWEEP_AT,
            #[cfg(test)]
            entries_visited: Cell::new(0),
        }
    }
}

impl Index {
    /// Counts `count` keys visited, in tests.
    fn visited(&self, count: usize) {
        #[cfg(test)]
        self.entries_visited
            .set(self.entries_visited.get() + count as u64);
        #[cfg(not(test))]
        let _ = count;
    }

    fn bucket(&self, hash: u64) -> usize {
        // Truncating the hash on a 32-bit target is intended: only its low bits pick the bucket.
        (hash as usize) & self.buckets.len().wrapping_sub(1)
    }

    /// The position of `key`, if kept.
    fn find(&self, key: &str) -> Option<usize> {
        let hash = super::encode::fnv1a(&[key]);
        let mut at = self
            .buckets
            .get(self.bucket(hash))
            .copied()
            .unwrap_or(NO_ENTRY);
        while let Some(kept) = self.keys.get(at) {
            self.visited(1);
            if kept.hash == hash && kept.text == key {
                return Some(at);
            }
            at = kept.next;
        }
        None
    }

    /// Adds `text`, which is not kept yet, at the end, holding `bytes` until `usable_until_ms`.
    fn push(&mut self, text: String, bytes: usize, usable_until_ms: Option<f64>) {
        let hash = super::encode::fnv1a(&[&text]);
        let bucket = self.bucket(hash);
        let at = self.keys.len();
        let next = self.buckets.get(bucket).copied().unwrap_or(NO_ENTRY);
        self.keys.push(Key {
            text,
            hash,
            bytes,
            usable_until_ms,
            next,
        });
        if let Some(head) = self.buckets.get_mut(bucket) {
            *head = at;
        }
        self.bytes += bytes;
        if self.keys.len() > self.buckets.len() {
            self.rebuild();
        }
    }

    /// The key at `at` now holds `bytes` until `usable_until_ms`.
    fn set(&mut self, at: usize, bytes: usize, usable_until_ms: Option<f64>) {
        if let Some(kept) = self.keys.get_mut(at) {
            self.bytes = self.bytes.saturating_sub(kept.bytes) + bytes;
            kept.bytes = bytes;
            kept.usable_until_ms = usable_until_ms;
        }
    }

    /// Sizes the buckets to the keys (a power of two, at least [`FIRST_BUCKETS`]), links every key
    /// into its bucket again.
    fn rebuild(&mut self) {
        let count = self.keys.len().next_power_of_two().max(FIRST_BUCKETS);
        self.buckets.clear();
        self.buckets.resize(count, NO_ENTRY);
        self.visited(self.keys.len());
        let mask = count.wrapping_sub(1);
        for (at, kept) in self.keys.iter_mut().enumerate() {
            if let Some(head) = self.buckets.get_mut((kept.hash as usize) & mask) {
                kept.next = *head;
                *head = at;
            }
        }
    }

    fn over_bounds(&self) -> bool {
        self.keys.len() > MAX_KEPT_ENTRIES || self.bytes > MAX_KEPT_BYTES
    }

    /// After a value was kept at `now_ms`: once the entries have doubled since the last sweep, or over
    /// [`MAX_KEPT_ENTRIES`] or [`MAX_KEPT_BYTES`], sweeps the expired values; if the rest is still over
    /// a bound, also drops the oldest ready values (in the order their keys were first kept) until half
    /// of each bound is free, so the next eviction is many inserts away. No sort by expiry: its code would cost more module bytes than this whole table,
    /// and under one `rolesCacheMs` the oldest is the closest to expiry. Values being fetched stay.
    /// Returns, when it swept, which positions were kept, for the values.
    fn tidy(&mut self, now_ms: f64) -> Option<Vec<bool>> {
        if self.keys.len() < self.sweep_at && !self.over_bounds() {
            return None;
        }
        let expired = |key: &Key| key.usable_until_ms.is_some_and(|until| until <= now_ms);
        let (mut entries, mut bytes) = (0, 0);
        for key in self.keys.iter().filter(|key| !expired(key)) {
            entries += 1;
            bytes += key.bytes;
        }
        let mut evicting = entries > MAX_KEPT_ENTRIES || bytes > MAX_KEPT_BYTES;
        let keep: Vec<bool> = self
            .keys
            .iter()
            .map(|key| {
                if expired(key) {
                    return false;
                }
                evicting =
                    evicting && (entries > MAX_KEPT_ENTRIES / 2 || bytes > MAX_KEPT_BYTES / 2);
                if !evicting || key.usable_until_ms.is_none() {
                    return true;
                }
                entries -= 1;
                bytes = bytes.saturating_sub(key.bytes);
                false
            })
            .collect();
        self.visited(2 * self.keys.len());
        let mut flags = keep.iter();
        self.keys.retain(|_| flags.next().copied().unwrap_or(true));
        self.bytes = self.keys.iter().map(|key| key.bytes).sum();
        self.rebuild();
        self.sweep_at = (2 * self.keys.len()).max(FIRST_SWEEP_AT);
        Some(keep)
    }
}

impl<V, E> Slots<V, E> {
    fn get(&self, key: &str) -> Option<&Slot<V, E>> {
        self.index
            .find(key)
            .and_then(|at| self.slots.get(at))
            .and_then(Option::as_ref)
    }

    /// Drops the value of `key` now; the key itself goes at the next sweep, as an expired one.
    fn remove(&mut self, key: &str) {
        if let Some(at) = self.index.find(key) {
            self.index
                .set(at, key.len() + KEY_BYTES, Some(f64::NEG_INFINITY));
            if let Some(slot) = self.slots.get_mut(at) {
                *slot = None;
            }
        }
    }

    /// Sweeps and bounds what is kept, at `now_ms` (see [`Index::tidy`]).
    fn tidy(&mut self, now_ms: f64) {
        if let Some(keep) = self.index.tidy(now_ms) {
            let mut flags = keep.iter();
            self.slots.retain(|_| flags.next().copied().unwrap_or(true));
        }
    }
}

impl<V: KeptBytes, E> Slots<V, E> {
    /// Puts `slot` under `key`, in place of what was there, counting the bytes the entry holds.
    fn keep(&mut self, key: &str, slot: Slot<V, E>) {
        let (value, usable_until_ms) = match &slot {
            Slot::Ready(entry) => (entry.value.kept_bytes(), Some(entry.usable_until_ms)),
            Slot::InFlight(_) => (0, None),
        };
        let bytes = KEY_BYTES + core::mem::size_of::<Slot<V, E>>() + key.len() + value;
        match self.index.find(key) {
            Some(at) => {
                self.index.set(at, bytes, usable_until_ms);
                if let Some(kept) = self.slots.get_mut(at) {
                    *kept = Some(slot);
                }
            }
            None => {
                self.index.push(key.to_owned(), bytes, usable_until_ms);
                self.slots.push(Some(slot));
            }
        }
    }
}

impl<V: Clone + PartialEq + KeptBytes, E: Clone> Shared<V, E> {
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

    /// Keeps a value found elsewhere (the token in `api.cache`), at `now_ms`.
    pub fn remember(&self, key: &str, token: Entry<V>, now_ms: f64) {
        let mut slots = self.slots.borrow_mut();
        slots.keep(key, Slot::Ready(token));
        slots.tidy(now_ms);
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
            .keep(key, Slot::InFlight(Rc::clone(&flight)));
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
                        slots.keep(key, Slot::Ready(token.clone()));
                    }
                    Err(_) => {
                        slots.remove(key);
                    }
                }
            }
        }
        *flight.result.borrow_mut() = Some(result);
        let waiters = core::mem::take(&mut *flight.waiters.borrow_mut());
        for waker in waiters {
            waker.wake();
        }
    }
}

#[cfg(test)]
impl<V, E> Shared<V, E> {
    /// The entries kept and the bytes they hold.
    pub(crate) fn footprint(&self) -> (usize, usize) {
        let slots = self.slots.borrow();
        (slots.slots.len(), slots.index.bytes)
    }

    /// Entries visited so far by every lookup, insert, removal, sweep and eviction.
    pub(crate) fn entries_visited(&self) -> u64 {
        self.slots.borrow().index.entries_visited.get()
    }
}

/// The login that fetches the value for everyone waiting on the same key.
pub struct Leader<'a, V: Clone + PartialEq + KeptBytes, E: Clone> {
    memory: &'a Shared<V, E>,
    key: String,
    flight: Rc<Flight<V, E>>,
    abandoned: Option<E>,
}

impl<V: Clone + PartialEq + KeptBytes, E: Clone> Leader<'_, V, E> {
    /// Publishes the result, at `now_ms`, to the memory tier and to every waiting login.
    pub fn finish(mut self, result: Result<Entry<V>, E>, now_ms: f64) {
        self.abandoned = None;
        self.memory.settle(&self.key, &self.flight, result);
        self.memory.slots.borrow_mut().tidy(now_ms);
    }
}

impl<V: Clone + PartialEq + KeptBytes, E: Clone> Drop for Leader<'_, V, E> {
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
    core::future::poll_fn(move |cx| {
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
    use alloc::sync::Arc;
    use alloc::task::Wake;

    struct CountingWaker(core::sync::atomic::AtomicUsize);
    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, core::sync::atomic::Ordering::SeqCst);
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
        memory.remember("k", token("t1", 1000.0), 0.0);
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
        memory.remember("k", token("t1", 1000.0), 0.0);
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
        leader.finish(Ok(token("t2", 50.0)), 0.0);
        assert_eq!(
            counter.0.load(core::sync::atomic::Ordering::SeqCst),
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
        memory
            .lead("k", "x".into())
            .finish(Err("denied".into()), 0.0);
        assert!(matches!(memory.lookup("k", 0.0, None), Lookup::Empty));
    }

    /// Every entry reachable from its own bucket, and the byte count the sum of the entries'.
    fn assert_consistent(memory: &TokenMemory<String>) {
        let slots = memory.slots.borrow();
        let index = &slots.index;
        assert_eq!(index.keys.len(), slots.slots.len());
        for (at, kept) in index.keys.iter().enumerate() {
            assert_eq!(index.find(&kept.text), Some(at), "{}", kept.text);
        }
        let bytes: usize = index.keys.iter().map(|kept| kept.bytes).sum();
        assert_eq!(index.bytes, bytes);
        assert!(index.keys.len() <= index.buckets.len());
    }

    #[test]
    fn the_table_agrees_with_a_map_through_inserts_and_removals() {
        let memory = TokenMemory::<String>::default();
        let mut model = std::collections::HashMap::new();
        let mut seed: u64 = 7;
        for step in 0..20_000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let key = format!("k{}", (seed >> 33) % 300);
            match (seed >> 20) % 4 {
                0 => {
                    memory.forget(&key, &format!("v{step}"));
                    memory.expire_after(&key, 0.0);
                    model.remove(&key);
                }
                _ => {
                    memory.remember(&key, token(&format!("v{step}"), 1e12), 0.0);
                    model.insert(key.clone(), format!("v{step}"));
                }
            }
            if step % 997 == 0 {
                assert_consistent(&memory);
            }
        }
        assert_consistent(&memory);
        for n in 0..300 {
            let key = format!("k{n}");
            let found = match memory.lookup(&key, 0.0, None) {
                Lookup::Ready(entry) => Some(entry.value),
                _ => None,
            };
            assert_eq!(found.as_ref(), model.get(&key), "{key}");
        }
    }

    #[test]
    fn expired_values_are_swept_on_insert_without_their_keys_coming_back() {
        let memory = TokenMemory::<String>::default();
        for n in 0..10_000 {
            let now = f64::from(n);
            memory.remember(&format!("k{n}"), token("t", now + 1.0), now);
            assert!(memory.footprint().0 <= FIRST_SWEEP_AT, "{n}");
        }
        assert_consistent(&memory);
    }

    #[test]
    fn past_a_bound_the_oldest_values_go_and_those_being_fetched_stay() {
        let memory = TokenMemory::<String>::default();
        let fetching = memory.lead("fetching", "abandoned".into());
        let large = "x".repeat(MAX_KEPT_BYTES / 10);
        for n in 0..25 {
            memory.remember(&format!("k{n}"), token(&large, 1e12 + f64::from(n)), 0.0);
            let (entries, bytes) = memory.footprint();
            assert!(
                bytes <= MAX_KEPT_BYTES && entries <= MAX_KEPT_ENTRIES,
                "{n}: {bytes}"
            );
        }
        assert!(matches!(memory.lookup("k24", 0.0, None), Lookup::Ready(_)));
        assert!(matches!(memory.lookup("k0", 0.0, None), Lookup::Empty));
        assert!(matches!(
            memory.lookup("fetching", 0.0, None),
            Lookup::InFlight(_)
        ));
        fetching.finish(Ok(token("t", 1e12)), 0.0);
        for n in 0..3 * MAX_KEPT_ENTRIES {
            memory.remember(&format!("small{n}"), token("t", 1e12 + 100.0), 0.0);
            assert!(memory.footprint().0 <= MAX_KEPT_ENTRIES, "{n}");
        }
        assert_consistent(&memory);
    }

    #[test]
    fn tokens_never_print() {
        assert!(!format!("{:?}", token("s3cr3t", 1.0)).contains("s3cr3t"));
    }
}
