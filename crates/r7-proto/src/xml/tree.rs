//! The document read into a small tree with quick-xml's event reader.
//!
//! The whole document is read before any decoding, because the deserializer needs all the
//! elements of one name together (that is how arrays look) wherever they are among their
//! siblings.

use quick_xml::Reader;
use quick_xml::events::{BytesRef, Event};

use super::{Error, Location, short};

/// Deepest element nesting accepted. Responses nest about six deep; the limit keeps the
/// recursive drop and deserialization of the tree far from overflowing the stack.
const MAX_DEPTH: usize = 64;

/// The content of one element.
#[derive(Debug, PartialEq)]
pub(super) enum Node {
    /// A self-closed element `<x/>`: how the server writes JSON `null` (and `{}`).
    Null,
    /// Text content with references resolved; `<x></x>` is `Text("")`.
    Text(String),
    /// Child elements in document order, as (local name, content).
    Children(Vec<(String, Node)>),
}

/// An element whose end tag has not been read yet.
struct Open {
    name: String,
    text: String,
    children: Vec<(String, Node)>,
}

/// Reads a whole document into its root element: name and content.
pub(super) fn parse(xml: &str) -> Result<(String, Node), Error> {
    let mut reader = Reader::from_str(xml);
    // An explicit stack instead of recursion, so that hostile nesting cannot exhaust the call
    // stack before the depth limit is seen.
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<(String, Node)> = None;
    loop {
        let at = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| syntax(reader.error_position(), e))?;
        match event {
            Event::Start(start) => {
                check_new_element(&stack, root.is_some(), at)?;
                stack.push(Open {
                    name: start.local_name().into_inner().to_owned(),
                    text: String::new(),
                    children: Vec::new(),
                });
            }
            Event::Empty(start) => {
                check_new_element(&stack, root.is_some(), at)?;
                let name = start.local_name().into_inner().to_owned();
                attach(&mut stack, &mut root, (name, Node::Null));
            }
            Event::End(_) => {
                // quick-xml has checked that the end tag matches the open one.
                let open = stack.pop().ok_or_else(|| syntax(at, "unmatched end tag"))?;
                // Text beside child elements is only indentation for the documents we read.
                let node = if open.children.is_empty() {
                    Node::Text(open.text)
                } else {
                    Node::Children(open.children)
                };
                attach(&mut stack, &mut root, (open.name, node));
            }
            Event::Text(text) => push_text(&mut stack, &text.xml10_content(), at)?,
            Event::CData(text) => push_text(&mut stack, &text.xml10_content(), at)?,
            Event::GeneralRef(reference) => {
                let c = resolve(&reference).ok_or_else(|| {
                    syntax(
                        at,
                        format_args!(
                            "unknown entity or bad character reference &{};",
                            short(&reference)
                        ),
                    )
                })?;
                push_text(&mut stack, c.encode_utf8(&mut [0; 4]), at)?;
            }
            // Refused outright: a DTD could declare entities (billion laughs, external files).
            Event::DocType(_) => return Err(syntax(at, "a DOCTYPE is not allowed")),
            Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        let message = format_args!("element <{}> is not closed", short(&open.name));
        return Err(syntax(reader.buffer_position(), message));
    }
    root.ok_or_else(|| syntax(reader.buffer_position(), "no root element"))
}

fn syntax(at: u64, message: impl std::fmt::Display) -> Error {
    Error::new(message, Location::Byte(at))
}

fn check_new_element(stack: &[Open], have_root: bool, at: u64) -> Result<(), Error> {
    if stack.is_empty() && have_root {
        return Err(syntax(at, "more than one root element"));
    }
    if stack.len() >= MAX_DEPTH {
        return Err(syntax(
            at,
            format_args!("elements nest deeper than {MAX_DEPTH}"),
        ));
    }
    Ok(())
}

/// Adds a finished element to its parent, or makes it the root.
fn attach(stack: &mut [Open], root: &mut Option<(String, Node)>, element: (String, Node)) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

fn push_text(stack: &mut [Open], text: &str, at: u64) -> Result<(), Error> {
    match stack.last_mut() {
        Some(open) => open.text.push_str(text),
        // Line breaks around the root are fine; anything else there is not XML.
        None if text.trim().is_empty() => {}
        None => return Err(syntax(at, "text outside the root element")),
    }
    Ok(())
}

/// The character a reference stands for: one of the five predefined entities or a character
/// reference. Nothing else can be defined, as DTDs are refused.
fn resolve(reference: &BytesRef<'_>) -> Option<char> {
    match &**reference {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => reference.resolve_char_ref().ok().flatten(),
    }
}
