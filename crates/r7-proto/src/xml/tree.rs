//! The document read into a compact tree with quick-xml's event reader.
//!
//! The whole document is read before any decoding, because the deserializer needs all the
//! elements of one name together (that is how arrays look) wherever they are among their
//! siblings.
//!
//! The tree is one array of fixed-size [`Element`]s in document order (each followed by its
//! subtree), which point into the document for names and text; only text that differs from
//! its bytes in the document (with references, CDATA or `\r\n`) is copied, into one side
//! buffer. The array is sized once, from the number of start tags a quick scan counts, so
//! that it never grows: the smallest element, `<a/>`, is 4 bytes of input for 20 of tree.

use quick_xml::Reader;
use quick_xml::events::{BytesRef, Event};

use super::{Location, XmlError, short};

/// Deepest element nesting accepted. Responses nest about six deep; the limit keeps the
/// recursive deserialization far from overflowing the stack.
const MAX_DEPTH: usize = 64;

/// Longest document read: offsets are kept in 31 bits (the top bit of [`Element::text`] tells
/// the side buffer from the document).
const MAX_LEN: usize = (1 << 31) - 1;

/// The top bit of [`Element::text`]: the text is in [`Doc::side`].
const IN_SIDE: u32 = 1 << 31;

/// [`Element::text_len`] of a self-closed element.
const NULL: u32 = u32::MAX;

/// One element; its children follow it in the array, up to `end`.
#[derive(Debug, Clone, Copy)]
struct Element {
    /// Byte offset and length of the local name (without a namespace prefix) in the document.
    name: u32,
    name_len: u32,
    /// Index of the first element after this one's subtree.
    end: u32,
    /// Byte offset of the text, in the document or, with [`IN_SIDE`], in the side buffer.
    text: u32,
    /// Length of the text; [`NULL`] for a self-closed element.
    text_len: u32,
}

/// A parsed document; elements are named by their index, the root is 0.
#[derive(Debug)]
pub(super) struct Doc<'x> {
    xml: &'x str,
    elements: Vec<Element>,
    side: String,
}

/// What an element holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Content<'d> {
    /// A self-closed element `<x/>`: how the server writes JSON `null` (and `{}`).
    Null,
    /// Text content with references resolved; `<x></x>` is `Text("")`.
    Text(&'d str),
    /// Child elements (text beside them is only indentation in the documents we read).
    Children,
}

impl<'x> Doc<'x> {
    /// The local name of element `at`.
    pub(super) fn name(&self, at: u32) -> &'x str {
        let Some(e) = self.elements.get(at as usize) else {
            return "";
        };
        let start = e.name as usize;
        self.xml
            .get(start..start + e.name_len as usize)
            .unwrap_or("")
    }

    /// What element `at` holds.
    pub(super) fn content(&self, at: u32) -> Content<'_> {
        let Some(e) = self.elements.get(at as usize) else {
            return Content::Null;
        };
        if e.end > at + 1 {
            return Content::Children;
        }
        if e.text_len == NULL {
            return Content::Null;
        }
        let start = (e.text & !IN_SIDE) as usize;
        let range = start..start + e.text_len as usize;
        let text = if e.text & IN_SIDE != 0 {
            self.side.get(range)
        } else {
            self.xml.get(range)
        };
        Content::Text(text.unwrap_or(""))
    }

    /// The children of element `at`, in document order.
    pub(super) fn children(&self, at: u32) -> impl Iterator<Item = u32> + '_ {
        let end = self.elements.get(at as usize).map_or(0, |e| e.end);
        let mut next = at + 1;
        std::iter::from_fn(move || {
            let child = next;
            if child >= end {
                return None;
            }
            next = self.elements.get(child as usize).map_or(end, |e| e.end);
            Some(child)
        })
    }
}

/// Reads a whole document.
pub(super) fn parse(xml: &str) -> Result<Doc<'_>, XmlError> {
    if xml.len() > MAX_LEN {
        return Err(syntax(0, "documents of 2 GiB or more are not read"));
    }
    let mut doc = Doc {
        xml,
        elements: Vec::with_capacity(count_start_tags(xml.as_bytes())),
        side: String::new(),
    };
    let mut reader = Reader::from_str(xml);
    // Open elements; an explicit stack instead of recursion, so that hostile nesting cannot
    // exhaust the call stack before the depth limit is seen.
    let mut stack: Vec<u32> = Vec::with_capacity(MAX_DEPTH);
    loop {
        let at = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| syntax(reader.error_position(), e))?;
        match event {
            Event::Start(start) => {
                let index = doc.open(&stack, start.local_name().into_inner().as_bytes(), at)?;
                stack.push(index);
            }
            Event::Empty(start) => {
                let index = doc.open(&stack, start.local_name().into_inner().as_bytes(), at)?;
                let element = &mut doc.elements[index as usize];
                element.text_len = NULL;
                element.end = index + 1;
            }
            Event::End(_) => {
                // quick-xml has checked that the end tag matches the open one.
                let index = stack.pop().ok_or_else(|| syntax(at, "unmatched end tag"))?;
                let end = doc.elements.len() as u32;
                doc.elements[index as usize].end = end;
            }
            Event::Text(text) => doc.push_text(&stack, &text.xml10_content(), at)?,
            Event::CData(text) => doc.push_text(&stack, &text.xml10_content(), at)?,
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
                doc.push_text(&stack, c.encode_utf8(&mut [0; 4]), at)?;
            }
            // Refused outright: a DTD could declare entities (billion laughs, external files).
            Event::DocType(_) => return Err(syntax(at, "a DOCTYPE is not allowed")),
            Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {}
            Event::Eof => break,
        }
    }
    if let Some(&open) = stack.last() {
        let message = format_args!("element <{}> is not closed", short(doc.name(open)));
        return Err(syntax(reader.buffer_position(), message));
    }
    if doc.elements.is_empty() {
        return Err(syntax(reader.buffer_position(), "no root element"));
    }
    Ok(doc)
}

impl Doc<'_> {
    /// Adds an element below the innermost open one (or as the root) and returns its index.
    fn open(&mut self, stack: &[u32], name: &[u8], at: u64) -> Result<u32, XmlError> {
        if stack.is_empty() && !self.elements.is_empty() {
            return Err(syntax(at, "more than one root element"));
        }
        if stack.len() >= MAX_DEPTH {
            return Err(syntax(
                at,
                format_args!("elements nest deeper than {MAX_DEPTH}"),
            ));
        }
        let start = offset_in(self.xml, name).ok_or_else(|| syntax(at, "unreadable name"))?;
        let index = self.elements.len() as u32;
        self.elements.push(Element {
            name: start,
            name_len: name.len() as u32,
            end: index + 1,
            text: 0,
            text_len: 0,
        });
        Ok(index)
    }

    /// Appends a piece of text to the innermost open element.
    fn push_text(&mut self, stack: &[u32], piece: &str, at: u64) -> Result<(), XmlError> {
        let Some(&open) = stack.last() else {
            // Line breaks around the root are fine; anything else there is not XML.
            if piece.trim().is_empty() {
                return Ok(());
            }
            return Err(syntax(at, "text outside the root element"));
        };
        let has_children = self.elements.len() as u32 > open + 1;
        let Some(element) = self.elements.get_mut(open as usize) else {
            return Ok(());
        };
        if has_children || piece.is_empty() {
            return Ok(());
        }
        if element.text_len == 0 {
            if let Some(start) = offset_in(self.xml, piece.as_bytes()) {
                element.text = start;
                element.text_len = piece.len() as u32;
                return Ok(());
            }
        }
        // A second piece, or one that is not in the document as it stands: the text goes to
        // the side buffer. Its earlier pieces are at the buffer's end, as nothing else was
        // added since: an element that gets children takes no more text.
        if element.text & IN_SIDE == 0 {
            let start = element.text as usize;
            let earlier = self
                .xml
                .get(start..start + element.text_len as usize)
                .unwrap_or("");
            element.text = IN_SIDE | self.side.len() as u32;
            self.side.push_str(earlier);
        }
        self.side.push_str(piece);
        element.text_len += piece.len() as u32;
        Ok(())
    }
}

/// An upper bound of the number of elements: `<` followed by neither `/`, `!` nor `?`.
///
/// The count also takes `<` inside CDATA, comments and broken input, so it is capped at what
/// the document can hold: an element takes at least four bytes (`<a/>`). Without the cap a
/// CDATA section full of `<` would reserve 20 bytes per input byte before the budget sees it.
fn count_start_tags(xml: &[u8]) -> usize {
    let count = memchr::memchr_iter(b'<', xml)
        .filter(|&at| !matches!(xml.get(at + 1), Some(b'/' | b'!' | b'?')))
        .count();
    count.min(xml.len() / 4)
}

/// Where `part` (a slice quick-xml borrowed from the document) starts in `xml`; `None` when it
/// is not part of it (text quick-xml had to rewrite).
fn offset_in(xml: &str, part: &[u8]) -> Option<u32> {
    let start = (part.as_ptr() as usize).checked_sub(xml.as_ptr() as usize)?;
    (start.checked_add(part.len())? <= xml.len()).then_some(start as u32)
}

fn syntax(at: u64, message: impl std::fmt::Display) -> XmlError {
    XmlError::new(message, Location::Byte(at))
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
