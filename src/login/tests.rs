//! The whole login flow natively: a fake host that records every call in order, and a fake
//! Management API answered in-process with a clock that sleeps instantly.

use super::*;
use crate::error::{CONFIG_DENY_REASON, USER_DENY_REASON};
use crate::management::decode::RESPONSE_FIELDS;
use crate::management::fake::FakeIo;
use crate::port::{ApiList, Io, ListEntry, ListFailure, ListPage, Method, Request, Response};
use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};

const NS: &str = r#"{"namespace":"https://e.com"}"#;
/// The three credentials, so `permissions` defaults to `user`.
const CREDENTIALS: &str = r#""namespace":"https://e.com","domain":"tenant.auth0.com","clientId":"cid","clientSecret":"s3cr3t""#;
const TENANT: &str = "https://tenant.auth0.com";

/// What a fake `api` list answers for (list, `from`): `None` is a page that never comes.
type ListAnswer = Box<dyn FnMut(ApiList, Option<&str>) -> Option<Result<ListPage, ListFailure>>>;
type ListAnswers = RefCell<ListAnswer>;

/// A fake host: the event's fields, which call throws (`broken`), and every call it got, in order.
struct FakeHost {
    secrets: Option<String>,
    roles: Vec<Option<String>>,
    /// The array at `metadataPath` in `app_metadata` (`None`: the path is missing).
    metadata: Option<Vec<Option<String>>>,
    user_id: String,
    requested_api: Option<String>,
    /// `event.organization.id` set.
    organization: bool,
    /// How long each `api.roles` / `api.groups` page takes, in ms of the fake clock.
    list_delay_ms: f64,
    /// The pages of `api.roles` / `api.groups`: `None` is a page that never comes.
    lists: ListAnswers,
    /// Among `settings`, `roles`, `metadata`, `organization`, `idToken`, `accessToken`, `addScope` and
    /// `deny`: the calls that fail.
    broken: Vec<&'static str>,
    calls: RefCell<Vec<String>>,
    io: FakeIo,
    /// The names of the secrets, and how often they were listed.
    secret_names: Vec<String>,
    names_read: Cell<usize>,
}

impl FakeHost {
    /// Settings from `secrets` (JSON), the given role names, and a Management API that answers
    /// nothing (every request fails).
    fn new(secrets: &str, roles: &[&str]) -> Self {
        Self {
            secrets: Some(secrets.to_owned()),
            roles: roles.iter().map(|r| Some((*r).to_owned())).collect(),
            metadata: None,
            user_id: "auth0|1".into(),
            requested_api: None,
            organization: false,
            list_delay_ms: 0.0,
            lists: RefCell::new(Box::new(|_, _| {
                Some(Err(ListFailure::Missing("api.roles is undefined".into())))
            })),
            broken: Vec::new(),
            calls: RefCell::new(Vec::new()),
            io: FakeIo::new(|_, _| Err("no route".into())),
            secret_names: Vec::new(),
            names_read: Cell::new(0),
        }
    }

    fn answering(
        self,
        mut handler: impl FnMut(&Request) -> Result<Response, String> + 'static,
    ) -> Self {
        *self.io.handler.borrow_mut() = Box::new(move |request, _| handler(request));
        self
    }

    /// `api.roles` / `api.groups` answered by `answer` (list, `from`).
    fn listing(
        self,
        answer: impl FnMut(ApiList, Option<&str>) -> Option<Result<ListPage, ListFailure>> + 'static,
    ) -> Self {
        *self.lists.borrow_mut() = Box::new(answer);
        self
    }

    fn call(&self, call: String) {
        self.calls.borrow_mut().push(call);
    }

    fn fails(&self, call: &'static str, what: &'static str) -> Result<(), Error> {
        if self.broken.contains(&call) {
            return Err(Error::host(what, "TypeError: broken"));
        }
        Ok(())
    }

    fn calls(&self) -> Vec<String> {
        self.calls.borrow().clone()
    }

    fn logs(&self) -> Vec<String> {
        self.io.logs.borrow().clone()
    }

    /// Each request as `METHOD url`.
    fn requests(&self) -> Vec<String> {
        let method = |m: Method| match m {
            Method::Get => "GET",
            Method::Post => "POST",
        };
        self.io
            .requests
            .borrow()
            .iter()
            .map(|r| format!("{} {}", method(r.method), r.url))
            .collect()
    }
}

impl Host for FakeHost {
    type Io = FakeIo;

    fn settings_text(&self) -> Result<Option<Rc<str>>, Error> {
        self.call("settings_text".into());
        self.fails("settings", "event.secrets")?;
        Ok(self.secrets.as_deref().map(Rc::from))
    }

    fn secret_names(&self, limit: usize, max_chars: usize) -> Vec<String> {
        self.names_read.set(self.names_read.get() + 1);
        let fits = |name: &&String| name.encode_utf16().count() <= max_chars;
        self.secret_names
            .iter()
            .filter(fits)
            .take(limit)
            .cloned()
            .collect()
    }

    fn role_entries(&self, limit: usize, max_chars: usize) -> Result<Vec<Option<String>>, Error> {
        self.call(format!("role_entries {limit} {max_chars}"));
        self.fails("roles", "event.authorization")?;
        Ok(self.roles.clone())
    }

    fn metadata_role_entries(
        &self,
        path: &str,
        limit: usize,
        max_chars: usize,
    ) -> Result<Option<Vec<Option<String>>>, Error> {
        self.call(format!("metadata_role_entries {path} {limit} {max_chars}"));
        if self.broken.contains(&"metadata") {
            return Err(Error::Event(format!(
                "user.app_metadata.{path} is object, not an array"
            )));
        }
        Ok(self.metadata.clone())
    }

    fn user_id(&self) -> Result<String, Error> {
        self.call("user_id".into());
        Ok(self.user_id.clone())
    }

    fn requested_api(&self) -> Result<Option<String>, Error> {
        self.call("requested_api".into());
        Ok(self.requested_api.clone())
    }

    fn organization_login(&self) -> Result<bool, Error> {
        self.call("organization_login".into());
        self.fails("organization", "event.organization")?;
        Ok(self.organization)
    }

    async fn list_page(
        &self,
        list: ApiList,
        take: u32,
        from: Option<&str>,
        _max_chars: usize,
    ) -> Result<ListPage, ListFailure> {
        self.call(format!(
            "{} take={take} from={}",
            list.call(),
            from.unwrap_or("-")
        ));
        self.io.sleep(self.list_delay_ms).await;
        let answer = (self.lists.borrow_mut())(list, from);
        match answer {
            Some(answer) => answer,
            None => core::future::pending().await,
        }
    }

    fn set_claims(
        &self,
        id: &[(&str, &str)],
        access: &[(&str, &str)],
        _roles_as_read: bool,
    ) -> Result<(), Error> {
        for (claims, name, call) in [
            (id, "idToken", "api.idToken.setCustomClaim"),
            (access, "accessToken", "api.accessToken.setCustomClaim"),
        ] {
            let shown: Vec<String> = claims
                .iter()
                .map(|(name, json)| format!("{name}={json}"))
                .collect();
            self.call(format!("{name} {}", shown.join(" ")));
            self.fails(name, call)?;
        }
        Ok(())
    }

    fn deny(&self, reason: &str) -> Result<(), Error> {
        self.call(format!("deny {reason}"));
        if self.broken.contains(&"deny") {
            return Err(Error::host("api.access.deny", "Error: broken"));
        }
        Ok(())
    }

    fn log(&self, line: &str) {
        self.io.log(line);
    }

    fn add_scopes(&self, scopes: &[String]) -> Result<(), Error> {
        self.call(format!("addScope {}", scopes.join(" ")));
        self.fails("addScope", "api.accessToken.addScope")
    }

    fn write_line(&self, line: &str) {
        self.calls.borrow_mut().push(format!("line {line}"));
    }

    fn io(&self) -> &FakeIo {
        &self.io
    }
}

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..10_000 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
    panic!("the login did not finish");
}

fn login(host: &FakeHost, instance: &Instance) -> Outcome {
    block_on(run(host, instance))
}

fn ok(body: &str) -> Result<Response, String> {
    Ok(Response {
        status: 200,
        rate_limit_reset: None,
        retry_after: None,
        body: Ok(json::parse_keeping(body, Some(RESPONSE_FIELDS)).unwrap()),
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

/// A Management API with one user's permissions and one role's.
fn management_api(request: &Request) -> Result<Response, String> {
    let path = request.url.strip_prefix(TENANT).unwrap_or_default();
    match path.split('?').next().unwrap_or_default() {
        "/oauth/token" => ok(r#"{"access_token":"mgmt-token","expires_in":86400}"#),
        "/api/v2/users/auth0%7C1/permissions" => ok(r#"{"total":3,"permissions":[
                {"permission_name":"write:x","resource_server_identifier":"https://api"},
                {"permission_name":"read:x","resource_server_identifier":"https://api"},
                {"permission_name":"read:x","resource_server_identifier":"https://other"}]}"#),
        "/api/v2/roles" => ok(r#"{"total":1,"roles":[{"id":"rol_1","name":"admin"}]}"#),
        "/api/v2/roles/rol_1/permissions" => ok(
            r#"{"total":1,"permissions":[{"permission_name":"read:r","resource_server_identifier":"https://api"}]}"#,
        ),
        _ => status(404),
    }
}

fn deny() -> String {
    format!("deny {USER_DENY_REASON}")
}

#[test]
fn roles_only_sets_both_tokens_and_reads_nothing_else() {
    let mut host = FakeHost::new(NS, &["editor", "admin"]);
    host.roles.insert(1, None);
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert_eq!(
        host.calls(),
        [
            "settings_text",
            "role_entries 1000 90000",
            r#"idToken https://e.com/roles=["editor","admin"]"#,
            r#"accessToken https://e.com/roles=["editor","admin"]"#,
        ]
    );
    assert_eq!(
        host.logs(),
        ["dropped 1 role entries that were not well-formed strings"]
    );
    assert!(host.requests().is_empty());
}

#[test]
fn the_tokens_setting_and_max_claim_bytes_reach_the_host() {
    let host = FakeHost::new(
        r#"{"namespace":"https://e.com","tokens":"access","maxClaimBytes":"500"}"#,
        &["a"],
    );
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert_eq!(
        host.calls(),
        [
            "settings_text",
            "role_entries 1000 500",
            "idToken ",
            r#"accessToken https://e.com/roles=["a"]"#,
        ]
    );
}

#[test]
fn a_config_error_denies_before_anything_else_is_read() {
    for (secrets, log) in [
        (
            Some(r#"{"namespace":"example.com"}"#),
            "login denied: configuration: setting `namespace` \"example.com\" must be an http(s) URL or a URN",
        ),
        (
            None,
            "login denied: configuration: setting `namespace` is required",
        ),
        (
            Some(r#"{"namespace":"https://e.com","tokens":"refresh"}"#),
            "login denied: configuration: setting `tokens` has unknown token \"refresh\"",
        ),
    ] {
        let mut host = FakeHost::new("", &["a"]);
        host.secrets = secrets.map(str::to_owned);
        assert_eq!(login(&host, &Instance::default()), Outcome::Done);
        assert_eq!(
            host.calls(),
            ["settings_text".to_owned(), format!("deny {CONFIG_DENY_REASON}")],
            "{secrets:?}"
        );
        let logs = host.logs();
        assert_eq!(logs.len(), 1, "{logs:?}");
        assert!(logs[0].starts_with(log), "{logs:?}");
    }
}

#[test]
fn an_event_that_throws_is_denied() {
    for (broken, calls, log) in [
        (
            "settings",
            vec!["settings_text".to_owned(), deny()],
            "login denied: event.secrets threw: TypeError: broken",
        ),
        (
            "roles",
            vec![
                "settings_text".to_owned(),
                "role_entries 1000 90000".to_owned(),
                deny(),
            ],
            "login denied: event.authorization threw: TypeError: broken",
        ),
    ] {
        let mut host = FakeHost::new(NS, &["a"]);
        host.broken = vec![broken];
        assert_eq!(login(&host, &Instance::default()), Outcome::Done);
        assert_eq!(host.calls(), calls, "{broken}");
        assert_eq!(host.logs(), [log], "{broken}");
    }
}

#[test]
fn permissions_come_from_the_management_api_and_the_token_is_kept_by_the_instance() {
    let instance = Instance::default();
    let host = FakeHost::new(&format!("{{{CREDENTIALS}}}"), &["admin"]).answering(management_api);
    assert_eq!(login(&host, &instance), Outcome::Done);
    let claims = r#"https://e.com/roles=["admin"] https://e.com/permissions=["read:x","write:x"]"#;
    assert_eq!(
        host.calls(),
        [
            "settings_text".to_owned(),
            "role_entries 1000 90000".to_owned(),
            "organization_login".to_owned(),
            "user_id".to_owned(),
            "requested_api".to_owned(),
            format!("idToken {claims}"),
            format!("accessToken {claims}"),
        ]
    );
    let permissions = format!(
        "GET {TENANT}/api/v2/users/auth0%7C1/permissions?per_page=100&page=0&include_totals=true"
    );
    assert_eq!(
        host.requests(),
        [format!("POST {TENANT}/oauth/token"), permissions.clone()]
    );
    assert_eq!(
        host.io.cache.borrow().len(),
        1,
        "the token goes to api.cache too"
    );
    assert!(host.logs().is_empty(), "{:?}", host.logs());

    // The next login of this instance (a new event and api) takes the token from instance memory.
    let next = FakeHost::new(&format!("{{{CREDENTIALS}}}"), &["admin"]).answering(management_api);
    assert_eq!(login(&next, &instance), Outcome::Done);
    assert_eq!(next.requests(), [permissions]);
    assert_eq!(next.calls(), host.calls());
}

#[test]
fn roles_mode_never_reads_the_user_id_and_keeps_role_data() {
    let instance = Instance::default();
    let secrets = format!(r#"{{{CREDENTIALS},"permissions":"roles"}}"#);
    let host = FakeHost::new(&secrets, &["admin", "ghost"]).answering(management_api);
    assert_eq!(login(&host, &instance), Outcome::Done);
    let claims = r#"https://e.com/roles=["admin","ghost"] https://e.com/permissions=["read:r"]"#;
    assert_eq!(
        host.calls(),
        [
            "settings_text".to_owned(),
            "role_entries 1000 90000".to_owned(),
            "requested_api".to_owned(),
            format!("idToken {claims}"),
            format!("accessToken {claims}"),
        ]
    );
    assert_eq!(host.requests().len(), 3, "{:?}", host.requests());
    assert_eq!(
        host.logs(),
        ["1 role(s) of the login not in the role directory (created since it was cached?): skipped"]
    );

    let next = FakeHost::new(&secrets, &["admin"]).answering(management_api);
    assert_eq!(login(&next, &instance), Outcome::Done);
    assert!(next.requests().is_empty(), "{:?}", next.requests());
}

#[test]
fn requested_permissions_without_a_requested_api_ask_nothing() {
    let secrets = format!(r#"{{{CREDENTIALS},"permissionsFor":"requested"}}"#);
    let host = FakeHost::new(&secrets, &["a"]).answering(management_api);
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    let claims = r#"https://e.com/roles=["a"] https://e.com/permissions=[]"#;
    assert_eq!(
        host.calls(),
        [
            "settings_text".to_owned(),
            "role_entries 1000 90000".to_owned(),
            "organization_login".to_owned(),
            "user_id".to_owned(),
            "requested_api".to_owned(),
            format!("idToken {claims}"),
            format!("accessToken {claims}"),
        ]
    );
    assert!(host.requests().is_empty());

    // With a requested API, only its permissions.
    let mut host = FakeHost::new(&secrets, &["a"]).answering(management_api);
    host.requested_api = Some("https://other".into());
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert!(host.calls().contains(
        &r#"idToken https://e.com/roles=["a"] https://e.com/permissions=["read:x"]"#.to_owned()
    ));
}

#[test]
fn a_management_api_failure_denies_or_continues_as_on_error_says() {
    let refused =
        "management API: POST /oauth/token: status 403: check clientId, clientSecret and that the application is authorized for the Management API";
    let host = FakeHost::new(&format!("{{{CREDENTIALS}}}"), &["a"]).answering(|_| status(403));
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert_eq!(host.calls().last(), Some(&deny()));
    assert!(!host.calls().iter().any(|c| c.contains("Token ")));
    assert_eq!(host.logs(), [format!("login denied: {refused}")]);

    let secrets = format!(r#"{{{CREDENTIALS},"onError":"continue"}}"#);
    let host = FakeHost::new(&secrets, &["a"]).answering(|_| status(403));
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert_eq!(
        host.calls(),
        [
            "settings_text",
            "role_entries 1000 90000",
            "organization_login",
            "user_id",
            "requested_api",
            r#"idToken https://e.com/roles=["a"]"#,
            r#"accessToken https://e.com/roles=["a"]"#,
        ]
    );
    assert_eq!(
        host.logs(),
        [format!(
            "continuing without permissions (onError=continue): {refused}"
        )]
    );
}

#[test]
fn a_claim_that_cannot_be_set_ends_in_a_deny() {
    let mut host = FakeHost::new(NS, &["a"]);
    host.broken = vec!["accessToken"];
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert_eq!(
        host.calls(),
        [
            "settings_text".to_owned(),
            "role_entries 1000 90000".to_owned(),
            r#"idToken https://e.com/roles=["a"]"#.to_owned(),
            r#"accessToken https://e.com/roles=["a"]"#.to_owned(),
            deny(),
        ]
    );
    assert_eq!(
        host.logs(),
        ["login denied: api.accessToken.setCustomClaim threw: TypeError: broken"]
    );
}

#[test]
fn a_login_whose_deny_fails_is_not_denied() {
    let mut host = FakeHost::new(NS, &["a"]);
    host.secrets = None;
    host.broken = vec!["deny"];
    assert_eq!(login(&host, &Instance::default()), Outcome::NotDenied);
    assert_eq!(
        host.calls(),
        [
            "settings_text".to_owned(),
            format!("deny {CONFIG_DENY_REASON}")
        ]
    );
    let logs = host.logs();
    assert_eq!(logs.len(), 2, "{logs:?}");
    assert!(logs[0].starts_with("login denied: configuration: setting `namespace` is required"));
    assert_eq!(
        logs[1],
        "could not deny the login: api.access.deny threw: Error: broken; failing it instead"
    );

    // A claim that cannot be set, then a deny that fails too: the caller must fail the login.
    let mut host = FakeHost::new(NS, &["a"]);
    host.broken = vec!["idToken", "deny"];
    assert_eq!(login(&host, &Instance::default()), Outcome::NotDenied);
    assert_eq!(
        host.calls(),
        [
            "settings_text".to_owned(),
            "role_entries 1000 90000".to_owned(),
            r#"idToken https://e.com/roles=["a"]"#.to_owned(),
            deny(),
        ]
    );
    assert_eq!(
        host.logs(),
        [
            "login denied: api.idToken.setCustomClaim threw: TypeError: broken",
            "could not deny the login: api.access.deny threw: Error: broken; failing it instead",
        ]
    );
}

#[test]
fn settings_are_parsed_once_per_distinct_secrets_text() {
    let instance = Instance::default();
    let last = || {
        instance
            .last_settings
            .borrow()
            .as_ref()
            .map(|(_, settings)| Rc::clone(settings))
            .unwrap()
    };
    let a = r#"{"namespace":"https://a.com"}"#;
    let b = r#"{"namespace":"https://b.com"}"#;
    login(&FakeHost::new(a, &["r"]), &instance);
    let first = last();
    login(&FakeHost::new(a, &["r"]), &instance);
    assert!(Rc::ptr_eq(&first, &last()), "same text: not parsed again");

    let host = FakeHost::new(b, &["r"]);
    login(&host, &instance);
    let second = last();
    assert!(!Rc::ptr_eq(&first, &second), "new text: parsed");
    assert_eq!(second.namespace.as_str(), "https://b.com");
    assert!(host.calls()[2].starts_with("idToken https://b.com/roles"));

    // No secrets at all: denied, and the settings kept are left alone.
    let mut none = FakeHost::new(b, &["r"]);
    none.secrets = None;
    login(&none, &instance);
    assert_eq!(
        none.calls().last(),
        Some(&format!("deny {CONFIG_DENY_REASON}"))
    );
    assert!(Rc::ptr_eq(&second, &last()));

    // Settings that fail validation are not kept either.
    login(&FakeHost::new(r#"{"namespace":"x"}"#, &["r"]), &instance);
    assert!(Rc::ptr_eq(&second, &last()));
}

/// A page of `names`, each with the id `rol_<name>`, and its `next` cursor.
fn page(names: &[&str], next: Option<&str>) -> Option<Result<ListPage, ListFailure>> {
    Some(Ok(ListPage {
        entries: names
            .iter()
            .map(|name| ListEntry {
                name: (!name.is_empty()).then(|| (*name).to_owned()),
                id: (!name.is_empty()).then(|| format!("rol_{name}")),
            })
            .collect(),
        next: next.map(str::to_owned),
    }))
}

/// Effective roles in three pages (`a b` / `c a` / `` d: one entry without a name), groups in two.
fn directory(list: ApiList, from: Option<&str>) -> Option<Result<ListPage, ListFailure>> {
    match (list, from) {
        (ApiList::EffectiveRoles, None) => page(&["a", "b"], Some("p2")),
        (ApiList::EffectiveRoles, Some("p2")) => page(&["c", "a"], Some("p3")),
        (ApiList::EffectiveRoles, Some("p3")) => page(&["", "d"], None),
        (ApiList::Groups, None) => page(&["ops", "eng", ""], Some("g2")),
        (ApiList::Groups, Some("g2")) => page(&["eng", "Admins"], Some("")),
        _ => Some(Err(ListFailure::Unexpected(format!("no page {from:?}")))),
    }
}

/// Role permissions by id (`rol_<name>` grants `use:<name>`); the role directory knows `a` only.
fn role_api(request: &Request) -> Result<Response, String> {
    let path = request.url.strip_prefix(TENANT).unwrap_or_default();
    let path = path.split('?').next().unwrap_or_default();
    if path == "/oauth/token" {
        return ok(r#"{"access_token":"mgmt-token","expires_in":86400}"#);
    }
    if path == "/api/v2/roles" {
        return ok(r#"{"total":1,"roles":[{"id":"rol_a","name":"a"}]}"#);
    }
    let Some(name) = path
        .strip_prefix("/api/v2/roles/rol_")
        .and_then(|rest| rest.strip_suffix("/permissions"))
    else {
        return status(404);
    };
    ok(&format!(
        r#"{{"total":1,"permissions":[{{"permission_name":"use:{name}","resource_server_identifier":"https://api"}}]}}"#
    ))
}

#[test]
fn effective_roles_and_groups_are_read_page_by_page() {
    let secrets = r#"{"namespace":"https://e.com","roles":"effective","groups":"on"}"#;
    let host = FakeHost::new(secrets, &["event-role"]).listing(directory);
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    let claims =
        r#"https://e.com/roles=["a","b","c","d"] https://e.com/groups=["Admins","eng","ops"]"#;
    assert_eq!(
        host.calls(),
        [
            "settings_text".to_owned(),
            "api.roles.getUserEffectiveRoles take=100 from=-".to_owned(),
            "api.roles.getUserEffectiveRoles take=100 from=p2".to_owned(),
            "api.roles.getUserEffectiveRoles take=100 from=p3".to_owned(),
            "api.groups.getUserGroups take=100 from=-".to_owned(),
            "api.groups.getUserGroups take=100 from=g2".to_owned(),
            format!("idToken {claims}"),
            format!("accessToken {claims}"),
        ]
    );
    assert_eq!(
        host.logs(),
        [
            "dropped 1 role entries without a string name",
            "dropped 1 group entries without a string name"
        ]
    );
}

#[test]
fn effective_role_ids_are_used_without_the_role_directory() {
    let secrets = r#"{"namespace":"https://e.com","roles":"effective","permissions":"roles","domain":"tenant.auth0.com","clientId":"cid","clientSecret":"s3cr3t"}"#;
    let host = FakeHost::new(secrets, &[])
        .listing(directory)
        .answering(role_api);
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    let claims = r#"https://e.com/roles=["a","b","c","d"] https://e.com/permissions=["use:a","use:b","use:c","use:d"]"#;
    assert_eq!(
        host.calls().last().unwrap(),
        &format!("accessToken {claims}")
    );
    let requests = host.requests();
    assert!(
        requests.iter().all(|r| !r.contains("/api/v2/roles?")),
        "{requests:?}"
    );
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.contains("/permissions?"))
            .count(),
        4
    );
    // An entry without an id is looked up by name in the directory (fetched only then).
    let host = FakeHost::new(secrets, &[])
        .listing(|_, _| {
            Some(Ok(ListPage {
                entries: vec![
                    ListEntry {
                        name: Some("a".into()),
                        id: None,
                    },
                    ListEntry {
                        name: Some("b".into()),
                        id: Some("rol_b".into()),
                    },
                ],
                next: None,
            }))
        })
        .answering(role_api);
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert!(host
        .calls()
        .last()
        .unwrap()
        .contains(r#"permissions=["use:a","use:b"]"#));
    assert_eq!(
        host.requests()
            .iter()
            .filter(|r| r.contains("/api/v2/roles?"))
            .count(),
        1
    );
}

/// Every way a page can fail, and the cause each one logs.
fn failing_lists() -> Vec<(&'static str, ListAnswer)> {
    vec![
        (
            "is not available on this host (api.x is undefined)",
            Box::new(|_, _| Some(Err(ListFailure::Missing("api.x is undefined".into())))),
        ),
        (
            ": its promise failed: TypeError",
            Box::new(|_, _| {
                Some(Err(ListFailure::Failed(
                    "its promise failed: TypeError".into(),
                )))
            }),
        ),
        (
            "unexpected answer: x is string, not an array",
            Box::new(|_, _| {
                Some(Err(ListFailure::Unexpected(
                    "x is string, not an array".into(),
                )))
            }),
        ),
        ("time budget (budgetMs) ran out", Box::new(|_, _| None)),
        (
            "more than 50 pages",
            Box::new(|_, _| page(&["a"], Some("again"))),
        ),
    ]
}

#[test]
fn a_failing_api_list_denies_or_continues_as_on_error_says() {
    // (setting, call, what `continue` logs, the claims `continue` gives, the `instead` setting named)
    let lists = [
        (
            r#""roles":"effective""#,
            "api.roles.getUserEffectiveRoles",
            "continuing with event.authorization.roles (onError=continue): ",
            r#"accessToken https://e.com/roles=["event-role"]"#,
            "set roles=event",
        ),
        (
            r#""groups":"on""#,
            "api.groups.getUserGroups",
            "continuing without the groups claim (onError=continue): ",
            r#"accessToken https://e.com/roles=["event-role"]"#,
            "set groups=off",
        ),
    ];
    for (setting, call, continuing, claims, instead) in lists {
        for on_error in ["deny", "continue"] {
            for (cause, answer) in failing_lists() {
                let secrets =
                    format!(r#"{{"namespace":"https://e.com",{setting},"onError":"{on_error}"}}"#);
                let host = FakeHost::new(&secrets, &["event-role"]);
                *host.lists.borrow_mut() = answer;
                assert_eq!(login(&host, &Instance::default()), Outcome::Done);
                let logs = host.logs();
                assert_eq!(logs.len(), 1, "{logs:?}");
                let (expected_call, line_start) = if on_error == "deny" {
                    (deny(), format!("login denied: {call}"))
                } else {
                    (claims.to_owned(), format!("{continuing}{call}"))
                };
                assert_eq!(host.calls().last().unwrap(), &expected_call, "{cause}");
                assert!(
                    logs[0].starts_with(&line_start) && logs[0].contains(cause),
                    "{logs:?}"
                );
                if cause.starts_with("is not available") {
                    assert!(logs[0].contains(instead), "{logs:?}");
                }
            }
        }
    }
}

#[test]
fn groups_off_and_roles_event_never_touch_the_api_lists() {
    let host = FakeHost::new(
        r#"{"namespace":"https://e.com","roles":"event","groups":"off"}"#,
        &["r"],
    )
    .listing(|list, _| panic!("{} called", list.call()));
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert!(host.calls().iter().all(|c| !c.starts_with("api.")));
}

/// `roles=effective` with `permissions=roles` under `budget_ms`, each of the three pages of effective
/// roles taking `page_ms` of the fake clock.
fn slow_roles(budget_ms: u32, page_ms: f64) -> FakeHost {
    let secrets = format!(
        r#"{{{CREDENTIALS},"roles":"effective","budgetMs":"{budget_ms}","permissions":"roles"}}"#
    );
    let mut host = FakeHost::new(&secrets, &[])
        .answering(role_api)
        .listing(directory);
    host.list_delay_ms = page_ms;
    host
}

#[test]
fn one_budget_bounds_the_api_lists_and_the_management_api_together() {
    // The roles list takes 480 ms of a 500 ms budget: the Management API gets what is left (too
    // little for a request), not a budget of its own.
    let host = slow_roles(500, 160.0);
    let started = host.io.now_ms();
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert_eq!(host.calls().last().unwrap(), &deny());
    assert!(host.requests().is_empty(), "{:?}", host.requests());
    assert!(
        host.logs()
            .iter()
            .any(|l| l.starts_with("login denied: management API") && l.contains("budgetMs")),
        "{:?}",
        host.logs()
    );
    assert!(host.io.now_ms() - started <= 500.0 + 1.0);
    // With a budget that fits both, the same login gets its permissions.
    let host = slow_roles(5000, 150.0);
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert!(host.calls().last().unwrap().contains("use:d"));
    // A list that hangs uses the whole budget, and nothing else runs after it.
    let host = FakeHost::new(
        &format!(r#"{{{CREDENTIALS},"roles":"effective","budgetMs":"300","onError":"continue"}}"#),
        &["e"],
    )
    .answering(management_api)
    .listing(|_, _| None);
    let started = host.io.now_ms();
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert!(host.io.now_ms() - started <= 300.0 + 1.0);
    assert!(
        host.logs()
            .iter()
            .any(|l| l.contains("permissions") && l.contains("budgetMs")),
        "{:?}",
        host.logs()
    );
}

#[test]
fn role_data_in_memory_is_used_whatever_time_the_budget_has_left() {
    // A warm instance holds every role's permissions; then `api.roles` takes 480 ms of 500.
    let instance = Instance::default();
    let warm = slow_roles(500, 0.0);
    assert_eq!(login(&warm, &instance), Outcome::Done);
    let claims = r#"https://e.com/permissions=["use:a","use:b","use:c","use:d"]"#;
    assert!(warm.calls().last().unwrap().ends_with(claims));
    let host = slow_roles(500, 160.0);
    host.io.now.set(warm.io.now_ms());
    assert_eq!(login(&host, &instance), Outcome::Done);
    assert!(
        host.calls().last().unwrap().ends_with(claims),
        "{:?} {:?}",
        host.calls(),
        host.logs()
    );
    assert!(host.requests().is_empty(), "{:?}", host.requests());
    assert!(
        host.logs().iter().all(|l| !l.contains("budgetMs")),
        "no request was made, none is named: {:?}",
        host.logs()
    );
    // A role not in memory still needs a request, and that request the time: it is the one named.
    let host = slow_roles(500, 160.0).listing(|list, from| match (list, from) {
        (ApiList::EffectiveRoles, Some("p3")) => page(&["", "d", "e"], None),
        _ => directory(list, from),
    });
    host.io.now.set(warm.io.now_ms());
    assert_eq!(login(&host, &instance), Outcome::Done);
    assert_eq!(host.calls().last().unwrap(), &deny());
    assert!(host.requests().is_empty(), "{:?}", host.requests());
    let denied = host
        .logs()
        .into_iter()
        .find(|l| l.starts_with("login denied"))
        .unwrap();
    assert!(
        denied.contains("/api/v2/roles/{id}/permissions") && denied.contains("budgetMs"),
        "{denied}"
    );
}

#[test]
fn organization_logins_take_the_roles_path_in_user_and_effective_mode() {
    for (mode, expected) in [
        ("user", r#"["use:a"]"#),
        ("effective", r#"["use:a"]"#),
        ("roles", r#"["use:a"]"#),
    ] {
        let instance = Instance::default();
        let secrets = format!(r#"{{{CREDENTIALS},"permissions":"{mode}"}}"#);
        for round in 0..2 {
            let mut host = FakeHost::new(&secrets, &["a"]).answering(role_api);
            host.organization = true;
            host.requested_api = Some("https://api".into());
            assert_eq!(login(&host, &instance), Outcome::Done);
            assert!(
                host.calls()
                    .last()
                    .unwrap()
                    .ends_with(&format!("https://e.com/permissions={expected}")),
                "{mode}: {:?}",
                host.calls()
            );
            assert!(!host.calls().contains(&"user_id".to_owned()), "{mode}");
            assert!(
                host.requests().iter().all(|r| !r.contains("/users/")),
                "{mode}: {:?}",
                host.requests()
            );
            let noted = host
                .logs()
                .iter()
                .any(|l| l.starts_with("organization login"));
            // Logged once per instance, and only where the rule changes something.
            assert_eq!(noted, round == 0 && mode != "roles", "{mode} {round}");
        }
    }
    // effective: the requested API's permissions only, none without one.
    let secrets = format!(r#"{{{CREDENTIALS},"permissions":"effective"}}"#);
    let mut host = FakeHost::new(&secrets, &["a"]).answering(role_api);
    host.organization = true;
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert!(host.calls().last().unwrap().ends_with("permissions=[]"));
    assert!(host.requests().is_empty());
    // Outside an organization nothing changes: user mode reads the user's permissions.
    let host = FakeHost::new(&format!("{{{CREDENTIALS}}}"), &["a"]).answering(management_api);
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert!(host
        .requests()
        .iter()
        .any(|r| r.contains("/users/auth0%7C1/permissions")));
    // permissions=off never reads the organization.
    let mut host = FakeHost::new(NS, &["a"]);
    host.organization = true;
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert!(!host.calls().contains(&"organization_login".to_owned()));
    // An organization that cannot be read denies (the rule cannot be applied).
    let mut host = FakeHost::new(&format!("{{{CREDENTIALS}}}"), &["a"]).answering(management_api);
    host.broken = vec!["organization"];
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert_eq!(host.calls().last().unwrap(), &deny());
    assert!(host.requests().is_empty());
}

/// One page of effective roles given as (name, id).
fn named_page(roles: &[(&str, Option<&str>)]) -> Option<Result<ListPage, ListFailure>> {
    Some(Ok(ListPage {
        entries: roles
            .iter()
            .map(|(name, id)| ListEntry {
                name: Some((*name).to_owned()),
                id: id.map(str::to_owned),
            })
            .collect(),
        next: None,
    }))
}

#[test]
fn role_data_fetched_in_a_login_is_not_fetched_again_in_that_login() {
    // Two roles with one id, on a clock that moves during each request: one request for that role.
    let secrets = format!(r#"{{{CREDENTIALS},"roles":"effective","permissions":"roles"}}"#);
    let host = FakeHost::new(&secrets, &[])
        .answering(role_api)
        .listing(|_, _| named_page(&[("x", Some("rol_a")), ("y", Some("rol_a")), ("a", None)]));
    host.io.latency_ms.set(5.0);
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert!(host
        .calls()
        .last()
        .unwrap()
        .contains(r#"permissions=["use:a"]"#));
    assert_eq!(
        host.io.count("/roles/rol_a/permissions"),
        1,
        "{:?}",
        host.requests()
    );
}

#[test]
fn role_ids_that_cannot_be_a_path_segment_are_looked_up_by_name() {
    let secrets = format!(r#"{{{CREDENTIALS},"roles":"effective","permissions":"roles"}}"#);
    for id in [".", ".."] {
        let host = FakeHost::new(&secrets, &[])
            .answering(role_api)
            .listing(move |_, _| named_page(&[("a", Some(id))]));
        assert_eq!(login(&host, &Instance::default()), Outcome::Done);
        assert!(
            host.calls()
                .last()
                .unwrap()
                .contains(r#"permissions=["use:a"]"#),
            "{id}: {:?}",
            host.calls()
        );
        assert_eq!(host.io.count("/api/v2/roles?"), 1, "{id}");
    }
}

#[test]
fn more_effective_roles_than_a_tenant_can_hold_is_a_failure_of_the_list() {
    let many: Vec<String> = (0..1001).map(|i| format!("r{i}")).collect();
    let secrets = r#"{"namespace":"https://e.com","roles":"effective","maxClaimBytes":"100000"}"#;
    let pages = move |_: ApiList, from: Option<&str>| {
        let start: usize = from.map_or(0, |f| f.parse().unwrap());
        let names: Vec<&str> = many
            .iter()
            .skip(start)
            .take(100)
            .map(String::as_str)
            .collect();
        let next = (start + 100 < 1001).then(|| (start + 100).to_string());
        page(&names, next.as_deref())
    };
    let host = FakeHost::new(secrets, &["e"]).listing(pages);
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert_eq!(host.calls().last().unwrap(), &deny());
    assert!(
        host.logs()[0].contains("more than 1000 role entries"),
        "{:?}",
        host.logs()
    );
}

/// `secrets` with the names of its keys, as Auth0 gives both.
fn with_secret_names(secrets: &str, names: &[&str]) -> FakeHost {
    let mut host = FakeHost::new(secrets, &["a"]);
    host.secret_names = names.iter().map(|n| (*n).to_owned()).collect();
    host
}

#[test]
fn a_secret_that_misspells_a_setting_is_named_once_per_set_of_names() {
    let instance = Instance::default();
    let secrets = r#"{"namespace":"https://e.com"}"#;
    let names = ["namespace", "permisions", "SLACK_WEBHOOK"];
    let line =
        r#"secret "permisions" is not a setting and is ignored; did you mean "permissions"?"#;
    let host = with_secret_names(secrets, &names);
    assert_eq!(login(&host, &instance), Outcome::Done);
    assert_eq!(host.logs(), [line]);
    assert_eq!(host.names_read.get(), 1);
    // The same settings again: the names are not even listed.
    let host = with_secret_names(secrets, &names);
    login(&host, &instance);
    assert_eq!((host.logs().len(), host.names_read.get()), (0, 0));
    // New settings with the same misspelling: listed, not logged again.
    let host = with_secret_names(r#"{"namespace":"https://f.com"}"#, &names);
    login(&host, &instance);
    assert_eq!((host.logs().len(), host.names_read.get()), (0, 1));
    // Another misspelling: logged.
    let host = with_secret_names(secrets, &["namespace", "Tokens"]);
    login(&host, &instance);
    assert_eq!(
        host.logs(),
        [r#"secret "Tokens" is not a setting and is ignored; did you mean "tokens"?"#]
    );
}

#[test]
fn a_misspelled_required_setting_is_named_before_the_denial() {
    let instance = Instance::default();
    let host = with_secret_names(r#"{}"#, &["Namespace"]);
    login(&host, &instance);
    let logs = host.logs();
    assert_eq!(logs.len(), 2, "{logs:?}");
    assert_eq!(
        logs[0],
        r#"secret "Namespace" is not a setting and is ignored; did you mean "namespace"?"#
    );
    assert!(logs[1].starts_with("login denied: configuration: setting `namespace` is required"));
    // Refused settings are parsed again at each login, but the same line is not logged again.
    let host = with_secret_names(r#"{}"#, &["Namespace"]);
    login(&host, &instance);
    assert_eq!(host.logs().len(), 1, "{:?}", host.logs());
    // No secrets at all: nothing to list.
    let mut host = with_secret_names(NS, &["Namespace"]);
    host.secrets = None;
    login(&host, &Instance::default());
    assert_eq!(host.names_read.get(), 0);
}

/// The `logLine=json` line a login wrote (the last call), parsed: its keys in order and the object.
fn summary(host: &FakeHost) -> (Vec<String>, json::Json) {
    let calls = host.calls();
    let line = calls.last().unwrap().strip_prefix("line ").unwrap();
    assert!(line.encode_utf16().count() <= 256, "{line}");
    let object = json::parse(line.strip_prefix("rbac-claims ").unwrap()).unwrap();
    let json::Json::Object(members) = &object else {
        panic!("not an object: {line}")
    };
    let keys = members.iter().map(|(key, _)| key.clone()).collect();
    (keys, object)
}

const LINE_KEYS: [&str; 6] = [
    "outcome",
    "roles",
    "permissions",
    "groups",
    "requests",
    "ms",
];

#[test]
fn log_line_json_ends_each_login_with_one_line_of_counts_and_nothing_else_new() {
    let host = FakeHost::new(
        r#"{"namespace":"https://e.com","logLine":"json"}"#,
        &["editor", "admin"],
    );
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert_eq!(
        host.calls().last().unwrap(),
        r#"line rbac-claims {"outcome":"set","roles":2,"permissions":null,"groups":null,"requests":0,"ms":0}"#
    );
    assert_eq!(summary(&host).0, LINE_KEYS);
    assert!(host.logs().is_empty(), "{:?}", host.logs());
    // Off (the default): the same login writes no line.
    let host = FakeHost::new(NS, &["editor"]);
    login(&host, &Instance::default());
    assert!(host.calls().iter().all(|call| !call.starts_with("line ")));
}

#[test]
fn log_line_counts_requests_and_permissions_and_never_names_the_user() {
    let host = FakeHost::new(
        &format!(r#"{{{CREDENTIALS},"logLine":"json","groups":"on"}}"#),
        &["admin"],
    )
    .answering(management_api)
    .listing(|_, _| {
        Some(Ok(ListPage {
            entries: vec![ListEntry {
                name: Some("g1".into()),
                id: None,
            }],
            next: None,
        }))
    });
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    let (keys, line) = summary(&host);
    assert_eq!(keys, LINE_KEYS);
    assert_eq!(line.get("outcome"), Some(&json::Json::String("set".into())));
    assert_eq!(line.get("roles"), Some(&json::Json::Number(1.0)));
    assert_eq!(line.get("permissions"), Some(&json::Json::Number(2.0)));
    assert_eq!(line.get("groups"), Some(&json::Json::Number(1.0)));
    // The token request, the permissions request, one api.groups page.
    assert_eq!(line.get("requests"), Some(&json::Json::Number(3.0)));
    let text = host.calls().last().unwrap().clone();
    for private in [
        "auth0|1",
        "auth0%7C1",
        "admin",
        "g1",
        "s3cr3t",
        "mgmt-token",
        "cid",
        "read:x",
    ] {
        assert!(!text.contains(private), "{private} in {text}");
    }
}

#[test]
fn log_line_says_continued_or_denied_as_on_error_decides() {
    for (on_error, outcome, word) in [
        ("continue", Outcome::Done, "continued"),
        ("deny", Outcome::Done, "denied"),
    ] {
        let host = FakeHost::new(
            &format!(
                r#"{{{CREDENTIALS},"logLine":"json","onError":"{on_error}","budgetMs":"1000"}}"#
            ),
            &["admin"],
        );
        assert_eq!(login(&host, &Instance::default()), outcome, "{on_error}");
        let (keys, line) = summary(&host);
        assert_eq!(keys, LINE_KEYS);
        assert_eq!(line.get("outcome"), Some(&json::Json::String(word.into())));
        assert_eq!(line.get("permissions"), Some(&json::Json::Null));
        let roles = if word == "denied" { 0.0 } else { 1.0 };
        assert_eq!(line.get("roles"), Some(&json::Json::Number(roles)));
        // Every try of the token request counts (it fails and is retried in the budget).
        let Some(json::Json::Number(requests)) = line.get("requests") else {
            panic!("{line:?}")
        };
        assert_eq!(*requests as usize, host.requests().len(), "{on_error}");
        assert!(*requests >= 1.0);
    }
    // A configuration error: the settings (and so logLine) are unknown, no line.
    let host = FakeHost::new(r#"{"namespace":"x","logLine":"json"}"#, &[]);
    login(&host, &Instance::default());
    assert!(host.calls().iter().all(|call| !call.starts_with("line ")));
    // A word logLine does not know is a configuration error naming both.
    let host = FakeHost::new(r#"{"namespace":"https://e.com","logLine":"yes"}"#, &[]);
    login(&host, &Instance::default());
    assert!(
        host.logs()
            .iter()
            .any(|l| l.contains("setting `logLine` has unknown value \"yes\": use off or json")),
        "{:?}",
        host.logs()
    );
}

#[test]
fn the_longest_summary_line_fits_in_one_log_line() {
    let line = summary_line("continued", [Some(usize::MAX); 3], u32::MAX, u32::MAX);
    assert!(
        line.encode_utf16().count() <= crate::error::MAX_LOG_CHARS,
        "{line}"
    );
    assert!(json::parse(line.strip_prefix("rbac-claims ").unwrap()).is_ok());
    assert_eq!(
        summary_line("denied", [Some(0), None, None], 0, 0),
        r#"rbac-claims {"outcome":"denied","roles":0,"permissions":null,"groups":null,"requests":0,"ms":0}"#
    );
}

/// The token-setting calls of a login (scopes and claims), in order.
fn token_calls(host: &FakeHost) -> Vec<String> {
    host.calls()
        .into_iter()
        .filter(|c| c.starts_with("addScope") || c.contains("Token "))
        .collect()
}

#[test]
fn permissions_as_scope_adds_scopes_and_sets_no_permissions_claim() {
    for (word, claim) in [("scope", false), ("both", true), ("claim", true)] {
        let host = FakeHost::new(
            &format!(r#"{{{CREDENTIALS},"permissionsAs":"{word}","logLine":"json"}}"#),
            &["a"],
        )
        .answering(management_api);
        assert_eq!(login(&host, &Instance::default()), Outcome::Done, "{word}");
        let permissions = if claim {
            r#" https://e.com/permissions=["read:x","write:x"]"#
        } else {
            ""
        };
        let mut want = Vec::new();
        if word != "claim" {
            // Before any claim, so that a failure can still leave the permissions claim out.
            want.push("addScope read:x write:x".to_owned());
        }
        for token in ["idToken", "accessToken"] {
            want.push(format!(r#"{token} https://e.com/roles=["a"]{permissions}"#));
        }
        assert_eq!(token_calls(&host), want, "{word}");
        assert!(host.logs().is_empty(), "{word}: {:?}", host.logs());
        let (_, line) = summary(&host);
        assert_eq!(
            line.get("permissions"),
            Some(&json::Json::Number(2.0)),
            "{word}"
        );
    }
}

#[test]
fn names_that_are_not_scope_tokens_are_kept_out_of_the_scopes_with_one_line() {
    let host = FakeHost::new(
        &format!(r#"{{{CREDENTIALS},"permissionsAs":"both"}}"#),
        &["a"],
    )
    .answering(|request| {
        if request.url.contains("/oauth/token") {
            return management_api(request);
        }
        ok(r#"{"total":5,"permissions":[
            {"permission_name":"read x","resource_server_identifier":"https://api"},
            {"permission_name":"say\"hi","resource_server_identifier":"https://api"},
            {"permission_name":"a\\b","resource_server_identifier":"https://api"},
            {"permission_name":"lesen:bücher","resource_server_identifier":"https://api"},
            {"permission_name":"!#[]~","resource_server_identifier":"https://api"}]}"#)
    });
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    let calls = token_calls(&host);
    assert_eq!(calls.first().unwrap(), "addScope !#[]~");
    // The claim keeps every name.
    assert!(calls.get(1).unwrap().contains(r#""read x""#), "{calls:?}");
    assert_eq!(
        host.logs(),
        ["not added as scopes: 4 permission names that are not RFC 6749 scope-tokens (a space, \", \\ or a character outside printable ASCII)"]
    );
}

#[test]
fn an_add_scope_that_fails_denies_or_continues_without_permissions() {
    for on_error in ["deny", "continue"] {
        let mut host = FakeHost::new(
            &format!(r#"{{{CREDENTIALS},"permissionsAs":"both","onError":"{on_error}","logLine":"json"}}"#),
            &["a"],
        )
        .answering(management_api);
        host.broken = vec!["addScope"];
        assert_eq!(login(&host, &Instance::default()), Outcome::Done);
        let (_, line) = summary(&host);
        if on_error == "deny" {
            assert_eq!(
                token_calls(&host),
                ["addScope read:x write:x"],
                "no claim is set"
            );
            assert!(host.calls().contains(&deny()));
            assert_eq!(
                host.logs(),
                ["login denied: api.accessToken.addScope threw: TypeError: broken"]
            );
            assert_eq!(
                line.get("outcome"),
                Some(&json::Json::String("denied".into()))
            );
        } else {
            assert_eq!(
                token_calls(&host),
                [
                    "addScope read:x write:x",
                    r#"idToken https://e.com/roles=["a"]"#,
                    r#"accessToken https://e.com/roles=["a"]"#,
                ]
            );
            assert_eq!(
                host.logs(),
                ["continuing without permissions (onError=continue): api.accessToken.addScope threw: TypeError: broken"]
            );
            assert_eq!(
                line.get("outcome"),
                Some(&json::Json::String("continued".into()))
            );
            assert_eq!(line.get("permissions"), Some(&json::Json::Null));
        }
    }
}

#[test]
fn scopes_without_the_access_token_are_a_configuration_error() {
    for word in ["scope", "both"] {
        let host = FakeHost::new(
            &format!(r#"{{"namespace":"https://e.com","tokens":"id","permissionsAs":"{word}"}}"#),
            &["a"],
        );
        login(&host, &Instance::default());
        assert_eq!(
            host.logs(),
            ["login denied: configuration: setting `permissionsAs` needs the access token (scopes exist only there): add access to `tokens` (id,access) or set permissionsAs=claim"]
        );
    }
    let host = FakeHost::new(
        r#"{"namespace":"https://e.com","tokens":"id","permissionsAs":"claim"}"#,
        &["a"],
    );
    login(&host, &Instance::default());
    assert!(host.logs().is_empty());
}

#[test]
fn roles_from_app_metadata_are_deduplicated_and_strings_only() {
    let mut host = FakeHost::new(
        r#"{"namespace":"https://e.com","roles":"metadata","metadataPath":"authorization.roles"}"#,
        &["from-event"],
    );
    host.metadata = Some(vec![
        Some("editor".into()),
        None,
        Some(String::new()),
        Some("admin".into()),
        Some("editor".into()),
    ]);
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert_eq!(
        host.calls(),
        [
            "settings_text",
            "metadata_role_entries authorization.roles 1000 90000",
            r#"idToken https://e.com/roles=["editor","admin"]"#,
            r#"accessToken https://e.com/roles=["editor","admin"]"#,
        ],
        "event.authorization.roles is not read"
    );
    assert_eq!(
        host.logs(),
        ["dropped 2 app_metadata role entries that were not non-empty strings"]
    );
    // A missing path: no roles, nothing logged; the default path is `roles`.
    let host = FakeHost::new(
        r#"{"namespace":"https://e.com","roles":"metadata"}"#,
        &["x"],
    );
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert_eq!(
        host.calls(),
        [
            "settings_text",
            "metadata_role_entries roles 1000 90000",
            "idToken https://e.com/roles=[]",
            "accessToken https://e.com/roles=[]",
        ]
    );
    assert!(host.logs().is_empty());
}

#[test]
fn app_metadata_roles_that_are_no_array_deny_or_continue_with_the_event_roles() {
    let cause = "event: user.app_metadata.roles is object, not an array";
    for on_error in ["deny", "continue"] {
        let mut host = FakeHost::new(
            &format!(
                r#"{{"namespace":"https://e.com","roles":"metadata","onError":"{on_error}","logLine":"json"}}"#
            ),
            &["from-event"],
        );
        host.broken = vec!["metadata"];
        assert_eq!(login(&host, &Instance::default()), Outcome::Done);
        let (_, line) = summary(&host);
        if on_error == "deny" {
            assert!(host.calls().contains(&deny()));
            assert_eq!(host.logs(), [format!("login denied: {cause}")]);
            assert_eq!(
                line.get("outcome"),
                Some(&json::Json::String("denied".into()))
            );
        } else {
            assert!(host
                .calls()
                .contains(&r#"idToken https://e.com/roles=["from-event"]"#.to_owned()));
            assert_eq!(
                host.logs(),
                [format!(
                    "continuing with event.authorization.roles (onError=continue): {cause}"
                )]
            );
            assert_eq!(
                line.get("outcome"),
                Some(&json::Json::String("continued".into()))
            );
        }
    }
}

#[test]
fn app_metadata_roles_get_their_permissions_through_the_role_directory() {
    let mut host = FakeHost::new(
        &format!(r#"{{{CREDENTIALS},"roles":"metadata","metadataPath":"authorization.roles","permissions":"roles"}}"#),
        &[],
    )
    .answering(management_api);
    host.metadata = Some(vec![Some("admin".into())]);
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert!(host.calls().contains(
        &r#"idToken https://e.com/roles=["admin"] https://e.com/permissions=["read:r"]"#.to_owned()
    ));
    assert!(host
        .requests()
        .iter()
        .any(|r| r.starts_with("GET https://tenant.auth0.com/api/v2/roles")));
}

#[test]
fn organization_permissions_tenant_reads_the_tenant_wide_permissions_in_organization_logins() {
    // The user's tenant-wide permissions (and the effective ones of the requested API).
    let tenant_api = |request: &Request| {
        let path = request.url.strip_prefix(TENANT).unwrap_or_default();
        match path.split('?').next().unwrap_or_default() {
            "/api/v2/users/auth0%7C1/effective-permissions" => ok(
                r#"{"permissions":[{"permission_name":"tenant:e","resource_server_identifier":"https://api","sources":[]}]}"#,
            ),
            _ => management_api(request),
        }
    };
    for (mode, expected) in [
        ("user", r#"["read:x","write:x"]"#),
        ("effective", r#"["tenant:e"]"#),
    ] {
        let secrets = format!(
            r#"{{{CREDENTIALS},"permissions":"{mode}","organizationPermissions":"tenant"}}"#
        );
        let mut host = FakeHost::new(&secrets, &["a"]).answering(tenant_api);
        host.organization = true;
        host.requested_api = Some("https://api".into());
        assert_eq!(login(&host, &Instance::default()), Outcome::Done);
        let calls = host.calls();
        assert!(
            calls
                .last()
                .unwrap()
                .ends_with(&format!("https://e.com/permissions={expected}")),
            "{mode}: {calls:?}"
        );
        // The user id is read and sent; whether the login is an organization's is never asked.
        assert!(calls.contains(&"user_id".to_owned()), "{mode}");
        assert!(!calls.contains(&"organization_login".to_owned()), "{mode}");
        assert!(host
            .requests()
            .iter()
            .any(|r| r.contains("/users/auth0%7C1/")));
        assert!(host.requests().iter().all(|r| !r.contains("/roles")));
        assert!(
            host.logs().is_empty(),
            "no organization rule line: {:?}",
            host.logs()
        );
    }
    // permissions=roles: the same roles path either way.
    let secrets =
        format!(r#"{{{CREDENTIALS},"permissions":"roles","organizationPermissions":"tenant"}}"#);
    let mut host = FakeHost::new(&secrets, &["a"]).answering(role_api);
    host.organization = true;
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert!(host
        .calls()
        .last()
        .unwrap()
        .ends_with(r#"permissions=["use:a"]"#));
    // The default, `organization`, is the rule: the same as unset.
    let secrets = format!(
        r#"{{{CREDENTIALS},"permissions":"user","organizationPermissions":"organization"}}"#
    );
    let mut host = FakeHost::new(&secrets, &["a"]).answering(role_api);
    host.organization = true;
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert!(host.calls().contains(&"organization_login".to_owned()));
    assert!(host.requests().iter().all(|r| !r.contains("/users/")));
    // A word it does not know names both.
    let host = FakeHost::new(
        r#"{"namespace":"https://e.com","organizationPermissions":"all"}"#,
        &[],
    );
    login(&host, &Instance::default());
    assert!(host.logs().iter().any(|l| l.contains(
        "setting `organizationPermissions` has unknown value \"all\": use organization or tenant"
    )));
}

#[test]
fn app_metadata_roles_never_give_permissions_in_an_organization_login_under_the_organization_rule()
{
    // app_metadata roles are tenant-wide: in an organization login they give no permissions (every
    // mode), the step fails with the fix named, and onError decides; outside organizations, or with
    // organizationPermissions=tenant, they give their permissions as usual.
    for mode in ["user", "effective", "roles"] {
        for on_error in ["deny", "continue"] {
            let secrets = format!(
                r#"{{{CREDENTIALS},"permissions":"{mode}","roles":"metadata","onError":"{on_error}"}}"#
            );
            let mut host = FakeHost::new(&secrets, &["org-member"]).answering(role_api);
            host.metadata = Some(vec![Some("a".into())]);
            host.organization = true;
            host.requested_api = Some("https://api".into());
            let outcome = login(&host, &Instance::default());
            assert_eq!(outcome, Outcome::Done);
            let calls = host.calls();
            let logs = host.logs().join("\n");
            assert!(
                logs.contains("setting `roles` is `metadata`")
                    && logs.contains("organizationPermissions=tenant"),
                "{mode}/{on_error}: {logs}"
            );
            assert!(
                host.requests().is_empty(),
                "{mode}/{on_error}: no permissions requested"
            );
            if on_error == "deny" {
                assert_eq!(
                    calls.last().unwrap(),
                    &format!("deny {CONFIG_DENY_REASON}"),
                    "{mode}"
                );
            } else {
                assert_eq!(
                    calls.last().unwrap(),
                    r#"accessToken https://e.com/roles=["a"]"#,
                    "{mode}: the roles claim only"
                );
            }
        }
    }
    // Outside an organization, permissions=roles gives the metadata roles' permissions.
    let secrets = format!(r#"{{{CREDENTIALS},"permissions":"roles","roles":"metadata"}}"#);
    let mut host = FakeHost::new(&secrets, &["x"]).answering(role_api);
    host.metadata = Some(vec![Some("a".into())]);
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert!(host
        .calls()
        .last()
        .unwrap()
        .ends_with(r#"permissions=["use:a"]"#));
    // organizationPermissions=tenant allows them in organization logins.
    let secrets = format!(
        r#"{{{CREDENTIALS},"permissions":"roles","roles":"metadata","organizationPermissions":"tenant"}}"#
    );
    let mut host = FakeHost::new(&secrets, &["x"]).answering(role_api);
    host.metadata = Some(vec![Some("a".into())]);
    host.organization = true;
    assert_eq!(login(&host, &Instance::default()), Outcome::Done);
    assert!(host
        .calls()
        .last()
        .unwrap()
        .ends_with(r#"permissions=["use:a"]"#));
}
