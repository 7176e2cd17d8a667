//! The model (`crates/r7-model/src/generated/`): typed ids, integer enums and one struct per
//! wire type, with the decoding rules applied alike to every field.

use proc_macro2::TokenStream;
use quote::quote;

use super::Output;
use super::rust::{doc, file, ident, pascal, rust_type};
use crate::spec::{Base, DIR, FieldDef, Shape, Spec, TypeDef, TypeRef};

const OUT: &str = "crates/r7-model/src/generated";

pub(crate) fn render(spec: &Spec) -> Result<Vec<Output>, String> {
    let mut outputs = Vec::new();
    let mut modules = vec!["ids".to_owned(), "enums".to_owned()];
    outputs.push(Output {
        path: format!("{OUT}/ids.rs"),
        text: file(&format!("{DIR}/ids.toml"), ids(spec))?,
    });
    outputs.push(Output {
        path: format!("{OUT}/enums.rs"),
        text: file(&format!("{DIR}/enums.toml"), enums(spec))?,
    });
    for types in &spec.types {
        let items: Vec<TokenStream> = types
            .types
            .iter()
            .filter(|t| !t.is_abstract)
            .map(|t| {
                if t.is_union() {
                    union_type(spec, t)
                } else {
                    wire_type(spec, t)
                }
            })
            .collect();
        let stem = &types.stem;
        let module_doc = format!(" The wire types of `{DIR}/types/{stem}.toml`.");
        outputs.push(Output {
            path: format!("{OUT}/{stem}.rs"),
            text: file(
                &format!("{DIR}/types/{stem}.toml"),
                quote! {
                    #![doc = #module_doc]
                    #[allow(unused_imports)]
                    use serde::{Deserialize, Serialize};
                    #[allow(unused_imports)]
                    use crate::*;
                    #(#items)*
                },
            )?,
        });
        modules.push(stem.clone());
    }
    let mods = modules.iter().map(|m| {
        let m = ident(m);
        quote!(mod #m; pub use #m::*;)
    });
    outputs.push(Output {
        path: format!("{OUT}/mod.rs"),
        text: file(
            &format!("{DIR}/ids.toml, enums.toml and types/"),
            quote! {
                //! The generated part of the model: ids, enums and wire types, one module per
                //! spec file. Nothing in this folder is written by hand.
                #(#mods)*
            },
        )?,
    });
    Ok(outputs)
}

fn ids(spec: &Spec) -> TokenStream {
    let items = spec.ids.iter().map(|id| {
        let name = ident(&id.name);
        let d = doc(&id.doc);
        if id.repr == "guid" {
            quote!(crate::id::guid_id! { #d #name })
        } else if id.repr == "key" {
            quote!(crate::id::key_id! { #d #name })
        } else {
            quote!(crate::id::int_id! { #d #name })
        }
    });
    quote! {
        //! Typed ids: one type per kind of object, so that one kind's id cannot be passed where
        //! another's is meant.
        #[allow(unused_imports)]
        use crate::*;
        #(#items)*
    }
}

fn enums(spec: &Spec) -> TokenStream {
    let items = spec.enums.iter().map(|e| {
        let name = ident(&e.name);
        let d = doc(&format!(
            "{}\n\nThe server's `{}` (`{}`).",
            e.doc, e.server, e.source
        ));
        let variants = e.variants.iter().map(|v| {
            let vname = ident(&v.name);
            let vdoc = doc(&v.doc);
            let value = proc_macro2::Literal::i32_unsuffixed(v.value);
            quote!(#vdoc #vname = #value,)
        });
        quote! {
            crate::enums::int_enum! {
                #d
                #name { #(#variants)* }
            }
        }
    });
    quote! {
        //! The integer-coded enums of the CRM wire.
        #[allow(unused_imports)]
        use crate::*;
        #(#items)*
    }
}

/// One struct: every field renamed to its wire name with a PascalCase alias, `null` decoded
/// as the default, `#[non_exhaustive]` so that a new member is not a breaking change.
fn wire_type(spec: &Spec, ty: &TypeDef) -> TokenStream {
    let name = ident(&ty.name);
    let mut text = format!(
        "{}\n\nThe server's `{}` (`{}`).",
        ty.doc, ty.server, ty.source
    );
    if let Some(base) = spec.concrete_base(ty) {
        text.push_str(&format!(
            " It extends [`{}`], whose fields follow its own; [`{}::as_base`] gives that part.",
            base.name, ty.name
        ));
    }
    let d = doc(&text);
    let fields: Vec<&FieldDef> = spec.fields_of(ty);
    let members = fields.iter().map(|f| field(spec, f));
    let base = spec.concrete_base(ty).map(|b| {
        let base_name = ident(&b.name);
        let copies = spec.fields_of(b).into_iter().map(|f| {
            let n = ident(&f.field());
            if is_copy(spec, &TypeRef::parse(&f.ty)) {
                quote!(#n: self.#n,)
            } else {
                quote!(#n: self.#n.clone(),)
            }
        });
        let moves = spec.fields_of(b).into_iter().map(|f| {
            let n = ident(&f.field());
            quote!(#n: base.#n,)
        });
        let method_doc = doc(&format!("The [`{}`] part of this value.", b.name));
        let from_doc = doc(&format!(
            "A value with the [`{}`] part `base` and every other field empty.",
            b.name
        ));
        quote! {
            impl #name {
                #method_doc
                pub fn as_base(&self) -> #base_name {
                    #base_name { #(#copies)* }
                }
                #from_doc
                pub fn from_base(base: #base_name) -> Self {
                    #name { #(#moves)* ..Self::default() }
                }
            }
        }
    });
    quote! {
        #d
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(default)]
        #[non_exhaustive]
        pub struct #name { #(#members)* }
        #base
    }
}

/// One enum over the union's types. It decodes in one pass, as any struct does, through a
/// private struct of every member of every variant, and then picks the variant by the tag: no
/// buffering of the input, and the XML decoder (which sees only text) reads the tag as it reads
/// any `bool`. The members all variants share get an accessor each.
fn union_type(spec: &Spec, ty: &TypeDef) -> TokenStream {
    let name = ident(&ty.name);
    let d = doc(&format!(
        "{}\n\nThe server's `{}` (`{}`).",
        ty.doc, ty.server, ty.source
    ));
    let tag = ident(&crate::spec::snake_case(
        ty.tag.as_deref().unwrap_or_default(),
    ));
    let variants: Vec<(proc_macro2::Ident, &TypeDef, bool, &str)> = ty
        .variant
        .iter()
        .filter_map(|v| {
            Some((
                ident(&v.name),
                spec.type_def(&v.ty)?,
                v.when,
                v.doc.as_str(),
            ))
        })
        .collect();
    let arms = variants.iter().map(|(v, t, _, vdoc)| {
        let t = ident(&t.name);
        let vdoc = doc(vdoc);
        quote!(#vdoc #v(#t),)
    });
    // Every member once, in the order the variants name them.
    let mut all: Vec<&FieldDef> = Vec::new();
    for (_, t, _, _) in &variants {
        for f in spec.fields_of(t) {
            if !all.iter().any(|a| a.field() == f.field()) {
                all.push(f);
            }
        }
    }
    let flat_members = all.iter().map(|f| field(spec, f));
    let build = |t: &TypeDef| {
        let tname = ident(&t.name);
        let moves = spec.fields_of(t).into_iter().map(|f| {
            let n = ident(&f.field());
            quote!(#n: flat.#n,)
        });
        quote!(#tname { #(#moves)* })
    };
    let pick = variants.iter().map(|(v, t, when, _)| {
        let built = build(t);
        let test = if *when {
            quote!(flat.#tag)
        } else {
            quote!(!flat.#tag)
        };
        quote!(if #test { return Ok(#name::#v(#built)); })
    });
    let ser_arms = variants
        .iter()
        .map(|(v, _, _, _)| quote!(#name::#v(v) => v.serialize(serializer),));
    // The members every variant has, with the same type.
    let shared: Vec<&FieldDef> = all
        .iter()
        .copied()
        .filter(|f| {
            variants.iter().all(|(_, t, _, _)| {
                spec.fields_of(t)
                    .iter()
                    .any(|g| g.field() == f.field() && g.ty == f.ty)
            })
        })
        .collect();
    let accessors = shared.iter().map(|f| {
        let n = ident(&f.field());
        let t = TypeRef::parse(&f.ty);
        let fdoc = doc(&f.doc);
        let each = variants.iter().map(|(v, _, _, _)| quote!(#name::#v(v) => &v.#n,));
        let ty = rust_type(spec, &t, None);
        let element = super::rust::element(spec, &t, None);
        let string = matches!(spec.base(&t.name), Some(Base::Prim(crate::spec::Prim::String)));
        match t.shape {
            _ if is_copy(spec, &t) => {
                quote!(#fdoc pub fn #n(&self) -> #ty { *match self { #(#each)* } })
            }
            Shape::List => quote!(#fdoc pub fn #n(&self) -> &[#element] { match self { #(#each)* } }),
            Shape::One if string => quote!(#fdoc pub fn #n(&self) -> &str { match self { #(#each)* } }),
            Shape::Option if string => {
                quote!(#fdoc pub fn #n(&self) -> Option<&str> { match self { #(#each)* }.as_deref() })
            }
            Shape::Option => {
                quote!(#fdoc pub fn #n(&self) -> Option<&#element> { match self { #(#each)* }.as_ref() })
            }
            Shape::One => quote!(#fdoc pub fn #n(&self) -> &#ty { match self { #(#each)* } }),
        }
    });
    let base = variants
        .first()
        .and_then(|(_, t, _, _)| spec.concrete_base(t))
        .filter(|b| {
            variants
                .iter()
                .all(|(_, t, _, _)| spec.concrete_base(t).is_some_and(|c| c.name == b.name))
        })
        .map(|b| {
            let base_name = ident(&b.name);
            let each = variants
                .iter()
                .map(|(v, _, _, _)| quote!(#name::#v(v) => v.as_base(),));
            let method_doc = doc(&format!("The [`{}`] part of this value.", b.name));
            quote!(#method_doc pub fn as_base(&self) -> #base_name { match self { #(#each)* } })
        });
    let message = format!(
        "no variant of {} has this {}",
        ty.name,
        ty.tag.as_deref().unwrap_or_default()
    );
    quote! {
        #d
        // The variants differ by a few members only; boxing them would cost an allocation
        // a value in every long list.
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name { #(#arms)* }
        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                /// Every member of every variant.
                #[derive(Default, Deserialize)]
                #[serde(default)]
                struct Flat { #(#flat_members)* }
                let flat = Flat::deserialize(deserializer)?;
                #(#pick)*
                Err(serde::de::Error::custom(#message))
            }
        }
        impl Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self { #(#ser_arms)* }
            }
        }
        impl #name {
            #(#accessors)*
            #base
        }
    }
}

/// Whether the Rust type is `Copy`: numbers, flags, dates, ids and enums, alone or optional.
fn is_copy(spec: &Spec, t: &TypeRef) -> bool {
    let copy_base = match spec.base(&t.name) {
        Some(Base::Prim(p)) => p != crate::spec::Prim::String,
        Some(Base::Id(_) | Base::Enum(_)) => true,
        _ => false,
    };
    copy_base && t.shape != Shape::List
}

fn field(spec: &Spec, f: &FieldDef) -> TokenStream {
    let t = TypeRef::parse(&f.ty);
    let name = ident(&f.field());
    let ty = rust_type(spec, &t, None);
    let d = doc(&f.doc);
    let wire = &f.name;
    let mut aliases = vec![pascal(&f.name)];
    aliases.extend(f.aliases.iter().cloned());
    aliases.retain(|a| a != wire);
    aliases.dedup();
    let aliases = aliases.iter().map(|a| quote!(alias = #a,));
    // Dates map the server's "no date" to None; other optional members are plain; everything
    // else reads `null` as its default, so one `null` does not fail a whole answer.
    let with = match (spec.base(&t.name), t.shape) {
        (Some(Base::Prim(crate::spec::Prim::DateTime)), Shape::Option) => {
            quote!(with = "crate::datetime::optional",)
        }
        (_, Shape::Option) => quote!(),
        _ => quote!(deserialize_with = "crate::wire::nullable",),
    };
    quote! {
        #d
        #[serde(rename = #wire, #(#aliases)* #with)]
        pub #name: #ty,
    }
}
