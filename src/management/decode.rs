//! Typed Management API responses from parsed JSON ([`crate::json`]), without serde: measured at 8a45f02,
//! serde-wasm-bindgen adds 44.7 kB and serde_json 59.2 kB to the wasm (the bundle then 111–127 kB, over
//! Auth0's 100 kB Action cap), and neither was faster at any crossing (BENCHMARKS.md, "Boundary options").
//! Unknown fields are ignored; a missing or mistyped field is an error.

use super::{EffectivePage, Permission, PermissionsPage, Role, RolesPage, TokenResponse};
use crate::json::Json;
use crate::prelude::*;

/// Every field [`Decode`] reads: the JSON reader builds only these and passes over the rest (a
/// permission's `description`, `resource_server_name` and nested `sources`).
pub const RESPONSE_FIELDS: &[&str] = &[
    "access_token",
    "expires_in",
    "total",
    "permissions",
    "permission_name",
    "resource_server_identifier",
    "next",
    "roles",
    "id",
    "name",
];

/// A response type that can be read from JSON.
pub trait Decode: Sized {
    /// Reads `Self` from `value`, or says which field is missing or wrong.
    fn decode(value: &Json) -> Result<Self, String>;
}

fn string(value: &Json, name: &str) -> Result<String, String> {
    match value.get(name) {
        Some(Json::String(text)) => Ok(text.clone()),
        _ => Err(format!("`{name}` is missing or not a string")),
    }
}

fn number(value: &Json, name: &str) -> Result<f64, String> {
    match value.get(name) {
        Some(Json::Number(n)) if n.is_finite() => Ok(*n),
        _ => Err(format!("`{name}` is missing or not a number")),
    }
}

fn permissions(value: &Json) -> Result<Vec<Permission>, String> {
    let Some(Json::Array(items)) = value.get("permissions") else {
        return Err("`permissions` is missing or not an array".to_owned());
    };
    items
        .iter()
        .map(|item| {
            Ok(Permission {
                permission_name: string(item, "permission_name")?,
                resource_server_identifier: string(item, "resource_server_identifier")?,
            })
        })
        .collect()
}

impl Decode for TokenResponse {
    fn decode(value: &Json) -> Result<Self, String> {
        Ok(Self {
            access_token: string(value, "access_token")?,
            expires_in: number(value, "expires_in")?,
        })
    }
}

impl Decode for PermissionsPage {
    fn decode(value: &Json) -> Result<Self, String> {
        Ok(Self {
            total: number(value, "total")?,
            permissions: permissions(value)?,
        })
    }
}

impl Decode for RolesPage {
    fn decode(value: &Json) -> Result<Self, String> {
        let Some(Json::Array(items)) = value.get("roles") else {
            return Err("`roles` is missing or not an array".to_owned());
        };
        let roles = items
            .iter()
            .map(|item| {
                Ok(Role {
                    id: string(item, "id")?,
                    name: string(item, "name")?,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Self {
            total: number(value, "total")?,
            roles,
        })
    }
}

impl Decode for EffectivePage {
    fn decode(value: &Json) -> Result<Self, String> {
        let next = match value.get("next") {
            None | Some(Json::Null) => None,
            Some(Json::String(next)) => Some(next.clone()),
            Some(_) => return Err("`next` is not a string".to_owned()),
        };
        Ok(Self {
            permissions: permissions(value)?,
            next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Test bodies are written with `json!` and read by the crate's own parser, as in production.
    trait DecodeValue: Decode {
        fn decode_value(value: &serde_json::Value) -> Result<Self, String> {
            Self::decode(
                &crate::json::parse_keeping(&value.to_string(), Some(RESPONSE_FIELDS)).unwrap(),
            )
        }
    }
    impl<T: Decode> DecodeValue for T {}

    #[test]
    fn unknown_fields_are_ignored() {
        let page = PermissionsPage::decode_value(&json!({"start": 0, "limit": 50, "total": 1, "extra": {}, "permissions": [
            {"permission_name": "read", "resource_server_identifier": "https://a", "description": "d", "sources": []}
        ]}))
        .unwrap();
        assert_eq!(page.total, 1.0);
        assert_eq!(page.permissions[0].permission_name, "read");
    }

    #[test]
    fn missing_or_mistyped_fields_are_named() {
        let err = |v| PermissionsPage::decode_value(&v).err().unwrap();
        assert_eq!(
            err(json!({"permissions": []})),
            "`total` is missing or not a number"
        );
        assert_eq!(
            err(json!({"total": "1", "permissions": []})),
            "`total` is missing or not a number"
        );
        assert_eq!(
            err(json!({"total": 1, "permissions": {}})),
            "`permissions` is missing or not an array"
        );
        assert_eq!(
            err(json!({"total": 1, "permissions": [{"permission_name": "x"}]})),
            "`resource_server_identifier` is missing or not a string"
        );
        assert_eq!(err(json!([1, 2])), "`total` is missing or not a number");
        assert!(TokenResponse::decode_value(&json!({"access_token": "t"})).is_err());
        assert!(EffectivePage::decode_value(&json!({"permissions": [], "next": 5})).is_err());
        assert_eq!(
            EffectivePage::decode_value(&json!({"permissions": [], "next": null}))
                .unwrap()
                .next,
            None
        );
    }
}
