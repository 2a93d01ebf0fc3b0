//! A small JSON reader and string writer. The Action crosses the JS↔wasm boundary once per value
//! (`JSON.stringify(event.secrets)`, a response body's text, `JSON.parse` of a claim) instead of once per
//! field: measured, the per-field crossings were most of a login's CPU time. No floats are formatted
//! and numbers are read without `f64::from_str`, to keep the module small.

use crate::prelude::*;
use alloc::borrow::Cow;
use core::fmt::Write as _;

/// Deepest nesting read; deeper input is refused (no unbounded recursion on hostile input).
pub const MAX_DEPTH: usize = 64;

/// A parsed JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string.
    String(String),
    /// A string with an unpaired surrogate (`"\ud800"`), which Rust cannot hold exactly: its text is
    /// not kept, so it can never be mistaken for a different, valid string.
    Unpaired,
    /// An array.
    Array(Vec<Json>),
    /// An object, members in document order.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The member `name` of an object (the last one if repeated), `None` for other values.
    pub fn get(&self, name: &str) -> Option<&Json> {
        match self {
            Self::Object(members) => members
                .iter()
                .rev()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// The name of the value's JSON type, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "boolean",
            Self::Number(_) => "number",
            Self::String(_) => "string",
            Self::Unpaired => "string with an unpaired surrogate",
            Self::Array(_) => "array",
            Self::Object(_) => "object",
        }
    }
}

/// Parses one JSON document; `Err` says where and what is wrong.
pub fn parse(text: &str) -> Result<Json, String> {
    parse_keeping(text, None)
}

/// Parses one JSON document keeping, when `keep` is given, only the object members with those names
/// (at any depth); the others are checked for syntax and passed over without building anything. A
/// Management API page of 100 permissions carries five fields per permission where two are used.
pub fn parse_keeping(text: &str, keep: Option<&[&str]>) -> Result<Json, String> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        unpaired: false,
        keep,
    };
    let value = parser.value(0)?;
    parser.skip_space();
    if parser.pos != parser.bytes.len() {
        return Err(parser.error("trailing characters"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// Set when the string just read had an unpaired surrogate.
    unpaired: bool,
    /// Member names to keep; `None` keeps all.
    keep: Option<&'a [&'a str]>,
}

impl<'a> Parser<'a> {
    fn error(&self, what: &str) -> String {
        format!("invalid JSON at byte {}: {what}", self.pos)
    }

    // The per-byte helpers are inlined: at opt-level "z" they are calls otherwise, a fifth of a
    // 100-permission login's CPU (BENCHMARKS.md §7 measured the same parse 163.8 -> 106.9 µs).
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline(always)]
    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    #[inline(always)]
    fn expect(&mut self, byte: u8) -> Result<(), String> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.expected(byte))
        }
    }

    #[cold]
    #[inline(never)]
    fn expected(&self, byte: u8) -> String {
        self.error(&format!("expected `{}`", char::from(byte)))
    }

    fn literal(&mut self, word: &str, value: Json) -> Result<Json, String> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("unknown literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, String> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.skip_space();
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => {
                self.unpaired = false;
                let text = self.string()?;
                Ok(if self.unpaired {
                    Json::Unpaired
                } else {
                    Json::String(text.into_owned())
                })
            }
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number().map(Json::Number),
            _ => Err(self.error("expected a value")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, String> {
        self.expect(b'{')?;
        let mut members = Vec::new();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_space();
            let key = self.string()?;
            self.skip_space();
            self.expect(b':')?;
            if self.keep.is_none_or(|names| names.contains(&key.as_ref())) {
                members.push((key.into_owned(), self.value(depth + 1)?));
            } else {
                self.skip_value(depth + 1)?;
            }
            self.skip_space();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(members));
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, String> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_space();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }

    /// Checks and passes over one value without building it.
    fn skip_value(&mut self, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.skip_space();
        match self.peek() {
            Some(open @ (b'{' | b'[')) => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.pos += 1;
                self.skip_space();
                if self.peek() == Some(close) {
                    self.pos += 1;
                    return Ok(());
                }
                loop {
                    if open == b'{' {
                        self.skip_space();
                        self.skip_string()?;
                        self.skip_space();
                        self.expect(b':')?;
                    }
                    self.skip_value(depth + 1)?;
                    self.skip_space();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(byte) if byte == close => {
                            self.pos += 1;
                            return Ok(());
                        }
                        _ => return Err(self.error("expected `,` or a closing bracket")),
                    }
                }
            }
            Some(b'"') => self.skip_string(),
            _ => self.value(depth).map(|_| ()),
        }
    }

    /// Passes over a string, checking its escapes, without building it.
    fn skip_string(&mut self) -> Result<(), String> {
        self.expect(b'"')?;
        loop {
            self.scan_plain();
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(b'u') => {
                            self.pos += 1;
                            self.hex4()?;
                        }
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.pos += 1
                        }
                        _ => return Err(self.error("unknown escape")),
                    }
                }
                _ => return Err(self.error("unterminated string")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("short \\u escape"))?;
        let mut code = 0;
        for digit in digits {
            let nibble = char::from(*digit)
                .to_digit(16)
                .ok_or_else(|| self.error("bad \\u escape"))?;
            code = code * 16 + nibble;
        }
        self.pos += 4;
        Ok(code)
    }

    /// Moves past bytes that need no attention inside a string: up to a quote, a backslash, a control
    /// byte or the end.
    #[inline(always)]
    fn scan_plain(&mut self) {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        self.pos += rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .unwrap_or(rest.len());
    }

    /// The text between `start` and the current position (both at ASCII delimiters, so on char
    /// boundaries of the input).
    fn slice(&self, start: usize) -> Result<&'a str, String> {
        self.text
            .get(start..self.pos)
            .ok_or_else(|| self.error("invalid UTF-8"))
    }

    /// A string: borrowed from the input when it has no escapes (no allocation), else built.
    fn string(&mut self) -> Result<Cow<'a, str>, String> {
        self.expect(b'"')?;
        let start = self.pos;
        self.scan_plain();
        if self.peek() == Some(b'"') {
            let text = self.slice(start)?;
            self.pos += 1;
            return Ok(Cow::Borrowed(text));
        }
        let mut out = String::from(self.slice(start)?);
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escape = self.peek().ok_or_else(|| self.error("unfinished escape"))?;
                    self.pos += 1;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => out.push(self.unicode_escape()?),
                        _ => return Err(self.error("unknown escape")),
                    }
                }
                _ => return Err(self.error("unterminated string")),
            }
            let start = self.pos;
            self.scan_plain();
            out.push_str(self.slice(start)?);
        }
    }

    /// After `\u`: one code point, joining a surrogate pair; a lone surrogate becomes U+FFFD and is
    /// flagged (`unpaired`).
    fn unicode_escape(&mut self) -> Result<char, String> {
        let first = self.hex4()?;
        if (0xD800..0xDC00).contains(&first)
            && self.bytes.get(self.pos..self.pos + 2) == Some(b"\\u")
        {
            let save = self.pos;
            self.pos += 2;
            let second = self.hex4()?;
            if (0xDC00..0xE000).contains(&second) {
                let code = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
                return Ok(char::from_u32(code).unwrap_or('\u{FFFD}'));
            }
            self.pos = save;
        }
        char::from_u32(first).map_or_else(
            || {
                self.unpaired = true;
                Ok('\u{FFFD}')
            },
            Ok,
        )
    }

    /// A JSON number, computed without `f64::from_str` (exact for integers below 2^53).
    fn number(&mut self) -> Result<f64, String> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let mut value = 0.0_f64;
        let mut digits = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            value = value * 10.0 + f64::from(d - b'0');
            self.pos += 1;
            digits += 1;
        }
        if digits == 0 {
            return Err(self.error("expected digits"));
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            let mut scale = 0.1;
            let mut fraction_digits = 0;
            while let Some(d @ b'0'..=b'9') = self.peek() {
                value += f64::from(d - b'0') * scale;
                scale /= 10.0;
                self.pos += 1;
                fraction_digits += 1;
            }
            if fraction_digits == 0 {
                return Err(self.error("expected digits after `.`"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            let exponent_negative = match self.peek() {
                Some(b'-') => {
                    self.pos += 1;
                    true
                }
                Some(b'+') => {
                    self.pos += 1;
                    false
                }
                _ => false,
            };
            let mut exponent: i32 = 0;
            let mut exponent_digits = 0;
            while let Some(d @ b'0'..=b'9') = self.peek() {
                exponent = exponent
                    .saturating_mul(10)
                    .saturating_add(i32::from(d - b'0'));
                self.pos += 1;
                exponent_digits += 1;
            }
            if exponent_digits == 0 {
                return Err(self.error("expected exponent digits"));
            }
            value *= powi(
                10.0,
                if exponent_negative {
                    -exponent
                } else {
                    exponent
                },
            );
        }
        Ok(if negative { -value } else { value })
    }
}

/// `base` to the power `exponent` as `f64::powi` computes it (square and multiply, as compiler-rt's
/// `__powidf2`), which `core` does not offer without std.
fn powi(mut base: f64, exponent: i32) -> f64 {
    let mut left = exponent.unsigned_abs();
    let mut result = 1.0;
    loop {
        if left & 1 == 1 {
            result *= base;
        }
        left /= 2;
        if left == 0 {
            break;
        }
        base *= base;
    }
    if exponent < 0 {
        1.0 / result
    } else {
        result
    }
}

/// Bytes [`write_string`] writes for `text`, without writing it.
pub fn string_bytes(text: &str) -> usize {
    2 + text
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0..=0x1f => 6,
            _ => 1,
        })
        .sum::<usize>()
}

/// Appends `text` as a JSON string literal, escaped as `JSON.stringify` does. Runs that need no
/// escape are copied whole (a per-character push measured a third of a login's CPU with 100 permissions).
pub fn write_string(out: &mut String, text: &str) {
    out.reserve(text.len() + 2);
    out.push('"');
    let mut rest = text;
    while let Some(at) = rest
        .bytes()
        .position(|b| b == b'"' || b == b'\\' || b < 0x20)
    {
        // `at` is an ASCII byte, so a character boundary: both parts exist.
        let (plain, tail) = (
            rest.get(..at).unwrap_or_default(),
            rest.get(at..).unwrap_or_default(),
        );
        out.push_str(plain);
        let mut chars = tail.chars();
        match chars.next() {
            Some('"') => out.push_str("\\\""),
            Some('\\') => out.push_str("\\\\"),
            Some('\n') => out.push_str("\\n"),
            Some('\r') => out.push_str("\\r"),
            Some('\t') => out.push_str("\\t"),
            Some('\u{8}') => out.push_str("\\b"),
            Some('\u{c}') => out.push_str("\\f"),
            Some(c) => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            None => {}
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
    out.push('"');
}

#[cfg(test)]
mod tests {
    #[test]
    fn string_bytes_is_what_write_string_writes() {
        let mut every: String = (0u8..0x80).map(char::from).collect();
        every.push_str("é€😀\u{2028}");
        for text in [every.as_str(), "", "plain", "a\"b\\c\u{1}\u{1f}"] {
            let mut out = String::new();
            write_string(&mut out, text);
            assert_eq!(string_bytes(text), out.len(), "{text:?}");
        }
    }

    use super::*;

    #[test]
    fn reads_every_kind_of_value() {
        let doc = parse(r#" {"a": [1, -2.5, 3e2, true, false, null], "b": {"c": "d"}, "e": ""} "#)
            .unwrap();
        assert_eq!(
            doc.get("a"),
            Some(&Json::Array(vec![
                Json::Number(1.0),
                Json::Number(-2.5),
                Json::Number(300.0),
                Json::Bool(true),
                Json::Bool(false),
                Json::Null
            ]))
        );
        assert_eq!(
            doc.get("b").and_then(|b| b.get("c")),
            Some(&Json::String("d".into()))
        );
        assert_eq!(doc.get("e"), Some(&Json::String(String::new())));
        assert_eq!(doc.get("zz"), None);
        assert_eq!(Json::Null.get("a"), None);
    }

    #[test]
    fn reads_escapes_and_unicode() {
        let s = parse(r#""q\"b\\s\/n\n\t\u00e9\ud83d\ude00 é""#).unwrap();
        assert_eq!(s, Json::String("q\"b\\s/n\n\té😀 é".into()));
        assert_eq!(parse(r#""\ud800x""#).unwrap(), Json::Unpaired);
        assert_eq!(parse(r#""\udc00""#).unwrap(), Json::Unpaired);
        assert_eq!(
            parse(r#"["a", "\ud800", "\uFFFD"]"#).unwrap(),
            Json::Array(vec![
                Json::String("a".into()),
                Json::Unpaired,
                Json::String("\u{FFFD}".into())
            ])
        );
    }

    #[test]
    fn numbers_are_exact_for_integers() {
        assert_eq!(parse("86400").unwrap(), Json::Number(86400.0));
        assert_eq!(
            parse("9007199254740991").unwrap(),
            Json::Number(9_007_199_254_740_991.0)
        );
        assert_eq!(parse("0.5").unwrap(), Json::Number(0.5));
    }

    #[test]
    fn refuses_malformed_input() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "tru",
            "\"abc",
            "01x",
            "1.",
            "-",
            "1e",
            "{\"a\":1}x",
            "\"\\x\"",
            "\"\u{1}\"",
            "[1 2]",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        assert!(parse(&deep).unwrap_err().contains("nested too deeply"));
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn keeping_some_members_skips_the_others_but_checks_them() {
        let keep: &[&str] = &["a", "b"];
        let doc = parse_keeping(
            r#"{"a": {"b": 1, "c": [1, {"d": "\u00e9"}]}, "x": {"y": [true, null, "s\"]"]}}"#,
            Some(keep),
        )
        .unwrap();
        assert_eq!(
            doc,
            Json::Object(vec![(
                "a".into(),
                Json::Object(vec![("b".into(), Json::Number(1.0))])
            )])
        );
        for bad in [
            r#"{"x": [1,]}"#,
            r#"{"x": "\q"}"#,
            r#"{"x": {"y" 1}}"#,
            r#"{"x": tru}"#,
            r#"{"x": [}"#,
            r#"{"x": 1"#,
        ] {
            assert!(parse_keeping(bad, Some(keep)).is_err(), "{bad}");
        }
        let deep = format!(
            "{{\"x\": {}{}}}",
            "[".repeat(MAX_DEPTH + 2),
            "]".repeat(MAX_DEPTH + 2)
        );
        assert!(parse_keeping(&deep, Some(keep)).is_err());
    }

    #[test]
    fn writes_strings_as_json_stringify_does() {
        let mut out = String::new();
        write_string(&mut out, "a\"b\\c\n\u{1}é");
        assert_eq!(out, r#""a\"b\\c\n\u0001é""#);
        assert_eq!(parse(&out).unwrap(), Json::String("a\"b\\c\n\u{1}é".into()));
    }

    #[test]
    fn powi_is_the_std_powi_bit_for_bit() {
        for exponent in -400..=400 {
            for base in [10.0, 2.0, 0.5, 1.1] {
                assert_eq!(
                    powi(base, exponent).to_bits(),
                    f64::powi(base, exponent).to_bits(),
                    "{base}^{exponent}"
                );
            }
        }
        assert_eq!(powi(10.0, i32::MIN), 0.0);
        assert!(powi(10.0, i32::MAX).is_infinite());
    }
}
