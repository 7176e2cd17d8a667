//! The endpoints (`crates/r7-proto/src/generated/crm/<resource>.rs`): one struct per route
//! with its constructor, builder methods and `Endpoint` impl, and the sort-key enums; plus
//! how the model's ids, enums and types travel (`generated/wire.rs`).

use proc_macro2::TokenStream;
use quote::quote;

use super::Output;
use super::rust::{doc, element, file, ident, is_id, rust_type, with_wire_name};
use crate::spec::{
    Base, DIR, Endpoint, Location, Param, Prim, ResourceFile, Shape, Sort, Spec, TypeRef,
};

const OUT: &str = "crates/r7-proto/src/generated";

pub(crate) fn render(spec: &Spec) -> Result<Vec<Output>, String> {
    let mut outputs = Vec::new();
    let mut modules = Vec::new();
    for resource in &spec.resources {
        let stem = &resource.stem;
        outputs.push(Output {
            path: format!("{OUT}/crm/{stem}.rs"),
            text: file(
                &format!("{DIR}/endpoints/{stem}.toml"),
                resource_module(spec, resource),
            )?,
        });
        let m = ident(stem);
        let module_doc = doc(&format!(
            "The `{stem}` endpoints (`{DIR}/endpoints/{stem}.toml`)."
        ));
        modules.push(quote!(#module_doc pub mod #m;));
    }
    outputs.push(Output {
        path: format!("{OUT}/crm/mod.rs"),
        text: file(
            &format!("{DIR}/endpoints/"),
            quote! {
                //! The CRM endpoints, one module per resource. Each endpoint is a struct named
                //! after what it does (`GetOpportunity`); its doc comment gives the route and the
                //! server's source line.
                #(#modules)*
            },
        )?,
    });
    outputs.push(Output {
        path: format!("{OUT}/wire.rs"),
        text: file(
            &format!("{DIR}/ids.toml, enums.toml and types/"),
            wire(spec),
        )?,
    });
    outputs.push(Output {
        path: format!("{OUT}/mod.rs"),
        text: file(
            &format!("{DIR}/"),
            quote! {
                //! Code generated from the spec. Nothing in this folder is written by hand.
                pub mod crm;
                mod table;
                mod wire;
                pub use table::{EndpointId, ENDPOINTS};
            },
        )?,
    });
    Ok(outputs)
}

/// Ids and enums as form values and path segments, wire types as outputs.
fn wire(spec: &Spec) -> TokenStream {
    let ids = spec.ids.iter().map(|id| {
        let name = ident(&id.name);
        quote! {
            impl WireValue for #name {
                fn write(&self, name: &'static str, form: &mut Form) { form.text(name, self.to_string()); }
            }
            impl Segment for #name {
                fn write_segment(&self, out: &mut String) { let _ = write!(out, "{self}"); }
            }
        }
    });
    let enums = spec.enums.iter().map(|e| {
        let name = ident(&e.name);
        quote! {
            /// The server's binder reads enum names (what its documentation shows) and numbers.
            impl WireValue for #name {
                fn write(&self, name: &'static str, form: &mut Form) {
                    form.text(name, self.name().map_or_else(|| self.to_i32().to_string(), str::to_owned));
                }
            }
            /// In a path, by name too: a number there can fall to another route of the same shape.
            impl Segment for #name {
                fn write_segment(&self, out: &mut String) {
                    match self.name() {
                        Some(name) => out.push_str(name),
                        None => { let _ = write!(out, "{}", self.to_i32()); }
                    }
                }
            }
        }
    });
    let outputs = spec.concrete_types().map(|t| {
        let name = ident(&t.name);
        // A struct may also be the answer of a method that can return null.
        let nullable = (!t.is_union()).then(|| {
            quote! {
                /// `None` for the server's null, `{}` (`<response />` in XML): an answer whose
                /// every member is empty.
                impl FromEnvelope for Option<#name> {
                    type Payload = #name;
                    fn from_envelope(payload: Option<#name>, _: PageInfo) -> Option<Self> {
                        Some(payload.filter(|v| *v != #name::default()))
                    }
                }
            }
        });
        quote! {
            impl FromEnvelope for #name {
                type Payload = #name;
                fn from_envelope(payload: Option<#name>, _: PageInfo) -> Option<#name> { payload }
            }
            #nullable
        }
    });
    quote! {
        //! How the model's ids and enums travel in requests, and its wire types as outputs.
        use std::fmt::Write as _;
        #[allow(unused_imports)]
        use r7_model::*;
        use crate::form::{Form, WireValue};
        use crate::output::{FromEnvelope, PageInfo};
        use crate::path::Segment;
        #(#ids)*
        #(#enums)*
        #(#outputs)*
    }
}

fn resource_module(spec: &Spec, resource: &ResourceFile) -> TokenStream {
    let sorts = resource
        .sort
        .iter()
        .map(sort_enum)
        .chain(resource.choice.iter().map(choice_enum));
    // A sort another file declares (the same server enum) is that file's type, re-exported.
    let mut borrowed: Vec<TokenStream> = Vec::new();
    for sort in resource
        .endpoint
        .iter()
        .filter_map(|e| e.sort_by.as_deref())
    {
        if resource.sort.iter().any(|s| s.name == sort) {
            continue;
        }
        if let Some(owner) = spec
            .resources
            .iter()
            .find(|r| r.sort.iter().any(|s| s.name == sort))
        {
            let (owner, sort) = (ident(&owner.stem), ident(sort));
            let line = quote!(pub use super::#owner::#sort;);
            if !borrowed.iter().any(|b| b.to_string() == line.to_string()) {
                borrowed.push(line);
            }
        }
    }
    let endpoints = resource.endpoint.iter().map(|e| endpoint(spec, e));
    let module_doc = format!(
        " The `{}` endpoints, as `{DIR}/endpoints/{}.toml` describes them.",
        resource.stem, resource.stem
    );
    quote! {
        #![doc = #module_doc]
        #[allow(unused_imports)]
        use std::borrow::Cow;
        use http::Method;
        #[allow(unused_imports)]
        use r7_model::*;
        #[allow(unused_imports)]
        use crate::endpoint::{Body, Endpoint, Paged};
        use crate::generated::EndpointId;
        #[allow(unused_imports)]
        use crate::error::BuildError;
        #[allow(unused_imports)]
        use crate::form::{check, CustomFieldValue, Form, SortOrder, TextPair, Upload, WireValue};
        #[allow(unused_imports)]
        use crate::output::{NoContent, Page};
        #[allow(unused_imports)]
        use crate::path;
        #(#borrowed)*
        #(#sorts)*
        #(#endpoints)*
    }
}

fn sort_enum(sort: &Sort) -> TokenStream {
    let about = format!(
        "Sent as `sortBy`; the server parses it at `{}`.",
        sort.source
    );
    text_enum(
        sort,
        &about,
        "Every key, in the spec's order.",
        "The text sent as `sortBy`.",
        None,
    )
}

/// A `[[choice]]`: the same enum as a sort's, sent as its text in the path or a field.
fn choice_enum(choice: &Sort) -> TokenStream {
    let name = ident(&choice.name);
    let about = format!(
        "Sent as its text; the route allows exactly these (`{}`).",
        choice.source
    );
    let segment = quote! {
        impl path::Segment for #name {
            // The texts are the route's own, unreserved characters only.
            fn write_segment(&self, out: &mut String) { out.push_str(self.as_str()); }
        }
    };
    text_enum(
        choice,
        &about,
        "Every value, in the route's order.",
        "The text sent.",
        Some(segment),
    )
}

/// An enum of texts (a sort's keys or a choice's values): its variants, `ALL`, `as_str` and
/// how a form writes it, plus `extra`.
fn text_enum(
    set: &Sort,
    about: &str,
    all_doc: &str,
    str_doc: &str,
    extra: Option<TokenStream>,
) -> TokenStream {
    let name = ident(&set.name);
    let d = doc(&format!("{}\n\n{about}", set.doc));
    let (all_doc, str_doc) = (format!(" {all_doc}"), format!(" {str_doc}"));
    let variants = set.keys.iter().map(|k| {
        let v = ident(&k.name);
        let vd = doc(&format!("{} (`{}`)", k.doc.trim_end_matches('.'), k.wire));
        quote!(#vd #v,)
    });
    let all = set.keys.iter().map(|k| {
        let v = ident(&k.name);
        quote!(#name::#v,)
    });
    let arms = set.keys.iter().map(|k| {
        let v = ident(&k.name);
        let w = &k.wire;
        quote!(#name::#v => #w,)
    });
    quote! {
        #d
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name { #(#variants)* }
        impl #name {
            #[doc = #all_doc]
            pub const ALL: &'static [#name] = &[#(#all)*];
            #[doc = #str_doc]
            pub fn as_str(self) -> &'static str { match self { #(#arms)* } }
        }
        impl WireValue for #name {
            fn write(&self, name: &'static str, form: &mut Form) { form.text(name, self.as_str().to_owned()); }
        }
        #extra
    }
}

/// How a parameter is taken by `new` or its builder method: the argument type and the
/// expression that makes the field from it.
fn argument(spec: &Spec, p: &Param, sort_by: Option<&str>) -> (TokenStream, TokenStream) {
    let t = p.type_ref();
    let name = ident(&p.field());
    let el = element(spec, &t, sort_by);
    let convertible = is_id(spec, &t) || t.name == "string";
    match (t.shape, convertible) {
        (Shape::List, true) => (
            quote!(impl IntoIterator<Item = impl Into<#el>>),
            quote!(#name.into_iter().map(Into::into).collect()),
        ),
        (Shape::List, false) => (
            quote!(impl IntoIterator<Item = #el>),
            quote!(#name.into_iter().collect()),
        ),
        (_, true) => (quote!(impl Into<#el>), quote!(#name.into())),
        (_, false) => (el, quote!(#name)),
    }
}

fn endpoint(spec: &Spec, e: &Endpoint) -> TokenStream {
    let name = ident(&e.name);
    let sort_by = e.sort_by.as_deref();
    let template = e.template();
    let route = e.path.strip_prefix("api/2.0/").unwrap_or(&e.path);
    let mut text = format!("`{} {}`\n\n{}", e.method, template, e.doc.trim());
    if e.undocumented {
        text.push_str("\n\nNot in the server's published documentation, but routed.");
    }
    text.push_str(&format!(
        "\n\nThe server's route: `{route}` at `{}`.",
        e.source
    ));
    let d = doc(&text);

    // Fields.
    let fields = e.params.iter().map(|p| {
        let t = p.type_ref();
        let shape = if p.required || t.shape == Shape::List {
            t.shape
        } else {
            Shape::Option
        };
        let ty = rust_type(
            spec,
            &TypeRef {
                name: t.name.clone(),
                shape,
            },
            sort_by,
        );
        let f = ident(&p.field());
        let fd = doc(&with_wire_name(
            p.doc.as_deref().unwrap_or_default(),
            p.wire(),
        ));
        quote!(#fd pub #f: #ty,)
    });
    let all_field = e.destructive_filter.as_ref().map(|effect| {
        let ad = doc(&format!(
            "Whether the request is meant to go without a filter, as [`Self::all`] makes it; \
             never sent. Without it, a request with no filter is refused before sending, \
             because the portal would then {effect}."
        ));
        quote!(#ad all: bool,)
    });

    // Constructor and builders.
    let required: Vec<&Param> = e.params.iter().filter(|p| p.required).collect();
    let args = required.iter().map(|p| {
        let f = ident(&p.field());
        let (ty, _) = argument(spec, p, sort_by);
        quote!(#f: #ty)
    });
    let args: Vec<TokenStream> = args.collect();
    let inits = e.params.iter().map(|p| {
        let f = ident(&p.field());
        if p.required {
            let (_, conv) = argument(spec, p, sort_by);
            if conv.to_string() == p.field() {
                quote!(#f,)
            } else {
                quote!(#f: #conv,)
            }
        } else if p.is_list() {
            quote!(#f: Vec::new(),)
        } else {
            quote!(#f: None,)
        }
    });
    let all_init = e.destructive_filter.as_ref().map(|_| quote!(all: false,));
    let mut new_doc = "The request with its required parameters; the others are unset.".to_owned();
    if e.destructive_filter.is_some() {
        new_doc.push_str(
            "\n\nIt has no filter yet: set one before sending, or it is refused; [`Self::all`] \
             makes the request that goes without one.",
        );
    }
    let new_doc = doc(&new_doc);
    let all_ctor = e.destructive_filter.as_ref().map(|effect| {
        let names = required.iter().map(|p| ident(&p.field()));
        let ad = doc(&format!(
            "The request with no filter, meant for everything: the portal will {effect}.\n\n\
             Going without a filter must be asked for by name like this: a request from \
             [`Self::new`] with no filter is refused before sending. Filters set afterwards \
             still apply."
        ));
        quote! {
            #ad
            pub fn all(#(#args),*) -> Self { #name { all: true, ..Self::new(#(#names),*) } }
        }
    });
    let builders = e.params.iter().filter(|p| !p.required).map(|p| {
        let f = ident(&p.field());
        let (ty, conv) = argument(spec, p, sort_by);
        let value = if p.is_list() {
            conv
        } else {
            quote!(Some(#conv))
        };
        let bd = doc(&format!(
            "Sets [`{}`](Self::{}): {}",
            p.field(),
            p.field(),
            lower_first(p.doc.as_deref().unwrap_or_default().trim())
        ));
        quote! {
            #bd
            pub fn #f(mut self, #f: #ty) -> Self { self.#f = #value; self }
        }
    });
    let default_impl = required
        .is_empty()
        .then(|| quote!(impl Default for #name { fn default() -> Self { Self::new() } }));

    // The Endpoint impl.
    let output = match e.output_ref() {
        None => quote!(NoContent),
        Some(t) if t.shape == Shape::List => {
            let el = element(spec, &t, None);
            quote!(Page<#el>)
        }
        // `bool?` becomes `Option<bool>`.
        Some(t) => rust_type(spec, &t, None),
    };
    let method = ident(&e.method);
    let auth = (!e.auth).then(|| {
        quote!(
            fn auth(&self) -> crate::endpoint::Auth {
                crate::endpoint::Auth::None
            }
        )
    });
    let idempotent = e.is_idempotent();
    let validate = validate(spec, e);
    let write_path = write_path(e);
    let query = form(spec, e, Location::Query);
    let body = form(spec, e, Location::Body);
    let query = (!query.is_empty()).then(|| {
        quote! {
            fn query(&self) -> Vec<(Cow<'static, str>, String)> {
                let mut form = Form::default(); #(#query)* form.into_query()
            }
        }
    });
    let body = (!body.is_empty()).then(|| {
        quote! {
            fn body(&self) -> Result<Option<Body>, BuildError> {
                let mut form = Form::default(); #(#body)* form.into_body()
            }
        }
    });
    let total = (!e.total_counts_all).then(|| {
        quote!(
            const TOTAL_COUNTS_ALL: bool = false;
        )
    });
    let paged = e.paged.then(|| {
        quote! {
            impl Paged for #name {
                #total
                fn page_start(&self) -> Option<u64> { self.start_index }
                fn page_size(&self) -> Option<u64> { self.count }
                fn with_page(&self, start_index: u64, count: u64) -> Self {
                    let mut next = self.clone();
                    next.start_index = Some(start_index);
                    next.count = Some(count);
                    next
                }
            }
        }
    });
    quote! {
        #d
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct #name { #(#fields)* #all_field }
        impl #name {
            /// Which endpoint this is, in [`crate::ENDPOINTS`].
            pub const ID: EndpointId = EndpointId::#name;
            #new_doc
            pub fn new(#(#args),*) -> Self { #name { #(#inits)* #all_init } }
            #all_ctor
            #(#builders)*
        }
        #default_impl
        impl Endpoint for #name {
            type Output = #output;
            fn id(&self) -> Option<EndpointId> { Some(Self::ID) }
            fn method(&self) -> Method { Method::#method }
            fn path_template(&self) -> &str { #template }
            #auth
            fn idempotent(&self) -> bool { #idempotent }
            #validate
            #write_path
            #query
            #body
        }
        #paged
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn form(spec: &Spec, e: &Endpoint, location: Location) -> Vec<TokenStream> {
    e.params
        .iter()
        .filter(|p| p.location == Some(location))
        .map(|p| {
            let wire = p.wire();
            let f = ident(&p.field());
            // An enum the method takes as a plain `int` goes as its number: the binder converts
            // `int` from digits only (the names an enum parameter accepts are a 400 here).
            let as_number = p.binding.as_deref() == Some("int")
                && matches!(spec.base(&p.type_ref().name), Some(Base::Enum(_)));
            match (as_number, p.required) {
                (true, true) => quote!(form.push(#wire, &self.#f.to_i32());),
                (true, false) => quote!(form.push(#wire, &self.#f.map(|v| v.to_i32()));),
                (false, _) => quote!(form.push(#wire, &self.#f);),
            }
        })
        .collect()
}

/// The literal parts of the path and its placeholders, each filled from its parameter.
fn write_path(e: &Endpoint) -> TokenStream {
    let template = e.template();
    let mut steps = Vec::new();
    let mut rest = template.as_str();
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map_or(rest.len(), |i| open + i);
        let literal = &rest[..open];
        match literal.len() {
            0 => {}
            1 => {
                let c = literal.chars().next().unwrap_or('/');
                steps.push(quote!(out.push(#c);));
            }
            _ => steps.push(quote!(out.push_str(#literal);)),
        }
        let placeholder = &rest[open + 1..close];
        let param = e.params.iter().find(|p| {
            (p.location == Some(Location::Path) && p.wire() == placeholder)
                || p.path_too.as_deref() == Some(placeholder)
        });
        if let Some(p) = param {
            let f = ident(&p.field());
            steps.push(quote!(path::Segment::write_segment(&self.#f, out);));
        }
        rest = rest.get(close + 1..).unwrap_or_default();
    }
    if !rest.is_empty() {
        steps.push(quote!(out.push_str(#rest);));
    }
    quote! {
        fn write_path(&self, out: &mut String) { #(#steps)* }
    }
}

fn validate(spec: &Spec, e: &Endpoint) -> Option<TokenStream> {
    let mut checks = Vec::new();
    for p in &e.params {
        let t = p.type_ref();
        let f = ident(&p.field());
        let wire = p.wire();
        let int_id = matches!(spec.base(&t.name), Some(Base::Id(n)) if spec.id_def(&n).is_some_and(|d| d.repr == "int"));
        if int_id && !p.negative {
            checks.push(match (t.shape, p.required) {
                (Shape::List, _) => quote!(for id in &self.#f { check::id(#wire, id.get())?; }),
                (_, true) => quote!(check::id(#wire, self.#f.get())?;),
                (_, false) => quote!(if let Some(id) = self.#f { check::id(#wire, id.get())?; }),
            });
        }
        if p.location == Some(Location::Path) && t.name == "int" {
            // The server refuses an id of 0 or less in the routes that take any entity's id.
            checks.push(quote!(check::id(#wire, i64::from(self.#f))?;));
        }
        if p.location == Some(Location::Path) && t.name == "string" {
            checks.push(quote!(check::segment(#wire, &self.#f)?;));
        }
        if p.nonempty {
            checks.push(quote!(check::nonempty(#wire, &self.#f)?;));
        }
        if let Some(allowed) = &p.allowed {
            checks.push(quote!(check::one_of(#wire, &self.#f, &[#(#allowed),*])?;));
        }
    }
    for p in &e.params {
        if let Some(partner) = &p.with {
            let f = ident(&p.field());
            let wire = p.wire();
            let pf = e
                .params
                .iter()
                .find(|q| q.wire() == partner)
                .map_or_else(|| ident("missing"), |q| ident(&q.field()));
            checks.push(
                quote!(check::together(#wire, self.#f.is_some(), #partner, self.#pf.is_some())?;),
            );
        }
        if p.comma_cut {
            let f = ident(&p.field());
            let wire = p.wire();
            checks.push(quote!(check::no_comma(#wire, &self.#f)?;));
        }
    }
    if let Some(effect) = &e.destructive_filter {
        let filters: Vec<&Param> = e.params.iter().filter(|p| p.filter).collect();
        let narrowing = filters.iter().map(|p| narrows(spec, p));
        let listed: Vec<String> = filters.iter().map(|p| format!("`{}`", p.field())).collect();
        let reason = format!(
            "no filter is set (one of {}), and without one the portal would {effect}; \
             set a filter, or build the request with `{}::all()` to mean everything",
            listed.join(", "),
            e.name
        );
        checks.push(quote!(check::some_filter(self.all, &[#(#narrowing),*], #reason)?;));
    }
    (!checks.is_empty())
        .then(|| quote!(fn validate(&self) -> Result<(), BuildError> { #(#checks)* Ok(()) }))
}

/// Whether a filter parameter makes the server narrow what it acts on. The rules are the
/// server's (`DealDao.WhereConditional` and `GetCrudeDeals`): the nil GUID is "anyone", a blank
/// search text "anything", and a blank tag is not one a caller means.
fn narrows(spec: &Spec, p: &Param) -> TokenStream {
    let t = p.type_ref();
    let f = ident(&p.field());
    match spec.base(&t.name) {
        Some(Base::Id(n)) if spec.id_def(&n).is_some_and(|d| d.repr == "guid") => {
            quote!(self.#f.is_some_and(|id| !id.get().is_nil()))
        }
        Some(Base::Prim(Prim::String)) if t.shape == Shape::List => {
            quote!(self.#f.iter().any(|tag| !tag.trim().is_empty()))
        }
        Some(Base::Prim(Prim::String)) => {
            quote!(self.#f.as_deref().is_some_and(|text| !text.trim().is_empty()))
        }
        _ => quote!(self.#f.is_some()),
    }
}
