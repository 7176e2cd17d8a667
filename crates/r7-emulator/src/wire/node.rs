//! A JSON value in document order, the form every answer is built in before it is written.

use std::cmp::Ordering as CmpOrdering;
use std::fmt;

use serde::Serialize;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};

use super::json::to_server_json;

/// A JSON value that keeps its members in document order (serde_json's own `Value` sorts them
/// unless `preserve_order` is on, and the shared workspace build does not turn it on).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    Integer(String),
    Float(f64),
    String(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

/// The JSON of a value, as a [`Node`] (in the member order its `Serialize` writes).
pub(crate) fn to_node<T: Serialize + ?Sized>(value: &T) -> Node {
    to_server_json(value)
        .ok()
        .and_then(|json| serde_json::from_slice(&json).ok())
        .unwrap_or(Node::Null)
}

impl Node {
    /// The value at a dotted path of member names, names compared with ASCII case ignored.
    pub(crate) fn path(&self, dotted: &str) -> Option<&Node> {
        dotted.split('.').try_fold(self, |node, name| match node {
            Node::Object(members) => members
                .iter()
                .find(|(member, _)| member.eq_ignore_ascii_case(name.trim()))
                .map(|(_, value)| value),
            _ => None,
        })
    }

    /// Orders two values as a generic in-memory sort would: nothing first, then numbers by
    /// value, strings with case ignored (then exactly), booleans false first; values of
    /// different kinds, and objects and lists, compare equal.
    pub(crate) fn compare(a: Option<&Node>, b: Option<&Node>) -> CmpOrdering {
        let number = |n: &Node| match n {
            Node::Integer(text) => text.parse::<f64>().ok(),
            Node::Float(v) => Some(*v),
            _ => None,
        };
        match (a, b) {
            (None | Some(Node::Null), None | Some(Node::Null)) => CmpOrdering::Equal,
            (None | Some(Node::Null), _) => CmpOrdering::Less,
            (_, None | Some(Node::Null)) => CmpOrdering::Greater,
            (Some(Node::String(x)), Some(Node::String(y))) => x
                .to_lowercase()
                .cmp(&y.to_lowercase())
                .then_with(|| x.cmp(y)),
            (Some(Node::Bool(x)), Some(Node::Bool(y))) => x.cmp(y),
            (Some(x), Some(y)) => match (number(x), number(y)) {
                (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(CmpOrdering::Equal),
                _ => CmpOrdering::Equal,
            },
        }
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Null => serializer.serialize_unit(),
            Node::Bool(v) => serializer.serialize_bool(*v),
            Node::Integer(text) => match (text.parse::<i64>(), text.parse::<u64>()) {
                (Ok(v), _) => serializer.serialize_i64(v),
                (_, Ok(v)) => serializer.serialize_u64(v),
                _ => serializer.serialize_f64(text.parse().unwrap_or_default()),
            },
            Node::Float(v) => serializer.serialize_f64(*v),
            Node::String(v) => serializer.serialize_str(v),
            Node::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Node::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (name, value) in members {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Integer(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Integer(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut members = Vec::new();
        while let Some(member) = map.next_entry::<String, Node>()? {
            members.push(member);
        }
        Ok(Node::Object(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_round_trip_byte_for_byte() {
        let text = r#"{"a":"x\/y","n":-3,"u":18446744073709551615,"f":1500.0,"g":0.1,"b":true,"z":null,"l":[1,{"k":"\u000a"}],"o":{}}"#;
        let node: Node = serde_json::from_str(text).unwrap();
        assert_eq!(
            String::from_utf8(to_server_json(&node).unwrap()).unwrap(),
            text
        );
        assert_eq!(
            node.path("L"),
            Some(&Node::Array(vec![
                Node::Integer("1".into()),
                Node::Object(vec![("k".into(), Node::String("\n".into()))]),
            ]))
        );
        let nested: Node = serde_json::from_str(r#"{"s":{"t":"Б"}}"#).unwrap();
        assert_eq!(nested.path("s.T"), Some(&Node::String("Б".into())));
    }

    #[test]
    fn nodes_compare_like_a_generic_sort() {
        let n = |t: &str| serde_json::from_str::<Node>(t).unwrap();
        let cmp = |a: &str, b: &str| Node::compare(Some(&n(a)), Some(&n(b)));
        assert_eq!(cmp("2", "10"), CmpOrdering::Less);
        assert_eq!(cmp("2.5", "2"), CmpOrdering::Greater);
        assert_eq!(cmp(r#""b""#, r#""A""#), CmpOrdering::Greater);
        assert_eq!(cmp("null", "1"), CmpOrdering::Less);
        assert_eq!(Node::compare(None, Some(&n("1"))), CmpOrdering::Less);
        assert_eq!(cmp("false", "true"), CmpOrdering::Less);
    }
}
