//! The endpoint table (`crates/r7-proto/src/generated/table.rs`): `EndpointId` and one
//! `EndpointInfo` per route, parameters as data, for routing, documentation and tests.

use quote::quote;

use super::Output;
use super::rust::{file, ident};
use crate::spec::{DIR, Location, Spec};

pub(crate) fn render(spec: &Spec) -> Result<Vec<Output>, String> {
    let endpoints: Vec<_> = spec.all_endpoints().collect();
    let variants = endpoints.iter().map(|(_, e)| {
        let v = ident(&e.name);
        let d = format!(" `{} {}`", e.method, e.template());
        quote!(#[doc = #d] #v,)
    });
    let all = endpoints.iter().map(|(_, e)| {
        let v = ident(&e.name);
        quote!(EndpointId::#v,)
    });
    let infos = endpoints.iter().map(|(r, e)| {
        let v = ident(&e.name);
        let name = &e.name;
        let resource = &r.stem;
        let method = ident(&e.method);
        let template = e.template();
        let route = &e.path;
        let source = e.source_path();
        let auth = if e.auth {
            ident("Required")
        } else {
            ident("None")
        };
        let idempotent = e.is_idempotent();
        let undocumented = e.undocumented;
        let paged = e.paged;
        let output = &e.output;
        let params = e.params.iter().map(|p| {
            let wire = p.wire();
            let field = p.field();
            let location = ident(match p.location {
                Some(Location::Path) => "Path",
                Some(Location::Query) => "Query",
                _ => "Body",
            });
            let ty = p.ty.as_deref().unwrap_or_default();
            let binding = p.binding.as_deref().unwrap_or_default();
            let required = p.required;
            quote! {
                ParamInfo { name: #wire, field: #field, location: ParamLocation::#location,
                    sdk_type: #ty, binding: #binding, required: #required },
            }
        });
        quote! {
            EndpointInfo {
                id: EndpointId::#v, name: #name, resource: #resource, method: Method::#method,
                path_template: #template, route: #route, source: #source, auth: Auth::#auth,
                idempotent: #idempotent, undocumented: #undocumented, paged: #paged,
                output: #output, params: &[#(#params)*],
            },
        }
    });
    let items = quote! {
        //! Every generated endpoint as data, in the spec's order.
        use http::Method;
        use crate::endpoint::{Auth, EndpointInfo, ParamInfo, ParamLocation};

        /// Names every generated endpoint; [`EndpointId::info`] gives its [`EndpointInfo`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum EndpointId { #(#variants)* }

        impl EndpointId {
            /// Every endpoint, in the spec's order (the order of [`ENDPOINTS`]).
            pub const ALL: &'static [EndpointId] = &[#(#all)*];
            /// What this endpoint is.
            pub fn info(self) -> &'static EndpointInfo { &ENDPOINTS[self as usize] }
        }

        /// Every generated endpoint, in the spec's order: for routing, documentation and tests.
        pub static ENDPOINTS: &[EndpointInfo] = &[#(#infos)*];
    };
    Ok(vec![Output {
        path: "crates/r7-proto/src/generated/table.rs".to_owned(),
        text: file(&format!("{DIR}/endpoints/"), items)?,
    }])
}
