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
        let items: Vec<TokenStream> = types.types.iter().map(|t| wire_type(spec, t)).collect();
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
    if let Some(base) = &ty.extends {
        text.push_str(&format!(
            " It extends [`{base}`], whose fields follow its own; [`{}::as_base`] gives that part.",
            ty.name
        ));
    }
    let d = doc(&text);
    let fields: Vec<&FieldDef> = spec.fields_of(ty);
    let members = fields.iter().map(|f| field(spec, f));
    let base = ty
        .extends
        .as_deref()
        .and_then(|b| spec.type_def(b))
        .map(|b| {
            let base_name = ident(&b.name);
            let copies = spec.fields_of(b).into_iter().map(|f| {
                let n = ident(&f.field());
                if is_copy(spec, &TypeRef::parse(&f.ty)) {
                    quote!(#n: self.#n,)
                } else {
                    quote!(#n: self.#n.clone(),)
                }
            });
            let method_doc = doc(&format!("The [`{}`] part of this value.", b.name));
            quote! {
                impl #name {
                    #method_doc
                    pub fn as_base(&self) -> #base_name {
                        #base_name { #(#copies)* }
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
