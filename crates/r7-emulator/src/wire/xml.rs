//! XML made from the JSON the way Json.NET's `XmlNodeConverter` makes it, so that the two forms
//! can never disagree.

use super::Node;

/// Converts a JSON document to the server's XML: what `XmlNodeConverter` makes of
/// `{"result": <json>}`, printed without declaration or indentation.
pub(crate) fn json_to_xml(json: &[u8]) -> Result<String, serde_json::Error> {
    let root: Node = serde_json::from_slice(json)?;
    let mut out = String::with_capacity(json.len() * 2);
    write_element(&mut out, "result", &root);
    Ok(out)
}

fn write_element(out: &mut String, name: &str, node: &Node) {
    match node {
        // A JSON array has no element of its own: each item repeats the property's name.
        Node::Array(items) => {
            for item in items {
                write_element(out, name, item);
            }
        }
        Node::Null => empty_element(out, name),
        Node::Object(members) if members.is_empty() => empty_element(out, name),
        Node::Object(members) => {
            open(out, name);
            for (member, value) in members {
                write_element(out, member, value);
            }
            close(out, name);
        }
        Node::Bool(v) => text_element(out, name, if *v { "true" } else { "false" }),
        Node::Integer(v) => text_element(out, name, v),
        Node::Float(v) => text_element(out, name, &dotnet_double(*v)),
        Node::String(v) => text_element(out, name, v),
    }
}

fn empty_element(out: &mut String, name: &str) {
    out.push('<');
    out.push_str(name);
    out.push_str(" />");
}

fn text_element(out: &mut String, name: &str, text: &str) {
    open(out, name);
    escape_text(out, text);
    close(out, name);
}

fn open(out: &mut String, name: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
}

fn close(out: &mut String, name: &str) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

/// Escapes element text as .NET's `XmlWriter` does: `&`, `<` and `>`; quotes stay as they are
/// in element content.
fn escape_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
}

/// A JSON decimal as `XmlConvert.ToString(double)` prints it: the shortest text that reads
/// back to the same double (`1500.0` → `1500`), with .NET's `E+15` / `E-05` notation outside
/// the range where it writes plain digits.
fn dotnet_double(v: f64) -> String {
    let magnitude = v.abs();
    if v == 0.0 || (1e-5..1e15).contains(&magnitude) {
        return v.to_string();
    }
    let scientific = format!("{v:E}");
    match scientific.split_once('E') {
        Some((mantissa, exponent)) => match exponent.parse::<i32>() {
            Ok(e) if e < 0 => format!("{mantissa}E-{:02}", -e),
            Ok(e) => format!("{mantissa}E+{e:02}"),
            Err(_) => scientific,
        },
        None => scientific,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_keeps_member_order_and_follows_the_converter_rules() {
        let xml = json_to_xml(
            br#"{"z":1,"a":"x\/y","m":null,"e":"","o":{},"arr":[1,{"k":true}],"none":[],"f":1500.0,"t":"a<b&c>\"'"}"#,
        )
        .unwrap();
        assert_eq!(
            xml,
            "<result><z>1</z><a>x/y</a><m /><e></e><o /><arr>1</arr><arr><k>true</k></arr>\
             <f>1500</f><t>a&lt;b&amp;c&gt;\"'</t></result>"
        );
    }

    #[test]
    fn doubles_print_like_dotnet() {
        assert_eq!(dotnet_double(1500.0), "1500");
        assert_eq!(dotnet_double(1500.5), "1500.5");
        assert_eq!(dotnet_double(0.1), "0.1");
        assert_eq!(dotnet_double(-2.25), "-2.25");
        assert_eq!(dotnet_double(0.0), "0");
        assert_eq!(dotnet_double(1e15), "1E+15");
        assert_eq!(dotnet_double(1.5e-7), "1.5E-07");
        assert_eq!(dotnet_double(123456789012345.0), "123456789012345");
    }
}
