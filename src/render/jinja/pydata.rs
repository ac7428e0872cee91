//! Template values seen the way Python sees them, for the serializers that
//! must match Python byte for byte (`to_json`, `to_nice_yaml`, ...).
//!
//! A minijinja [`Value`] is turned into a [`PyData`] tree once; the JSON and
//! YAML writers then only deal with Python's seven plain types. Two Python
//! rules live here because both writers need them: `repr(float)` and the
//! `sorted(dict.items())` that `sort_keys=True` performs, including its
//! refusal to order keys of unrelated types.

use std::cmp::Ordering;

use minijinja::value::ValueKind;
use minijinja::{Error, ErrorKind, Value};

/// A value as Python's `json` and `yaml` modules would receive it.
#[derive(Debug, Clone, PartialEq)]
pub enum PyData {
    None,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    List(Vec<PyData>),
    /// Insertion order, as Python dicts keep it.
    Dict(Vec<(PyData, PyData)>),
}

impl PyData {
    /// Converts a template value; undefined values are refused, as Python
    /// refuses to serialize jinja2's `Undefined`.
    pub fn from_value(value: &Value) -> Result<PyData, Error> {
        Ok(match value.kind() {
            ValueKind::Undefined => {
                return Err(Error::new(
                    ErrorKind::UndefinedError,
                    "cannot serialize an undefined value",
                ))
            }
            ValueKind::None => PyData::None,
            ValueKind::Bool => PyData::Bool(value.is_true()),
            ValueKind::Number => {
                if value.is_integer() {
                    match i128::try_from(value.clone()) {
                        Ok(int) => PyData::Int(int),
                        Err(_) => PyData::Float(f64::try_from(value.clone())?),
                    }
                } else {
                    PyData::Float(f64::try_from(value.clone())?)
                }
            }
            ValueKind::String => PyData::Str(value.as_str().unwrap_or_default().to_owned()),
            ValueKind::Bytes => PyData::Str(
                String::from_utf8_lossy(value.as_bytes().unwrap_or_default()).into_owned(),
            ),
            ValueKind::Map => {
                let mut pairs = Vec::new();
                for key in value.try_iter()? {
                    let item = value.get_item(&key)?;
                    pairs.push((PyData::from_value(&key)?, PyData::from_value(&item)?));
                }
                PyData::Dict(pairs)
            }
            ValueKind::Seq | ValueKind::Iterable => PyData::List(
                value
                    .try_iter()?
                    .map(|item| PyData::from_value(&item))
                    .collect::<Result<_, _>>()?,
            ),
            _ => PyData::Str(value.to_string()),
        })
    }

    /// Converts JSON data (answers, test inputs).
    pub fn from_json(value: &serde_json::Value) -> PyData {
        match value {
            serde_json::Value::Null => PyData::None,
            serde_json::Value::Bool(b) => PyData::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => PyData::Int(i128::from(i)),
                None => match n.as_u64() {
                    Some(u) => PyData::Int(i128::from(u)),
                    None => PyData::Float(n.as_f64().unwrap_or(f64::NAN)),
                },
            },
            serde_json::Value::String(s) => PyData::Str(s.clone()),
            serde_json::Value::Array(items) => {
                PyData::List(items.iter().map(PyData::from_json).collect())
            }
            serde_json::Value::Object(map) => PyData::Dict(
                map.iter()
                    .map(|(k, v)| (PyData::Str(k.clone()), PyData::from_json(v)))
                    .collect(),
            ),
        }
    }
}

/// Python's `repr(float)`: the shortest digits that round-trip, in fixed
/// notation for exponents -4..16 and scientific (`1e+16`, `1.5e-07`)
/// outside it.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    // `{:e}` gives the shortest round-trip digits: "1.2345e-7".
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let sign = if f < 0.0 { "-" } else { "" };
    if (-4..16).contains(&exp) {
        let body = if exp >= 0 {
            let point = exp as usize + 1;
            if digits.len() <= point {
                format!("{digits}{}.0", "0".repeat(point - digits.len()))
            } else {
                format!("{}.{}", &digits[..point], &digits[point..])
            }
        } else {
            format!("0.{}{digits}", "0".repeat((-exp - 1) as usize))
        };
        format!("{sign}{body}")
    } else {
        let mantissa = if digits.len() > 1 {
            format!("{}.{}", &digits[..1], &digits[1..])
        } else {
            digits
        };
        let exp_sign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{mantissa}e{exp_sign}{:02}", exp.abs())
    }
}

/// The order class of a key for Python's `<`: values of different classes
/// cannot be compared, which makes `sorted()` raise `TypeError`.
fn order_class(key: &PyData) -> u8 {
    match key {
        PyData::Bool(_) | PyData::Int(_) | PyData::Float(_) => 0,
        PyData::Str(_) => 1,
        PyData::None => 2,
        PyData::List(_) => 3,
        PyData::Dict(_) => 4,
    }
}

fn as_f64(key: &PyData) -> f64 {
    match key {
        PyData::Bool(b) => f64::from(u8::from(*b)),
        PyData::Int(i) => *i as f64,
        PyData::Float(f) => *f,
        _ => 0.0,
    }
}

fn compare_keys(a: &PyData, b: &PyData) -> Ordering {
    match (a, b) {
        (PyData::Str(a), PyData::Str(b)) => a.cmp(b),
        (PyData::Int(a), PyData::Int(b)) => a.cmp(b),
        _ => as_f64(a).partial_cmp(&as_f64(b)).unwrap_or(Ordering::Equal),
    }
}

/// `sorted(pairs)` on dict items, or `None` where Python raises `TypeError`
/// (keys of unrelated types, or keys Python cannot order at all). UTF-8
/// byte order equals Python's code point order for strings.
pub fn sorted_pairs(pairs: &[(PyData, PyData)]) -> Option<Vec<&(PyData, PyData)>> {
    let mut refs: Vec<&(PyData, PyData)> = pairs.iter().collect();
    if refs.len() < 2 {
        return Some(refs);
    }
    let class = order_class(&refs[0].0);
    if class > 1 || refs.iter().any(|(k, _)| order_class(k) != class) {
        return None;
    }
    refs.sort_by(|a, b| compare_keys(&a.0, &b.0));
    Some(refs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        // Expected strings from Python 3.11 `repr()`.
        let cases = [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (123456789.123, "123456789.123"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e100, "1e+100"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (-0.0, "-0.0"),
            (2.75, "2.75"),
            (2.5e16, "2.5e+16"),
        ];
        for (f, want) in cases {
            assert_eq!(float_repr(f), want, "{f}");
        }
    }

    #[test]
    fn mixed_key_types_are_not_sorted() {
        let pairs = vec![
            (PyData::Str("b".into()), PyData::None),
            (PyData::Int(1), PyData::None),
        ];
        assert!(sorted_pairs(&pairs).is_none());
        let pairs = vec![
            (PyData::Int(2), PyData::None),
            (PyData::Float(1.5), PyData::None),
            (PyData::Bool(true), PyData::None),
        ];
        let sorted: Vec<_> = sorted_pairs(&pairs)
            .unwrap()
            .into_iter()
            .map(|(k, _)| k.clone())
            .collect();
        assert_eq!(
            sorted,
            vec![PyData::Bool(true), PyData::Float(1.5), PyData::Int(2)]
        );
    }
}
