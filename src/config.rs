//! Settings: every key the Action reads from `event.secrets`, parsed and validated in one place.
//!
//! Action secrets are strings. A key that is missing, empty or only white space counts as unset.
//! Every problem becomes one [`ConfigError`] that names the key and says what is wrong; the value of a
//! secret setting (`clientSecret`) is never repeated in an error.

use crate::json::Json;
use crate::port::Token;
use crate::prelude::*;
pub use crate::roles::RolesSource;
use crate::rules::{RESERVED_NAMESPACE_HOSTS, RESERVED_URN_NAMESPACES};
use core::fmt;
use table::{or_list, WholeRange, BUDGET_MS, MAX_CLAIM_BYTES, ROLES_CACHE_MS};

pub mod table;

/// What the host found under one key of `event.secrets`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawSetting {
    /// The key is not there (or is `undefined`/`null`).
    Absent,
    /// A string value.
    Text(String),
    /// A value of another JavaScript type; the payload names the type.
    NotText(&'static str),
}

/// Where settings come from: the host reads `event.secrets`, tests hand in a list.
pub trait SettingSource {
    /// The raw value under `key`.
    fn raw(&self, key: &str) -> RawSetting;
}

impl SettingSource for [(&str, &str)] {
    fn raw(&self, key: &str) -> RawSetting {
        self.iter()
            .find(|(name, _)| *name == key)
            .map_or(RawSetting::Absent, |(_, value)| {
                RawSetting::Text((*value).to_owned())
            })
    }
}

/// `event.secrets` as parsed JSON: strings are settings, `null` is unset, anything else is refused.
impl SettingSource for Json {
    fn raw(&self, key: &str) -> RawSetting {
        match self.get(key) {
            None | Some(Json::Null) => RawSetting::Absent,
            Some(Json::String(text)) => RawSetting::Text(text.clone()),
            Some(other) => RawSetting::NotText(other.kind()),
        }
    }
}

/// Setting names, as written in `event.secrets`.
pub mod keys {
    /// Claim namespace (required).
    pub const NAMESPACE: &str = "namespace";
    /// Which tokens get the claims.
    pub const TOKENS: &str = "tokens";
    /// Auth0 tenant domain for the Management API.
    pub const DOMAIN: &str = "domain";
    /// Client id of the machine-to-machine application.
    pub const CLIENT_ID: &str = "clientId";
    /// Client secret of the machine-to-machine application (never logged).
    pub const CLIENT_SECRET: &str = "clientSecret";
    /// Where permissions come from: `user`, `effective`, `roles` or `off`.
    pub const PERMISSIONS: &str = "permissions";
    /// Which permissions: `all` or `requested` (the requested API's only).
    pub const PERMISSIONS_FOR: &str = "permissionsFor";
    /// How permissions reach the tokens: `claim`, `scope` or `both`.
    pub const PERMISSIONS_AS: &str = "permissionsAs";
    /// What a Management API failure does: `deny` or `continue`.
    pub const ON_ERROR: &str = "onError";
    /// Time budget for all Management API work in one login, in milliseconds.
    pub const BUDGET_MS: &str = "budgetMs";
    /// Base URL override for the Management API (tests, local stand-in).
    pub const MANAGEMENT_URL: &str = "managementUrl";
    /// How long `permissions=roles` keeps role data in instance memory, in milliseconds.
    pub const ROLES_CACHE_MS: &str = "rolesCacheMs";
    /// Largest JSON size of one token's custom claims, in bytes.
    pub const MAX_CLAIM_BYTES: &str = "maxClaimBytes";
    /// Where the role names come from: `event` or `effective` (`api.roles`).
    pub const ROLES: &str = "roles";
    /// `roles=metadata`: the dot-separated keys of the roles array inside `app_metadata`.
    pub const METADATA_PATH: &str = "metadataPath";
    /// Whether to add the groups claim (`api.groups`): `on` or `off`.
    pub const GROUPS: &str = "groups";
    /// What happens over `maxClaimBytes`: `deny` or `omit`.
    pub const ON_OVERFLOW: &str = "onOverflow";
    /// In organization logins, `permissions=user`/`effective`: `organization` (the login's roles) or
    /// `tenant` (the user's tenant-wide permissions).
    pub const ORGANIZATION_PERMISSIONS: &str = "organizationPermissions";
    /// One structured line per login: `off` or `json`.
    pub const LOG_LINE: &str = "logLine";
}

/// Every key this module reads, in the order of [`table::SETTINGS`] (a test holds them equal); the
/// host reads these and nothing else from `event.secrets`.
pub const ALL_KEYS: &[&str] = &[
    keys::NAMESPACE,
    keys::TOKENS,
    keys::DOMAIN,
    keys::CLIENT_ID,
    keys::CLIENT_SECRET,
    keys::PERMISSIONS,
    keys::PERMISSIONS_FOR,
    keys::PERMISSIONS_AS,
    keys::ON_ERROR,
    keys::BUDGET_MS,
    keys::MANAGEMENT_URL,
    keys::ROLES_CACHE_MS,
    keys::MAX_CLAIM_BYTES,
    keys::ON_OVERFLOW,
    keys::ROLES,
    keys::METADATA_PATH,
    keys::GROUPS,
    keys::LOG_LINE,
    keys::ORGANIZATION_PERMISSIONS,
];

/// A setting whose text is one word of a fixed list. The type owns its words: [`Choice::CHOICES`]
/// pairs each word with the value it names, the first pair being the default (the value when unset).
/// The parser, its error messages, the settings table ([`table::SETTINGS`]) and what is rendered from
/// it (the README's table, `js/types/settings.d.ts`) all read that one list.
pub trait Choice: Copy + PartialEq + 'static {
    /// Each word with the value it names, in the order operators read them; the first is the default.
    const CHOICES: &'static [(&'static str, Self)];

    /// The value `word` names, if any.
    fn from_word(word: &str) -> Option<Self> {
        Self::CHOICES
            .iter()
            .find(|(known, _)| *known == word)
            .map(|(_, value)| *value)
    }

    /// The word that names `self` (empty for a value no word names).
    fn word(self) -> &'static str {
        Self::CHOICES
            .iter()
            .find(|(_, value)| *value == self)
            .map_or("", |(word, _)| word)
    }
}

/// The words of `T` as a list, for the settings table: `N` must be their number, else the build fails
/// (the table is a constant, so this runs at compile time).
pub const fn words<T: Choice, const N: usize>() -> [&'static str; N] {
    let mut out = [""; N];
    let mut choices = T::CHOICES;
    let mut slots: &mut [&'static str] = &mut out;
    let mut count = 0;
    while let ([(word, _), more @ ..], [slot, others @ ..]) = (choices, slots) {
        *slot = word;
        choices = more;
        slots = others;
        count += 1;
    }
    // Evaluated at compile time only (the table's constants): a wrong `N` fails the build.
    assert!(
        count == N && choices.is_empty(),
        "words::<T, N>(): N is not the number of T's words"
    );
    out
}

impl Choice for Token {
    const CHOICES: &'static [(&'static str, Self)] = &[("id", Self::Id), ("access", Self::Access)];
}

/// `permissions`: `off` is no source at all. Its default depends on the credentials (`user` when they
/// are set, else `off`): the settings table describes it in words.
impl Choice for Option<PermissionSource> {
    const CHOICES: &'static [(&'static str, Self)] = &[
        ("user", Some(PermissionSource::User)),
        ("effective", Some(PermissionSource::Effective)),
        ("roles", Some(PermissionSource::Roles)),
        ("off", None),
    ];
}

impl Choice for PermissionScope {
    const CHOICES: &'static [(&'static str, Self)] =
        &[("all", Self::All), ("requested", Self::Requested)];
}

impl Choice for OnError {
    const CHOICES: &'static [(&'static str, Self)] =
        &[("deny", Self::Deny), ("continue", Self::Continue)];
}

impl Choice for OnOverflow {
    const CHOICES: &'static [(&'static str, Self)] = &[("deny", Self::Deny), ("omit", Self::Omit)];
}

impl Choice for PermissionsAs {
    const CHOICES: &'static [(&'static str, Self)] = &[
        ("claim", Self::Claim),
        ("scope", Self::Scope),
        ("both", Self::Both),
    ];
}

/// `permissionsAs`: how the permissions reach the tokens. Parsed into
/// [`Settings::permission_claim`] and [`Settings::permission_scopes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermissionsAs {
    /// The `<namespace>/permissions` claim.
    Claim,
    /// `api.accessToken.addScope` for each permission, no permissions claim.
    Scope,
    /// Both.
    Both,
}

impl Choice for OrganizationPermissions {
    const CHOICES: &'static [(&'static str, Self)] = &[
        ("organization", Self::Organization),
        ("tenant", Self::Tenant),
    ];
}

/// `organizationPermissions`: what `permissions=user`/`effective` give in an organization login.
/// Parsed into [`Settings::tenant_permissions_in_organizations`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationPermissions {
    /// The permissions of the login's roles, which Auth0 scoped to the organization.
    Organization,
    /// The user's tenant-wide permissions, as outside organizations.
    Tenant,
}

impl Choice for LogLine {
    const CHOICES: &'static [(&'static str, Self)] = &[("off", Self::Off), ("json", Self::Json)];
}

/// `logLine`: whether each login ends with one structured line ([`crate::login::summary_line`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLine {
    /// No structured line (the other log lines stay).
    Off,
    /// `rbac-claims {...}`: one JSON object per login, written with `console.log`.
    Json,
}

/// An on/off switch (`groups`).
impl Choice for bool {
    const CHOICES: &'static [(&'static str, Self)] = &[("off", false), ("on", true)];
}

/// Default for `maxClaimBytes` ([`table::MAX_CLAIM_BYTES`]): well under Auth0's 100 KB per token.
pub const DEFAULT_MAX_CLAIM_BYTES: usize = MAX_CLAIM_BYTES.default as usize;

/// What to do when the claims would pass `maxClaimBytes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnOverflow {
    /// Deny the login.
    Deny,
    /// Drop the permissions claim and set `<namespace>/permissions_truncated: true`.
    Omit,
}

/// Which Management API endpoint gives the user's permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermissionSource {
    /// `GET /api/v2/users/{id}/permissions`: direct and role-derived permissions.
    User,
    /// `GET /api/v2/users/{id}/effective-permissions`: also group-derived, for the requested API.
    Effective,
    /// The union of the permissions of the event's roles, from `GET /api/v2/roles` and
    /// `GET /api/v2/roles/{id}/permissions`, kept in instance memory: no per-login requests when warm.
    /// Directly assigned user permissions are not included.
    Roles,
}

/// Which of the user's permissions go into the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PermissionScope {
    /// Every permission, whatever its API.
    All,
    /// Only permissions of the requested API (`event.resource_server.identifier`).
    Requested,
}

/// What a Management API failure does to the login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnError {
    /// Deny the login with the generic reason.
    Deny,
    /// Let the login go on with the roles claim and no permissions claim.
    Continue,
}

/// A secret string: compared and used, never printed (`Debug` shows `[redacted]`).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// How to reach the Management API and what to ask it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionSettings {
    /// Tenant domain, e.g. `tenant.eu.auth0.com` (no scheme, no trailing `/`).
    pub domain: String,
    /// M2M application client id.
    pub client_id: String,
    /// M2M application client secret.
    pub client_secret: Secret,
    /// Which endpoint to read.
    pub source: PermissionSource,
    /// Which permissions to keep.
    pub scope: PermissionScope,
    /// Base URL for `/oauth/token` and `/api/v2` (no trailing `/`): `https://{domain}` unless overridden.
    pub base_url: String,
    /// How long role data is kept (`permissions=roles`).
    pub roles_cache_ms: u64,
}

impl PermissionSettings {
    /// The Management API audience: `https://{domain}/api/v2/`.
    pub fn audience(&self) -> String {
        format!("https://{}/api/v2/", self.domain)
    }
}

/// Which tokens receive the claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "test-exports", derive(serde::Serialize))]
pub struct TokenSelection {
    /// The ID token gets the claims.
    pub id: bool,
    /// The access token gets the claims.
    pub access: bool,
}

impl Default for TokenSelection {
    fn default() -> Self {
        Self {
            id: true,
            access: true,
        }
    }
}

/// A validated claim namespace, without trailing `/`, so that `<namespace>/<name>` has exactly one `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Namespace(String);

impl Namespace {
    /// The full claim name for `name` under this namespace.
    pub fn claim(&self, name: &str) -> String {
        let mut claim = String::with_capacity(self.0.len() + 1 + name.len());
        claim.push_str(&self.0);
        claim.push('/');
        claim.push_str(name);
        claim
    }

    /// The namespace as text (no trailing `/`).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Everything the Action is configured to do, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Claim namespace.
    pub namespace: Namespace,
    /// Tokens that get the claims.
    pub tokens: TokenSelection,
    /// What a Management API failure does.
    pub on_error: OnError,
    /// Permissions from the Management API; `None` when off.
    pub permissions: Option<PermissionSettings>,
    /// Time budget for all outside work of one login (`api.roles`, `api.groups`, Management API).
    pub budget_ms: u64,
    /// Where the role names come from.
    pub roles: RolesSource,
    /// `roles=metadata`: the roles array's dot-separated keys inside `app_metadata` (validated).
    pub metadata_path: String,
    /// Whether the groups claim is added (from `api.groups`).
    pub groups: bool,
    /// Largest JSON size of one token's custom claims.
    pub max_claim_bytes: usize,
    /// What happens over `max_claim_bytes`.
    pub on_overflow: OnOverflow,
    /// `permissionsAs` `claim` or `both`: the permissions claim is set.
    pub permission_claim: bool,
    /// `permissionsAs` `scope` or `both`: each permission is added to the access token as a scope.
    pub permission_scopes: bool,
    /// Whether each login ends with one structured line (`logLine=json`, [`LogLine::Json`]).
    pub log_line: bool,
    /// `organizationPermissions=tenant`: in organization logins, `permissions=user`/`effective` read
    /// the user's tenant-wide permissions as outside them (no organization rule).
    pub tenant_permissions_in_organizations: bool,
}

/// A setting that is missing or wrong. Its message names the key and the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The setting's name in `event.secrets`.
    pub key: &'static str,
    /// What is wrong with it, in words for the operator.
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "setting `{}` {}", self.key, self.problem)
    }
}

impl core::error::Error for ConfigError {}

/// Most secret names a host lists for [`misspelled_secret_lines`]: Auth0 allows far fewer secrets.
pub const MAX_SECRET_NAMES: usize = 100;
/// Longest secret name a host lists, in UTF-16 units: a longer one misspells no setting (the longest
/// setting name has 14 characters).
pub const MAX_SECRET_NAME_CHARS: usize = 64;
/// Most misspelled names reported for one set of secrets.
const MAX_MISSPELLED: usize = 5;

/// Most edits (a letter inserted, removed, replaced, or two swapped) that still make a secret name a
/// misspelling of `setting`: 1 for the short names (`roles`, `tokens`, `domain`, `groups`), so that
/// a short name of another secret is not taken for one, else 2.
fn edits_allowed(setting: &str) -> usize {
    if setting.len() <= 6 {
        1
    } else {
        2
    }
}

/// A name as compared with a setting's: its bytes in ASCII lower case, without `_`, `-` and ASCII
/// white space (a letter outside ASCII counts as one edit per byte).
fn fold_name(name: &str) -> Vec<u8> {
    // A loop, not `collect`: one generic instance less in the module.
    let mut folded = Vec::with_capacity(name.len());
    for b in name.bytes() {
        if !matches!(b, b'_' | b'-') && !b.is_ascii_whitespace() {
            folded.push(b.to_ascii_lowercase());
        }
    }
    folded
}

/// Longest setting name [`edit_distance`] compares with, plus one.
const DISTANCE_ROW: usize = 24;

/// The edit distance between `a` and the setting name `b` (insertions, deletions, substitutions and
/// swaps of two neighbours each count 1; optimal string alignment), three rows at a time;
/// `usize::MAX` when `b` is longer than [`DISTANCE_ROW`] allows.
fn edit_distance(a: &[u8], b: &[u8]) -> usize {
    if b.len() >= DISTANCE_ROW {
        return usize::MAX;
    }
    let mut before = [0; DISTANCE_ROW];
    let mut above = [0; DISTANCE_ROW];
    for (j, cell) in above.iter_mut().enumerate() {
        *cell = j;
    }
    for (i, ca) in a.iter().enumerate() {
        let mut row = [i + 1; DISTANCE_ROW];
        for (j, cb) in b.iter().enumerate() {
            let at = |cells: &[usize; DISTANCE_ROW], k: usize| {
                cells.get(k).map_or(usize::MAX, |d| d + 1)
            };
            let substitute = above
                .get(j)
                .map_or(usize::MAX, |d| d + usize::from(ca != cb));
            let mut best = substitute.min(at(&above, j + 1)).min(at(&row, j));
            let swapped = i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca);
            if swapped {
                best = best.min(at(&before, j - 1));
            }
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = best;
            }
        }
        before = above;
        above = row;
    }
    above.get(b.len()).copied().unwrap_or(usize::MAX)
}

/// The setting a secret name misspells, if it does: the name is not itself a setting (those are
/// read), and it is a setting's name apart from case, `_`, `-` and white space (`CLIENT_ID`,
/// `Namespace`, `namespace `), or within [`edits_allowed`] edits of one after that (`permisions`,
/// `budget`). The closest setting wins (the first in [`ALL_KEYS`] on a tie). Any other secret (the
/// operator's own, e.g. `SLACK_WEBHOOK`) is no misspelling and is never named.
pub fn misspelled_setting(name: &str) -> Option<&'static str> {
    if ALL_KEYS.contains(&name) || name.chars().count() > MAX_SECRET_NAME_CHARS {
        return None;
    }
    let folded = fold_name(name);
    ALL_KEYS
        .iter()
        .filter_map(|key| {
            let target = fold_name(key);
            if folded.len().abs_diff(target.len()) > edits_allowed(key) {
                return None;
            }
            let distance = edit_distance(&folded, &target);
            (distance <= edits_allowed(key)).then_some((distance, *key))
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, key)| key)
}

/// One log line for each secret whose name misspells a setting ([`misspelled_setting`]), in the
/// order given, each name once, at most 5: that secret is not read, so the setting it meant keeps its
/// default. The line names the secret, never its value.
pub fn misspelled_secret_lines(names: &[String]) -> Vec<String> {
    let mut seen: Vec<&str> = Vec::new();
    let mut lines = Vec::new();
    for name in names {
        if lines.len() == MAX_MISSPELLED || seen.contains(&name.as_str()) {
            continue;
        }
        seen.push(name);
        if let Some(setting) = misspelled_setting(name) {
            lines.push(format!(
                "secret {} is not a setting and is ignored; did you mean \"{setting}\"?",
                quote(name)
            ));
        }
    }
    lines
}

/// Where `needle` first occurs in `text` (bytes). Not `str::find` with a `&str` pattern: its two-way
/// searcher and the slicing panic path behind it are 6 kB of wasm.
pub(crate) fn find_bytes(text: &str, needle: &[u8]) -> Option<usize> {
    text.as_bytes()
        .windows(needle.len())
        .position(|w| w == needle)
}

/// Longest excerpt of a bad value quoted in an error, so logs stay short.
const QUOTE_LIMIT: usize = 40;

/// Quotes a (non-secret) bad value for an error message, shortened to [`QUOTE_LIMIT`] characters,
/// with control characters shown as `?` so one log line stays one line.
/// [`quote`] for a URL or host setting (`managementUrl`, `domain`): a `user:password@` part, a
/// credential pasted into the setting, is shown as `…@`, never logged.
fn quote_url(value: &str) -> String {
    let start = find_bytes(value, b"://").map_or(0, |at| at + 3);
    let rest = value.get(start..).unwrap_or_default();
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    match authority.rfind('@') {
        Some(at) => {
            let mut shown = value.get(..start).unwrap_or_default().to_owned();
            shown.push('…');
            shown.push_str(rest.get(at..).unwrap_or_default());
            quote(&shown)
        }
        None => quote(value),
    }
}

fn quote(value: &str) -> String {
    let shown: String = value
        .chars()
        .take(QUOTE_LIMIT)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    let more = if value.chars().count() > QUOTE_LIMIT {
        "…"
    } else {
        ""
    };
    format!("\"{shown}{more}\"")
}

impl Settings {
    /// Reads and validates every setting from `source`.
    pub fn from_source(source: &(impl SettingSource + ?Sized)) -> Result<Self, ConfigError> {
        let namespace = match text(source, keys::NAMESPACE)? {
            Some(value) => parse_namespace(&value)?,
            None => {
                return Err(error(
                    keys::NAMESPACE,
                    "is required (e.g. https://example.com)",
                ))
            }
        };
        let tokens = match text(source, keys::TOKENS)? {
            Some(value) => parse_tokens(&value)?,
            None => TokenSelection::default(),
        };
        let on_error = choice(source, keys::ON_ERROR, table::ON_ERROR_VALUES)?;
        let permissions = parse_permissions(source)?;
        let budget_ms = match text(source, keys::BUDGET_MS)? {
            None => BUDGET_MS.default,
            Some(value) => parse_whole(keys::BUDGET_MS, &value, BUDGET_MS)?,
        };
        let roles = choice(source, keys::ROLES, table::ROLES_VALUES)?;
        let metadata_path = match text(source, keys::METADATA_PATH)? {
            Some(path) if roles == RolesSource::Metadata => parse_metadata_path(path)?,
            _ => DEFAULT_METADATA_PATH.to_owned(),
        };
        let groups = choice(source, keys::GROUPS, table::GROUPS_VALUES)?;
        let max_claim_bytes = match text(source, keys::MAX_CLAIM_BYTES)? {
            None => DEFAULT_MAX_CLAIM_BYTES,
            Some(value) => parse_whole(keys::MAX_CLAIM_BYTES, &value, MAX_CLAIM_BYTES)? as usize,
        };
        let on_overflow = choice(source, keys::ON_OVERFLOW, table::ON_OVERFLOW_VALUES)?;
        // The table lists [`PermissionsAs`]'s words: `claim`, `scope`, `both`.
        let permissions_as =
            word_index(source, keys::PERMISSIONS_AS, table::PERMISSIONS_AS_VALUES)?;
        let permission_claim = permissions_as != Some(1);
        let permission_scopes = matches!(permissions_as, Some(1 | 2));
        if permission_scopes && !tokens.access {
            return Err(error(
                keys::PERMISSIONS_AS,
                "needs the access token (scopes exist only there): add access to `tokens` (id,access) or set permissionsAs=claim",
            ));
        }
        // The table lists [`LogLine`]'s words: `off`, then `json`.
        let log_line = word_index(source, keys::LOG_LINE, table::LOG_LINE_VALUES)? == Some(1);
        // The table lists [`OrganizationPermissions`]'s words: `organization`, then `tenant`.
        let tenant_permissions_in_organizations = word_index(
            source,
            keys::ORGANIZATION_PERMISSIONS,
            table::ORGANIZATION_PERMISSIONS_VALUES,
        )? == Some(1);
        Ok(Self {
            namespace,
            tokens,
            on_error,
            permissions,
            budget_ms,
            roles,
            metadata_path,
            groups,
            max_claim_bytes,
            on_overflow,
            permission_claim,
            permission_scopes,
            log_line,
            tenant_permissions_in_organizations,
        })
    }
}

fn unknown_word(key: &'static str, value: &str, expected: &[&str]) -> ConfigError {
    error(
        key,
        format!(
            "has unknown value {}: use {}",
            quote(value),
            or_list(expected)
        ),
    )
}

/// Where the word under `key` is among `words`, the settings table's for `key`; `None` when unset.
fn word_index(
    source: &(impl SettingSource + ?Sized),
    key: &'static str,
    words: &[&str],
) -> Result<Option<usize>, ConfigError> {
    let Some(word) = text(source, key)? else {
        return Ok(None);
    };
    match words.iter().position(|known| *known == word) {
        Some(index) => Ok(Some(index)),
        None => Err(unknown_word(key, &word, words)),
    }
}

/// The value `T` pairs with the table's word number `index` for `key` (the table lists `T`'s words,
/// in order).
fn nth_choice<T: Choice>(key: &'static str, index: usize) -> Result<T, ConfigError> {
    T::CHOICES
        .get(index)
        .map(|(_, value)| *value)
        .ok_or_else(|| error(key, "has more words in the settings table than its type"))
}

/// The value of the choice setting `key`, whose words in the settings table are `words` (`T`'s): the
/// one its word names, the first's when unset.
fn choice<T: Choice>(
    source: &(impl SettingSource + ?Sized),
    key: &'static str,
    words: &[&str],
) -> Result<T, ConfigError> {
    nth_choice(key, word_index(source, key, words)?.unwrap_or(0))
}

/// Parses the Management API settings. Permissions are on when `domain`, `clientId` and `clientSecret`
/// are all set (or `permissions` asks for them); a partial set of credentials is an error.
fn parse_permissions(
    source: &(impl SettingSource + ?Sized),
) -> Result<Option<PermissionSettings>, ConfigError> {
    // Unset: on when the credentials are set (`user`), else off; set: the source its word names.
    let requested = match word_index(source, keys::PERMISSIONS, table::PERMISSIONS_VALUES)? {
        None => None,
        Some(index) => match nth_choice::<Option<PermissionSource>>(keys::PERMISSIONS, index)? {
            None => return Ok(None),
            requested => requested,
        },
    };
    let domain = text(source, keys::DOMAIN)?;
    let client_id = text(source, keys::CLIENT_ID)?;
    let client_secret = text(source, keys::CLIENT_SECRET)?;
    let (domain, client_id, client_secret) = match (domain, client_id, client_secret) {
        (Some(domain), Some(id), Some(secret)) => (domain, id, secret),
        (None, None, None) if requested.is_none() => return Ok(None),
        (domain, id, _) => {
            let missing = if domain.is_none() {
                keys::DOMAIN
            } else if id.is_none() {
                keys::CLIENT_ID
            } else {
                keys::CLIENT_SECRET
            };
            return Err(error(
                missing,
                "is required to read permissions (set domain, clientId and clientSecret, or permissions=off)",
            ));
        }
    };
    let domain = parse_domain(&domain)?;
    let scope = choice(source, keys::PERMISSIONS_FOR, table::PERMISSIONS_FOR_VALUES)?;
    let roles_cache_ms = match text(source, keys::ROLES_CACHE_MS)? {
        None => ROLES_CACHE_MS.default,
        Some(value) => parse_whole(keys::ROLES_CACHE_MS, &value, ROLES_CACHE_MS)?,
    };
    let base_url = match text(source, keys::MANAGEMENT_URL)? {
        None => format!("https://{domain}"),
        Some(value) => parse_management_url(&value)?,
    };
    Ok(Some(PermissionSettings {
        domain,
        client_id,
        client_secret: Secret(client_secret),
        source: requested.unwrap_or(PermissionSource::User),
        scope,
        base_url,
        roles_cache_ms,
    }))
}

/// A tenant domain: a host name, optionally written with `https://` and a trailing `/`. It becomes the
/// Management API's base URL when `managementUrl` is unset, so it is held to the same rules as that
/// host: labels of letters, digits and `-`, and not a number a URL parser reads as an IPv4 address
/// (`0x7f000001`, `127.1`); an IP address is no tenant domain at all.
fn parse_domain(value: &str) -> Result<String, ConfigError> {
    let host = value
        .strip_prefix("https://")
        .unwrap_or(value)
        .trim_end_matches('/')
        .to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    let valid = is_host_name_or_ipv4(&host)
        && !is_canonical_ipv4(&labels)
        && labels.iter().all(|l| !l.ends_with('-'));
    if valid {
        Ok(host)
    } else {
        Err(error(
            keys::DOMAIN,
            format!(
                "{} is not a host name (e.g. tenant.us.auth0.com)",
                quote_url(value)
            ),
        ))
    }
}

/// A whole number within `range` (`budgetMs`, `rolesCacheMs` in milliseconds; `maxClaimBytes`).
fn parse_whole(key: &'static str, value: &str, range: WholeRange) -> Result<u64, ConfigError> {
    let out_of_range = || {
        error(
            key,
            format!(
                "is {}: use a whole number from {} to {}",
                quote(value),
                range.min,
                range.max
            ),
        )
    };
    if value.is_empty() || value.len() > 9 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(out_of_range());
    }
    let millis = value.parse::<u64>().map_err(|_| out_of_range())?;
    if (range.min..=range.max).contains(&millis) {
        Ok(millis)
    } else {
        Err(out_of_range())
    }
}

/// `managementUrl`: `https:` anywhere, `http:` only on a loopback host; a scheme, a host and an
/// optional port (1–65535), nothing else. Only the characters of a host and a port are accepted, so the
/// text means to `fetch` (the WHATWG URL parser) exactly what it means here: a backslash (a path
/// separator there), `%`, `@` or a host that parser would read as a number (`0x7f000001`) is refused.
fn parse_management_url(value: &str) -> Result<String, ConfigError> {
    let bad = |why: &str| error(keys::MANAGEMENT_URL, format!("{} {why}", quote_url(value)));
    let trimmed = value.trim_end_matches('/');
    let lower = trimmed.to_ascii_lowercase();
    let (secure, authority) = if let Some(rest) = lower.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = lower.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(bad("must start with https://"));
    };
    let host_chars =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    if authority.is_empty() || !authority.chars().all(host_chars) {
        return Err(bad(
            "must be a scheme, a host and an optional port only, e.g. https://tenant.us.auth0.com",
        ));
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(rest) => {
            let Some((inside, after)) = rest.split_once(']') else {
                return Err(bad("has an IPv6 address without its closing `]`"));
            };
            if !is_ipv6(inside) {
                return Err(bad("has an IPv6 address that is not valid"));
            }
            (
                authority.get(..inside.len() + 2).unwrap_or(authority),
                after,
            )
        }
        None => match authority.find(':') {
            Some(at) => (
                authority.get(..at).unwrap_or(authority),
                authority.get(at..).unwrap_or_default(),
            ),
            None => (authority, ""),
        },
    };
    if !port.is_empty() {
        let digits = port.strip_prefix(':').unwrap_or("x");
        let valid = !digits.is_empty()
            && digits.len() <= 5
            && !digits.starts_with('0')
            && digits.bytes().all(|b| b.is_ascii_digit())
            && digits
                .parse::<u64>()
                .is_ok_and(|p| (1..=65_535).contains(&p));
        if !valid {
            return Err(bad("has a port that is not a number from 1 to 65535"));
        }
    }
    if !host.starts_with('[') && !is_host_name_or_ipv4(host) {
        return Err(bad(
            "has a host that is neither a host name nor a dotted IPv4 address",
        ));
    }
    let loopback = host == "localhost" || host == "[::1]" || is_loopback_ipv4(host);
    if !secure && !loopback {
        return Err(bad(
            "uses http:, which is allowed only for loopback hosts; use https:",
        ));
    }
    Ok(trimmed.to_owned())
}

/// True for a host name (labels of letters, digits and `-`) whose last label is not a number, or a
/// dotted IPv4 address in canonical form. The WHATWG URL parser reads a host ending in a number
/// (`0x7f000001`, `2130706433`, `127.1`) as an IPv4 address: those are refused, as are empty labels.
fn is_host_name_or_ipv4(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && !l.starts_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if !labels.iter().all(label_ok) {
        return false;
    }
    let last = labels.last().copied().unwrap_or_default();
    let numeric = last.bytes().all(|b| b.is_ascii_digit())
        || (last.starts_with("0x") && last.bytes().skip(2).all(|b| b.is_ascii_hexdigit()));
    !numeric || is_canonical_ipv4(&labels)
}

/// An IPv6 address in hex groups (1–4 digits; at most one `::`; eight groups without one, fewer
/// with it). The embedded-IPv4 form is refused. (Not `core::net`'s parser: 3.5 kB of wasm.)
fn is_ipv6(text: &str) -> bool {
    let groups_ok = |part: &str| {
        part.is_empty()
            || part
                .split(':')
                .all(|g| (1..=4).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    let count = |part: &str| {
        if part.is_empty() {
            0
        } else {
            part.split(':').count()
        }
    };
    let split = find_bytes(text, b"::").map(|at| {
        (
            text.get(..at).unwrap_or_default(),
            text.get(at + 2..).unwrap_or_default(),
        )
    });
    match split {
        Some((head, tail)) => {
            find_bytes(tail, b"::").is_none()
                && groups_ok(head)
                && groups_ok(tail)
                && count(head) + count(tail) <= 7
        }
        None => groups_ok(text) && count(text) == 8,
    }
}

/// Four decimal parts 0–255 without leading zeros.
fn is_canonical_ipv4(parts: &[&str]) -> bool {
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || !p.starts_with('0'))
                && p.parse::<u16>().is_ok_and(|n| n <= 255)
        })
}

/// True for a canonical dotted IPv4 address in 127.0.0.0/8.
fn is_loopback_ipv4(host: &str) -> bool {
    let parts: Vec<&str> = host.split('.').collect();
    is_canonical_ipv4(&parts) && parts.first() == Some(&"127")
}

fn error(key: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        key,
        problem: problem.into(),
    }
}

/// The trimmed text under `key`; `None` when unset or blank; an error when not a string.
fn text(
    source: &(impl SettingSource + ?Sized),
    key: &'static str,
) -> Result<Option<String>, ConfigError> {
    match source.raw(key) {
        RawSetting::Absent => Ok(None),
        RawSetting::NotText(kind) => Err(error(key, format!("must be a string, not {kind}"))),
        RawSetting::Text(value) => {
            let trimmed = value.trim();
            Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
        }
    }
}

/// `metadataPath` when unset.
pub const DEFAULT_METADATA_PATH: &str = "roles";
/// Most keys in `metadataPath`.
pub const METADATA_PATH_KEYS: usize = 8;
/// Most characters in one key of `metadataPath`.
pub const METADATA_KEY_CHARS: usize = 64;

/// Checks `metadataPath`: 1 to [`METADATA_PATH_KEYS`] dot-separated keys of 1 to
/// [`METADATA_KEY_CHARS`] characters each.
fn parse_metadata_path(path: String) -> Result<String, ConfigError> {
    for (index, key) in path.split('.').enumerate() {
        let chars = key.chars().count();
        if chars == 0 || chars > METADATA_KEY_CHARS || index >= METADATA_PATH_KEYS {
            return Err(error(
                keys::METADATA_PATH,
                format!(
                    "{} must be 1 to {METADATA_PATH_KEYS} keys of 1 to {METADATA_KEY_CHARS} characters, separated by single dots, e.g. authorization.roles",
                    quote(&path)
                ),
            ));
        }
    }
    Ok(path)
}

/// Parses `tokens`: a comma-separated list of `id` and `access`.
fn parse_tokens(value: &str) -> Result<TokenSelection, ConfigError> {
    let mut selection = TokenSelection {
        id: false,
        access: false,
    };
    for word in value.split(',').map(str::trim) {
        match Token::from_word(word) {
            Some(Token::Id) => selection.id = true,
            Some(Token::Access) => selection.access = true,
            None => {
                let words = table::TOKEN_WORDS;
                // Joined by hand: `[&str]::join` links a kilobyte of generic copying code.
                let every = words.iter().fold(String::new(), |mut every, word| {
                    if !every.is_empty() {
                        every.push(',');
                    }
                    every.push_str(word);
                    every
                });
                let mut usage = words.to_vec();
                usage.push(&every);
                return Err(error(
                    keys::TOKENS,
                    format!("has unknown token {}: use {}", quote(word), or_list(&usage)),
                ));
            }
        }
    }
    Ok(selection)
}

/// Validates a namespace: an `http(s)` URL or a URN that Auth0 will not silently ignore. The reserved
/// hosts and `urn:auth0` are compared on the text as a URL parser would read it: percent-decoded, with
/// the IDNA dot forms and full-width letters mapped to ASCII, in lower case ([`fold_for_comparison`]).
fn parse_namespace(value: &str) -> Result<Namespace, ConfigError> {
    let bad = |why: &str| error(keys::NAMESPACE, format!("{} {why}", quote(value)));
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("must not contain spaces or control characters"));
    }
    if value.contains(['?', '#']) {
        return Err(bad("must not contain `?` or `#`"));
    }
    let normalized = value.trim_end_matches('/');
    let lower = normalized.to_ascii_lowercase();
    if let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    {
        // A URL parser ends the authority at `/` or, for http(s), at `\`.
        let authority = rest.split(['/', '\\']).next().unwrap_or_default();
        let host_port = authority.rsplit('@').next().unwrap_or_default();
        let host = host_port.split(':').next().unwrap_or_default();
        let host = fold_for_comparison(host);
        let host = host.trim_end_matches('.');
        if host.is_empty() {
            return Err(bad("has no host"));
        }
        if !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        {
            return Err(bad(
                "has a host that is not a plain ASCII host name (write an international name in its xn-- form)",
            ));
        }
        if let Some(reserved) = RESERVED_NAMESPACE_HOSTS
            .iter()
            .find(|reserved| is_under(host, reserved))
        {
            return Err(bad(&format!(
                "is under {reserved}: Auth0 silently drops such claims"
            )));
        }
    } else if let Some(rest) = lower.strip_prefix("urn:") {
        let nid = rest.split(':').next().unwrap_or_default();
        if nid.is_empty() || !nid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(bad("is not a valid URN (urn:<id>:<name>)"));
        }
        if let Some(reserved) = RESERVED_URN_NAMESPACES.iter().find(|r| **r == nid) {
            return Err(bad(&format!("uses urn:{reserved}, which Auth0 reserves")));
        }
    } else {
        return Err(bad("must be an http(s) URL or a URN"));
    }
    Ok(Namespace(normalized.to_owned()))
}

/// `text` as a URL parser compares a host: percent-decoded (until nothing changes, at most 4 times),
/// the IDNA full stops (`。` `．` `｡`) as `.`, full-width ASCII (`ａ`) as ASCII, ASCII lower case.
pub fn fold_for_comparison(text: &str) -> String {
    let mut current = text.to_owned();
    for _ in 0..4 {
        let decoded = percent_decode(&current);
        if decoded == current {
            break;
        }
        current = decoded;
    }
    current
        .chars()
        .map(|c| match c {
            '\u{3002}' | '\u{FF0E}' | '\u{FF61}' => '.',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        // ASCII case only: a host that is not ASCII after this mapping is refused anyway (and the
        // Unicode case tables would cost the module kilobytes).
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Decodes `%XX` escapes; text whose bytes then do not form UTF-8 becomes a lone U+FFFD.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |at: usize| bytes.get(at).and_then(|h| (*h as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    // Bytes that are not UTF-8 become U+FFFD, which no host check accepts.
    String::from_utf8(out).unwrap_or_else(|_| "\u{FFFD}".to_owned())
}

/// Whether the host `host` is `domain` or under it, label by label from the right. An `xn--` label
/// whose Punycode holds only ASCII (`xn--auth0-` is `auth0`) counts as that ASCII.
fn is_under(host: &str, domain: &str) -> bool {
    let mut host_labels = host.rsplit('.');
    domain.rsplit('.').all(|wanted| {
        host_labels.next().is_some_and(|label| {
            let label = label
                .strip_prefix("xn--")
                .and_then(|rest| rest.strip_suffix('-'))
                .unwrap_or(label);
            label == wanted
        })
    })
}

/// Test builds (`--features test-exports`, and native tests): what the settings JSON `text` (as
/// `event.secrets` gives it) makes the Action do, as JSON: `{"fatal":"<key>"}` for the setting that
/// denies the login (`"event"` when the text is no JSON), else `{"namespace", "tokens": {"id",
/// "access"}, "onError", "perms": null | {"source", "scope"}, "maxClaimBytes", "onOverflow"}`. The
/// hostile suite takes its expectations from this instead of restating these rules in JavaScript.
#[cfg(any(test, feature = "test-exports"))]
pub fn outcome_json(text: &str) -> String {
    let word = |w: &str| {
        let mut out = String::new();
        crate::json::write_string(&mut out, w);
        out
    };
    let parsed = match crate::json::parse(text) {
        Ok(parsed) => parsed,
        Err(_) => return r#"{"fatal":"event"}"#.to_owned(),
    };
    let settings = match Settings::from_source(&parsed) {
        Ok(settings) => settings,
        Err(err) => return format!(r#"{{"fatal":{}}}"#, word(err.key)),
    };
    let perms = match &settings.permissions {
        None => "null".to_owned(),
        Some(p) => format!(
            r#"{{"source":{},"scope":{},"tenant":{}}}"#,
            word(Some(p.source).word()),
            word(p.scope.word()),
            settings.tenant_permissions_in_organizations
        ),
    };
    format!(
        r#"{{"fatal":null,"namespace":{},"tokens":{{"id":{},"access":{}}},"onError":{},"perms":{perms},"maxClaimBytes":{},"onOverflow":{},"logLine":{},"roles":{},"metadataPath":{}}}"#,
        word(settings.namespace.as_str()),
        settings.tokens.id,
        settings.tokens.access,
        word(settings.on_error.word()),
        settings.max_claim_bytes,
        word(settings.on_overflow.word()),
        settings.log_line,
        word(settings.roles.word()),
        word(&settings.metadata_path),
    )
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_credential_in_a_url_setting_is_never_quoted() {
        for (key, value) in [
            ("managementUrl", "https://u:LEAKMARK@h.example"),
            ("managementUrl", "https://LEAKMARK@h.example/api"),
            ("domain", "u:LEAKMARK@h.example"),
            ("domain", "https://u:LEAKMARK@h.example"),
        ] {
            let mut pairs = vec![NS, ("clientId", "abc"), ("clientSecret", "s"), (key, value)];
            if key != "domain" {
                pairs.push(("domain", "tenant.us.auth0.com"));
            }
            let err = parse(&pairs).unwrap_err();
            assert_eq!(err.key, key);
            assert!(!err.problem.contains("LEAKMARK"), "{key}: {}", err.problem);
            assert!(
                err.problem.contains("…@h.example"),
                "{key}: {}",
                err.problem
            );
        }
    }

    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        Settings::from_source(pairs)
    }

    fn namespace_error(ns: &str) -> ConfigError {
        parse(&[("namespace", ns)]).unwrap_err()
    }

    #[test]
    fn namespace_is_required() {
        let err = parse(&[]).unwrap_err();
        assert_eq!(err.key, "namespace");
        assert!(
            err.to_string()
                .starts_with("setting `namespace` is required"),
            "{err}"
        );
        assert_eq!(parse(&[("namespace", "   ")]).unwrap_err().key, "namespace");
    }

    #[test]
    fn claim_names_have_exactly_one_slash() {
        for ns in [
            "https://rbac.example.com",
            "https://rbac.example.com/",
            "https://rbac.example.com//",
        ] {
            let settings = parse(&[("namespace", ns)]).unwrap();
            assert_eq!(
                settings.namespace.claim("roles"),
                "https://rbac.example.com/roles"
            );
        }
        let settings = parse(&[("namespace", "urn:example:claims")]).unwrap();
        assert_eq!(
            settings.namespace.claim("roles"),
            "urn:example:claims/roles"
        );
        let settings = parse(&[("namespace", "http://example.com/app/")]).unwrap();
        assert_eq!(
            settings.namespace.claim("roles"),
            "http://example.com/app/roles"
        );
    }

    #[test]
    fn namespace_keeps_its_case_and_path() {
        let settings = parse(&[("namespace", "https://Example.com/Claims")]).unwrap();
        assert_eq!(settings.namespace.as_str(), "https://Example.com/Claims");
    }

    #[test]
    fn namespaces_auth0_would_ignore_are_refused() {
        for ns in [
            "https://auth0.com",
            "https://tenant.auth0.com/claims",
            "https://TENANT.Auth0.com",
            "http://x.webtask.io",
            "https://webtask.run/",
            "https://user@auth0.com:443/x",
            "https://auth0.com./x",
            "urn:auth0:claims",
            "URN:AUTH0",
        ] {
            let err = namespace_error(ns);
            assert_eq!(err.key, "namespace", "{ns}");
            assert!(
                err.problem.contains("auth0") || err.problem.contains("webtask"),
                "{ns}: {err}"
            );
        }
    }

    #[test]
    fn look_alike_hosts_are_accepted() {
        for ns in [
            "https://notauth0.com",
            "https://auth0.com.example.org",
            "urn:auth0x:claims",
        ] {
            assert!(parse(&[("namespace", ns)]).is_ok(), "{ns}");
        }
    }

    #[test]
    fn namespaces_that_are_not_urls_or_urns_are_refused() {
        for ns in [
            "example.com",
            "roles",
            "ftp://example.com",
            "https://",
            "https:///x",
            "urn:",
            "urn:a b",
            "https://ex ample.com",
            "https://e.com?x",
            "https://e.com#x",
        ] {
            assert_eq!(namespace_error(ns).key, "namespace", "{ns}");
        }
    }

    #[test]
    fn tokens_default_to_both() {
        let settings = parse(&[("namespace", "https://e.com")]).unwrap();
        assert_eq!(
            settings.tokens,
            TokenSelection {
                id: true,
                access: true
            }
        );
    }

    #[test]
    fn tokens_select_each_token() {
        let cases = [
            ("id", (true, false)),
            ("access", (false, true)),
            ("id,access", (true, true)),
            (" access , id ", (true, true)),
            ("", (true, true)),
        ];
        for (value, (id, access)) in cases {
            let settings = parse(&[("namespace", "https://e.com"), ("tokens", value)]).unwrap();
            assert_eq!(settings.tokens, TokenSelection { id, access }, "{value:?}");
        }
    }

    #[test]
    fn unknown_tokens_are_named_in_the_error() {
        for value in ["refresh", "id,", "ID", "id;access"] {
            let err = parse(&[("namespace", "https://e.com"), ("tokens", value)]).unwrap_err();
            assert_eq!(err.key, "tokens");
            assert!(err.problem.contains("unknown token"), "{err}");
        }
        let err = parse(&[("namespace", "https://e.com"), ("tokens", "refresh")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "setting `tokens` has unknown token \"refresh\": use id, access or id,access"
        );
    }

    #[test]
    fn settings_that_are_not_strings_are_refused() {
        struct NumberTokens;
        impl SettingSource for NumberTokens {
            fn raw(&self, key: &str) -> RawSetting {
                match key {
                    "namespace" => RawSetting::Text("https://e.com".into()),
                    "tokens" => RawSetting::NotText("number"),
                    _ => RawSetting::Absent,
                }
            }
        }
        let err = Settings::from_source(&NumberTokens).unwrap_err();
        assert_eq!(
            err.to_string(),
            "setting `tokens` must be a string, not number"
        );
    }

    const NS: (&str, &str) = ("namespace", "https://e.com");
    const CREDS: [(&str, &str); 3] = [
        ("domain", "tenant.us.auth0.com"),
        ("clientId", "abc"),
        ("clientSecret", "s3cr3t-value"),
    ];

    fn with_creds(extra: &[(&'static str, &'static str)]) -> Result<Settings, ConfigError> {
        let mut pairs = vec![NS];
        pairs.extend(CREDS);
        pairs.extend_from_slice(extra);
        parse(&pairs)
    }

    #[test]
    fn permissions_are_off_without_credentials() {
        let settings = parse(&[NS]).unwrap();
        assert_eq!(settings.permissions, None);
        assert_eq!(settings.on_error, OnError::Deny);
        assert_eq!(
            parse(&[NS, ("permissions", "off"), ("domain", "x")])
                .unwrap()
                .permissions,
            None
        );
    }

    #[test]
    fn credentials_turn_on_user_permissions_with_defaults() {
        let p = with_creds(&[]).unwrap().permissions.unwrap();
        assert_eq!(p.domain, "tenant.us.auth0.com");
        assert_eq!(p.client_id, "abc");
        assert_eq!(p.client_secret.expose(), "s3cr3t-value");
        assert_eq!(p.source, PermissionSource::User);
        assert_eq!(p.scope, PermissionScope::All);
        assert_eq!(p.base_url, "https://tenant.us.auth0.com");
        assert_eq!(p.audience(), "https://tenant.us.auth0.com/api/v2/");
    }

    #[test]
    fn every_permission_setting_is_read() {
        let settings = with_creds(&[
            ("permissions", "effective"),
            ("permissionsFor", "requested"),
            ("onError", "continue"),
            ("budgetMs", "15000"),
            ("managementUrl", "http://127.0.0.1:4010/"),
        ])
        .unwrap();
        let p = settings.permissions.clone().unwrap();
        assert_eq!(p.source, PermissionSource::Effective);
        assert_eq!(p.scope, PermissionScope::Requested);
        assert_eq!(settings.budget_ms, 15000);
        assert_eq!(p.base_url, "http://127.0.0.1:4010");
        assert_eq!(settings.on_error, OnError::Continue);
    }

    #[test]
    fn partial_credentials_name_the_missing_key() {
        let err = parse(&[NS, ("domain", "t.auth0.com"), ("clientId", "x")]).unwrap_err();
        assert_eq!(err.key, "clientSecret");
        let err = parse(&[NS, ("clientSecret", "s3cr3t-value")]).unwrap_err();
        assert_eq!(err.key, "domain");
        let err = parse(&[NS, ("permissions", "user")]).unwrap_err();
        assert_eq!(err.key, "domain");
        assert!(!err.to_string().contains("s3cr3t"));
    }

    #[test]
    fn unknown_values_are_named() {
        for (key, value) in [
            ("permissions", "roles-ish"),
            ("permissionsFor", "some"),
            ("onError", "ignore"),
        ] {
            let mut pairs = vec![NS, ("clientId", "abc"), ("clientSecret", "s"), (key, value)];
            if key != "domain" {
                pairs.push(("domain", "tenant.us.auth0.com"));
            }
            let err = parse(&pairs).unwrap_err();
            assert_eq!(err.key, key);
            assert!(err.problem.contains(&format!("\"{value}\"")), "{err}");
        }
    }

    #[test]
    fn roles_and_groups_sources() {
        let settings = parse(&[NS]).unwrap();
        assert_eq!(settings.roles, RolesSource::Event);
        assert!(!settings.groups);
        let settings = parse(&[NS, ("roles", "effective"), ("groups", "on")]).unwrap();
        assert_eq!(settings.roles, RolesSource::Effective);
        assert!(settings.groups);
        let settings = parse(&[NS, ("roles", " event "), ("groups", "off")]).unwrap();
        assert_eq!(settings.roles, RolesSource::Event);
        assert!(!settings.groups);
        for (key, value) in [
            ("roles", "Effective"),
            ("roles", "groups"),
            ("groups", "true"),
        ] {
            let err = parse(&[NS, (key, value)]).unwrap_err();
            assert_eq!(err.key, key);
            assert!(err.problem.contains(&format!("\"{value}\"")), "{err}");
        }
    }

    #[test]
    fn budget_must_fit_under_auth0s_limit() {
        assert_eq!(with_creds(&[("budgetMs", "100")]).unwrap().budget_ms, 100);
        // The budget bounds api.roles / api.groups too: it is read without the Management API.
        assert_eq!(parse(&[NS, ("budgetMs", "300")]).unwrap().budget_ms, 300);
        assert_eq!(parse(&[NS]).unwrap().budget_ms, 5000);
        for bad in [
            "15001",
            "99",
            "0",
            "-1",
            "5e3",
            "1.5",
            "abc",
            "99999999999999999999",
        ] {
            assert_eq!(
                with_creds(&[("budgetMs", bad)]).unwrap_err().key,
                "budgetMs",
                "{bad}"
            );
        }
    }

    #[test]
    fn claim_size_settings() {
        let settings = parse(&[NS]).unwrap();
        assert_eq!(
            (settings.max_claim_bytes, settings.on_overflow),
            (90_000, OnOverflow::Deny)
        );
        let settings = parse(&[NS, ("maxClaimBytes", "100000"), ("onOverflow", "omit")]).unwrap();
        assert_eq!(
            (settings.max_claim_bytes, settings.on_overflow),
            (100_000, OnOverflow::Omit)
        );
        for bad in ["100001", "99", "1e5", "90 000"] {
            assert_eq!(
                parse(&[NS, ("maxClaimBytes", bad)]).unwrap_err().key,
                "maxClaimBytes",
                "{bad}"
            );
        }
        assert_eq!(
            parse(&[NS, ("onOverflow", "truncate")]).unwrap_err().key,
            "onOverflow"
        );
    }

    #[test]
    fn roles_mode_and_its_cache_lifetime() {
        let p = with_creds(&[("permissions", "roles")])
            .unwrap()
            .permissions
            .unwrap();
        assert_eq!(p.source, PermissionSource::Roles);
        assert_eq!(p.roles_cache_ms, 300_000);
        let p = with_creds(&[("rolesCacheMs", "0")])
            .unwrap()
            .permissions
            .unwrap();
        assert_eq!(p.roles_cache_ms, 0);
        for bad in ["86400001", "-5", "1h"] {
            assert_eq!(
                with_creds(&[("rolesCacheMs", bad)]).unwrap_err().key,
                "rolesCacheMs",
                "{bad}"
            );
        }
    }

    #[test]
    fn management_url_is_https_or_loopback_http() {
        for ok in [
            "https://tenant.auth0.com",
            "http://localhost:8080",
            "http://127.0.0.1:1",
            "http://127.255.0.9",
            "http://[::1]:9000",
            "https://[2001:db8::8a2e:370:7334]",
            "https://[1:2:3:4:5:6:7:8]",
            "https://[::]",
            "HTTPS://X.example",
        ] {
            assert!(with_creds(&[("managementUrl", ok)]).is_ok(), "{ok}");
        }
        for bad in [
            "http://example.com",
            "http://10.0.0.1",
            "http://127.0.0.1.evil.com",
            "http://localhost.evil.com",
            "ftp://x",
            "https://x/api",
            "https://u@x",
            "http://128.0.0.1",
            "//x",
        ] {
            assert_eq!(
                with_creds(&[("managementUrl", bad)]).unwrap_err().key,
                "managementUrl",
                "{bad}"
            );
        }
    }

    #[test]
    fn management_urls_a_url_parser_reads_otherwise_are_refused() {
        for bad in [
            "http://127.0.0.1:4010\\evil",
            "http://127.0.0.1\\@evil.example",
            "https://tenant.auth0.com%2eevil.example",
            "http://127.0.0.1:0",
            "http://127.0.0.1:65536",
            "http://127.0.0.1:99999",
            "http://127.0.0.1:",
            "http://127.0.0.1:80:80",
            "http://127.0.0.1:+80",
            "https://tenant.auth0.com:0443",
            "http://0x7f000001",
            "http://2130706433",
            "http://127.1",
            "http://127.000.0.1",
            "http://0177.0.0.1",
            "https://0x7f000001",
            "https://a..b",
            "https://.a",
            "https://-a.example",
            "http://[::1",
            "http://[::1]x",
            "http://[zz::1]",
            "https://[:::]",
            "https://[1::2::3]",
            "https://[1:2:3:4:5:6:7:8:9]",
            "https://[12345::1]",
            "https://[::ffff:127.0.0.1]",
            "https://[1:2]",
            "https://tenant\u{3002}auth0.com",
        ] {
            assert_eq!(
                with_creds(&[("managementUrl", bad)]).unwrap_err().key,
                "managementUrl",
                "{bad}"
            );
        }
        for ok in [
            "http://127.0.0.1:65535",
            "http://localhost:1",
            "https://tenant.eu.auth0.com:443/",
            "https://10.0.0.1",
        ] {
            assert!(with_creds(&[("managementUrl", ok)]).is_ok(), "{ok}");
        }
    }

    #[test]
    fn metadata_path_is_one_to_eight_keys_of_one_to_64_characters() {
        let path = |value: &str| {
            parse(&[
                ("namespace", "https://e.com"),
                ("roles", "metadata"),
                ("metadataPath", value),
            ])
            .map(|s| s.metadata_path)
        };
        let long_key = "k".repeat(64);
        let eight = "a.b.c.d.e.f.g.h";
        for good in [
            "roles",
            "authorization.roles",
            eight,
            long_key.as_str(),
            "rôles",
            "my roles",
        ] {
            assert_eq!(path(good).as_deref(), Ok(good), "{good}");
        }
        assert_eq!(
            path("").as_deref(),
            Ok(DEFAULT_METADATA_PATH),
            "blank is unset"
        );
        let too_long = "k".repeat(65);
        let nine = format!("{eight}.i");
        for bad in [".", "a.", ".a", "a..b", nine.as_str(), too_long.as_str()] {
            let err = path(bad).unwrap_err();
            assert_eq!(err.key, "metadataPath", "{bad}");
            assert!(
                err.to_string().ends_with("must be 1 to 8 keys of 1 to 64 characters, separated by single dots, e.g. authorization.roles"),
                "{err}"
            );
        }
        // Read only with roles=metadata.
        let event = parse(&[("namespace", "https://e.com"), ("metadataPath", "a..b")]).unwrap();
        assert_eq!(event.metadata_path, DEFAULT_METADATA_PATH);
    }

    #[test]
    fn the_outcome_json_says_what_a_login_will_do() {
        assert_eq!(outcome_json("{"), r#"{"fatal":"event"}"#);
        assert_eq!(outcome_json("{}"), r#"{"fatal":"namespace"}"#);
        assert_eq!(
            outcome_json(r#"{"namespace":"https://e.com","tokens":"refresh"}"#),
            r#"{"fatal":"tokens"}"#
        );
        assert_eq!(
            outcome_json(
                r#"{"namespace":"https://e.com/\"x","domain":"t.example","clientId":"c","clientSecret":"s","permissions":"roles","onError":"continue","tokens":"access"}"#
            ),
            r#"{"fatal":null,"namespace":"https://e.com/\"x","tokens":{"id":false,"access":true},"onError":"continue","perms":{"source":"roles","scope":"all","tenant":false},"maxClaimBytes":90000,"onOverflow":"deny","logLine":false,"roles":"event","metadataPath":"roles"}"#
        );
        assert!(
            outcome_json(r#"{"namespace":"https://e.com","logLine":"json"}"#)
                .contains(r#""logLine":true,"#)
        );
    }

    #[test]
    fn domains_a_url_parser_reads_as_another_host_are_refused() {
        for bad in [
            "0x7f000001",
            "2130706433",
            "127.1",
            "0177.0.0.1",
            "127.0.0.1",
            "tenant.auth0.com.",
            "a..b",
            "a.-b",
            "a-.b",
            "a.0x",
            "tenant.auth0.com\\@evil.example",
        ] {
            let err = parse(&[
                NS,
                ("domain", bad),
                ("clientId", "c"),
                ("clientSecret", "s"),
            ])
            .unwrap_err();
            assert_eq!(err.key, "domain", "{bad}");
        }
        for ok in [
            "tenant.us.auth0.com",
            "x",
            "my-tenant.eu.auth0.com",
            "t1.example",
        ] {
            let settings = parse(&[NS, ("domain", ok), ("clientId", "c"), ("clientSecret", "s")]);
            assert!(settings.is_ok(), "{ok}");
        }
    }

    #[test]
    fn reserved_namespaces_are_found_in_any_spelling() {
        for ns in [
            "https://auth0%2ecom/x",
            "https://auth0%2Ecom",
            "https://auth0%252ecom",
            "https://%61uth0.com",
            "https://auth0\u{3002}com/x",
            "https://tenant\u{FF0E}auth0\u{FF0E}com",
            "https://auth0\u{FF61}com",
            "https://\u{FF21}\u{FF35}\u{FF34}\u{FF28}\u{FF10}.com",
            "https://x.webtask%2Eio",
            "https://xn--auth0-.com",
            "https://auth0.com\\claims",
            "https://auth0.com.%2e/x",
        ] {
            let err = namespace_error(ns);
            assert!(
                err.problem.contains("auth0")
                    || err.problem.contains("webtask")
                    || err.problem.contains("ASCII"),
                "{ns}: {err}"
            );
        }
        for ns in [
            "https://example.com%2f.auth0.com",
            "https://ex\u{E4}mple.com",
        ] {
            assert!(namespace_error(ns).problem.contains("ASCII"), "{ns}");
        }
        for ns in [
            "https://xn--exmple-cua.com/claims",
            "https://auth0.example.com",
            "https://user%40auth0.com@example.com",
        ] {
            assert!(parse(&[("namespace", ns)]).is_ok(), "{ns}");
        }
    }

    #[test]
    fn domain_is_normalised_or_refused() {
        let p = with_creds(&[]).unwrap().permissions.unwrap();
        assert_eq!(p.domain, "tenant.us.auth0.com");
        let settings = parse(&[
            NS,
            ("domain", "https://Tenant.Auth0.com/"),
            ("clientId", "a"),
            ("clientSecret", "b"),
        ])
        .unwrap();
        assert_eq!(settings.permissions.unwrap().domain, "tenant.auth0.com");
        for bad in ["tenant.auth0.com/api", "http://x", "a b", ".x"] {
            let err = parse(&[
                NS,
                ("domain", bad),
                ("clientId", "a"),
                ("clientSecret", "b"),
            ])
            .unwrap_err();
            assert_eq!(err.key, "domain", "{bad}");
        }
    }

    #[test]
    fn the_client_secret_never_prints() {
        let settings = with_creds(&[]).unwrap();
        assert!(!format!("{settings:?}").contains("s3cr3t"));
    }

    #[test]
    fn a_secret_that_misspells_a_setting_is_named_with_the_setting() {
        for (name, setting) in [
            ("permisions", "permissions"),
            ("permission", "permissions"),
            ("Namespace", "namespace"),
            ("NAMESPACE", "namespace"),
            ("namespace ", "namespace"),
            ("client_id", "clientId"),
            ("CLIENT_SECRET", "clientSecret"),
            ("DOMAIN", "domain"),
            ("onerror", "onError"),
            ("on-overflow", "onOverflow"),
            ("budget", "budgetMs"),
            ("rolesCacheMS", "rolesCacheMs"),
            ("maxClaimByte", "maxClaimBytes"),
            ("premissions", "permissions"),
            ("token", "tokens"),
            ("role", "roles"),
            ("group", "groups"),
            ("managmentUrl", "managementUrl"),
            ("permissionFor", "permissionsFor"),
        ] {
            assert_eq!(misspelled_setting(name), Some(setting), "{name}");
        }
    }

    #[test]
    fn other_secrets_and_the_settings_themselves_are_not_named() {
        for name in ALL_KEYS {
            assert_eq!(misspelled_setting(name), None, "{name}");
        }
        // An operator's other secrets; short names two edits away from a short setting.
        for name in [
            "SLACK_WEBHOOK",
            "API_KEY",
            "AUTH0_DOMAIN",
            "secret",
            "notes",
            "rulez",
            "url",
            "",
            "_",
            "mgmtUrl",
            "permissionsForAll",
        ] {
            assert_eq!(misspelled_setting(name), None, "{name}");
        }
        let long = format!("permissions{}", " ".repeat(MAX_SECRET_NAME_CHARS));
        assert_eq!(misspelled_setting(&long), None);
    }

    #[test]
    fn misspelled_secrets_get_one_line_each_naming_never_the_value() {
        let names: Vec<String> = [
            "permisions",
            "SLACK_WEBHOOK",
            "namespace",
            "permisions",
            "Tokens",
        ]
        .map(str::to_owned)
        .to_vec();
        assert_eq!(
            misspelled_secret_lines(&names),
            [
                r#"secret "permisions" is not a setting and is ignored; did you mean "permissions"?"#,
                r#"secret "Tokens" is not a setting and is ignored; did you mean "tokens"?"#,
            ]
        );
        assert!(misspelled_secret_lines(&[]).is_empty());
        // At most 5 lines; a control character in a name cannot start a line of its own.
        let many: Vec<String> = (0..20).map(|i| format!("rolesCacheM{i}")).collect();
        assert_eq!(misspelled_secret_lines(&many).len(), 5);
        let lines = misspelled_secret_lines(&["role\ns".to_owned()]);
        assert_eq!(
            lines,
            [r#"secret "role?s" is not a setting and is ignored; did you mean "roles"?"#]
        );
    }

    #[test]
    fn edit_distance_counts_each_edit_once() {
        let d = |a: &str, b: &str| edit_distance(a.as_bytes(), b.as_bytes());
        assert_eq!(d("", ""), 0);
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("abc", ""), 3);
        assert_eq!(d("roles", "roles"), 0);
        assert_eq!(d("rolse", "roles"), 1);
        assert_eq!(d("permisions", "permissions"), 1);
        assert_eq!(d("kitten", "sitting"), 3);
        assert_eq!(d("ca", "abc"), 3);
        assert_eq!(d("x", &"y".repeat(DISTANCE_ROW)), usize::MAX);
    }

    #[test]
    fn long_bad_values_are_shortened_in_errors() {
        let long = format!("x{}", "y".repeat(500));
        let err = namespace_error(&long);
        assert!(err.to_string().len() < 120, "{err}");
    }
}
