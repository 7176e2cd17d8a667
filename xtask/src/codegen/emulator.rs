//! The emulator's wire writers (`crates/r7-emulator/src/generated/wire.rs`): each model type
//! written the way the server writes it, members in the server's order and left out where the
//! server's `EmitDefaultValue = false` leaves them out. The client's own `Serialize` knows
//! none of this.

use quote::quote;

use super::Output;
use super::rust::{file, ident};
use crate::spec::{Base, DIR, ListForm, Shape, Spec, TypeRef};

pub(crate) fn render(spec: &Spec) -> Result<Vec<Output>, String> {
    let impls = spec.concrete_types().map(|ty| {
        let name = ident(&ty.name);
        if ty.is_union() {
            let arms = ty.variant.iter().map(|v| {
                let v = ident(&v.name);
                quote!(#name::#v(v) => Wire(v).serialize(serializer),)
            });
            let list_arms = ty.variant.iter().map(|v| {
                let v = ident(&v.name);
                quote!(#name::#v(v) => WireList(v).serialize(serializer),)
            });
            return quote! {
                impl Serialize for Wire<'_, #name> {
                    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                        match self.0 { #(#arms)* }
                    }
                }
                impl Serialize for WireList<'_, #name> {
                    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                        match self.0 { #(#list_arms)* }
                    }
                }
            };
        }
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
    let mut arms = Vec::new();
    for (resource, e) in spec.all_endpoints() {
        let Some(emulated) = &e.emulator else {
            continue;
        };
        let id = ident(&e.name);
        let args = ident(&format!("{}Args", e.name));
        let call = match &emulated.hook {
            Some(hook) => {
                let module = ident(&resource.stem);
                let hook = ident(hook);
                quote!(behaviour::#module::#hook(crm, args, call))
            }
            None => op_call(e, emulated)?,
        };
        // Every argument is bound, so that a bad value is the server's 400 even where the
        // operation reads none of them (a list).
        let unused =
            (emulated.op.as_deref() == Some("list")).then(|| quote!(#[allow(unused_variables)]));
        arms.push(quote! {
            EndpointId::#id => |crm, call| {
                #unused
                let args = args::#args::bind(&call.params, crm.utc_offset())?;
                #call
            },
        });
    }
    let missing = spec
        .all_endpoints()
        .filter(|(_, e)| e.emulator.is_none())
        .map(|(_, e)| {
            let id = ident(&e.name);
            quote!(EndpointId::#id,)
        });
    let dispatch = quote! {
        //! How the emulator answers each endpoint of the spec (its `emulator` table): a generic
        //! operation of `ops` on an entity, or a hook of `behaviour`, called with the
        //! endpoint's arguments bound first. A name that does not exist, an entity without
        //! the operation's trait, or a hook that does not take the endpoint's arguments does
        //! not compile.
        use r7_proto::EndpointId;
        use crate::behaviour;
        use crate::ops::{self, Handler};
        use super::args;

        /// The emulator's function for `id`; `None` for a route it does not emulate yet.
        pub(crate) fn handler(id: EndpointId) -> Option<Handler> {
            let handler: Handler = match id {
                #(#arms)*
                _ => return None,
            };
            Some(handler)
        }

        /// The routes of the spec the emulator does not answer yet.
        #[cfg_attr(not(test), allow(dead_code))]
        pub(crate) const NOT_EMULATED: &[EndpointId] = &[#(#missing)*];
    };
    Ok(vec![
        render_args(spec)?,
        render_filters(spec)?,
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
                    pub(crate) mod args;
                    #[cfg(test)]
                    mod bind_examples;
                    pub(crate) mod dispatch;
                    mod filters;
                    mod wire;
                    pub(crate) use dispatch::handler;
                    pub(crate) use wire::{Wire, WireList};
                },
            )?,
        },
    ])
}

/// The call of a generic operation for an endpoint: which of the endpoint's arguments are the
/// operation's id, ids, fields or value follows from their place (path or not), their binding
/// and their group, and an endpoint where that is not one argument is a spec error.
pub(crate) fn op_call(
    e: &crate::spec::Endpoint,
    emulated: &crate::spec::Emulated,
) -> Result<proc_macro2::TokenStream, String> {
    use crate::spec::Location;
    let op = emulated.op.as_deref().unwrap_or_default();
    let fail = |what: &str| format!("emulator: op `{op}` needs {what}");
    let entity = ident(
        emulated
            .entity
            .as_deref()
            .ok_or_else(|| fail("an `entity`"))?,
    );
    let entity = quote!(r7_model::#entity);
    let own: Vec<&crate::spec::Param> =
        e.params.iter().filter(|p| p.from_group.is_none()).collect();
    let path_ids: Vec<proc_macro2::Ident> = own
        .iter()
        .filter(|p| p.location == Some(Location::Path) && p.binding.as_deref() == Some("int"))
        .map(|p| ident(&p.field()))
        .collect();
    let mut groups: Vec<&str> = e
        .params
        .iter()
        .filter_map(|p| p.from_group.as_deref())
        .filter(|g| !FRAMEWORK_GROUPS.contains(g))
        .collect();
    groups.dedup();
    let others: Vec<&&crate::spec::Param> = own
        .iter()
        .filter(|p| p.location != Some(Location::Path))
        .collect();
    let one_id = || match path_ids.as_slice() {
        [id] => Ok(quote!(args.#id)),
        _ => Err(fail("exactly one `int` path parameter")),
    };
    let ids = || match others.as_slice() {
        [p] if p.binding.as_deref() == Some("IEnumerable<int>") => {
            let name = ident(&p.field());
            Ok(quote!(args.#name))
        }
        _ => Err(fail("exactly one other parameter, an `IEnumerable<int>`")),
    };
    let group = || match groups.as_slice() {
        [g] => {
            let name = ident(g);
            Ok(quote!(args.#name))
        }
        _ => Err(fail("exactly one parameter group")),
    };
    // A create or an update writes from its group when it has one, else from all its arguments.
    let fields = || {
        if groups.is_empty() {
            Ok(quote!(args))
        } else {
            group()
        }
    };
    let positive = emulated.positive;
    let void = e.output == "none";
    let with = || {
        emulated
            .with
            .as_deref()
            .map(|with| {
                let with = ident(with);
                quote!(r7_model::#with)
            })
            .ok_or_else(|| fail("`with`"))
    };
    let two_ids = || match path_ids.as_slice() {
        [a, b] => Ok((quote!(args.#a), quote!(args.#b))),
        _ => Err(fail("exactly two `int` path parameters")),
    };
    Ok(match op {
        "get" => {
            let id = one_id()?;
            quote!(ops::get::<#entity>(crm, #id, #positive))
        }
        "list" => quote!(ops::list::<#entity>(crm, call)),
        "delete" => {
            let id = one_id()?;
            quote!(ops::delete::<#entity>(crm, #id, #positive))
        }
        "delete_many" => {
            let ids = ids()?;
            quote!(ops::delete_many::<#entity>(crm, #ids, call))
        }
        "delete_by_filter" => {
            let group = group()?;
            quote!(ops::delete_by_filter::<#entity, _>(crm, &#group, call))
        }
        "list_filtered" => {
            let group = group()?;
            quote!(ops::list_filtered::<#entity, _>(crm, &#group, call))
        }
        "create" => {
            let fields = fields()?;
            quote!(ops::create::<#entity, _>(crm, #fields))
        }
        "update" => {
            let id = one_id()?;
            let fields = fields()?;
            quote!(ops::update::<#entity, _>(crm, #id, #fields, #positive))
        }
        "set_field" => {
            let id = one_id()?;
            let column = ident(emulated.field.as_deref().ok_or_else(|| fail("a `field`"))?);
            let value = match others.as_slice() {
                [p] => ident(&p.field()),
                _ => return Err(fail("exactly one parameter besides the path's")),
            };
            quote!(ops::set_field::<#entity, _, _>(
                crm, #id, #positive, |row| &mut row.#column, args.#value, #void,
            ))
        }
        "reorder" => {
            let ids = ids()?;
            quote!(ops::reorder::<#entity>(crm, #ids, call))
        }
        "link" | "unlink" => {
            let (owner, linked) = two_ids()?;
            let with = with()?;
            let function = ident(op);
            quote!(ops::#function::<#entity, #with>(crm, #owner, #linked, #positive))
        }
        "linked" => {
            let owner = one_id()?;
            let with = with()?;
            quote!(ops::linked::<#entity, #with>(crm, #owner, call, #positive))
        }
        other => return Err(format!("emulator: `{other}` is not a generic operation")),
    })
}

/// What the server's binder makes of a C# parameter type: (Rust type, how `Params` reads it).
/// Only the types the spec uses; another one is a generator error, so that a binding is never
/// guessed.
const BINDINGS: &[(&str, &str, &str)] = &[
    ("int", "i64", "params.int(W)?"),
    ("bool", "bool", "params.bool(W)?"),
    ("bool?", "Option<bool>", "params.opt_bool(W)?"),
    ("decimal", "f64", "params.decimal(W)?"),
    ("string", "Option<String>", "params.string(W)"),
    ("Guid", "Uuid", "params.guid(W)?"),
    ("Guid?", "Option<Uuid>", "params.opt_guid(W)?"),
    (
        "ApiDateTime",
        "Option<ApiDateTime>",
        "params.date(W, offset)?",
    ),
    ("int?", "Option<i64>", "params.opt_int(W)?"),
    ("ShareType", "ShareType", "params.share_type(W)?"),
    (
        "ContactInfoType",
        "ContactInfoType",
        "params.contact_info_type(W)?",
    ),
    (
        "ContactInfoType?",
        "Option<ContactInfoType>",
        "params.opt_contact_info_type(W)?",
    ),
    (
        "ContactListViewType",
        "ContactListView",
        "params.contact_list_view(W)?",
    ),
    ("IEnumerable<int>", "Vec<i64>", "params.ints(W)?"),
    ("List<int>", "Vec<i64>", "params.ints(W)?"),
    ("IEnumerable<Guid>", "Vec<Uuid>", "params.guids(W)?"),
    ("IEnumerable<string>", "Vec<String>", "params.strings(W)"),
    ("BidType", "BidType", "params.bid_type(W)?"),
    ("DealMilestoneStatus", "StageType", "params.stage_type(W)?"),
    (
        "DealMilestoneStatus?",
        "Option<StageType>",
        "params.opt_stage_type(W)?",
    ),
    (
        "IEnumerable<ItemKeyValuePair<int, string>>",
        "Vec<(i64, String)>",
        "params.key_values(W)?",
    ),
    (
        "IEnumerable<ContactInfoWrapper>",
        "Vec<ContactInfo>",
        "params.contact_infos(W)?",
    ),
    (
        "IEnumerable<ItemKeyValuePair<string, string>>",
        "Vec<(String, String)>",
        "params.text_pairs(W)",
    ),
];

/// Groups the framework reads from the query string itself, not the method's signature.
const FRAMEWORK_GROUPS: &[&str] = &["paging", "search_text"];

type Bound = (Vec<proc_macro2::TokenStream>, Vec<proc_macro2::TokenStream>);

/// The fields and the binding of a list of parameters, or the binding that is not known.
fn bound_fields(params: &[&crate::spec::Param]) -> Result<Bound, String> {
    let mut fields = Vec::new();
    let mut binds = Vec::new();
    for p in params {
        let binding = p.binding.as_deref().unwrap_or_default();
        let Some((_, ty, read)) = BINDINGS.iter().find(|(b, _, _)| *b == binding) else {
            return Err(format!(
                "parameter `{}`: the emulator cannot bind the C# type `{binding}` yet \
                 (add it to BINDINGS in xtask/src/codegen/emulator.rs)",
                p.wire()
            ));
        };
        let name = ident(&p.field());
        let ty: proc_macro2::TokenStream = ty.parse().map_err(|_| "bad type".to_owned())?;
        let read: proc_macro2::TokenStream = read
            .replace('W', &format!("{:?}", p.wire()))
            .parse()
            .map_err(|_| "bad binding".to_owned())?;
        let doc = format!(" `{}` (`{binding}`).", p.wire());
        fields.push(quote!(#[doc = #doc] pub(crate) #name: #ty,));
        binds.push(quote!(#name: #read,));
    }
    Ok((fields, binds))
}

/// `crates/r7-emulator/src/generated/args.rs`: one argument struct per endpoint (and per
/// parameter group it uses), bound as the server's binder binds the C# signature.
fn render_args(spec: &Spec) -> Result<Output, String> {
    let mut items = Vec::new();
    for group in spec
        .groups
        .iter()
        .filter(|g| !FRAMEWORK_GROUPS.contains(&g.name.as_str()))
    {
        let name = ident(&format!("{}Args", pascal_case(&group.name)));
        // Bound in the method's signature order where the spec gives it.
        let mut params: Vec<&crate::spec::Param> = group.param.iter().collect();
        if let Some(signature) = &group.signature {
            params.sort_by_key(|p| signature.iter().position(|s| s == p.wire()));
        }
        let (fields, binds) =
            bound_fields(&params).map_err(|e| format!("group {}: {e}", group.name))?;
        let doc = format!(" The `{}` group: {}", group.name, group.doc.trim());
        items.push(quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, Default)]
            pub(crate) struct #name { #(#fields)* }
            impl #name {
                /// Binds the group's parameters from the request's values.
                pub(crate) fn bind(params: &Params, offset: i16) -> Result<Self, ApiError> {
                    let _ = offset;
                    Ok(#name { #(#binds)* })
                }
            }
        });
    }
    // The endpoints the emulator does not emulate bind nothing.
    for (_, e) in spec.all_endpoints().filter(|(_, e)| e.emulator.is_some()) {
        let name = ident(&format!("{}Args", e.name));
        let mut fields = Vec::new();
        let mut binds = Vec::new();
        let mut seen_groups: Vec<&str> = Vec::new();
        for p in &e.params {
            match p.from_group.as_deref() {
                Some(group) if FRAMEWORK_GROUPS.contains(&group) => {}
                Some(group) => {
                    if !seen_groups.contains(&group) {
                        seen_groups.push(group);
                        let field = ident(group);
                        let ty = ident(&format!("{}Args", pascal_case(group)));
                        let doc = format!(" The `{group}` group.");
                        fields.push(quote!(#[doc = #doc] pub(crate) #field: #ty,));
                        binds.push(quote!(#field: #ty::bind(params, offset)?,));
                    }
                }
                None => {
                    let (f, b) =
                        bound_fields(&[p]).map_err(|err| format!("endpoint {}: {err}", e.name))?;
                    fields.extend(f);
                    binds.extend(b);
                }
            }
        }
        let doc = format!(
            " The arguments of `{}`, as the server binds its method's signature.",
            e.name
        );
        items.push(quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, Default)]
            #[allow(dead_code, reason = "bound as the server binds it, though some methods never read an argument (the custom field routes' entityType)")]
            pub(crate) struct #name { #(#fields)* }
            impl #name {
                /// Binds every argument first, as the server does, so that a bad value is a
                /// 400 before the method runs.
                pub(crate) fn bind(params: &Params, offset: i16) -> Result<Self, ApiError> {
                    let _ = (params, offset);
                    Ok(#name { #(#binds)* })
                }
            }
        });
    }
    let tokens = quote! {
        //! The arguments of every endpoint, typed by the server's C# binding types (the spec's
        //! `binding`): a missing `int` is 0, a missing `bool` false, a missing collection
        //! empty, a missing `string` `None`; a value that does not convert is the server's 400.
        #[allow(unused_imports)]
        use r7_model::{
            ApiDateTime, BidType, ContactInfo, ContactInfoType, ContactListView, ShareType, StageType, Uuid,
        };
        use crate::binder::Params;
        use crate::wire::ApiError;
        #(#items)*
    };
    Ok(Output {
        path: "crates/r7-emulator/src/generated/args.rs".to_owned(),
        text: file(&format!("{DIR}/endpoints/ and groups.toml"), tokens)?,
    })
}

/// `opportunity_filter` → `OpportunityFilter`.
fn pascal_case(name: &str) -> String {
    name.split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// `crates/r7-emulator/src/generated/filters.rs`: for each group with an `entity`, the
/// `Filtered` impl that selects the entity's rows with the group's predicates, over the
/// columns of `behaviour::<entity>::columns` (a column that does not exist does not compile).
fn render_filters(spec: &Spec) -> Result<Output, String> {
    let mut impls = Vec::new();
    for group in spec.groups.iter().filter(|g| g.entity.is_some()) {
        let entity_name = group.entity.as_deref().unwrap_or_default();
        let entity = ident(entity_name);
        let module = ident(&crate::spec::snake_case(entity_name));
        let args = ident(&format!("{}Args", pascal_case(&group.name)));
        let mut bindings = Vec::new();
        let mut tests = Vec::new();
        for param in &group.param {
            let Some(p) = &param.predicate else { continue };
            let field = ident(&param.field());
            if let Some(column) = &p.eq {
                let column = ident(column);
                // The parameter an `instead` changes matches that column when it is true.
                let changed = group.param.iter().find(|o| {
                    o.predicate.as_ref().and_then(|q| q.of.as_deref()) == Some(param.wire())
                });
                let test = match changed {
                    Some(other) => {
                        let flag = ident(&other.field());
                        let instead = ident(
                            other
                                .predicate
                                .as_ref()
                                .and_then(|q| q.instead.as_deref())
                                .unwrap_or_default(),
                        );
                        quote!(#field.is_none_or(|v| if #flag == Some(true) {
                            c::#instead(crm, id, row).contains(v)
                        } else {
                            c::#column(crm, id, row).is(v)
                        }))
                    }
                    None => quote!(#field.is_none_or(|v| c::#column(crm, id, row).is(v))),
                };
                bindings.push(quote!(let #field = f.eq(&args.#field);));
                tests.push(test);
            } else if let Some(column) = &p.tags {
                let column = ident(column);
                bindings.push(quote!(let #field = f.tags(&args.#field);));
                tests.push(
                    quote!(#field.is_none_or(|v| filter::has_tags(&c::#column(crm, id, row), v))),
                );
            } else if p.instead.is_some() {
                bindings.push(quote!(let #field = f.modifier(args.#field);));
            } else if let Some(column) = &p.from {
                let to = group
                    .param
                    .iter()
                    .find(|o| Some(o.wire()) == param.with.as_deref())
                    .ok_or_else(|| {
                        format!("group {}: `{}` has no `to`", group.name, param.wire())
                    })?;
                let to = ident(&to.field());
                let column = ident(column);
                bindings.push(quote!(let #field = f.range(args.#field, args.#to);));
                tests.push(quote!(#field.is_none_or(|range| filter::within(c::#column(crm, id, row), range))));
            }
        }
        if let Some(columns) = &group.search {
            let columns = columns.iter().map(|c| ident(c));
            tests.push(quote!(f.search().is_none_or(|text| filter::words(text, &[#(c::#columns(crm, id, row)),*]))));
        }
        let nothing = group.no_condition_matches_nothing.then(|| {
            quote! {
                if f.has_no_condition() {
                    return Vec::new();
                }
            }
        });
        let all = if tests.is_empty() {
            quote!(true)
        } else {
            quote!(#(#tests)&&*)
        };
        let doc = format!(" The `{}` group: {}", group.name, group.doc.trim());
        impls.push(quote! {
            #[doc = #doc]
            impl Filtered<args::#args> for r7_model::#entity {
                fn matching(crm: &Crm, args: &args::#args, call: &Call) -> Vec<i64> {
                    use crate::behaviour::#module::columns as c;
                    let mut f = Filter::new(call.paging.filter_value.as_deref());
                    #(#bindings)*
                    #nothing
                    <r7_model::#entity as Entity>::table(crm)
                        .iter()
                        .filter(|&(id, row)| #all)
                        .map(|(id, _)| id)
                        .collect()
                }
            }
        });
    }
    let tokens = quote! {
        //! The filter groups of the spec that have an `entity`, as the emulator applies them:
        //! each parameter's predicate over the entity's columns, every one that was sent
        //! required to hold, in id order.
        #![allow(unused_imports)]
        use crate::filter::{self, Filter, Is};
        use crate::ops::{Call, Entity, Filtered};
        use crate::store::Crm;
        use super::args;
        #(#impls)*
    };
    Ok(Output {
        path: "crates/r7-emulator/src/generated/filters.rs".to_owned(),
        text: file(&format!("{DIR}/groups.toml"), tokens)?,
    })
}
