//! The settings as one table: name, kind (allowed values or range), default and meaning. The parser
//! in [`super`] reads its limits from here and its words from the types that own them
//! ([`super::Choice`]), which the table lists too; `js/types/settings.d.ts` and the README's settings
//! table are rendered from it ([`render_typescript`], [`render_markdown`]); a native test fails when
//! either file differs (`UPDATE_GENERATED=1 cargo test` rewrites them), and another parses every
//! word, default and range bound the table shows through [`super::Settings::from_source`].

use super::{
    keys, words, LogLine, OnError, OnOverflow, OrganizationPermissions, PermissionScope,
    PermissionSource, PermissionsAs,
};
use crate::port::Token;
use crate::prelude::*;
use crate::roles::{RolesSource, ROLES_DOC};

/// Words `tokens` accepts, comma-separated ([`Token`]'s).
pub const TOKEN_WORDS: &[&str] = &words::<Token, 2>();
/// Values of `permissions`.
pub const PERMISSIONS_VALUES: &[&str] = &words::<Option<PermissionSource>, 4>();
/// Values of `permissionsFor`.
pub const PERMISSIONS_FOR_VALUES: &[&str] = &words::<PermissionScope, 2>();
/// Values of `onError`.
pub const ON_ERROR_VALUES: &[&str] = &words::<OnError, 2>();
/// Values of `groups`.
pub const GROUPS_VALUES: &[&str] = &words::<bool, 2>();
/// Values of `onOverflow`.
pub const ON_OVERFLOW_VALUES: &[&str] = &words::<OnOverflow, 2>();
/// Values of `permissionsAs`.
pub const PERMISSIONS_AS_VALUES: &[&str] = &words::<PermissionsAs, 3>();
/// Values of `logLine`.
pub const LOG_LINE_VALUES: &[&str] = &words::<LogLine, 2>();
/// Values of `organizationPermissions`.
pub const ORGANIZATION_PERMISSIONS_VALUES: &[&str] = &words::<OrganizationPermissions, 2>();
/// Values of `roles`.
pub const ROLES_VALUES: &[&str] = &words::<RolesSource, 3>();

/// `budgetMs`: default and range, in milliseconds (the largest stays well under Auth0's 20 s limit;
/// less than the smallest cannot fit one Management API round trip).
pub const BUDGET_MS: WholeRange = WholeRange {
    default: 5_000,
    min: 100,
    max: 15_000,
};
/// `rolesCacheMs`: default (5 minutes) and range (up to 24 hours), in milliseconds.
pub const ROLES_CACHE_MS: WholeRange = WholeRange {
    default: 300_000,
    min: 0,
    max: 86_400_000,
};
/// `maxClaimBytes`: default and range (Auth0 fails a login over 100 KB of custom claims per token).
pub const MAX_CLAIM_BYTES: WholeRange = WholeRange {
    default: 90_000,
    min: 100,
    max: 100_000,
};

/// A whole-number setting's default and inclusive range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WholeRange {
    /// The value when unset.
    pub default: u64,
    /// Smallest accepted.
    pub min: u64,
    /// Largest accepted.
    pub max: u64,
}

/// What a setting's text may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKind {
    /// Free text, validated by its parser (a URL, a host name).
    Text,
    /// A secret: never logged, never quoted in an error.
    Secret,
    /// One of these words; the first is the default.
    Choice(&'static [&'static str]),
    /// A comma-separated list of these words; all of them by default.
    Words(&'static [&'static str]),
    /// A whole number in this range.
    Whole(WholeRange),
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettingSpec {
    /// The key in `event.secrets`.
    pub name: &'static str,
    /// What its text may be.
    pub kind: SettingKind,
    /// Required (the login is denied without it).
    pub required: bool,
    /// The default in words (Markdown), only where it is not the kind's own (a choice's first word,
    /// every word of a list, a range's default): when it depends on other settings. See [`default_shown`].
    pub default: Option<&'static str>,
    /// What it does, one Markdown paragraph.
    pub doc: &'static str,
}

/// Every setting, in the order the README lists them. The host reads these keys and no others.
pub const SETTINGS: &[SettingSpec] = &[
    SettingSpec {
        name: keys::NAMESPACE,
        kind: SettingKind::Text,
        required: true,
        default: None,
        doc: "Claim namespace: an `http(s)` URL or a URN. Claims are `<namespace>/roles`, `<namespace>/permissions`, `<namespace>/groups` (exactly one `/` between). Refused: namespaces under `auth0.com`, `webtask.io`, `webtask.run`, and `urn:auth0`, whose claims Auth0 silently drops, in any spelling (percent-encoded, IDNA dots, full-width letters); a URL host must be ASCII (an international name in its `xn--` form).",
    },
    SettingSpec {
        name: keys::TOKENS,
        kind: SettingKind::Words(TOKEN_WORDS),
        required: false,
        default: None,
        doc: "Which tokens get the claims: `id`, `access` or `id,access`.",
    },
    SettingSpec {
        name: keys::DOMAIN,
        kind: SettingKind::Text,
        required: false,
        default: None,
        doc: "Tenant domain for the Management API, e.g. `tenant.eu.auth0.com` (a host name, not an IP address).",
    },
    SettingSpec {
        name: keys::CLIENT_ID,
        kind: SettingKind::Text,
        required: false,
        default: None,
        doc: "Client id of the M2M application authorized for the Management API.",
    },
    SettingSpec {
        name: keys::CLIENT_SECRET,
        kind: SettingKind::Secret,
        required: false,
        default: None,
        doc: "Its client secret. Never logged, never in a claim or an error.",
    },
    SettingSpec {
        name: keys::PERMISSIONS,
        kind: SettingKind::Choice(PERMISSIONS_VALUES),
        required: false,
        default: Some("`user` when `domain`, `clientId`, `clientSecret` are set, else `off`"),
        doc: "`user`: `GET /api/v2/users/{id}/permissions` (direct + role-derived; scope `read:users`). `effective`: `GET /api/v2/users/{id}/effective-permissions` for the requested API (also group-derived; scope `read:user_effective_permissions`). `roles`: the union of the permissions of the login's roles, from `GET /api/v2/roles/{id}/permissions` (by the role ids `roles=effective` gives, else by name through the directory `GET /api/v2/roles`; scope `read:roles`), kept in instance memory for `rolesCacheMs`. `off`: no permissions claim. In an organization login (`event.organization.id` set), `user` and `effective` take the `roles` path over the login's roles, which Auth0 has scoped to the organization (`effective`: the requested API's only): the user's tenant-wide permissions are never requested (unless `organizationPermissions=tenant`). Setting only some of the three credentials is an error.",
    },
    SettingSpec {
        name: keys::PERMISSIONS_FOR,
        kind: SettingKind::Choice(PERMISSIONS_FOR_VALUES),
        required: false,
        default: None,
        doc: "`all`, or `requested`: only permissions of the requested API (`event.resource_server.identifier`; none when no API was requested).",
    },
    SettingSpec {
        name: keys::PERMISSIONS_AS,
        kind: SettingKind::Choice(PERMISSIONS_AS_VALUES),
        required: false,
        default: None,
        doc: "`claim`: the permissions claim. `scope`: each permission is added to the access token with `api.accessToken.addScope(name)`, and there is no permissions claim. `both`: both. A name that is not an RFC 6749 scope-token (only `!`, `#`-`[` and `]`-`~`: no space, `\"`, `\\` or non-ASCII character) is not added as a scope (one log line says how many). `scope` and `both` need `tokens` to include `access`. An `addScope` that throws or is missing fails the permissions step (`onError`: `deny`, or `continue` without the permissions claim and without further scopes).",
    },
    SettingSpec {
        name: keys::ON_ERROR,
        kind: SettingKind::Choice(ON_ERROR_VALUES),
        required: false,
        default: None,
        doc: "A failure of the Management API, `api.roles` or `api.groups` (missing on an older host, throws, rejects, answers the wrong shape, more than 50 pages, out of time): `deny` the login, or `continue`: without the permissions claim, with `event.authorization.roles` for the roles, without the groups claim (the cause is logged).",
    },
    SettingSpec {
        name: keys::BUDGET_MS,
        kind: SettingKind::Whole(BUDGET_MS),
        required: false,
        default: None,
        doc: "Time all outside work of one login may take together (`api.roles`, `api.groups` and Management API calls), in milliseconds (always under Auth0's 20 s limit). Every request has a timeout inside it.",
    },
    SettingSpec {
        name: keys::MANAGEMENT_URL,
        kind: SettingKind::Text,
        required: false,
        default: Some("`https://{domain}`"),
        doc: "Base URL override (tests, the local stand-in): a scheme, a host and an optional port only. `http:` only for loopback hosts.",
    },
    SettingSpec {
        name: keys::ROLES_CACHE_MS,
        kind: SettingKind::Whole(ROLES_CACHE_MS),
        required: false,
        default: None,
        doc: "`permissions=roles`: how long role data is kept in instance memory, in milliseconds.",
    },
    SettingSpec {
        name: keys::MAX_CLAIM_BYTES,
        kind: SettingKind::Whole(MAX_CLAIM_BYTES),
        required: false,
        default: None,
        doc: "Largest JSON size of one token's custom claims, in bytes (Auth0 fails a login over 100 KB).",
    },
    SettingSpec {
        name: keys::ON_OVERFLOW,
        kind: SettingKind::Choice(ON_OVERFLOW_VALUES),
        required: false,
        default: None,
        doc: "Over `maxClaimBytes`: `deny`, or `omit`: drop the permissions claim and set `<namespace>/permissions_truncated: true`; if still too large, drop the groups claim and set `<namespace>/groups_truncated: true`; if still too large, deny.",
    },
    SettingSpec {
        name: keys::ROLES,
        kind: SettingKind::Choice(ROLES_VALUES),
        required: false,
        default: None,
        doc: ROLES_DOC,
    },
    SettingSpec {
        name: keys::METADATA_PATH,
        kind: SettingKind::Text,
        required: false,
        default: Some("`roles`"),
        doc: "`roles=metadata`: where the role names are inside `event.user.app_metadata`, as dot-separated keys, e.g. `authorization.roles` (the Authorization Extension's layout). 1 to 8 keys of 1 to 64 characters each, no empty key. Read only with `roles=metadata`.",
    },
    SettingSpec {
        name: keys::GROUPS,
        kind: SettingKind::Choice(GROUPS_VALUES),
        required: false,
        default: None,
        doc: "`on`: add the claim `<namespace>/groups`: the names of the user's groups from `api.groups.getUserGroups({ take: 100, from })` (every page), deduplicated and sorted, `[]` when none; entries without a string `name` are dropped (logged). It goes to the same tokens and counts toward `maxClaimBytes`. `off`: no groups claim, `api.groups` is not called.",
    },
    SettingSpec {
        name: keys::LOG_LINE,
        kind: SettingKind::Choice(LOG_LINE_VALUES),
        required: false,
        default: None,
        doc: "`json`: one line per login with `console.log` (for log streams): `rbac-claims ` and a JSON object with exactly the keys `outcome` (`\"set\"`, `\"continued\"`: a step failed and `onError=continue` went on, `\"denied\"`), `roles` (role names in the claim), `permissions` (permissions set as claim or scopes, `null` when there is neither), `groups` (`null` without a groups claim), `requests` (Management API requests and `api.roles`/`api.groups` calls of this login) and `ms` (whole milliseconds of outside work). At most 256 characters; never a user id, a name, a secret or a token. `off`: no such line. Other log lines are the same either way.",
    },
    SettingSpec {
        name: keys::ORGANIZATION_PERMISSIONS,
        kind: SettingKind::Choice(ORGANIZATION_PERMISSIONS_VALUES),
        required: false,
        default: None,
        doc: "In an organization login (`event.organization.id` set), with `permissions=user` or `effective`: `organization`: the permissions of the login's roles, which Auth0 scoped to the organization (the `roles` path; see `permissions`). `tenant`: the user's tenant-wide permissions, requested as outside organizations (`GET /api/v2/users/{id}/permissions` or `effective-permissions`). No effect outside organization logins or with `permissions=roles`.",
    },
];

/// `a`, `a or b`, `a, b or c`: the words of a choice as an error message names them.
pub fn or_list(words: &[&str]) -> String {
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// The default as operators read it (Markdown): the row's words for it, else the kind's own (the first
/// word of a choice, every word of a list, a range's default); `None` when there is none.
pub fn default_shown(spec: &SettingSpec) -> Option<String> {
    if let Some(described) = spec.default {
        return Some(described.to_owned());
    }
    match spec.kind {
        SettingKind::Choice(words) => words.first().map(|word| format!("`{word}`")),
        SettingKind::Words(words) => Some(format!("`{}`", words.join(","))),
        SettingKind::Whole(range) => Some(format!("`{}`", range.default)),
        SettingKind::Text | SettingKind::Secret => None,
    }
}

/// The doc of a row with its range appended (for whole numbers), as both renderings show it.
#[cfg(test)]
fn full_doc(spec: &SettingSpec) -> String {
    match spec.kind {
        SettingKind::Whole(range) => format!(
            "{} A whole number from {} to {}.",
            spec.doc, range.min, range.max
        ),
        _ => spec.doc.to_owned(),
    }
}

/// The README's settings table (Markdown).
#[cfg(test)]
pub fn render_markdown() -> String {
    let mut out = String::from("| Secret | Default | Meaning |\n|---|---|---|\n");
    for spec in SETTINGS {
        let default = match (spec.required, default_shown(spec)) {
            (true, _) => "(required)".to_owned(),
            (false, Some(default)) => default,
            (false, None) => "—".to_owned(),
        };
        out.push_str(&format!(
            "| `{}` | {default} | {} |\n",
            spec.name,
            full_doc(spec)
        ));
    }
    out
}

/// `js/types/settings.d.ts`.
#[cfg(test)]
pub fn render_typescript() -> String {
    let mut out = String::from(
        r#"// Generated from src/config/table.rs by `UPDATE_GENERATED=1 cargo test`: edit the table, not this file.
/**
 * rbac-claims settings: the Action secrets it reads (`event.secrets`), and nothing else.
 *
 * Action secrets are strings, so every value here is a string, numbers included. A key that is
 * missing, empty or only white space counts as unset and takes its default. A missing or invalid
 * setting denies the login with a generic reason and logs one precise line naming the key. A secret
 * whose name is no setting but within an edit or two of one (`permisions`, `CLIENT_ID`) is ignored
 * and named in one log line with the setting it meant; other secrets are neither read nor named.
 */
export interface Settings {
"#,
    );
    for spec in SETTINGS {
        let mut doc = full_doc(spec);
        if let Some(default) = default_shown(spec) {
            doc.push_str(&format!(" Default: {default}."));
        }
        let ty = match spec.kind {
            SettingKind::Text | SettingKind::Secret => "string".to_owned(),
            SettingKind::Choice(words) => words
                .iter()
                .map(|w| format!("'{w}'"))
                .collect::<Vec<_>>()
                .join(" | "),
            SettingKind::Words(_) => "TokenSelection".to_owned(),
            SettingKind::Whole(_) => "`${number}`".to_owned(),
        };
        out.push_str("  /**\n");
        for line in wrap(&doc, 96) {
            out.push_str(&format!("   * {line}\n"));
        }
        out.push_str("   */\n");
        let optional = if spec.required { "" } else { "?" };
        out.push_str(&format!("  {}{optional}: {ty};\n\n", spec.name));
    }
    out.truncate(out.trim_end().len());
    // Each token word alone, then each two of them in either order (the `tokens` words: `id`, `access`).
    let mut selections: Vec<String> = TOKEN_WORDS.iter().map(|w| format!("'{w}'")).collect();
    for first in TOKEN_WORDS {
        for second in TOKEN_WORDS.iter().filter(|w| *w != first) {
            selections.push(format!("'{first},{second}'"));
        }
    }
    out.push_str(&format!(
        "\n}}\n\n/** `id`, `access` or both, comma-separated. */\nexport type TokenSelection = {};\n\n/** Every setting name. */\nexport type SettingName = keyof Settings;\n",
        selections.join(" | ")
    ));
    out
}

/// Greedy word wrap at `width` characters.
#[cfg(test)]
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(core::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::super::{ConfigError, Settings};
    use super::*;
    use std::path::Path;

    const README_BEGIN: &str = "<!-- settings table: generated from src/config/table.rs -->\n";
    const README_END: &str = "<!-- end of settings table -->";

    /// Compares `path` with `expected`; with `UPDATE_GENERATED=1` writes it instead.
    fn check_or_update(path: &Path, current: &str, expected: &str) {
        if current == expected {
            return;
        }
        if std::env::var("UPDATE_GENERATED").as_deref() == Ok("1") {
            std::fs::write(path, expected).unwrap();
            return;
        }
        panic!(
            "{} differs from the settings table in src/config/table.rs: run `UPDATE_GENERATED=1 cargo test`",
            path.display()
        );
    }

    #[test]
    fn settings_d_ts_is_rendered_from_the_table() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("js/types/settings.d.ts");
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        check_or_update(&path, &current, &render_typescript());
    }

    #[test]
    fn the_readme_settings_table_is_rendered_from_the_table() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
        let readme = std::fs::read_to_string(&path).unwrap();
        let start = readme
            .find(README_BEGIN)
            .expect("README has the table's begin marker")
            + README_BEGIN.len();
        let end = readme
            .find(README_END)
            .expect("README has the table's end marker");
        let expected = format!(
            "{}{}{}",
            &readme[..start],
            render_markdown(),
            &readme[end..]
        );
        check_or_update(&path, &readme, &expected);
    }

    #[test]
    fn the_table_holds_every_key_once() {
        let names: Vec<&str> = SETTINGS.iter().map(|s| s.name).collect();
        assert_eq!(names, super::super::ALL_KEYS);
        assert!(SETTINGS.iter().filter(|s| s.required).count() == 1);
    }

    /// The table's settings with the three credentials, so that the settings read only when
    /// permissions are on are read too, and `extra` in place of any of them.
    fn parse_with(extra: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let mut pairs: Vec<(&str, &str)> = [
            (keys::NAMESPACE, "https://e.com"),
            (keys::DOMAIN, "tenant.example"),
            (keys::CLIENT_ID, "c"),
            (keys::CLIENT_SECRET, "s"),
        ]
        .into_iter()
        .filter(|(key, _)| extra.iter().all(|(other, _)| other != key))
        .collect();
        pairs.extend_from_slice(extra);
        Settings::from_source(pairs.as_slice())
    }

    /// Every word, default and range bound the table shows (and so the README and `settings.d.ts`)
    /// goes through the real parser: each word is taken and means something of its own, the default
    /// shown is what an unset key gives, the bounds are the last values taken, and an unknown word's
    /// error lists exactly the table's words.
    #[test]
    fn the_parser_takes_every_documented_word_default_and_bound() {
        let unset = parse_with(&[]).unwrap();
        for spec in SETTINGS {
            let name = spec.name;
            let with = |value: &str| parse_with(&[(name, value)]);
            let taken = |value: &str| {
                with(value).unwrap_or_else(|err| panic!("{name}: the table shows {value:?}: {err}"))
            };
            let all_different = |values: &[Settings], what: &[String]| {
                for (i, a) in values.iter().enumerate() {
                    for (j, b) in values.iter().enumerate().skip(i + 1) {
                        assert_ne!(a, b, "{name}: {} and {} mean the same", what[i], what[j]);
                    }
                }
            };
            let unknown = |expected: &str| {
                let err = with("no-such-word").unwrap_err();
                assert_eq!(err.key, name);
                assert!(
                    err.problem.ends_with(&format!(": use {expected}")),
                    "{name}: the error lists other words than the table: {err}"
                );
            };
            match spec.kind {
                SettingKind::Choice(words) => {
                    let parsed: Vec<Settings> = words.iter().map(|word| taken(word)).collect();
                    let shown: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
                    all_different(&parsed, &shown);
                    if spec.default.is_none() {
                        assert_eq!(
                            taken(words[0]),
                            unset,
                            "{name}: unset is not `{}` as the table shows",
                            words[0]
                        );
                    }
                    unknown(&or_list(words));
                    for word in words {
                        let quoted = format!("`{word}`");
                        assert!(
                            spec.doc.contains(&quoted),
                            "{name}: the doc never names {quoted}"
                        );
                    }
                }
                SettingKind::Words(words) => {
                    let mut shown: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
                    shown.push(words.join(","));
                    let parsed: Vec<Settings> = shown.iter().map(|value| taken(value)).collect();
                    all_different(&parsed, &shown);
                    assert_eq!(
                        taken(&words.join(",")),
                        unset,
                        "{name}: unset is not every word"
                    );
                    let usage: Vec<&str> = shown.iter().map(String::as_str).collect();
                    unknown(&or_list(&usage));
                }
                SettingKind::Whole(range) => {
                    let (min, max) = (range.min.to_string(), range.max.to_string());
                    assert_ne!(taken(&min), taken(&max), "{name}");
                    assert_eq!(taken(&range.default.to_string()), unset, "{name}: default");
                    let refused = [(range.max + 1).to_string()]
                        .into_iter()
                        .chain(range.min.checked_sub(1).map(|below| below.to_string()));
                    for value in refused {
                        let err = with(&value).unwrap_err();
                        assert_eq!(err.key, name, "{value}");
                        assert!(
                            err.problem.ends_with(&format!("from {min} to {max}")),
                            "{name}: {err}"
                        );
                    }
                }
                SettingKind::Text | SettingKind::Secret => {}
            }
        }
    }

    /// The two defaults the table describes in words, through the parser.
    #[test]
    fn the_defaults_described_in_words_are_the_parsers() {
        let described = |name: &str| {
            let spec = SETTINGS.iter().find(|s| s.name == name).unwrap();
            spec.default.unwrap()
        };
        // `permissions`: `user` with the three credentials, `off` without them.
        let text = described(keys::PERMISSIONS);
        assert!(
            text.starts_with(
                "`user` when `domain`, `clientId`, `clientSecret` are set, else `off`"
            ),
            "{text}"
        );
        let user = parse_with(&[(keys::PERMISSIONS, "user")]).unwrap();
        assert_eq!(parse_with(&[]).unwrap(), user);
        let none = Settings::from_source(&[(keys::NAMESPACE, "https://e.com")][..]).unwrap();
        let off = Settings::from_source(
            &[
                (keys::NAMESPACE, "https://e.com"),
                (keys::PERMISSIONS, "off"),
            ][..],
        )
        .unwrap();
        assert_eq!(none, off);
        // `managementUrl`: `https://{domain}`.
        assert_eq!(described(keys::MANAGEMENT_URL), "`https://{domain}`");
        let permissions = parse_with(&[]).unwrap().permissions.unwrap();
        assert_eq!(
            permissions.base_url,
            format!("https://{}", permissions.domain)
        );
        // `metadataPath`: `roles`, the parser's default.
        assert_eq!(described(keys::METADATA_PATH), "`roles`");
        assert_eq!(
            parse_with(&[]).unwrap().metadata_path,
            crate::config::DEFAULT_METADATA_PATH
        );
        // No other row describes its default: the others are their kind's own.
        let rows: Vec<&str> = SETTINGS
            .iter()
            .filter(|s| s.default.is_some())
            .map(|s| s.name)
            .collect();
        assert_eq!(
            rows,
            [keys::PERMISSIONS, keys::MANAGEMENT_URL, keys::METADATA_PATH]
        );
    }

    #[test]
    fn choices_are_listed_as_errors_name_them() {
        assert_eq!(or_list(&["deny"]), "deny");
        assert_eq!(or_list(ON_ERROR_VALUES), "deny or continue");
        assert_eq!(or_list(PERMISSIONS_VALUES), "user, effective, roles or off");
    }
}
