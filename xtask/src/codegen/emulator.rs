//! The emulator's wire writers (`crates/r7-emulator/src/generated/wire.rs`): each model type
//! written the way the server writes it, members in the server's order and left out where the
//! server's `EmitDefaultValue = false` leaves them out. The client's own `Serialize` knows
//! none of this.

use quote::quote;

use super::Output;
use super::rust::{file, ident};
use crate::spec::{Base, DIR, ListForm, Shape, Spec, TypeRef};

pub(crate) fn render(spec: &Spec) -> Result<Vec<Output>, String> {
    let impls = spec.all_types().map(|ty| {
        let name = ident(&ty.name);
        let fn_name = ident(&format!("write_{}", crate::spec::snake_case(&ty.name)));
        let members = spec.fields_of(ty).into_iter().map(|f| {
            let t = TypeRef::parse(&f.ty);
            let field = ident(&f.field());
            let wire = &f.name;
            let model = matches!(spec.base(&t.name), Some(Base::Model(_)));
            let value = match (model, t.shape) {
                (true, Shape::Option) => quote!(&v.#field.as_ref().map(Wire)),
                (true, _) => quote!(&Wire(&v.#field)),
                (false, _) => quote!(&v.#field),
            };
            let write = quote!(map.serialize_entry(#wire, #value)?;);
            let mut conditions = Vec::new();
            if !f.emit_default && !f.never_null {
                conditions.push(quote!(!is_default(&v.#field)));
            }
            match f.list_form {
                None => {}
                Some(ListForm::Omit) => conditions.push(quote!(!list)),
                Some(ListForm::OmitEmpty) => {
                    conditions.push(quote!(!(list && is_default(&v.#field))));
                }
            }
            if conditions.is_empty() {
                write
            } else {
                quote!(if #(#conditions)&&* { #write })
            }
        });
        // Types whose members all look alike in list answers do not read the flag.
        let list_param = if spec.fields_of(ty).iter().any(|f| f.list_form.is_some()) {
            ident("list")
        } else {
            ident("_list")
        };
        quote! {
            fn #fn_name<S: Serializer>(v: &#name, #list_param: bool, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(None)?;
                #(#members)*
                map.end()
            }
            impl Serialize for Wire<'_, #name> {
                fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    #fn_name(self.0, false, serializer)
                }
            }
            impl Serialize for WireList<'_, #name> {
                fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    #fn_name(self.0, true, serializer)
                }
            }
        }
    });
    let items = quote! {
        //! The server's wire form of every model type.
        use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
        #[allow(unused_imports)]
        use r7_model::*;

        /// A model value in the server's wire form: `Serialize` writes its members in the
        /// server's order and leaves out what the server leaves out.
        pub(crate) struct Wire<'a, T: ?Sized>(pub(crate) &'a T);

        /// A model value in the form of the server's list answers (`ToList...Wrapper`): as
        /// [`Wire`], less the members those leave out.
        pub(crate) struct WireList<'a, T: ?Sized>(pub(crate) &'a T);

        /// A list of model values, each in the wire form.
        impl<T> Serialize for Wire<'_, Vec<T>>
        where
            for<'a> Wire<'a, T>: Serialize,
        {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
                for item in self.0 {
                    seq.serialize_element(&Wire(item))?;
                }
                seq.end()
            }
        }

        /// What `EmitDefaultValue = false` leaves out: `null`, 0, `false`, and (since the model
        /// reads a missing member as empty) empty texts and lists.
        fn is_default<T: Default + PartialEq>(value: &T) -> bool {
            *value == T::default()
        }

        #(#impls)*
    };
    let arms = spec.all_endpoints().filter_map(|(_, e)| {
        let function = ident(e.emulator.as_deref()?);
        let id = ident(&e.name);
        Some(quote!(EndpointId::#id => handlers::#function,))
    });
    let missing = spec
        .all_endpoints()
        .filter(|(_, e)| e.emulator.is_none())
        .map(|(_, e)| {
            let id = ident(&e.name);
            quote!(EndpointId::#id,)
        });
    let dispatch = quote! {
        //! Which function of the emulator answers each endpoint of the spec (its `emulator`
        //! key): a name that does not exist does not compile.
        use r7_proto::EndpointId;
        use crate::handlers::{self, Handler};

        /// The emulator's function for `id`; `None` for a route it does not emulate yet.
        pub(crate) fn handler(id: EndpointId) -> Option<Handler> {
            Some(match id {
                #(#arms)*
                _ => return None,
            })
        }

        /// The routes of the spec the emulator does not answer yet.
        #[cfg_attr(not(test), allow(dead_code))]
        pub(crate) const NOT_EMULATED: &[EndpointId] = &[#(#missing)*];
    };
    Ok(vec![
        Output {
            path: "crates/r7-emulator/src/generated/dispatch.rs".to_owned(),
            text: file(&format!("{DIR}/endpoints/"), dispatch)?,
        },
        Output {
            path: "crates/r7-emulator/src/generated/wire.rs".to_owned(),
            text: file(&format!("{DIR}/types/"), items)?,
        },
        Output {
            path: "crates/r7-emulator/src/generated/mod.rs".to_owned(),
            text: file(
                &format!("{DIR}/types/"),
                quote! {
                    //! Code generated from the spec. Nothing in this folder is written by hand.
                    pub(crate) mod dispatch;
                    mod wire;
                    pub(crate) use dispatch::handler;
                    pub(crate) use wire::{Wire, WireList};
                },
            )?,
        },
    ])
}
