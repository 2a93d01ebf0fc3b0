//! The login's roles as plain data, and where they may come from: the `roles` setting's sources, with
//! the words and the doc the settings table shows. Adding a source of roles is a variant here (its
//! word in [`RolesSource`]'s [`Choice::CHOICES`], its doc) and its arm in
//! [`crate::sources::read_roles`]; the parser, the settings table, `settings.d.ts` and the README
//! follow from these.

use crate::config::Choice;
use crate::prelude::*;

/// What the `roles` setting does (the settings table's row).
pub const ROLES_DOC: &str = "Where the role names come from. `event`: `event.authorization.roles` (directly assigned roles; in an organization login, the organization member roles). `effective`: `api.roles.getUserEffectiveRoles({ take: 100, from })`, every page: roles assigned directly or through a group, scoped by Auth0 to the login's organization; deduplicated, first-seen order; with `permissions=roles` their role ids are used directly (no role directory request for a role that comes with an id). `metadata`: the array at `metadataPath` inside `event.user.app_metadata` (e.g. the Authorization Extension's `authorization.roles`): a missing path (or no `app_metadata`) is no roles, and each key on it must be the object's own (never inherited from a prototype); a value there that is not an array fails the roles step (`onError`: `deny`, or `continue` with `event.authorization.roles`); entries that are not non-empty strings are dropped (one log line); deduplicated, first-seen order; with `permissions=roles` looked up by name in the role directory. These are tenant-wide roles: in an organization login they give no permissions (the permissions step fails, `onError` decides) unless `organizationPermissions=tenant`.";

/// Where the role names come from (setting `roles`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RolesSource {
    /// `event.authorization.roles`.
    Event,
    /// `api.roles.getUserEffectiveRoles`, every page.
    Effective,
    /// The array at `metadataPath` in `event.user.app_metadata`.
    Metadata,
}

/// The words of the `roles` setting; the first, `event`, is the default.
impl Choice for RolesSource {
    const CHOICES: &'static [(&'static str, Self)] = &[
        ("event", Self::Event),
        ("effective", Self::Effective),
        ("metadata", Self::Metadata),
    ];
}

/// Most role entries read from an event: Auth0 allows 1000 roles per tenant, so more is not a real login.
pub const MAX_ROLE_ENTRIES: usize = 1000;

/// The login's roles, from the event or from `api.roles`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Roles {
    /// Role names in the order the source gave them.
    pub names: Vec<String>,
    /// The role id of each name, when the source gave one (`api.roles` does, the event does not):
    /// empty, or as long as `names`.
    pub ids: Vec<Option<String>>,
    /// How many entries were dropped because they were not strings.
    pub dropped: usize,
    /// Whether `names` are the host's role entries exactly as read ([`crate::port::Host::role_entries`]:
    /// the well-formed ones, in order), so that the host may set the values it read.
    pub as_read: bool,
    /// Whether the names came from `app_metadata`: the user's tenant-wide roles, which Auth0 never
    /// scopes to an organization.
    pub tenant_wide: bool,
}

impl Roles {
    /// Keeps the string entries, in order, and counts the rest.
    pub fn from_entries(entries: impl IntoIterator<Item = Option<String>>) -> Self {
        // A `Vec` passes through without a copy.
        let entries: Vec<Option<String>> = entries.into_iter().collect();
        let read = entries.len();
        // Collected in place (an `Option<String>` is as large as a `String`): no second list.
        let names: Vec<String> = entries.into_iter().flatten().collect();
        Self {
            dropped: read - names.len(),
            names,
            as_read: true,
            ..Self::default()
        }
    }

    /// Roles from `app_metadata` entries: the non-empty strings, deduplicated in first-seen order;
    /// the others are counted in [`Roles::dropped`].
    pub fn from_metadata(entries: Vec<Option<String>>) -> Self {
        let read = entries.len();
        let named: Vec<(String, Option<String>)> = entries
            .into_iter()
            .flatten()
            .filter(|name| !name.is_empty())
            .map(|name| (name, None))
            .collect();
        let dropped = read - named.len();
        Self {
            dropped,
            tenant_wide: true,
            ..Self::from_named(named)
        }
    }

    /// Roles with their ids, deduplicated by name (the first id of a name is kept), in first-seen order.
    /// Quadratic in the entries: the caller keeps them to [`MAX_ROLE_ENTRIES`].
    pub fn from_named(named: Vec<(String, Option<String>)>) -> Self {
        let mut roles = Self::default();
        for (name, id) in named {
            if !roles.names.contains(&name) {
                roles.names.push(name);
                roles.ids.push(id);
            }
        }
        roles
    }

    /// Each role name with its id when known.
    pub fn with_ids(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.names.iter().enumerate().map(|(index, name)| {
            let id = self.ids.get(index).and_then(|id| id.as_deref());
            (name.as_str(), id)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_roles_keep_the_first_of_each_non_empty_string() {
        let roles = Roles::from_metadata(vec![
            Some("b".into()),
            Some(String::new()),
            None,
            Some("a".into()),
            Some("b".into()),
        ]);
        assert_eq!(roles.names, ["b", "a"]);
        assert_eq!(roles.dropped, 2, "a repeat is not dropped, only merged");
        assert!(!roles.as_read);
        assert_eq!(roles.ids, [None, None]);
    }

    #[test]
    fn every_word_names_a_source_and_no_other_word_does() {
        assert_eq!(RolesSource::from_word("event"), Some(RolesSource::Event));
        assert_eq!(
            RolesSource::from_word("effective"),
            Some(RolesSource::Effective)
        );
        assert_eq!(
            RolesSource::from_word("metadata"),
            Some(RolesSource::Metadata)
        );
        for source in [
            RolesSource::Event,
            RolesSource::Effective,
            RolesSource::Metadata,
        ] {
            assert_eq!(RolesSource::from_word(source.word()), Some(source));
        }
        for word in ["", "Event", "effective ", "groups"] {
            assert_eq!(RolesSource::from_word(word), None, "{word}");
        }
    }
}
