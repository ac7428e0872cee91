//! Python lists and dicts that change in place: `{% do items.append(x) %}`,
//! `{% set _ = env.update({...}) %}`.
//!
//! minijinja's lists and maps cannot change once made. A template that
//! builds one up with Python's methods gets, instead, one of these two
//! objects: [`preprocess`](super::preprocess) wraps the right-hand side of
//! `{% set name = ... %}` in the `_graft_mutable` filter when the same file
//! calls a changing method on `name`. Both objects are lists and maps to
//! every filter, test, loop and serializer (through minijinja's object
//! protocol); their changing methods are Python's, with Python's return
//! values and errors. The methods that only read (`get`, `items`, `index`,
//! `count`, ...) fall through to the environment's unknown-method callback,
//! which serves every list and map alike.

use std::sync::{Arc, Mutex, MutexGuard};

use indexmap::IndexMap;
use minijinja::value::{from_args, Enumerator, Kwargs, Object, ObjectRepr, ValueKind};
use minijinja::{Error, ErrorKind, State, Value};

use super::jinja2::{invalid, tuple};
use super::pystr::py_repr;

/// Python's list methods that change the list.
pub const LIST_METHODS: [&str; 8] = [
    "append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse",
];

/// Python's dict methods that change the dict.
pub const DICT_METHODS: [&str; 5] = ["update", "setdefault", "pop", "popitem", "clear"];

/// The `_graft_mutable` filter: a list or dict that can change in place,
/// holding the same items; anything else (and one that can already
/// change, so two names for it stay one object, as in Python) as it is.
pub fn mutable(value: Value) -> Result<Value, Error> {
    if value.downcast_object_ref::<List>().is_some()
        || value.downcast_object_ref::<Dict>().is_some()
    {
        return Ok(value);
    }
    Ok(match value.kind() {
        ValueKind::Seq if !value.is_tuple() => List::value(value.try_iter()?.collect()),
        ValueKind::Map => {
            let mut map = IndexMap::new();
            for key in value.try_iter()? {
                let item = value.get_item(&key)?;
                map.insert(key, item);
            }
            Dict::value(map)
        }
        _ => value,
    })
}

fn none() -> Value {
    Value::from(())
}

/// A Python `list`.
#[derive(Debug, Default)]
pub struct List(Mutex<Vec<Value>>);

impl List {
    fn value(items: Vec<Value>) -> Value {
        Value::from_object(List(Mutex::new(items)))
    }

    fn items(&self) -> MutexGuard<'_, Vec<Value>> {
        // A panic while the lock is held leaves the list as it was before
        // the method: every method changes it in one step.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Python's index rules: negative counts from the end.
fn position(index: i64, len: usize) -> Option<usize> {
    let len = len as i64;
    let i = if index < 0 { index + len } else { index };
    (0..len).contains(&i).then_some(i as usize)
}

impl Object for List {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let index = usize::try_from(key.as_i64()?).ok()?;
        self.items().get(index).cloned()
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.items().clone())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.items().len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match method {
            "append" => {
                let (item,): (Value,) = from_args(args)?;
                self.items().push(item);
            }
            "extend" => {
                let (more,): (Value,) = from_args(args)?;
                let more: Vec<Value> = more.try_iter()?.collect();
                self.items().extend(more);
            }
            "insert" => {
                let (index, item): (i64, Value) = from_args(args)?;
                let mut items = self.items();
                let len = items.len() as i64;
                let at = if index < 0 {
                    (index + len).max(0)
                } else {
                    index.min(len)
                };
                items.insert(at as usize, item);
            }
            "pop" => {
                let (index,): (Option<i64>,) = from_args(args)?;
                let mut items = self.items();
                if items.is_empty() {
                    return Err(invalid("pop from empty list"));
                }
                let len = items.len();
                let at = position(index.unwrap_or(-1), len)
                    .ok_or_else(|| invalid("pop index out of range"))?;
                return Ok(items.remove(at));
            }
            "remove" => {
                let (needle,): (Value,) = from_args(args)?;
                let mut items = self.items();
                let at = items
                    .iter()
                    .position(|item| *item == needle)
                    .ok_or_else(|| invalid("list.remove(x): x not in list"))?;
                items.remove(at);
            }
            "clear" => {
                let () = from_args(args)?;
                self.items().clear();
            }
            "reverse" => {
                let () = from_args(args)?;
                self.items().reverse();
            }
            "sort" => {
                let (kwargs,): (Kwargs,) = from_args(args)?;
                let reverse: Option<bool> = kwargs.get("reverse")?;
                if kwargs.has("key") {
                    return Err(invalid(
                        "`list.sort(key=...)` needs a Python function; use the `sort` filter \
                         with `attribute=`",
                    ));
                }
                kwargs.assert_all_used()?;
                let mut items = self.items();
                items.sort();
                if reverse.unwrap_or(false) {
                    items.reverse();
                }
            }
            "copy" => {
                let () = from_args(args)?;
                return Ok(List::value(self.items().clone()));
            }
            _ => return Err(Error::from(ErrorKind::UnknownMethod)),
        }
        Ok(none())
    }
}

/// A Python `dict`: keys in insertion order.
#[derive(Debug, Default)]
pub struct Dict(Mutex<IndexMap<Value, Value>>);

impl Dict {
    fn value(map: IndexMap<Value, Value>) -> Value {
        Value::from_object(Dict(Mutex::new(map)))
    }

    fn map(&self) -> MutexGuard<'_, IndexMap<Value, Value>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn key_error(key: &Value) -> Error {
    Error::new(
        ErrorKind::InvalidOperation,
        format!("KeyError: {}", py_repr(key)),
    )
}

/// The pairs `dict.update` takes: a mapping, or an iterable of pairs.
fn pairs(other: &Value) -> Result<Vec<(Value, Value)>, Error> {
    if other.kind() == ValueKind::Map {
        return other
            .try_iter()?
            .map(|key| Ok((key.clone(), other.get_item(&key)?)))
            .collect();
    }
    other
        .try_iter()?
        .map(|pair| {
            let both: Vec<Value> = pair.try_iter()?.collect();
            match <[Value; 2]>::try_from(both) {
                Ok([key, value]) => Ok((key, value)),
                Err(both) => Err(invalid(format!(
                    "dictionary update sequence element {} has length {}; 2 is required",
                    py_repr(&pair),
                    both.len()
                ))),
            }
        })
        .collect()
}

impl Object for Dict {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.map().get(key).cloned()
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Values(self.map().keys().cloned().collect())
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.map().len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match method {
            "update" => {
                let (other, kwargs): (Option<Value>, Kwargs) = from_args(args)?;
                let mut new = match &other {
                    Some(other) => pairs(other)?,
                    None => Vec::new(),
                };
                for key in kwargs.args() {
                    new.push((Value::from(key), kwargs.get::<Value>(key)?));
                }
                self.map().extend(new);
                Ok(none())
            }
            "setdefault" => {
                let (key, default): (Value, Option<Value>) = from_args(args)?;
                let mut map = self.map();
                Ok(map
                    .entry(key)
                    .or_insert_with(|| default.unwrap_or_else(none))
                    .clone())
            }
            "pop" => {
                let (key, default): (Value, Option<Value>) = from_args(args)?;
                match (self.map().shift_remove(&key), default) {
                    (Some(value), _) | (None, Some(value)) => Ok(value),
                    (None, None) => Err(key_error(&key)),
                }
            }
            "popitem" => {
                let () = from_args(args)?;
                let (key, value) = self
                    .map()
                    .pop()
                    .ok_or_else(|| invalid("KeyError: 'popitem(): dictionary is empty'"))?;
                Ok(tuple([key, value]))
            }
            "clear" => {
                let () = from_args(args)?;
                self.map().clear();
                Ok(none())
            }
            "copy" => {
                let () = from_args(args)?;
                Ok(Dict::value(self.map().clone()))
            }
            _ => Err(Error::from(ErrorKind::UnknownMethod)),
        }
    }
}
