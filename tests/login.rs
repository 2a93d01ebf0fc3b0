//! The exported `onExecutePostLogin` under Node, with real JavaScript `event` and `api` objects.
//! Run with `wasm-pack test --node` (or `make test`).
#![cfg(target_arch = "wasm32")]

use rbac_claims::auth0::{Api, Event};
use rbac_claims::error::{CONFIG_DENY_REASON, USER_DENY_REASON};
use rbac_claims::on_execute_post_login;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

#[wasm_bindgen(inline_js = r#"
export function event_from_json(json) { return JSON.parse(json); }
export function recording_api(throwOn) {
  const calls = [];
  const token = (name) => ({
    setCustomClaim(key, value) {
      if (throwOn === name) throw new TypeError(name + ' is broken');
      calls.push([name, key, value]);
      return api;
    },
  });
  const api = {
    idToken: token('idToken'),
    accessToken: token('accessToken'),
    access: { deny(reason) { if (throwOn === 'deny') throw new Error('deny is broken'); calls.push(['deny', reason]); return api; } },
    calls,
  };
  return api;
}
export function calls_json(api) { return JSON.stringify(api.calls); }
export function start_log_capture() {
  const lines = [];
  const original = console.log;
  console.log = (...args) => lines.push(args.join(' '));
  return { lines, stop() { console.log = original; return JSON.stringify(lines); } };
}
export function stop_log_capture(capture) { return capture.stop(); }
export function event_with_throwing(field, json) {
  const base = JSON.parse(json);
  return new Proxy(base, { get(target, key) { if (key === field) throw new RangeError('getter ' + field + ' threw'); return target[key]; } });
}
export function frozen_event(json) { return Object.freeze(JSON.parse(json)); }
export function event_with_roles_of(length) {
  return { secrets: { namespace: 'https://e.com' }, authorization: { roles: Array.from({ length }, (_, i) => 'r' + i) } };
}
"#)]
extern "C" {
    fn event_from_json(json: &str) -> JsValue;
    fn recording_api(throw_on: Option<String>) -> JsValue;
    fn calls_json(api: &JsValue) -> String;
    fn start_log_capture() -> JsValue;
    fn stop_log_capture(capture: &JsValue) -> String;
    fn event_with_throwing(field: &str, json: &str) -> JsValue;
    fn frozen_event(json: &str) -> JsValue;
    fn event_with_roles_of(length: u32) -> JsValue;
}

/// Runs the Action on `event` with a recording api (optionally broken at `throw_on`); returns the
/// api calls and the log lines, both as JSON, and whether the returned promise rejected.
async fn login_rejecting(event: JsValue, throw_on: Option<&str>) -> (String, String, bool) {
    let api = recording_api(throw_on.map(str::to_owned));
    let capture = start_log_capture();
    let rejected = JsFuture::from(on_execute_post_login(
        event.unchecked_into::<Event>(),
        api.clone().unchecked_into::<Api>(),
    ))
    .await
    .is_err();
    let logs = stop_log_capture(&capture);
    (calls_json(&api), logs, rejected)
}

/// [`login_rejecting`] for logins that must resolve (claims set, or denied).
async fn login_with(event: JsValue, throw_on: Option<&str>) -> (String, String) {
    let (calls, logs, rejected) = login_rejecting(event, throw_on).await;
    assert!(!rejected, "the login must resolve: {logs}");
    (calls, logs)
}

async fn login(event_json: &str) -> (String, String) {
    login_with(event_from_json(event_json), None).await
}

fn denied() -> String {
    format!(r#"[["deny","{USER_DENY_REASON}"]]"#)
}

/// Denied for a configuration error: its own reason.
fn config_denied() -> String {
    format!(r#"[["deny","{CONFIG_DENY_REASON}"]]"#)
}

const NS: &str = r#""secrets":{"namespace":"https://rbac.example.com"}"#;

#[wasm_bindgen_test]
async fn roles_go_into_both_tokens_in_order() {
    let (calls, logs) = login(&format!(
        r#"{{{NS},"authorization":{{"roles":["editor","admin"]}}}}"#
    ))
    .await;
    assert_eq!(
        calls,
        r#"[["idToken","https://rbac.example.com/roles",["editor","admin"]],["accessToken","https://rbac.example.com/roles",["editor","admin"]]]"#
    );
    assert_eq!(logs, "[]");
}

#[wasm_bindgen_test]
async fn absent_or_null_authorization_gives_empty_roles() {
    let empty = r#"[["idToken","https://rbac.example.com/roles",[]],["accessToken","https://rbac.example.com/roles",[]]]"#;
    for event in [
        format!("{{{NS}}}"),
        format!(r#"{{{NS},"authorization":null}}"#),
        format!(r#"{{{NS},"authorization":{{}}}}"#),
        format!(r#"{{{NS},"authorization":{{"roles":null}}}}"#),
    ] {
        assert_eq!(login(&event).await.0, empty, "{event}");
    }
}

#[wasm_bindgen_test]
async fn non_string_roles_are_dropped_and_logged() {
    let (calls, logs) = login(&format!(
        r#"{{{NS},"authorization":{{"roles":["a",1,null,{{"x":1}},"b",["c"]]}}}}"#
    ))
    .await;
    assert_eq!(
        calls,
        r#"[["idToken","https://rbac.example.com/roles",["a","b"]],["accessToken","https://rbac.example.com/roles",["a","b"]]]"#
    );
    assert_eq!(
        logs,
        r#"["rbac-claims: dropped 4 role entries that were not well-formed strings"]"#
    );
}

#[wasm_bindgen_test]
async fn roles_that_are_not_an_array_deny_the_login() {
    for roles in [r#""admin""#, "42", r#"{"0":"admin","length":1}"#] {
        let (calls, logs) =
            login(&format!(r#"{{{NS},"authorization":{{"roles":{roles}}}}}"#)).await;
        assert_eq!(calls, denied(), "{roles}");
        assert!(
            logs.contains("login denied: event: authorization.roles is"),
            "{logs}"
        );
    }
}

#[wasm_bindgen_test]
async fn too_many_roles_deny_the_login() {
    let (calls, _) = login_with(event_with_roles_of(1000), None).await;
    assert!(calls.contains("r999"));
    let (calls, logs) = login_with(event_with_roles_of(1001), None).await;
    assert_eq!(calls, denied());
    assert!(logs.contains("more than 1000"), "{logs}");
}

#[wasm_bindgen_test]
async fn tokens_setting_selects_the_tokens() {
    let cases = [
        ("id", r#"[["idToken","https://e.com/roles",["a"]]]"#),
        ("access", r#"[["accessToken","https://e.com/roles",["a"]]]"#),
        (
            "id,access",
            r#"[["idToken","https://e.com/roles",["a"]],["accessToken","https://e.com/roles",["a"]]]"#,
        ),
    ];
    for (tokens, expected) in cases {
        let event = format!(
            r#"{{"secrets":{{"namespace":"https://e.com/","tokens":"{tokens}"}},"authorization":{{"roles":["a"]}}}}"#
        );
        assert_eq!(login(&event).await.0, expected, "{tokens}");
    }
}

#[wasm_bindgen_test]
async fn each_config_error_denies_with_a_generic_reason_and_a_precise_log() {
    let cases = [
        (r#"{}"#, "setting `namespace` is required"),
        (r#"{"namespace":""}"#, "setting `namespace` is required"),
        (
            r#"{"namespace":"https://tenant.auth0.com"}"#,
            "is under auth0.com",
        ),
        (r#"{"namespace":"urn:auth0:x"}"#, "urn:auth0"),
        (
            r#"{"namespace":"example.com"}"#,
            "must be an http(s) URL or a URN",
        ),
        (
            r#"{"namespace":"https://e.com","tokens":"refresh"}"#,
            "setting `tokens` has unknown token \\\"refresh\\\"",
        ),
        (
            r#"{"namespace":"https://e.com","tokens":7}"#,
            "setting `tokens` must be a string, not number",
        ),
        (
            r#"{"namespace":["https://e.com"]}"#,
            "setting `namespace` must be a string, not array",
        ),
    ];
    for (secrets, expected_log) in cases {
        let (calls, logs) = login(&format!(
            r#"{{"secrets":{secrets},"authorization":{{"roles":["a"]}}}}"#
        ))
        .await;
        assert_eq!(calls, config_denied(), "{secrets}");
        assert!(
            logs.contains("rbac-claims: login denied: configuration: "),
            "{logs}"
        );
        assert!(logs.contains(expected_log), "{secrets}: {logs}");
    }
    let (calls, _) = login(r#"{"authorization":{"roles":["a"]}}"#).await;
    assert_eq!(calls, config_denied(), "no secrets at all");
}

#[wasm_bindgen_test]
async fn a_throwing_event_getter_denies_instead_of_throwing() {
    let base = format!(r#"{{{NS},"authorization":{{"roles":["a"]}}}}"#);
    for field in ["secrets", "authorization"] {
        let (calls, logs) = login_with(event_with_throwing(field, &base), None).await;
        assert_eq!(calls, denied(), "{field}");
        assert!(
            logs.contains(&format!(
                "event.{field} threw: RangeError: getter {field} threw"
            )),
            "{logs}"
        );
    }
}

#[wasm_bindgen_test]
async fn a_missing_event_denies() {
    for event in [JsValue::UNDEFINED, JsValue::NULL] {
        let (calls, _) = login_with(event, None).await;
        assert_eq!(calls, denied());
    }
    // A number has no `secrets`: no settings, so the namespace is missing.
    let (calls, _) = login_with(JsValue::from_f64(3.0), None).await;
    assert_eq!(calls, config_denied());
}

#[wasm_bindgen_test]
async fn a_frozen_event_works() {
    let (calls, _) = login_with(
        frozen_event(&format!(r#"{{{NS},"authorization":{{"roles":["a"]}}}}"#)),
        None,
    )
    .await;
    assert!(
        calls.starts_with(r#"[["idToken","https://rbac.example.com/roles",["a"]]"#),
        "{calls}"
    );
}

#[wasm_bindgen_test]
async fn a_throwing_set_custom_claim_denies() {
    let event = format!(r#"{{{NS},"authorization":{{"roles":["a"]}}}}"#);
    let (calls, logs) = login_with(event_from_json(&event), Some("accessToken")).await;
    assert_eq!(
        calls,
        format!(
            r#"[["idToken","https://rbac.example.com/roles",["a"]],["deny","{USER_DENY_REASON}"]]"#
        )
    );
    assert!(
        logs.contains("api.accessToken.setCustomClaim threw: TypeError: accessToken is broken"),
        "{logs}"
    );
}

#[wasm_bindgen_test]
async fn a_login_that_cannot_be_denied_is_failed_by_rejecting() {
    let (calls, logs, rejected) =
        login_rejecting(event_from_json(r#"{"secrets":{}}"#), Some("deny")).await;
    assert_eq!(calls, "[]");
    assert!(rejected, "Auth0 fails a login whose Action rejects: {logs}");
    assert!(
        logs.contains("could not deny the login: api.access.deny threw: Error: deny is broken"),
        "{logs}"
    );
}
