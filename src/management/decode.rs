//! Typed Management API responses from parsed JSON, without serde: serde-wasm-bindgen's generic
//! deserializer (and the float formatting its errors pull in) measured 45 kB of the wasm module, half of
//! Auth0's 100 kB Action cap. Unknown fields are ignored; a missing or mistyped field is an error.

use super::{EffectivePage, Permission, PermissionsPage, Role, RolesPage, TokenResponse};

/// A parsed JSON value: `JsValue` in the Action, `serde_json::Value` in native tests.
pub trait JsonValue: Sized {
    /// The field `name` of an object (`None` when absent, `null`, or not an object).
    fn field(&self, name: &str) -> Option<Self>;
    /// The value as a string.
    fn string(&self) -> Option<String>;
    /// The value as a number.
    fn number(&self) -> Option<f64>;
    /// The elements of an array.
    fn elements(&self) -> Option<Vec<Self>>;
}

/// A response type that can be read from JSON.
pub trait Decode: Sized {
    /// Reads `Self` from `value`, or says which field is missing or wrong.
    fn decode<V: JsonValue>(value: &V) -> Result<Self, String>;
}

fn string<V: JsonValue>(value: &V, name: &str) -> Result<String, String> {
    value
        .field(name)
        .and_then(|v| v.string())
        .ok_or_else(|| format!("`{name}` is missing or not a string"))
}

fn number<V: JsonValue>(value: &V, name: &str) -> Result<f64, String> {
    value
        .field(name)
        .and_then(|v| v.number())
        .filter(|n| n.is_finite())
        .ok_or_else(|| format!("`{name}` is missing or not a number"))
}

fn permissions<V: JsonValue>(value: &V) -> Result<Vec<Permission>, String> {
    let items = value
        .field("permissions")
        .and_then(|v| v.elements())
        .ok_or_else(|| "`permissions` is missing or not an array".to_owned())?;
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
    fn decode<V: JsonValue>(value: &V) -> Result<Self, String> {
        Ok(Self {
            access_token: string(value, "access_token")?,
            expires_in: number(value, "expires_in")?,
        })
    }
}

impl Decode for PermissionsPage {
    fn decode<V: JsonValue>(value: &V) -> Result<Self, String> {
        Ok(Self {
            total: number(value, "total")?,
            permissions: permissions(value)?,
        })
    }
}

impl Decode for RolesPage {
    fn decode<V: JsonValue>(value: &V) -> Result<Self, String> {
        let items = value
            .field("roles")
            .and_then(|v| v.elements())
            .ok_or_else(|| "`roles` is missing or not an array".to_owned())?;
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
    fn decode<V: JsonValue>(value: &V) -> Result<Self, String> {
        let next = match value.field("next") {
            None => None,
            Some(next) => Some(
                next.string()
                    .ok_or_else(|| "`next` is not a string".to_owned())?,
            ),
        };
        Ok(Self {
            permissions: permissions(value)?,
            next,
        })
    }
}

#[cfg(test)]
impl JsonValue for serde_json::Value {
    fn field(&self, name: &str) -> Option<Self> {
        self.as_object()?
            .get(name)
            .filter(|v| !v.is_null())
            .cloned()
    }
    fn string(&self) -> Option<String> {
        self.as_str().map(str::to_owned)
    }
    fn number(&self) -> Option<f64> {
        self.as_f64()
    }
    fn elements(&self) -> Option<Vec<Self>> {
        self.as_array().cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_are_ignored() {
        let page = PermissionsPage::decode(&json!({"start": 0, "limit": 50, "total": 1, "extra": {}, "permissions": [
            {"permission_name": "read", "resource_server_identifier": "https://a", "description": "d", "sources": []}
        ]}))
        .unwrap();
        assert_eq!(page.total, 1.0);
        assert_eq!(page.permissions[0].permission_name, "read");
    }

    #[test]
    fn missing_or_mistyped_fields_are_named() {
        let err = |v| PermissionsPage::decode(&v).err().unwrap();
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
        assert!(TokenResponse::decode(&json!({"access_token": "t"})).is_err());
        assert!(EffectivePage::decode(&json!({"permissions": [], "next": 5})).is_err());
        assert_eq!(
            EffectivePage::decode(&json!({"permissions": [], "next": null}))
                .unwrap()
                .next,
            None
        );
    }
}
