//! The client against a fake host: every request answered in-process, a clock that sleeps instantly.

use super::fake::{FakeIo, START};
use super::*;
use crate::config::{PermissionScope, Settings};
use crate::port::CacheRecord;
use alloc::rc::Rc;
use core::cell::Cell;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use serde_json::{json, Value};

const SECRET: &str = "s3cr3t-client-secret";
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..10_000 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
    panic!("future did not finish");
}

/// A body written with `json!`, read by the crate's own JSON parser as the real host does.
fn parsed(body: &Value) -> crate::json::Json {
    crate::json::parse_keeping(&body.to_string(), Some(super::decode::RESPONSE_FIELDS)).unwrap()
}

fn ok(body: Value) -> Result<Response, String> {
    Ok(Response {
        status: 200,
        rate_limit_reset: None,
        retry_after: None,
        body: Ok(parsed(&body)),
    })
}

fn status(code: u16) -> Result<Response, String> {
    Ok(Response {
        status: code,
        rate_limit_reset: None,
        retry_after: None,
        body: Err("not read".into()),
    })
}

fn token_body() -> Result<Response, String> {
    ok(json!({"access_token": "mgmt-token-1", "expires_in": 86400, "token_type": "Bearer"}))
}

fn perms(range: std::ops::Range<usize>) -> Vec<Value> {
    range
        .map(|i| json!({"permission_name": format!("p{i:04}"), "resource_server_identifier": "https://api", "description": "x", "sources": []}))
        .collect()
}

fn query(url: &str, name: &str) -> Option<String> {
    url.split(['?', '&'])
        .find_map(|kv| kv.strip_prefix(&format!("{name}=")).map(str::to_owned))
}

/// A Management API with `total` permissions for one user, answering pages of at most `cap`.
fn api_with(total: usize, cap: usize) -> impl FnMut(&Request, u32) -> Result<Response, String> {
    move |request, _| {
        if request.url.ends_with("/oauth/token") {
            return token_body();
        }
        let page: usize = query(&request.url, "page").unwrap().parse().unwrap();
        let per_page: usize = query(&request.url, "per_page")
            .unwrap()
            .parse::<usize>()
            .unwrap()
            .min(cap);
        let start = (page * per_page).min(total);
        let end = (start + per_page).min(total);
        ok(
            json!({"start": start, "limit": per_page, "total": total, "permissions": perms(start..end)}),
        )
    }
}

/// A client test's settings: the Management API part, and the login's budget.
struct TestSettings {
    permissions: PermissionSettings,
    budget_ms: u64,
}

impl std::ops::Deref for TestSettings {
    type Target = PermissionSettings;

    fn deref(&self) -> &PermissionSettings {
        &self.permissions
    }
}

fn settings(extra: &[(&'static str, &'static str)]) -> TestSettings {
    let mut pairs = vec![
        ("namespace", "https://e.com"),
        ("domain", "tenant.auth0.com"),
        ("clientId", "client-1"),
        ("clientSecret", SECRET),
        ("managementUrl", "http://127.0.0.1:9"),
    ];
    pairs.extend_from_slice(extra);
    let all = Settings::from_source(pairs.as_slice()).unwrap();
    TestSettings {
        permissions: all.permissions.unwrap(),
        budget_ms: all.budget_ms,
    }
}

/// A client for one login whose budget starts now.
fn client<'a, I: Io>(io: &'a I, s: &'a TestSettings, memory: &'a InstanceMemory) -> Client<'a, I> {
    Client::new(io, &s.permissions, memory, io.now_ms() + s.budget_ms as f64)
}

impl<I: Io> Client<'_, I> {
    /// The configured source's permissions, with the login's roles given by name (as the event does).
    async fn for_user(
        &self,
        user_id: &str,
        resource_server: Option<&str>,
        roles: &[String],
    ) -> Result<Vec<Permission>, ManagementError> {
        let roles = Roles::from_entries(roles.iter().cloned().map(Some));
        let lists = self
            .permission_lists(self.settings.source, user_id, resource_server, &roles)
            .await?;
        Ok(lists.iter().flat_map(|list| list.iter().cloned()).collect())
    }
}

fn fetch(
    io: &FakeIo,
    settings: &TestSettings,
    memory: &InstanceMemory,
) -> Result<Vec<Permission>, ManagementError> {
    block_on(client(io, settings, memory).for_user("auth0|user-1", Some("https://api"), &[]))
}

#[test]
fn pagination_reads_every_page() {
    for (total, pages) in [(0, 1), (1, 1), (100, 1), (101, 2), (250, 3), (1000, 10)] {
        let io = FakeIo::new(api_with(total, 100));
        let result = fetch(&io, &settings(&[]), &InstanceMemory::default()).unwrap();
        assert_eq!(result.len(), total, "total {total}");
        assert_eq!(io.count("/permissions?"), pages, "pages for {total}");
        assert_eq!(io.count("/oauth/token"), 1);
    }
}

#[test]
fn pagination_survives_shorter_pages() {
    let io = FakeIo::new(api_with(120, 50));
    let result = fetch(&io, &settings(&[]), &InstanceMemory::default()).unwrap();
    assert_eq!(result.len(), 120);
    assert_eq!(result.last().unwrap().permission_name, "p0119");
    assert_eq!(io.count("/permissions?"), 3);
}

#[test]
fn requests_are_shaped_as_documented() {
    let io = FakeIo::new(api_with(1, 100));
    fetch(&io, &settings(&[]), &InstanceMemory::default()).unwrap();
    let requests = io.requests.borrow();
    let token = &requests[0];
    assert_eq!(token.method, Method::Post);
    assert_eq!(token.url, "http://127.0.0.1:9/oauth/token");
    assert!(token
        .headers
        .contains(&("content-type", "application/x-www-form-urlencoded".into())));
    assert_eq!(
        token.body.as_deref().unwrap(),
        format!("grant_type=client_credentials&client_id=client-1&client_secret={SECRET}&audience=https%3A%2F%2Ftenant.auth0.com%2Fapi%2Fv2%2F")
    );
    let get = &requests[1];
    assert_eq!(get.method, Method::Get);
    assert_eq!(get.url, "http://127.0.0.1:9/api/v2/users/auth0%7Cuser-1/permissions?per_page=100&page=0&include_totals=true");
    assert!(get
        .headers
        .contains(&("authorization", "Bearer mgmt-token-1".into())));
}

#[test]
fn odd_user_ids_stay_one_path_segment() {
    let io = FakeIo::new(api_with(0, 100));
    let s = settings(&[]);
    block_on(client(&io, &s, &InstanceMemory::default()).for_user("a/b?c#d%e|ü", None, &[]))
        .unwrap();
    assert!(
        io.urls()[1].contains("/users/a%2Fb%3Fc%23d%25e%7C%C3%BC/permissions?"),
        "{:?}",
        io.urls()
    );
}

#[test]
fn the_token_is_reused_across_logins_and_cached_in_ms() {
    let io = FakeIo::new(api_with(3, 100));
    let s = settings(&[]);
    let memory = InstanceMemory::default();
    for _ in 0..50 {
        assert_eq!(fetch(&io, &s, &memory).unwrap().len(), 3);
    }
    assert_eq!(io.count("/oauth/token"), 1);
    let cache = io.cache.borrow();
    let record = cache.values().next().unwrap();
    assert_eq!(record.value, "mgmt-token-1");
    // 86400 s lifetime, refreshed 5 minutes early, in milliseconds.
    assert_eq!(record.expires_at_ms, START + 86_400_000.0 - 300_000.0);
    let key = cache.keys().next().unwrap();
    assert!(key.len() <= 64 && !key.contains("client-1"), "{key}");
}

#[test]
fn a_cold_instance_takes_the_token_from_api_cache() {
    let io = FakeIo::new(api_with(1, 100));
    let s = settings(&[]);
    fetch(&io, &s, &InstanceMemory::default()).unwrap();
    fetch(&io, &s, &InstanceMemory::default()).unwrap();
    assert_eq!(
        io.count("/oauth/token"),
        1,
        "second, cold instance used api.cache"
    );
}

#[test]
fn an_expiring_token_is_refreshed_ahead() {
    let io = FakeIo::new(api_with(1, 100));
    let s = settings(&[]);
    let memory = InstanceMemory::default();
    fetch(&io, &s, &memory).unwrap();
    io.now.set(START + 86_400_000.0 - 299_000.0); // inside the refresh-ahead window
    fetch(&io, &s, &memory).unwrap();
    assert_eq!(io.count("/oauth/token"), 2);
}

#[test]
fn a_failed_cache_write_is_logged_and_harmless() {
    let mut io = FakeIo::new(api_with(1, 100));
    io.cache_set_error = Some("CacheSizeExceeded".into());
    let memory = InstanceMemory::default();
    fetch(&io, &settings(&[]), &memory).unwrap();
    fetch(&io, &settings(&[]), &memory).unwrap();
    assert_eq!(io.count("/oauth/token"), 1, "memory tier still works");
    assert!(io
        .logs
        .borrow()
        .iter()
        .any(|l| l.contains("api.cache.set failed (CacheSizeExceeded)")));
}

#[test]
fn a_401_drops_the_token_and_retries_once() {
    let mut tokens = 0;
    let io = FakeIo::new(move |request, _| {
        if request.url.ends_with("/oauth/token") {
            tokens += 1;
            return ok(json!({"access_token": format!("token-{tokens}"), "expires_in": 86400}));
        }
        let bearer = &request.headers[0].1;
        if bearer == "Bearer token-1" {
            status(401)
        } else {
            ok(json!({"total": 1, "permissions": perms(0..1)}))
        }
    });
    let s = settings(&[]);
    let memory = InstanceMemory::default();
    io.cache.borrow_mut().insert(
        "unrelated".into(),
        CacheRecord {
            value: "x".into(),
            expires_at_ms: START * 2.0,
        },
    );
    assert_eq!(fetch(&io, &s, &memory).unwrap().len(), 1);
    assert_eq!(io.count("/oauth/token"), 2);
    assert!(
        io.cache.borrow().values().any(|r| r.value == "token-2"),
        "api.cache holds the new token"
    );
    fetch(&io, &s, &memory).unwrap();
    assert_eq!(io.count("/oauth/token"), 2, "new token reused");
}

#[test]
fn a_second_401_is_an_error() {
    let io = FakeIo::new(|request, _| {
        if request.url.ends_with("/oauth/token") {
            token_body()
        } else {
            status(401)
        }
    });
    let err = fetch(&io, &settings(&[]), &InstanceMemory::default()).unwrap_err();
    assert_eq!(err, ManagementError::Status(Endpoint::UserPermissions, 401));
    assert_eq!(io.count("/oauth/token"), 2);
}

#[test]
fn rate_limits_wait_for_the_reset_inside_the_budget() {
    let io = FakeIo::new(|request, index| {
        if request.url.ends_with("/oauth/token") {
            return token_body();
        }
        if index == 1 {
            let reset = format!("{}", (START / 1000.0) as u64 + 2);
            return Ok(Response {
                status: 429,
                rate_limit_reset: Some(reset),
                retry_after: None,
                body: Err("".into()),
            });
        }
        ok(json!({"total": 1, "permissions": perms(0..1)}))
    });
    assert_eq!(
        fetch(&io, &settings(&[]), &InstanceMemory::default())
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        io.now.get(),
        START + 2000.0,
        "waited exactly until the reset"
    );
}

#[test]
fn rate_limits_beyond_the_budget_fail_fast() {
    let io = FakeIo::new(|request, _| {
        if request.url.ends_with("/oauth/token") {
            return token_body();
        }
        let reset = format!("{}", (START / 1000.0) as u64 + 60);
        Ok(Response {
            status: 429,
            rate_limit_reset: Some(reset),
            retry_after: None,
            body: Err("".into()),
        })
    });
    let err = fetch(&io, &settings(&[]), &InstanceMemory::default()).unwrap_err();
    assert_eq!(err, ManagementError::RateLimited(Endpoint::UserPermissions));
    assert_eq!(
        io.now.get(),
        START,
        "did not wait for a reset it could not use"
    );
}

#[test]
fn server_errors_and_network_failures_are_retried_with_backoff() {
    let io = FakeIo::new(
        |request, index| match (request.url.ends_with("/oauth/token"), index) {
            (true, _) => token_body(),
            (false, 1) => status(503),
            (false, 2) => Err("TypeError: fetch failed".into()),
            _ => ok(json!({"total": 1, "permissions": perms(0..1)})),
        },
    );
    assert_eq!(
        fetch(&io, &settings(&[]), &InstanceMemory::default())
            .unwrap()
            .len(),
        1
    );
    assert_eq!(io.now.get(), START + 200.0 + 400.0);
}

#[test]
fn persistent_server_errors_give_up_after_max_attempts() {
    let io = FakeIo::new(|request, _| {
        if request.url.ends_with("/oauth/token") {
            token_body()
        } else {
            status(502)
        }
    });
    let err = fetch(&io, &settings(&[]), &InstanceMemory::default()).unwrap_err();
    assert_eq!(err, ManagementError::Status(Endpoint::UserPermissions, 502));
    assert_eq!(io.count("/permissions"), retry::MAX_ATTEMPTS as usize);
}

#[test]
fn the_budget_bounds_all_waiting() {
    let io = FakeIo::new(|_, _| status(503));
    let err = fetch(
        &io,
        &settings(&[("budgetMs", "500")]),
        &InstanceMemory::default(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        ManagementError::StatusBeyondBudget(Endpoint::Token, 503)
    );
    assert!(!err.is_shared(), "the budget was this login's own");
    assert!(
        io.now.get() - START <= 500.0,
        "waited {} ms",
        io.now.get() - START
    );
}

#[test]
fn malformed_and_wrongly_shaped_bodies_are_errors() {
    for body in [
        Err("SyntaxError: Unexpected token".to_owned()),
        Ok(json!({"total": 1})),
        Ok(json!({"total": "one", "permissions": []})),
        Ok(
            json!({"total": 1, "permissions": [{"permission_name": 5, "resource_server_identifier": "x"}]}),
        ),
        Ok(json!([])),
    ] {
        let mut body = Some(body);
        let io = FakeIo::new(move |request, _| {
            if request.url.ends_with("/oauth/token") {
                return token_body();
            }
            Ok(Response {
                status: 200,
                rate_limit_reset: None,
                retry_after: None,
                body: body.take().unwrap().map(|v| parsed(&v)),
            })
        });
        let err = fetch(&io, &settings(&[]), &InstanceMemory::default()).unwrap_err();
        assert!(
            matches!(
                err,
                ManagementError::Malformed(Endpoint::UserPermissions, _)
            ),
            "{err}"
        );
    }
}

#[test]
fn bad_token_responses_are_errors() {
    for response in [
        status(401),
        status(403),
        ok(json!({"access_token": "", "expires_in": 10})),
        ok(json!({"access_token": "t", "expires_in": -1})),
        ok(json!({"access_token": "t"})),
    ] {
        let mut response = Some(response);
        let io = FakeIo::new(move |_, _| response.take().unwrap());
        let err = fetch(&io, &settings(&[]), &InstanceMemory::default()).unwrap_err();
        assert!(
            matches!(
                err,
                ManagementError::Status(Endpoint::Token, _)
                    | ManagementError::Malformed(Endpoint::Token, _)
            ),
            "{err}"
        );
        assert_eq!(io.count("/permissions"), 0);
    }
}

#[test]
fn effective_permissions_follow_the_cursor() {
    let io = FakeIo::new(|request, _| {
        if request.url.ends_with("/oauth/token") {
            return token_body();
        }
        assert_eq!(
            query(&request.url, "resource_server_identifier").as_deref(),
            Some("https%3A%2F%2Fapi")
        );
        match query(&request.url, "from").as_deref() {
            None => ok(json!({"permissions": perms(0..100), "next": "c1"})),
            Some("c1") => ok(json!({"permissions": perms(100..150), "next": "c2"})),
            Some("c2") => ok(json!({"permissions": perms(150..160)})),
            other => panic!("cursor {other:?}"),
        }
    });
    let s = settings(&[("permissions", "effective")]);
    assert_eq!(
        fetch(&io, &s, &InstanceMemory::default()).unwrap().len(),
        160
    );
    assert_eq!(io.count("/effective-permissions?"), 3);
}

#[test]
fn effective_permissions_without_a_requested_api_are_empty_and_free() {
    let io = FakeIo::new(|_, _| panic!("no request expected"));
    let s = settings(&[("permissions", "effective")]);
    let result =
        block_on(client(&io, &s, &InstanceMemory::default()).for_user("u", None, &[])).unwrap();
    assert!(result.is_empty());
    assert_eq!(s.scope, PermissionScope::All);
}

#[test]
fn a_lying_total_cannot_loop_forever() {
    let io = FakeIo::new(|request, _| {
        if request.url.ends_with("/oauth/token") {
            return token_body();
        }
        ok(json!({"total": 1e12, "permissions": perms(0..100)}))
    });
    let err = fetch(
        &io,
        &settings(&[("budgetMs", "15000")]),
        &InstanceMemory::default(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        ManagementError::TooManyPages(Endpoint::UserPermissions)
    );
}

#[test]
fn no_secret_or_token_reaches_a_log_or_an_error() {
    let io = FakeIo::new(
        |request, index| match (request.url.ends_with("/oauth/token"), index) {
            (true, _) => token_body(),
            (false, 1) => status(401),
            (false, _) => Err(format!("network down while talking to {}", request.url)),
        },
    );
    let err = fetch(&io, &settings(&[]), &InstanceMemory::default()).unwrap_err();
    let mut text = format!("{err} {err:?}");
    text.push_str(&io.logs.borrow().join("\n"));
    assert!(
        !text.contains(SECRET) && !text.contains("mgmt-token-1"),
        "{text}"
    );
}

/// A tenant with roles `admin` (2 permissions) and `editor` (1, shared with admin), 150 roles in all.
fn roles_api(request: &Request, _: u32) -> Result<Response, String> {
    let url = &request.url;
    if url.ends_with("/oauth/token") {
        return token_body();
    }
    if url.contains("/api/v2/roles?") {
        let page: usize = query(url, "page").unwrap().parse().unwrap();
        let mut all = vec![
            json!({"id": "rol_admin", "name": "admin"}),
            json!({"id": "rol/editor", "name": "editor"}),
        ];
        all.extend((0..148).map(
            |i| json!({"id": format!("rol_{i}"), "name": format!("filler-{i}"), "description": ""}),
        ));
        let slice: Vec<Value> = all.iter().skip(page * 100).take(100).cloned().collect();
        return ok(json!({"start": page * 100, "limit": 100, "total": 150, "roles": slice}));
    }
    let p =
        |name: &str| json!({"permission_name": name, "resource_server_identifier": "https://api"});
    if url.contains("/roles/rol_admin/permissions?") {
        return ok(json!({"total": 2, "permissions": [p("read"), p("write")]}));
    }
    if url.contains("/roles/rol%2Feditor/permissions?") {
        return ok(json!({"total": 1, "permissions": [p("read")]}));
    }
    status(404)
}

fn roles_login(
    io: &FakeIo,
    s: &TestSettings,
    memory: &InstanceMemory,
    roles: &[&str],
) -> Vec<String> {
    let roles: Vec<String> = roles.iter().map(|r| (*r).to_owned()).collect();
    let found =
        block_on(client(io, s, memory).for_user("auth0|u", Some("https://api"), &roles)).unwrap();
    crate::claims::permission_names(&[Rc::new(found)], PermissionScope::All, None)
}

#[test]
fn role_derived_permissions_are_the_union_of_the_roles() {
    let io = FakeIo::new(roles_api);
    let s = settings(&[("permissions", "roles")]);
    let memory = InstanceMemory::default();
    assert_eq!(
        roles_login(&io, &s, &memory, &["editor", "admin", "ghost"]),
        vec!["read", "write"]
    );
    // token + 2 directory pages + 2 roles' permissions = distinct roles + 3 (150 roles need 2 pages)
    assert_eq!(io.requests.borrow().len(), 5, "{:?}", io.urls());
    assert!(io
        .logs
        .borrow()
        .iter()
        .any(|l| l.contains("not in the role directory")));
    assert!(
        io.urls().iter().all(|u| !u.contains("/users/")),
        "no per-user request"
    );
}

#[test]
fn a_warm_instance_makes_no_requests_in_roles_mode_until_the_cache_expires() {
    let io = FakeIo::new(roles_api);
    let s = settings(&[("permissions", "roles"), ("rolesCacheMs", "60000")]);
    let memory = InstanceMemory::default();
    roles_login(&io, &s, &memory, &["admin"]);
    let cold = io.requests.borrow().len();
    for _ in 0..1000 {
        assert_eq!(
            roles_login(&io, &s, &memory, &["admin", "editor"]),
            vec!["read", "write"]
        );
    }
    assert_eq!(
        io.requests.borrow().len(),
        cold + 1,
        "only editor's permissions were new"
    );
    io.now.set(START + 60_001.0);
    roles_login(&io, &s, &memory, &["admin"]);
    assert_eq!(
        io.requests.borrow().len(),
        cold + 1 + 3,
        "directory (2 pages) and admin fetched again"
    );
}

#[test]
fn roles_mode_with_no_roles_asks_nothing() {
    let io = FakeIo::new(|_, _| panic!("no request expected"));
    let s = settings(&[("permissions", "roles")]);
    assert!(roles_login(&io, &s, &InstanceMemory::default(), &[]).is_empty());
}

#[test]
fn a_zero_roles_cache_fetches_every_login() {
    let io = FakeIo::new(roles_api);
    let s = settings(&[("permissions", "roles"), ("rolesCacheMs", "0")]);
    let memory = InstanceMemory::default();
    roles_login(&io, &s, &memory, &["admin"]);
    roles_login(&io, &s, &memory, &["admin"]);
    assert_eq!(io.count("/roles/rol_admin/permissions"), 2);
    assert_eq!(io.count("/oauth/token"), 1);
}

#[test]
fn dot_segment_user_ids_are_refused_before_any_request() {
    let io = FakeIo::new(|_, _| panic!("no request expected"));
    for id in [".", ".."] {
        let s = settings(&[]);
        let err = block_on(client(&io, &s, &InstanceMemory::default()).for_user(id, None, &[]))
            .unwrap_err();
        assert_eq!(err, ManagementError::InvalidUserId);
    }
}

#[test]
fn missing_roles_are_logged_once_with_a_count() {
    let io = FakeIo::new(roles_api);
    let s = settings(&[("permissions", "roles")]);
    roles_login(
        &io,
        &s,
        &InstanceMemory::default(),
        &["admin", "ghost-1", "ghost-2", "ghost-3"],
    );
    let lines: Vec<String> = io
        .logs
        .borrow()
        .iter()
        .filter(|l| l.contains("role directory"))
        .cloned()
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].starts_with("3 role(s)"), "{lines:?}");
}

// ---- Security hardening: refusals, redirects, token lifecycle, single flight, bounds, messages ----

/// A cached token `token-0` in instance memory and in `api.cache`, as after an earlier login.
fn with_cached_token(io: &FakeIo, s: &TestSettings, memory: &InstanceMemory) {
    let client = client(io, s, memory);
    let entry = Entry {
        value: "token-0".to_owned(),
        usable_until_ms: START + 3_600_000.0,
    };
    memory
        .tokens
        .remember(&client.token_key(), entry, io.now_ms());
    io.cache.borrow_mut().insert(
        client.token_key(),
        CacheRecord {
            value: "token-0".into(),
            expires_at_ms: START + 3_600_000.0,
        },
    );
}

/// Numbered tokens `token-1`, `token-2`, …; `refuse(bearer)` answers a status instead of the page.
fn api_refusing(
    refuse: impl Fn(&str) -> Option<u16> + 'static,
) -> impl FnMut(&Request, u32) -> Result<Response, String> {
    let mut issued = 0;
    move |request, _| {
        if request.url.ends_with("/oauth/token") {
            issued += 1;
            return ok(json!({"access_token": format!("token-{issued}"), "expires_in": 86400}));
        }
        match refuse(&request.headers[0].1) {
            Some(code) => status(code),
            None => ok(json!({"total": 1, "permissions": perms(0..1)})),
        }
    }
}

#[test]
fn a_403_drops_the_cached_token_and_retries_once_with_a_new_one() {
    for refused in [401, 403] {
        let io = FakeIo::new(api_refusing(move |bearer| {
            (bearer == "Bearer token-0").then_some(refused)
        }));
        let s = settings(&[]);
        let memory = InstanceMemory::default();
        with_cached_token(&io, &s, &memory);
        assert_eq!(fetch(&io, &s, &memory).unwrap().len(), 1, "{refused}");
        assert_eq!(io.count("/oauth/token"), 1, "{refused}");
        let cached: Vec<String> = io
            .cache
            .borrow()
            .values()
            .map(|r| r.value.clone())
            .collect();
        assert_eq!(cached, vec!["token-1".to_owned()], "{refused}");
        fetch(&io, &s, &memory).unwrap();
        assert_eq!(io.count("/oauth/token"), 1, "the new token is kept");
    }
}

#[test]
fn a_second_refusal_leaves_no_token_behind_so_a_granted_scope_is_picked_up() {
    let granted = Rc::new(Cell::new(false));
    let flag = Rc::clone(&granted);
    let io = FakeIo::new(api_refusing(move |_| (!flag.get()).then_some(403)));
    let s = settings(&[]);
    let memory = InstanceMemory::default();
    with_cached_token(&io, &s, &memory);
    let err = fetch(&io, &s, &memory).unwrap_err();
    assert_eq!(err, ManagementError::Status(Endpoint::UserPermissions, 403));
    assert!(err.to_string().contains("read:users"), "{err}");
    assert!(
        io.cache.borrow().is_empty(),
        "no refused token in api.cache"
    );
    // The operator grants the scope: the very next login works (with a fresh token).
    granted.set(true);
    assert_eq!(fetch(&io, &s, &memory).unwrap().len(), 1);
    assert_eq!(io.count("/oauth/token"), 2);
}

#[test]
fn redirects_are_failures_never_followed_nor_retried() {
    for code in [301, 302, 303, 307, 308] {
        // On the token request: the client secret is sent once, to managementUrl only.
        let io = FakeIo::new(move |_, _| status(code));
        let err = fetch(&io, &settings(&[]), &InstanceMemory::default()).unwrap_err();
        assert_eq!(err, ManagementError::Status(Endpoint::Token, code));
        assert!(
            err.to_string().contains("redirects are never followed"),
            "{err}"
        );
        assert_eq!(io.requests.borrow().len(), 1, "{code}");
        // On a permissions page: the bearer token is not sent again, nothing is decoded.
        let io = FakeIo::new(api_refusing(move |_| Some(code)));
        let err = fetch(&io, &settings(&[]), &InstanceMemory::default()).unwrap_err();
        assert_eq!(
            err,
            ManagementError::Status(Endpoint::UserPermissions, code)
        );
        assert_eq!(io.count("/permissions?"), 1, "{code}");
    }
}

#[test]
fn tokens_that_cannot_be_sent_are_refused_and_never_cached() {
    let long = "a".repeat(MAX_TOKEN_BYTES + 1);
    for bad in [
        "",
        "tok en",
        "tok\u{7f}en",
        "tök",
        "t\r\nx-evil: 1",
        "=",
        &long,
    ] {
        let bad = bad.to_owned();
        let io = FakeIo::new(move |request, _| {
            if request.url.ends_with("/oauth/token") {
                ok(json!({"access_token": bad, "expires_in": 86400}))
            } else {
                panic!("no request may carry an unsendable token")
            }
        });
        let memory = InstanceMemory::default();
        let s = settings(&[]);
        let err = fetch(&io, &s, &memory).unwrap_err();
        assert!(
            matches!(err, ManagementError::Malformed(Endpoint::Token, _)),
            "{err:?}"
        );
        assert!(io.cache.borrow().is_empty());
        let _ = fetch(&io, &s, &memory);
        assert_eq!(io.count("/oauth/token"), 2, "not kept in memory either");
    }
    assert_eq!(bearer_token_problem("eyJhbGciOi.J9-_~+/x.sig=="), None);
    assert_eq!(bearer_token_problem(&"a".repeat(MAX_TOKEN_BYTES)), None);
}

#[test]
fn an_unsendable_token_in_api_cache_is_deleted_and_replaced() {
    for bad in ["bad token", "tök", "", "x\ny"] {
        let io = FakeIo::new(api_with(1, 100));
        let s = settings(&[]);
        let key = client(&io, &s, &InstanceMemory::default()).token_key();
        io.cache.borrow_mut().insert(
            key.clone(),
            CacheRecord {
                value: bad.into(),
                expires_at_ms: START * 2.0,
            },
        );
        assert_eq!(fetch(&io, &s, &InstanceMemory::default()).unwrap().len(), 1);
        assert_eq!(io.count("/oauth/token"), 1);
        let cached = io.cache.borrow().get(&key).map(|r| r.value.clone());
        assert_eq!(cached.as_deref(), Some("mgmt-token-1"), "{bad:?}");
        assert!(io.logs.borrow().iter().any(|l| l.contains("deleted")));
    }
}

#[test]
fn a_page_with_more_items_than_asked_for_is_refused() {
    let io = FakeIo::new(|request, _| {
        if request.url.ends_with("/oauth/token") {
            return token_body();
        }
        ok(json!({"total": 101, "permissions": perms(0..101)}))
    });
    let err = fetch(&io, &settings(&[]), &InstanceMemory::default()).unwrap_err();
    assert_eq!(
        err,
        ManagementError::Malformed(
            Endpoint::UserPermissions,
            "a page holds 101 items, more than the 100 asked for".into()
        )
    );
    let io = FakeIo::new(|request, _| {
        if request.url.ends_with("/oauth/token") {
            return token_body();
        }
        let roles: Vec<Value> = (0..101)
            .map(|i| json!({"id": format!("r{i}"), "name": format!("n{i}")}))
            .collect();
        ok(json!({"total": 101, "roles": roles}))
    });
    let err = block_on(
        client(
            &io,
            &settings(&[("permissions", "roles")]),
            &InstanceMemory::default(),
        )
        .for_user("auth0|u", None, &["n1".to_owned()]),
    )
    .unwrap_err();
    assert!(
        matches!(err, ManagementError::Malformed(Endpoint::Roles, _)),
        "{err:?}"
    );
}

#[test]
fn messages_name_the_endpoint_its_scope_and_what_is_missing() {
    let text = |e: Endpoint, status: u16| ManagementError::Status(e, status).to_string();
    assert!(text(Endpoint::UserPermissions, 403).contains("read:users"));
    assert!(text(Endpoint::Roles, 403).contains("read:roles"));
    assert!(text(Endpoint::RolePermissions, 403).contains("read:roles"));
    assert!(text(Endpoint::EffectivePermissions, 403).contains("read:user_effective_permissions"));
    for e in [
        Endpoint::Roles,
        Endpoint::RolePermissions,
        Endpoint::EffectivePermissions,
    ] {
        assert!(!text(e, 403).contains("read:users"), "{e}");
    }
    assert!(text(Endpoint::Token, 403).contains("clientSecret"));
    assert!(text(Endpoint::RolePermissions, 404).contains("role no longer exists"));
    assert!(text(Endpoint::UserPermissions, 404).contains("user does not exist"));
    assert!(!text(Endpoint::RolePermissions, 404).contains("user"));
    assert!(text(Endpoint::Roles, 404).contains("managementUrl"));
    for e in [Endpoint::Token, Endpoint::Roles, Endpoint::UserPermissions] {
        assert!(text(e, 0).contains("managementUrl"), "{e}");
        assert!(text(e, 0).starts_with(&e.to_string()), "{e}");
    }
}

#[test]
fn dot_segment_user_ids_do_not_matter_where_the_id_is_never_sent() {
    let s = settings(&[("permissions", "roles")]);
    for id in [".", ".."] {
        let io = FakeIo::new(roles_api);
        let found = block_on(client(&io, &s, &InstanceMemory::default()).for_user(
            id,
            None,
            &["admin".to_owned()],
        ))
        .unwrap();
        assert_eq!(found.len(), 2, "{id}");
    }
}

/// A host whose requests number `gated` wait until `open` is set, then take `delay_ms` and answer
/// with the inner fake's handler (or, when `fail_after_delay`, a network failure); its `sleep` really
/// waits on its clock, so logins can run interleaved.
struct GatedIo {
    inner: FakeIo,
    gated: u32,
    open: Cell<bool>,
    delay_ms: f64,
    fail_after_delay: bool,
}

impl Io for GatedIo {
    async fn send(&self, request: Request, timeout_ms: f64) -> Result<Response, String> {
        let index = self.inner.requests.borrow().len() as u32;
        if index == self.gated {
            core::future::poll_fn(|_| {
                if self.open.get() {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            })
            .await;
            self.inner.now.set(self.inner.now.get() + self.delay_ms);
            if self.fail_after_delay {
                self.inner.requests.borrow_mut().push(request);
                return Err("TimeoutError".into());
            }
        }
        self.inner.send(request, timeout_ms).await
    }
    async fn sleep(&self, ms: f64) {
        let until = self.inner.now.get() + ms;
        core::future::poll_fn(|_| {
            if self.inner.now.get() >= until {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await
    }
    fn now_ms(&self) -> f64 {
        self.inner.now_ms()
    }
    fn random(&self) -> f64 {
        0.5
    }
    fn cache_get(&self, key: &str) -> Option<CacheRecord> {
        self.inner.cache_get(key)
    }
    fn cache_set(&self, key: &str, value: &str, expires_at_ms: f64) -> Result<(), String> {
        self.inner.cache_set(key, value, expires_at_ms)
    }
    fn cache_delete(&self, key: &str) {
        self.inner.cache_delete(key)
    }
    fn log(&self, line: &str) {
        self.inner.log(line)
    }
}

fn poll_once<F: Future>(future: core::pin::Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn a_leaders_own_budget_failure_is_not_handed_to_the_logins_waiting_on_it() {
    // Login A leads the token request with a 200 ms budget; it times out when A's budget ends.
    // Login B (5 s budget) joined that flight: it must fetch a token itself, not take A's failure.
    let io = GatedIo {
        inner: FakeIo::new(api_with(2, 100)),
        gated: 0,
        open: Cell::new(false),
        delay_ms: 200.0,
        fail_after_delay: true,
    };
    let short = settings(&[("budgetMs", "200")]);
    let long = settings(&[("budgetMs", "5000")]);
    let memory = InstanceMemory::default();
    let a = client(&io, &short, &memory);
    let b = client(&io, &long, &memory);
    let mut login_a = pin!(a.for_user("auth0|a", None, &[]));
    let mut login_b = pin!(b.for_user("auth0|b", None, &[]));
    assert!(poll_once(login_a.as_mut()).is_pending());
    assert!(
        poll_once(login_b.as_mut()).is_pending(),
        "B waits on A's flight"
    );
    io.open.set(true);
    let Poll::Ready(a_result) = poll_once(login_a.as_mut()) else {
        panic!("A has finished")
    };
    assert_eq!(a_result, Err(ManagementError::Budget(Endpoint::Token)));
    let Poll::Ready(b_result) = poll_once(login_b.as_mut()) else {
        panic!("B has finished")
    };
    assert_eq!(b_result.unwrap().len(), 2);
    assert_eq!(io.inner.count("/oauth/token"), 2);
}

#[test]
fn a_cancelled_leader_hands_over_to_the_waiting_logins() {
    let io = GatedIo {
        inner: FakeIo::new(api_with(1, 100)),
        gated: 0,
        open: Cell::new(false),
        delay_ms: 0.0,
        fail_after_delay: false,
    };
    let s = settings(&[]);
    let memory = InstanceMemory::default();
    let a = client(&io, &s, &memory);
    let b = client(&io, &s, &memory);
    let mut login_a = Box::pin(a.for_user("auth0|a", None, &[]));
    let mut login_b = pin!(b.for_user("auth0|b", None, &[]));
    assert!(poll_once(login_a.as_mut()).is_pending());
    assert!(poll_once(login_b.as_mut()).is_pending());
    drop(login_a); // A's login ends (Auth0 gave up on it): its flight is abandoned
    io.open.set(true);
    let Poll::Ready(b_result) = poll_once(login_b.as_mut()) else {
        panic!("B has finished")
    };
    assert_eq!(b_result.unwrap().len(), 1);
    assert!(io
        .inner
        .logs
        .borrow()
        .iter()
        .any(|l| l.contains("fetching it here")));
}

#[test]
fn failures_any_login_would_get_are_shared_without_asking_again() {
    let io = GatedIo {
        inner: FakeIo::new(|_, _| status(401)),
        gated: 0,
        open: Cell::new(false),
        delay_ms: 0.0,
        fail_after_delay: false,
    };
    let s = settings(&[]);
    let memory = InstanceMemory::default();
    let a = client(&io, &s, &memory);
    let b = client(&io, &s, &memory);
    let mut login_a = pin!(a.for_user("auth0|a", None, &[]));
    let mut login_b = pin!(b.for_user("auth0|b", None, &[]));
    assert!(poll_once(login_a.as_mut()).is_pending());
    assert!(poll_once(login_b.as_mut()).is_pending());
    io.open.set(true);
    let bad_credentials = ManagementError::Status(Endpoint::Token, 401);
    assert_eq!(
        poll_once(login_a.as_mut()),
        Poll::Ready(Err(bad_credentials.clone()))
    );
    assert_eq!(
        poll_once(login_b.as_mut()),
        Poll::Ready(Err(bad_credentials))
    );
    assert_eq!(io.inner.count("/oauth/token"), 1);
}

#[test]
fn a_wait_that_outlasts_the_budget_names_what_it_waited_for() {
    // B waits on A's role directory request, which hangs past B's budget.
    let io = GatedIo {
        inner: FakeIo::new(roles_api),
        gated: 1, // the first /api/v2/roles page (the token request is number 0)
        open: Cell::new(false),
        delay_ms: 0.0,
        fail_after_delay: false,
    };
    let long = settings(&[("permissions", "roles"), ("budgetMs", "5000")]);
    let short = settings(&[("permissions", "roles"), ("budgetMs", "300")]);
    let memory = InstanceMemory::default();
    let a = client(&io, &long, &memory);
    let b = client(&io, &short, &memory);
    let roles = ["admin".to_owned()];
    let mut login_a = pin!(a.for_user("auth0|a", None, &roles));
    let mut login_b = pin!(b.for_user("auth0|b", None, &roles));
    assert!(poll_once(login_a.as_mut()).is_pending());
    assert!(poll_once(login_b.as_mut()).is_pending());
    io.inner.now.set(io.inner.now.get() + 301.0);
    assert_eq!(
        poll_once(login_b.as_mut()),
        Poll::Ready(Err(ManagementError::Budget(Endpoint::Roles)))
    );
}

/// A tenant whose first request answers `first` (a 503, a 429 with a far reset); then as `api_with(2)`.
fn failing_first(first: u16) -> impl FnMut(&Request, u32) -> Result<Response, String> {
    let mut rest = api_with(2, 100);
    move |request, index| {
        if index > 0 {
            return rest(request, index);
        }
        let mut response = status(first)?;
        response.retry_after = Some("3".into());
        Ok(response)
    }
}

#[test]
fn a_leader_whose_retries_no_longer_fit_its_budget_hands_over_to_the_waiters() {
    // A (budget 300 ms) leads the token request; after 250 ms it gets a 503 or a 429 that asks for
    // 3 s: too late for A, but B (5 s) must fetch within its own budget instead of taking A's failure.
    for (first, a_error) in [
        (
            503,
            ManagementError::StatusBeyondBudget(Endpoint::Token, 503),
        ),
        (429, ManagementError::RateLimited(Endpoint::Token)),
    ] {
        let io = GatedIo {
            inner: FakeIo::new(failing_first(first)),
            gated: 0,
            open: Cell::new(false),
            delay_ms: 250.0,
            fail_after_delay: false,
        };
        let short = settings(&[("budgetMs", "300")]);
        let long = settings(&[("budgetMs", "5000")]);
        let memory = InstanceMemory::default();
        let a = client(&io, &short, &memory);
        let b = client(&io, &long, &memory);
        let mut login_a = pin!(a.for_user("auth0|a", None, &[]));
        let mut login_b = pin!(b.for_user("auth0|b", None, &[]));
        assert!(poll_once(login_a.as_mut()).is_pending());
        assert!(poll_once(login_b.as_mut()).is_pending());
        io.open.set(true);
        assert_eq!(poll_once(login_a.as_mut()), Poll::Ready(Err(a_error)));
        let Poll::Ready(b_result) = poll_once(login_b.as_mut()) else {
            panic!("B has finished")
        };
        assert_eq!(b_result.unwrap().len(), 2, "{first}");
    }
}

#[test]
fn a_late_refusal_of_an_old_token_keeps_the_newer_one_in_api_cache() {
    let io = FakeIo::new(api_refusing(|bearer| {
        (bearer == "Bearer token-0").then_some(401)
    }));
    let s = settings(&[]);
    let memory = InstanceMemory::default();
    with_cached_token(&io, &s, &memory);
    let client = client(&io, &s, &memory);
    // Another instance stored a newer token in api.cache meanwhile.
    io.cache.borrow_mut().insert(
        client.token_key(),
        CacheRecord {
            value: "token-newer".into(),
            expires_at_ms: START + 3_600_000.0,
        },
    );
    client.drop_token(&"token-0".to_owned());
    let kept = io
        .cache
        .borrow()
        .get(&client.token_key())
        .map(|r| r.value.clone());
    assert_eq!(kept.as_deref(), Some("token-newer"));
    client.drop_token(&"token-newer".to_owned());
    assert!(io.cache.borrow().is_empty());
}

#[test]
fn role_ids_that_are_dot_segments_never_reach_a_url() {
    for id in [".", ".."] {
        let io = FakeIo::new(move |request, _| {
            let url = &request.url;
            if url.ends_with("/oauth/token") {
                return token_body();
            }
            if url.contains("/api/v2/roles?") {
                return ok(json!({"total": 1, "roles": [{"id": id, "name": "admin"}]}));
            }
            panic!("no request for a dot-segment role id: {url}")
        });
        let s = settings(&[("permissions", "roles")]);
        let err = block_on(client(&io, &s, &InstanceMemory::default()).for_user(
            "auth0|u",
            None,
            &["admin".to_owned()],
        ))
        .unwrap_err();
        assert!(
            matches!(err, ManagementError::Malformed(Endpoint::Roles, _)),
            "{err:?}"
        );
    }
}

#[test]
fn a_second_401_points_at_the_application_authorization() {
    let text = ManagementError::Status(Endpoint::RolePermissions, 401).to_string();
    assert!(text.contains("authorized for the Management API"), "{text}");
}

#[test]
fn a_chain_of_short_budget_leaders_does_not_fail_a_login_with_time_left() {
    // Logins A, B, C (budgets 300, 400, 500 ms) lead one after the other and each runs out; D (5 s)
    // waits through all of them and then fetches within its own budget. One handover line for D.
    let io = GatedIo {
        inner: FakeIo::new(api_with(1, 100)),
        gated: 0,
        open: Cell::new(true),
        delay_ms: 0.0,
        fail_after_delay: false,
    };
    let memory = InstanceMemory::default();
    let budgets = ["300", "400", "500"].map(|b| settings(&[("budgetMs", b)]));
    let long = settings(&[("budgetMs", "5000")]);
    let clients: Vec<Client<'_, GatedIo>> =
        budgets.iter().map(|s| client(&io, s, &memory)).collect();
    let d = client(&io, &long, &memory);
    // Each short login leads in turn and is dropped (cancelled) before its request completes.
    let mut login_d = pin!(d.for_user("auth0|d", None, &[]));
    for client in &clients {
        let mut lead = Box::pin(client.for_user("auth0|x", None, &[]));
        // Hold the token request open while this login leads.
        io.open.set(false);
        let before = io.inner.requests.borrow().len();
        assert!(poll_once(lead.as_mut()).is_pending());
        assert!(io.inner.requests.borrow().len() <= before + 1);
        assert!(poll_once(login_d.as_mut()).is_pending(), "D waits");
        drop(lead);
    }
    io.open.set(true);
    let Poll::Ready(result) = poll_once(login_d.as_mut()) else {
        panic!("D has finished")
    };
    assert_eq!(result.unwrap().len(), 1);
    let handovers = io
        .inner
        .logs
        .borrow()
        .iter()
        .filter(|l| l.contains("fetching it here"))
        .count();
    assert_eq!(handovers, 1, "{:?}", io.inner.logs.borrow());
}

#[test]
fn a_list_of_huge_items_is_refused_before_it_fills_memory() {
    // Pages of 100 permissions whose names take 10 kB each: 1 MB per page passes the body cap in
    // the host, and 200 such pages would keep 200 MB; the list is refused past MAX_LIST_BYTES.
    let io = FakeIo::new(|request, _| {
        if request.url.ends_with("/oauth/token") {
            return token_body();
        }
        let items: Vec<Value> = (0..100)
            .map(|i| json!({"permission_name": format!("{i}{}", "x".repeat(10_000)), "resource_server_identifier": "https://api"}))
            .collect();
        ok(json!({"total": 20_000, "permissions": items}))
    });
    let err = fetch(&io, &settings(&[]), &InstanceMemory::default()).unwrap_err();
    assert!(
        matches!(&err, ManagementError::Malformed(Endpoint::UserPermissions, detail) if detail.contains("bytes")),
        "{err:?}"
    );
    assert!(
        io.count("/permissions?") <= 3,
        "stopped after {} pages",
        io.count("/permissions?")
    );
}

#[test]
fn a_shorter_roles_cache_setting_applies_to_role_data_already_kept() {
    let io = FakeIo::new(roles_api);
    let memory = InstanceMemory::default();
    let day = settings(&[("permissions", "roles"), ("rolesCacheMs", "86400000")]);
    roles_login(&io, &day, &memory, &["admin"]);
    let first = io.count("/roles/rol_admin/permissions");
    roles_login(&io, &day, &memory, &["admin"]);
    assert_eq!(io.count("/roles/rol_admin/permissions"), first, "kept");
    io.now.set(io.now.get() + 1_000.0);
    let minute = settings(&[("permissions", "roles"), ("rolesCacheMs", "60000")]);
    roles_login(&io, &minute, &memory, &["admin"]);
    assert_eq!(
        io.count("/roles/rol_admin/permissions"),
        first + 1,
        "fetched again under the shorter lifetime"
    );
    roles_login(&io, &minute, &memory, &["admin"]);
    assert_eq!(
        io.count("/roles/rol_admin/permissions"),
        first + 1,
        "then kept for it"
    );
}

/// The endpoints each `permissions` mode calls (`roles` also serves organization logins in `user` and
/// `effective` mode), whose scopes the docs list by hand.
const MODE_ENDPOINTS: [(&str, &[Endpoint]); 3] = [
    ("user", &[Endpoint::UserPermissions]),
    ("effective", &[Endpoint::EffectivePermissions]),
    ("roles", &[Endpoint::Roles, Endpoint::RolePermissions]),
];

#[test]
fn the_docs_name_the_scope_each_mode_needs() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let deploy = std::fs::read_to_string(root.join("docs/deploy.md")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    // Prose wraps anywhere: compare it with every run of white space as one space.
    let flat = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    let (deploy_prose, readme) = (flat(&deploy), flat(&readme));
    let table = crate::config::table::SETTINGS
        .iter()
        .find(|s| s.name == crate::config::keys::PERMISSIONS)
        .unwrap()
        .doc;
    for (mode, endpoints) in MODE_ENDPOINTS {
        for endpoint in endpoints {
            let scope = endpoint.scope().unwrap();
            // The deploy guide's table: the mode's row names its endpoints' scope.
            let row = deploy
                .lines()
                .find(|l| l.trim_start().starts_with(&format!("| `{mode}`")))
                .unwrap_or_else(|| panic!("docs/deploy.md has no row for permissions={mode}"));
            assert!(row.contains(scope), "docs/deploy.md, {mode}: {scope}");
            // The README's M2M paragraph and the settings table name it with the mode.
            assert!(
                readme.contains(&format!("`{scope}` for `permissions={mode}`")),
                "README, {mode}: {scope}"
            );
            assert!(table.contains(scope), "settings table, {mode}: {scope}");
        }
    }
    // Organization logins in user/effective mode read the role endpoints: both docs say so.
    let roles_scope = Endpoint::Roles.scope().unwrap();
    assert!(deploy_prose.contains(&format!(
        "grant `{roles_scope}` too with `user` or `effective`"
    )));
    assert!(readme.contains(&format!(
        "`{roles_scope}` for `permissions=roles` (and for `user` or `effective` in organization logins)"
    )));
}

/// A tenant where every role `rol_<n>` grants one permission, `use:<n>`.
fn any_role_api(request: &Request, _: u32) -> Result<Response, String> {
    if request.url.ends_with("/oauth/token") {
        return token_body();
    }
    let name = request
        .url
        .split("/roles/rol_")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap();
    ok(json!({"total": 1, "permissions": [
        {"permission_name": format!("use:{name}"), "resource_server_identifier": "https://api"}
    ]}))
}

/// One login whose one role comes with its id (`api.roles`), as `roles=effective` gives it.
fn login_with_role_id(io: &FakeIo, s: &TestSettings, memory: &InstanceMemory, n: usize) {
    let id = format!("rol_{n}");
    let roles = Roles::from_named(vec![(format!("role-{n}"), Some(id))]);
    let lists = block_on(client(io, s, memory).permission_lists(
        PermissionSource::Roles,
        "auth0|u",
        None,
        &roles,
    ))
    .unwrap();
    let names = crate::claims::permission_names(&lists, PermissionScope::All, None);
    assert_eq!(names, [format!("use:{n}")]);
}

/// Entries visited per warm login, on average, for the `count` role ids before `end`.
fn entries_visited_per_warm_login(
    io: &FakeIo,
    s: &TestSettings,
    memory: &InstanceMemory,
    end: usize,
    count: usize,
) -> f64 {
    let requests = io.requests.borrow().len();
    let before = memory.role_permissions.entries_visited();
    for n in end - count..end {
        login_with_role_id(io, s, memory, n);
    }
    assert_eq!(io.requests.borrow().len(), requests, "every role was kept");
    (memory.role_permissions.entries_visited() - before) as f64 / count as f64
}

#[test]
fn role_data_for_fifty_thousand_role_ids_stays_within_its_bounds() {
    for cache_ms in ["1", "86400000"] {
        let io = FakeIo::new(any_role_api);
        let s = settings(&[("permissions", "roles"), ("rolesCacheMs", cache_ms)]);
        let memory = InstanceMemory::default();
        let mut most = (0, 0);
        for n in 0..50_000 {
            io.now.set(io.now.get() + 1.0);
            login_with_role_id(&io, &s, &memory, n);
            let (entries, bytes) = memory.role_permissions.footprint();
            assert!(
                entries <= flight::MAX_KEPT_ENTRIES && bytes <= flight::MAX_KEPT_BYTES,
                "rolesCacheMs={cache_ms}, after {} ids: {entries} entries, {bytes} bytes",
                n + 1
            );
            most = (most.0.max(entries), most.1.max(bytes));
        }
        if cache_ms == "1" {
            // Expired entries leave on a later insert, not only when their own id comes back.
            assert!(
                most.0 <= 256,
                "rolesCacheMs=1: up to {} entries kept",
                most.0
            );
        }
        println!(
            "rolesCacheMs={cache_ms}: at most {} entries, {} bytes kept",
            most.0, most.1
        );
    }
}

#[test]
fn the_work_of_a_warm_login_does_not_grow_with_the_role_ids_kept() {
    let s = settings(&[("permissions", "roles"), ("rolesCacheMs", "86400000")]);
    let io = FakeIo::new(any_role_api);
    let memory = InstanceMemory::default();
    let inserted = memory.role_permissions.entries_visited();
    for n in 0..100 {
        login_with_role_id(&io, &s, &memory, n);
    }
    let few = entries_visited_per_warm_login(&io, &s, &memory, 100, 100);
    assert!(
        few <= 4.0,
        "entries visited per warm login with 100 ids kept: {few}"
    );
    for n in 100..50_000 {
        login_with_role_id(&io, &s, &memory, n);
    }
    // Inserting, sweeping and evicting included: a constant amount of work per id, amortised (a list
    // searched one entry at a time visits thousands).
    let per_insert = (memory.role_permissions.entries_visited() - inserted) as f64 / 50_000.0;
    let many = entries_visited_per_warm_login(&io, &s, &memory, 50_000, 1_000);
    assert!(
        many <= 4.0,
        "entries visited per warm login after 50,000 ids: {many}"
    );
    assert!(
        per_insert <= 32.0,
        "{per_insert} entries visited per new id"
    );
    println!("entries visited: {few} per warm login with 100 ids kept, {many} after 50,000 ids; {per_insert} per new id");
}
