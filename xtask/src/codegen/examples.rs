//! Wire tests from the spec's examples (`tests/it/generated/examples.rs`): each example's
//! endpoint is built from its arguments, must give exactly the documented request, and each of
//! its answer fixtures must decode.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::Output;
use super::rust::{file, ident};
use crate::spec::{Base, DIR, Endpoint, Example, Param, Prim, Shape, Spec, snake_case};

pub(crate) fn render(spec: &Spec) -> Result<Vec<Output>, String> {
    let mut tests = Vec::new();
    for (resource, endpoint) in spec.all_endpoints() {
        for (n, example) in endpoint.example.iter().enumerate() {
            let module = ident(&resource.stem);
            let test = ident(&format!("{}_{}", snake_case(&endpoint.name), n + 1));
            let ty = ident(&endpoint.name);
            let build = build(spec, endpoint, example)?;
            let request = &example.request;
            let body = match &example.body {
                Some(b) => quote!(Some(#b)),
                None => quote!(None),
            };
            let status = example.status;
            let responses = &example.responses;
            let d = format!(" {} (from {}).", endpoint.name, example.source);
            tests.push(quote! {
                #[doc = #d]
                #[test]
                fn #test() {
                    use r7_proto::crm::#module::*;
                    let endpoint: #ty = #build;
                    support::assert_request(&endpoint, #request, #body);
                    #(support::assert_decodes(&endpoint, #status, #responses);)*
                }
            });
            if example.emulated {
                let conformance = ident(&format!(
                    "{}_{}_against_the_emulator",
                    snake_case(&endpoint.name),
                    n + 1
                ));
                let d = format!(
                    " {} (from {}), sent to the emulator in both formats.",
                    endpoint.name, example.source
                );
                tests.push(quote! {
                    #[doc = #d]
                    #[tokio::test]
                    async fn #conformance() {
                        use r7_proto::crm::#module::*;
                        let endpoint: #ty = #build;
                        support::assert_emulated(&endpoint, #status).await;
                    }
                });
            }
        }
    }
    let binds = bind_round_trips(spec)?;
    let items = quote! {
        //! The spec's examples, as tests: the request each gives on the wire, and the answers
        //! that must decode.
        #![allow(unused_imports)]
        use r7_model::*;
        use r7_proto::{CustomFieldValue, SortOrder, TextPair, Upload};
        use crate::support;
        #(#tests)*
    };
    Ok(vec![
        binds,
        Output {
            path: "tests/it/generated/examples.rs".to_owned(),
            text: file(&format!("the examples of {DIR}/endpoints/"), items)?,
        },
        Output {
            path: "tests/it/generated/mod.rs".to_owned(),
            text: file(
                &format!("{DIR}/endpoints/"),
                quote! {
                    //! Tests generated from the spec. Nothing in this folder is written by hand.
                    mod examples;
                },
            )?,
        },
    ])
}

/// `Endpoint::new(required...).builder(value)...` from the example's arguments.
fn build(spec: &Spec, endpoint: &Endpoint, example: &Example) -> Result<TokenStream, String> {
    let ty = ident(&endpoint.name);
    let sort_by = endpoint.sort_by.as_deref();
    let mut required = Vec::new();
    let mut chain = Vec::new();
    for param in &endpoint.params {
        let Some(raw) = example.args.get(&param.field()) else {
            continue;
        };
        let value = value(spec, param, sort_by, raw).map_err(|e| {
            format!(
                "{DIR}/endpoints: example of {} from {}: `{}`: {e}",
                endpoint.name,
                example.source,
                param.field()
            )
        })?;
        if param.required {
            required.push(value);
        } else {
            let f = ident(&param.field());
            chain.push(quote!(.#f(#value)));
        }
    }
    Ok(quote!(#ty::new(#(#required),*) #(#chain)*))
}

fn value(
    spec: &Spec,
    param: &Param,
    sort_by: Option<&str>,
    raw: &toml::Value,
) -> Result<TokenStream, String> {
    let t = param.type_ref();
    if t.shape == Shape::List {
        let items = raw.as_array().ok_or("a list needs an array")?;
        let items = items
            .iter()
            .map(|item| scalar(spec, &t.name, sort_by, item))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(quote!([#(#items),*]));
    }
    scalar(spec, &t.name, sort_by, raw)
}

fn scalar(
    spec: &Spec,
    name: &str,
    sort_by: Option<&str>,
    raw: &toml::Value,
) -> Result<TokenStream, String> {
    let text = || raw.as_str().ok_or(format!("`{name}` needs a string"));
    let int = || raw.as_integer().ok_or(format!("`{name}` needs an integer"));
    Ok(match spec.base(name).ok_or("unknown type")? {
        Base::Id(id) => {
            let id_ty = ident(&id);
            if spec.id_def(&id).is_some_and(|d| d.repr == "guid") {
                let s = text()?;
                quote!(#s.parse::<#id_ty>().expect("a GUID"))
            } else {
                let n = Literal::i64_unsuffixed(int()?);
                quote!(#id_ty::new(#n))
            }
        }
        Base::Enum(e) | Base::Choice(e) => {
            let (e, v) = (ident(&e), ident(text()?));
            quote!(#e::#v)
        }
        Base::Sort => {
            let v = ident(text()?);
            match sort_by {
                Some(sort) => {
                    let s = ident(sort);
                    quote!(#s::#v)
                }
                None => {
                    let s = text()?;
                    quote!(#s.to_owned())
                }
            }
        }
        Base::Proto(p) if p == "SortOrder" => {
            let v = ident(text()?);
            quote!(SortOrder::#v)
        }
        Base::Proto(p) if p == "Upload" => {
            let table = raw
                .as_table()
                .ok_or("a file is { file_name, content_type, text }")?;
            let text = |name: &str| {
                table
                    .get(name)
                    .and_then(toml::Value::as_str)
                    .ok_or(format!("`{name}` must be a string"))
            };
            let (file, media, content) = (text("file_name")?, text("content_type")?, text("text")?);
            quote!(Upload::new(#file, #media, #content.as_bytes().to_vec()))
        }
        Base::Proto(p) if p == "TextPair" => {
            let (key, value) = text_pair(raw)?;
            quote!(TextPair::new(#key, #value))
        }
        Base::Proto(_) => {
            let table = raw
                .as_table()
                .ok_or("a custom field value is { key, value }")?;
            let key = table
                .get("key")
                .and_then(toml::Value::as_integer)
                .ok_or("`key` must be an integer")?;
            let value = table
                .get("value")
                .and_then(toml::Value::as_str)
                .ok_or("`value` must be a string")?;
            let key = Literal::i64_unsuffixed(key);
            quote!(CustomFieldValue::new(CustomFieldId::new(#key), #value))
        }
        Base::Prim(Prim::String) => {
            let s = text()?;
            quote!(#s)
        }
        Base::Prim(Prim::Bool) => {
            let b = raw.as_bool().ok_or("needs true or false")?;
            quote!(#b)
        }
        Base::Prim(Prim::Int | Prim::Long | Prim::Index) => {
            let n = Literal::i64_unsuffixed(int()?);
            quote!(#n)
        }
        Base::Prim(Prim::Decimal) => {
            let f = raw
                .as_float()
                .or_else(|| raw.as_integer().map(|i| i as f64))
                .ok_or("needs a number")?;
            let f = Literal::f64_unsuffixed(f);
            quote!(#f)
        }
        Base::Prim(Prim::DateTime) => {
            let s = text()?;
            quote!(ApiDateTime::parse(#s).expect("a date"))
        }
        Base::Prim(Prim::Guid) => {
            let s = text()?;
            quote!(#s.parse::<Uuid>().expect("a GUID"))
        }
        Base::Model(m) if m == "ContactInfo" => contact_info(raw)?,
        Base::Model(_) => return Err("a wire type is not a parameter".into()),
    })
}

/// `crates/r7-emulator/src/generated/bind_examples.rs`: each example's request, as the client
/// builds it, bound by the emulator as the server binds it; every argument the example gives
/// must arrive in the endpoint's argument struct with its value, so that a wire name that
/// differs on one side, or a binding that reads it wrong, fails.
fn bind_round_trips(spec: &Spec) -> Result<Output, String> {
    let mut tests = Vec::new();
    // An endpoint the emulator does not emulate has no argument struct to bind into.
    for (resource, endpoint) in spec.all_endpoints().filter(|(_, e)| e.emulator.is_some()) {
        for (n, example) in endpoint.example.iter().enumerate() {
            let module = ident(&resource.stem);
            let test = ident(&format!("{}_{}", snake_case(&endpoint.name), n + 1));
            let ty = ident(&endpoint.name);
            let args = ident(&format!("{}Args", endpoint.name));
            let build = build(spec, endpoint, example)?;
            let mut checks = Vec::new();
            for param in &endpoint.params {
                if param
                    .from_group
                    .as_deref()
                    .is_some_and(|g| ["paging", "search_text"].contains(&g))
                {
                    continue;
                }
                let Some(raw) = example.args.get(&param.field()) else {
                    continue;
                };
                let field = ident(&param.field());
                let place = match param.from_group.as_deref() {
                    Some(group) => {
                        let group = ident(group);
                        quote!(args.#group.#field)
                    }
                    None => quote!(args.#field),
                };
                let binding = param.binding.as_deref().unwrap_or_default();
                // A choice is given by its variant and arrives as its text.
                let as_text;
                let raw = match spec.choice(&param.type_ref().name) {
                    Some(choice) => {
                        let variant = raw.as_str().unwrap_or_default();
                        let wire = choice
                            .keys
                            .iter()
                            .find(|k| k.name == variant)
                            .map(|k| k.wire.clone())
                            .unwrap_or_default();
                        as_text = toml::Value::String(wire);
                        &as_text
                    }
                    // An enum the method takes as `int` arrives as its number.
                    None if binding == "int" && raw.is_str() => {
                        let variant = raw.as_str().unwrap_or_default();
                        let value = spec
                            .enums
                            .iter()
                            .find(|e| e.name == param.type_ref().name)
                            .and_then(|e| e.variants.iter().find(|v| v.name == variant))
                            .map(|v| i64::from(v.value))
                            .unwrap_or_default();
                        as_text = toml::Value::Integer(value);
                        &as_text
                    }
                    None => raw,
                };
                let expected = bound(binding, raw).map_err(|e| {
                    format!(
                        "{DIR}/endpoints: example of {} from {}: `{}`: {e}",
                        endpoint.name,
                        example.source,
                        param.field()
                    )
                })?;
                let wire = param.wire();
                checks.push(quote!(assert_eq!(#place, #expected, #wire);));
            }
            let d = format!(" {} (from {}).", endpoint.name, example.source);
            tests.push(quote! {
                #[doc = #d]
                #[test]
                fn #test() {
                    use r7_proto::crm::#module::*;
                    let endpoint: #ty = #build;
                    let params = crate::binder::sent(&endpoint);
                    let args = super::args::#args::bind(&params, 180).expect("binds");
                    #(#checks)*
                }
            });
        }
    }
    let items = quote! {
        //! The spec's examples as the emulator binds them: every argument the client sends
        //! arrives with its value.
        // One form for every assertion; an example may give no argument to check.
        #![allow(unused_imports, unused_variables, clippy::bool_assert_comparison)]
        use r7_model::*;
        use r7_proto::{CustomFieldValue, SortOrder, TextPair};
        #(#tests)*
    };
    Ok(Output {
        path: "crates/r7-emulator/src/generated/bind_examples.rs".to_owned(),
        text: file(&format!("the examples of {DIR}/endpoints/"), items)?,
    })
}

/// The value an argument of C# type `binding` has once bound from the example's `raw`.
fn bound(binding: &str, raw: &toml::Value) -> Result<TokenStream, String> {
    let text = |v: &toml::Value| v.as_str().map(str::to_owned).ok_or("needs a string");
    let int = |v: &toml::Value| {
        v.as_integer()
            .map(Literal::i64_unsuffixed)
            .ok_or("needs an integer")
    };
    let list = || raw.as_array().ok_or("a list needs an array");
    let guid = |v: &toml::Value| -> Result<TokenStream, String> {
        let s = text(v)?;
        Ok(quote!(#s.parse::<Uuid>().expect("a GUID")))
    };
    Ok(match binding {
        "int" => {
            let n = int(raw)?;
            quote!(#n)
        }
        "bool" => {
            let b = raw.as_bool().ok_or("needs true or false")?;
            quote!(#b)
        }
        "bool?" => {
            let b = raw.as_bool().ok_or("needs true or false")?;
            quote!(Some(#b))
        }
        "decimal" => {
            let f = raw
                .as_float()
                .or_else(|| raw.as_integer().map(|i| i as f64))
                .ok_or("needs a number")?;
            let f = Literal::f64_unsuffixed(f);
            quote!(#f)
        }
        "string" => {
            let s = text(raw)?;
            quote!(Some(#s.to_owned()))
        }
        "Guid" => guid(raw)?,
        "Guid?" => {
            let g = guid(raw)?;
            quote!(Some(#g))
        }
        "ApiDateTime" => {
            let s = text(raw)?;
            quote!(Some(ApiDateTime::parse(#s).expect("a date")))
        }
        "IEnumerable<int>" | "List<int>" => {
            let items = list()?.iter().map(int).collect::<Result<Vec<_>, _>>()?;
            quote!(vec![#(#items),*])
        }
        "IEnumerable<Guid>" => {
            let items = list()?.iter().map(guid).collect::<Result<Vec<_>, _>>()?;
            quote!(vec![#(#items),*])
        }
        "IEnumerable<string>" => {
            let items = list()?.iter().map(text).collect::<Result<Vec<_>, _>>()?;
            quote!(vec![#(#items.to_owned()),*])
        }
        "BidType" => {
            let v = ident(&text(raw)?);
            quote!(BidType::#v)
        }
        "DealMilestoneStatus" => {
            let v = ident(&text(raw)?);
            quote!(StageType::#v)
        }
        "int?" => {
            let n = int(raw)?;
            quote!(Some(#n))
        }
        "ShareType" => {
            let v = ident(&text(raw)?);
            quote!(ShareType::#v)
        }
        "ContactInfoType" => {
            let v = ident(&text(raw)?);
            quote!(ContactInfoType::#v)
        }
        "ContactInfoType?" => {
            let v = ident(&text(raw)?);
            quote!(Some(ContactInfoType::#v))
        }
        "ContactListViewType" => {
            let v = ident(&text(raw)?);
            quote!(ContactListView::#v)
        }
        "DealMilestoneStatus?" => {
            let v = ident(&text(raw)?);
            quote!(Some(StageType::#v))
        }
        "IEnumerable<ItemKeyValuePair<int, string>>" => {
            let items = list()?
                .iter()
                .map(|item| {
                    let table = item
                        .as_table()
                        .ok_or("a custom field value is { key, value }")?;
                    let key = table.get("key").ok_or("`key` is missing")?;
                    let key = int(key)?;
                    let value = table.get("value").ok_or("`value` is missing")?;
                    let value = text(value)?;
                    Ok(quote!((#key, #value.to_owned())))
                })
                .collect::<Result<Vec<_>, String>>()?;
            quote!(vec![#(#items),*])
        }
        "IEnumerable<ContactInfoWrapper>" => {
            let items = list()?
                .iter()
                .map(contact_info)
                .collect::<Result<Vec<_>, String>>()?;
            quote!(vec![#(#items),*])
        }
        "IEnumerable<ItemKeyValuePair<string, string>>" => {
            let items = list()?
                .iter()
                .map(|item| {
                    let (key, value) = text_pair(item)?;
                    Ok(quote!((#key.to_owned(), #value.to_owned())))
                })
                .collect::<Result<Vec<_>, String>>()?;
            quote!(vec![#(#items),*])
        }
        other => return Err(format!("no bound value for the C# type `{other}`")),
    })
}

/// An example's `{ info_type = "Email", category = 1, data = "…", is_primary = true }` as the
/// `ContactInfo` both the client sends and the emulator binds (`is_primary` may be left out).
fn contact_info(raw: &toml::Value) -> Result<TokenStream, String> {
    let table = raw
        .as_table()
        .ok_or("a contact detail is { info_type, category, data, is_primary }")?;
    let info_type = table
        .get("info_type")
        .and_then(toml::Value::as_str)
        .ok_or("`info_type` must be a variant name")?;
    let info_type = ident(info_type);
    let category = table
        .get("category")
        .and_then(toml::Value::as_integer)
        .ok_or("`category` must be an integer")?;
    let category = Literal::i64_unsuffixed(category);
    let data = table
        .get("data")
        .and_then(toml::Value::as_str)
        .ok_or("`data` must be a string")?;
    let primary = match table.get("is_primary") {
        None => false,
        Some(v) => v.as_bool().ok_or("`is_primary` must be true or false")?,
    };
    Ok(quote!(ContactInfo::new(ContactInfoType::#info_type, #category, #data).primary(#primary)))
}

/// The texts of an example's `{ key = "…", value = "…" }`.
fn text_pair(raw: &toml::Value) -> Result<(&str, &str), String> {
    let table = raw.as_table().ok_or("a text pair is { key, value }")?;
    let text = |name: &str| {
        table
            .get(name)
            .and_then(toml::Value::as_str)
            .ok_or(format!("`{name}` must be a string"))
    };
    Ok((text("key")?, text("value")?))
}
