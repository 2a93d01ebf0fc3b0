//! One page of `api.roles.getUserEffectiveRoles` or `api.groups.getUserGroups`: the method looked up
//! and called with `{ take, from }`, its promise awaited, its answer read field by field. Every read
//! and call that JavaScript can make throw is caught; nothing is converted before its type is checked.
//! The paging, the deadline and what a failure means live in [`crate::sources`].

use super::bindings::{
    array_length, error_kind, is_array, type_name, well_formed_string, Api, BadString, Length,
};
use super::io::Awaited;
use crate::port::{ApiList, ListEntry, ListFailure, ListPage};
use crate::prelude::*;
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `Promise.resolve(value)`: a promise for a method's result, whatever it returned.
    #[wasm_bindgen(catch, js_namespace = Promise, js_name = resolve)]
    fn promise_resolve(value: &JsValue) -> Result<Promise, JsValue>;
}

/// Longest `next` cursor taken (UTF-16 units); Auth0's are short opaque strings.
const MAX_CURSOR: u32 = 4096;

/// A throw or rejection, by its error name and cause code only (never its message, which a host's
/// network client could fill with request data): `what failed: TypeError (cause: ECONNRESET)`.
fn failed(what: &str) -> impl Fn(JsValue) -> ListFailure + '_ {
    move |thrown| ListFailure::Failed(error_kind(what, &thrown))
}

/// A throw while reading the answer, named like [`failed`].
fn unexpected(what: &str) -> impl Fn(JsValue) -> ListFailure + '_ {
    move |thrown| ListFailure::Unexpected(error_kind(&format!("reading {what}"), &thrown))
}

fn get(object: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(object, &JsValue::from_str(key))
}

impl Api {
    /// One page of `list` (see [`crate::port::Host::list_page`]).
    pub async fn list_page(
        &self,
        list: ApiList,
        take: u32,
        from: Option<&str>,
        max_chars: usize,
    ) -> Result<ListPage, ListFailure> {
        let object = list.object();
        let holder = get(self, object).map_err(failed("reading the api object"))?;
        if !(holder.is_object() || holder.is_function()) {
            return Err(ListFailure::Missing(format!(
                "api.{object} is {}",
                type_name(&holder)
            )));
        }
        let method = get(&holder, list.method()).map_err(failed("reading the method"))?;
        let Some(method) = method.dyn_ref::<Function>() else {
            return Err(ListFailure::Missing(format!(
                "its {} is {}",
                list.method(),
                type_name(&method)
            )));
        };
        let params = Object::new();
        let set = |key: &str, value: &JsValue| {
            Reflect::set(&params, &JsValue::from_str(key), value).map_err(failed("params"))
        };
        set("take", &JsValue::from(take))?;
        if let Some(from) = from {
            set("from", &JsValue::from_str(from))?;
        }
        let returned = method.call1(&holder, &params).map_err(failed("the call"))?;
        let promise = promise_resolve(&returned).map_err(failed("the call"))?;
        let answer = Awaited::new(&promise)
            .await
            .map_err(failed("its promise"))?;
        read_page(&answer, list, take, max_chars)
    }
}

/// Reads `{ <list>: [...], next? }`: at most `take` entries, names and ids within `max_chars`.
fn read_page(
    answer: &JsValue,
    list: ApiList,
    take: u32,
    max_chars: usize,
) -> Result<ListPage, ListFailure> {
    let field = list.object();
    if !answer.is_object() {
        return Err(ListFailure::Unexpected(format!(
            "the answer is {}, not an object",
            type_name(answer)
        )));
    }
    let items = get(answer, field).map_err(unexpected(field))?;
    if !is_array(&items).unwrap_or(false) {
        return Err(ListFailure::Unexpected(format!(
            "{field} is {}, not an array",
            type_name(&items)
        )));
    }
    let length = match array_length(&items, take).map_err(unexpected(field))? {
        Length::Fits(length) => length,
        Length::TooMany(shown) => {
            return Err(ListFailure::Unexpected(format!(
                "a page holds {shown} {field}, more than the {take} asked for"
            )))
        }
        Length::Invalid(_) => {
            return Err(ListFailure::Unexpected(format!(
                "{field} has a length that is not a whole number"
            )))
        }
    };
    let next = get(answer, "next").map_err(unexpected("next"))?;
    let next = if next.is_undefined() || next.is_null() {
        None
    } else {
        match well_formed_string(&next, MAX_CURSOR) {
            Ok(cursor) => Some(cursor),
            Err(why) => {
                return Err(ListFailure::Unexpected(format!(
                    "next is {}",
                    match why {
                        BadString::NotString => type_name(&next),
                        other => other.describe(),
                    }
                )))
            }
        }
    };
    let too_long = || {
        ListFailure::Unexpected(format!(
            "{field} hold more characters than the claim could fit (maxClaimBytes)"
        ))
    };
    let mut chars_left = max_chars.min(u32::MAX as usize) as u32;
    let mut text = |entry: &JsValue, key: &str| -> Result<Option<String>, ListFailure> {
        let value = get(entry, key).map_err(unexpected(field))?;
        match well_formed_string(&value, chars_left) {
            Ok(text) => {
                chars_left = chars_left.saturating_sub(text.encode_utf16().count() as u32);
                Ok(Some(text))
            }
            Err(BadString::TooLong) => Err(too_long()),
            Err(_) => Ok(None),
        }
    };
    let mut entries = Vec::with_capacity(length as usize);
    for index in 0..length {
        let entry = Reflect::get_u32(&items, index).map_err(unexpected(field))?;
        if !entry.is_object() {
            entries.push(ListEntry::default());
            continue;
        }
        let name = text(&entry, "name")?;
        // An empty id is no id: the role is then found by its name.
        let id = match list {
            ApiList::EffectiveRoles if name.is_some() => {
                text(&entry, "id")?.filter(|id| !id.is_empty())
            }
            _ => None,
        };
        entries.push(ListEntry { name, id });
    }
    Ok(ListPage { entries, next })
}
