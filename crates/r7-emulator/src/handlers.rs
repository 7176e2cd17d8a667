//! One function per endpoint of the table ([`r7_proto::ENDPOINTS`]), named by the endpoint's
//! `emulator` key in the spec (`generated/dispatch.rs` calls them): each binds its parameters as the server's method signature does (every conversion
//! first, so a bad value is a 400 before anything else), runs the method on the CRM data and
//! shapes the answer (single or list form, paging).

use r7_model::Opportunity;

use crate::crm::{Crm, DealFilter, DealInput, DealSort, StageFields};
use crate::generated::args::*;
use crate::generated::{Wire, WireList};
use crate::params::{Paging, Params};
use crate::render::{ApiError, Node, PageMeta, Reply, to_node};

/// What a method gets: the bound parameters and the query string's paging.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub(crate) params: Params,
    pub(crate) paging: Paging,
}

/// A method's answer, or the error it raises.
pub(crate) type Outcome = Result<Reply, ApiError>;

/// A method of the emulated portal.
pub(crate) type Handler = fn(&mut Crm, &Call) -> Outcome;

// --- Shapes of answers ------------------------------------------------------------------------

/// A deal in the list form (`ToListOpportunityWrapper`), as the spec describes it.
fn list_form(deal: &Opportunity) -> Node {
    to_node(&WireList(deal))
}

fn as_u64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// The framework's generic list step (`SmartList`), which runs on every list answer: sort in
/// memory by the `sortBy` property (a dotted path of member names), then cut the page. `total`
/// is set only when the page is not the whole list; `nextIndex` (one too high, as the server
/// computes it) only when the page is full and more items follow. `count=0` turns the cut off.
fn smart_list(mut items: Vec<Node>, paging: &Paging) -> Reply {
    if let Some(sort_by) = &paging.sort_by {
        items.sort_by(|a, b| {
            let order = Node::compare(a.path(sort_by), b.path(sort_by));
            if paging.descending {
                order.reverse()
            } else {
                order
            }
        });
    }
    let all = items.len();
    if paging.count == 0 {
        return Reply::List {
            page: PageMeta {
                count: as_u64(all),
                start_index: as_u64(paging.start),
                ..PageMeta::default()
            },
            items,
        };
    }
    let page: Vec<Node> = items
        .into_iter()
        .skip(paging.start)
        .take(paging.count)
        .collect();
    let more = paging.start.saturating_add(paging.count) < all;
    let meta = PageMeta {
        count: as_u64(page.len()),
        start_index: as_u64(paging.start),
        next_index: (page.len() == paging.count && more)
            .then(|| as_u64(paging.start + paging.count + 1)),
        total: (page.len() < all).then(|| as_u64(all)),
    };
    Reply::List {
        items: page,
        page: meta,
    }
}

/// `smart_list` of deals in the list form.
fn deal_list<'a>(deals: impl IntoIterator<Item = &'a Opportunity>, paging: &Paging) -> Reply {
    smart_list(deals.into_iter().map(list_form).collect(), paging)
}

// --- Binding shared by several methods ----------------------------------------------------------

/// An `int` id the method refuses when `<= 0` (`ArgumentException`).
/// An id the method refuses when it is not positive (`ArgumentException`).
fn positive(id: i64) -> Result<i64, ApiError> {
    if id <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    Ok(id)
}

/// The deal filter of `opportunity/filter` and the batch methods; the search text comes from
/// the query string's `filterValue`.
fn deal_filter(args: OpportunityFilterArgs, call: &Call) -> DealFilter {
    DealFilter {
        responsible: args.responsible_id,
        stage_id: args.stage_id,
        tags: args.tags,
        contact_id: args.contact_id,
        stage_type: args.stage_type,
        contact_also_participant: args.contact_also_is_participant,
        from: args.from_date,
        to: args.to_date,
        search: call.paging.filter_value.clone(),
    }
}

/// The fields of a deal's create or update (`isNotify` is bound, so a bad value is a 400, but
/// not emulated: nobody is notified).
fn deal_input(args: OpportunityFieldsArgs) -> DealInput {
    let _not_emulated = args.is_notify;
    DealInput {
        contact_id: args.contact_id,
        members: args.members,
        title: args.title,
        description: args.description,
        responsible: args.responsible_id,
        bid_type: args.bid_type,
        bid_value: args.bid_value,
        currency: args.bid_currency,
        per_period_value: args.per_period_value,
        stage_id: args.stage_id,
        success_probability: args.success_probability,
        actual_close_date: args.actual_close_date,
        expected_close_date: args.expected_close_date,
        custom_fields: args.custom_fields,
        is_private: args.is_private,
        access_list: args.access_list,
    }
}

/// The ids of the deals that match a filter, in the database's default order.
fn matching_ids(crm: &Crm, filter: &DealFilter) -> Vec<i64> {
    let mut deals = crm.matching(filter);
    crm.sort_deals(&mut deals, None, false);
    deals.iter().map(|d| d.id.get()).collect()
}

/// Each id once, in ascending order (as the database returns rows by id).
fn unique_sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort_unstable();
    ids.dedup();
    ids
}

// --- Deals ------------------------------------------------------------------------------------

pub(crate) fn get_opportunity(crm: &mut Crm, args: GetOpportunityArgs, _: &Call) -> Outcome {
    let id = positive(args.opportunity_id)?;
    crm.deal(id)
        .map(|deal| Reply::One(to_node(&Wire(deal))))
        .ok_or(ApiError::NOT_FOUND)
}

pub(crate) fn delete_opportunity(crm: &mut Crm, args: DeleteOpportunityArgs, _: &Call) -> Outcome {
    let id = positive(args.opportunity_id)?;
    crm.delete_deal(id)
        .map(|deal| Reply::One(to_node(&Wire(&deal))))
        .ok_or(ApiError::NOT_FOUND)
}

pub(crate) fn create_opportunity(crm: &mut Crm, args: CreateOpportunityArgs, _: &Call) -> Outcome {
    let input = deal_input(args.opportunity_fields);
    crm.create_deal(input)
        .map(|deal| Reply::One(to_node(&Wire(&deal))))
}

pub(crate) fn update_opportunity(crm: &mut Crm, args: UpdateOpportunityArgs, _: &Call) -> Outcome {
    let id = args.opportunity_id;
    let input = deal_input(args.opportunity_fields);
    crm.update_deal(id, input)
        .map(|deal| Reply::One(to_node(&Wire(&deal))))
}

/// Binds `stageid`; the path's `{id}` is never read.
pub(crate) fn update_opportunity_stage(
    crm: &mut Crm,
    args: UpdateOpportunityStageArgs,
    _: &Call,
) -> Outcome {
    let (deal, stage) = (args.opportunity_id, args.stage_id);
    if deal <= 0 || stage <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    crm.move_to_stage(deal, stage)
        .map(|deal| Reply::One(to_node(&Wire(&deal))))
}

pub(crate) fn set_opportunity_access(
    crm: &mut Crm,
    args: SetOpportunityAccessArgs,
    _: &Call,
) -> Outcome {
    let id = positive(args.opportunity_id)?;
    crm.set_access(id, args.access.is_private, &args.access.access_list)
        .map(|deal| Reply::One(to_node(&Wire(&deal))))
        .ok_or(ApiError::NOT_FOUND)
}

pub(crate) fn set_opportunity_access_by_ids(
    crm: &mut Crm,
    args: SetOpportunityAccessByIdsArgs,
    call: &Call,
) -> Outcome {
    let AccessArgs {
        is_private,
        access_list,
    } = args.access;
    let changed: Vec<Opportunity> = unique_sorted(args.opportunity_ids)
        .into_iter()
        .filter_map(|id| crm.set_access(id, is_private, &access_list))
        .collect();
    Ok(deal_list(&changed, &call.paging))
}

pub(crate) fn set_opportunity_access_by_filter(
    crm: &mut Crm,
    args: SetOpportunityAccessByFilterArgs,
    call: &Call,
) -> Outcome {
    let filter = deal_filter(args.opportunity_filter, call);
    let AccessArgs {
        is_private,
        access_list,
    } = args.access;
    let changed: Vec<Opportunity> = matching_ids(crm, &filter)
        .into_iter()
        .filter_map(|id| crm.set_access(id, is_private, &access_list))
        .collect();
    Ok(deal_list(&changed, &call.paging))
}

pub(crate) fn delete_opportunities(
    crm: &mut Crm,
    args: DeleteOpportunitiesArgs,
    call: &Call,
) -> Outcome {
    let ids = args.opportunity_ids;
    if ids.is_empty() {
        return Err(ApiError::ARGUMENT);
    }
    let deleted: Vec<Opportunity> = unique_sorted(ids)
        .into_iter()
        .filter_map(|id| crm.delete_deal(id))
        .collect();
    Ok(deal_list(&deleted, &call.paging))
}

pub(crate) fn delete_opportunities_by_filter(
    crm: &mut Crm,
    args: DeleteOpportunitiesByFilterArgs,
    call: &Call,
) -> Outcome {
    let filter = deal_filter(args.opportunity_filter, call);
    let deleted: Vec<Opportunity> = matching_ids(crm, &filter)
        .into_iter()
        .filter_map(|id| crm.delete_deal(id))
        .collect();
    Ok(deal_list(&deleted, &call.paging))
}

/// `GET opportunity/filter`. With a known (or no) `sortBy` the database sorts and pages and the
/// generic list step is off; with another `sortBy` every match is sorted in memory by that
/// property and then paged. Either way `total` is set the server's way: `startIndex` plus the
/// rows read when fewer than `count + 1` came back, else the number of matches.
pub(crate) fn list_opportunities(
    crm: &mut Crm,
    args: ListOpportunitiesArgs,
    call: &Call,
) -> Outcome {
    let filter = deal_filter(args.opportunity_filter, call);
    let paging = &call.paging;
    let mut deals = crm.matching(&filter);
    let matches = deals.len();
    let asked = paging.count.saturating_add(1);
    let total = |rows: usize| {
        if rows < asked {
            as_u64(paging.start.saturating_add(rows))
        } else {
            as_u64(matches)
        }
    };
    let known = match paging.sort_by.as_deref() {
        None => Some(None),
        Some(text) => DealSort::parse(text).map(Some),
    };
    let Some(sort) = known else {
        // An unknown sortBy: every match, sorted and paged in memory.
        crm.sort_deals(&mut deals, None, false);
        let mut reply = deal_list(deals.iter().copied(), paging);
        if let Reply::List { page, .. } = &mut reply {
            page.total = Some(total(matches));
        }
        return Ok(reply);
    };
    crm.sort_deals(&mut deals, sort, paging.descending);
    let rows: Vec<&Opportunity> = deals.into_iter().skip(paging.start).take(asked).collect();
    let total = total(rows.len());
    let keep = if paging.count == 0 {
        rows.len()
    } else {
        paging.count
    };
    let items: Vec<Node> = rows.iter().take(keep).map(|d| list_form(d)).collect();
    let page = PageMeta {
        count: as_u64(items.len()),
        start_index: as_u64(paging.start),
        next_index: (paging.count > 0 && rows.len() > paging.count)
            .then(|| as_u64(paging.start + paging.count + 1)),
        total: Some(total),
    };
    Ok(Reply::List { items, page })
}

pub(crate) fn list_opportunities_by_contact(
    crm: &mut Crm,
    args: ListOpportunitiesByContactArgs,
    call: &Call,
) -> Outcome {
    Ok(deal_list(
        crm.deals_of_contact(args.contact_id),
        &call.paging,
    ))
}

/// Builds each deal in the single form; `total` only for a contact's own deals (or when the
/// list is cut).
pub(crate) fn list_opportunities_by_prefix(
    crm: &mut Crm,
    args: ListOpportunitiesByPrefixArgs,
    call: &Call,
) -> Outcome {
    let (deals, total) = crm.deals_by_prefix(
        args.prefix.as_deref(),
        args.contact_id,
        args.internal_search,
    )?;
    let mut reply = smart_list(
        deals.into_iter().map(|deal| to_node(&Wire(deal))).collect(),
        &call.paging,
    );
    if let (Reply::List { page, .. }, Some(total)) = (&mut reply, total) {
        page.total = Some(total);
    }
    Ok(reply)
}

pub(crate) fn set_opportunity_creation_date(
    crm: &mut Crm,
    args: SetOpportunityCreationDateArgs,
    _: &Call,
) -> Outcome {
    crm.set_created(args.opportunity_id, args.creation_date)
        .map(|()| Reply::Void)
        .ok_or(ApiError::NOT_FOUND)
}

pub(crate) fn set_opportunity_last_modified_date(
    crm: &mut Crm,
    args: SetOpportunityLastModifiedDateArgs,
    _: &Call,
) -> Outcome {
    crm.set_last_modified(args.opportunity_id, args.last_modified_date)
        .map(|()| Reply::Void)
        .ok_or(ApiError::NOT_FOUND)
}

// --- Members ----------------------------------------------------------------------------------

pub(crate) fn list_opportunity_contacts(
    crm: &mut Crm,
    args: ListOpportunityContactsArgs,
    call: &Call,
) -> Outcome {
    let members = crm
        .members_of(args.opportunity_id)
        .ok_or(ApiError::NOT_FOUND)?;
    Ok(smart_list(
        members
            .iter()
            .map(|contact| to_node(&WireList(contact)))
            .collect(),
        &call.paging,
    ))
}

pub(crate) fn add_opportunity_contact(
    crm: &mut Crm,
    args: AddOpportunityContactArgs,
    _: &Call,
) -> Outcome {
    crm.add_member(args.opportunity_id, args.contact_id)
        .map(|contact| Reply::One(to_node(&Wire(&contact))))
}

pub(crate) fn remove_opportunity_contact(
    crm: &mut Crm,
    args: RemoveOpportunityContactArgs,
    _: &Call,
) -> Outcome {
    crm.remove_member(args.opportunity_id, args.contact_id)
        .map(|contact| Reply::One(to_node(&Wire(&contact))))
}

// --- Stages -----------------------------------------------------------------------------------

pub(crate) fn create_stage(crm: &mut Crm, args: CreateOpportunityStageArgs, _: &Call) -> Outcome {
    crm.create_stage(StageFields {
        title: args.title,
        description: args.description,
        color: args.color,
        success_probability: args.success_probability,
        stage_type: args.stage_type,
    })
    .map(|stage| Reply::One(to_node(&Wire(&stage))))
}

pub(crate) fn update_stage(
    crm: &mut Crm,
    args: UpdateOpportunityStageFieldsArgs,
    _: &Call,
) -> Outcome {
    let fields = StageFields {
        title: args.title,
        description: args.description,
        color: args.color,
        success_probability: args.success_probability,
        stage_type: args.stage_type,
    };
    crm.update_stage(args.stage_id, fields)
        .map(|stage| Reply::One(to_node(&Wire(&stage))))
}

pub(crate) fn update_stage_color(
    crm: &mut Crm,
    args: UpdateOpportunityStageColorArgs,
    _: &Call,
) -> Outcome {
    let color = args.color.unwrap_or_default();
    crm.set_stage_color(args.stage_id, &color)
        .map(|stage| Reply::One(to_node(&Wire(&stage))))
}

pub(crate) fn reorder_stages(
    crm: &mut Crm,
    args: ReorderOpportunityStagesArgs,
    call: &Call,
) -> Outcome {
    let stages = crm.reorder_stages(&args.stage_ids)?;
    Ok(smart_list(
        stages.iter().map(|stage| to_node(&Wire(stage))).collect(),
        &call.paging,
    ))
}

pub(crate) fn delete_stage(crm: &mut Crm, args: DeleteOpportunityStageArgs, _: &Call) -> Outcome {
    crm.delete_stage(args.stage_id)
        .map(|stage| Reply::One(to_node(&Wire(&stage))))
}

pub(crate) fn get_stage(crm: &mut Crm, args: GetOpportunityStageArgs, _: &Call) -> Outcome {
    let id = positive(args.stage_id)?;
    crm.stage_wrapper(id)
        .map(|stage| Reply::One(to_node(&Wire(&stage))))
        .ok_or(ApiError::NOT_FOUND)
}

pub(crate) fn list_stages(crm: &mut Crm, _: ListOpportunityStagesArgs, call: &Call) -> Outcome {
    Ok(smart_list(
        crm.stages()
            .iter()
            .map(|stage| to_node(&Wire(stage)))
            .collect(),
        &call.paging,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm::Seed;
    use crate::seed;

    #[test]
    fn every_endpoint_the_spec_does_not_list_as_not_emulated_has_a_function() {
        for id in r7_proto::EndpointId::ALL {
            let emulated = crate::generated::handler(*id).is_some();
            let listed = crate::generated::dispatch::NOT_EMULATED.contains(id);
            assert!(
                emulated != listed,
                "{id:?}: emulated {emulated}, listed {listed}"
            );
        }
    }

    fn crm() -> Crm {
        Crm::new(
            Seed {
                opportunities: seed::seed_opportunities(),
                stages: seed::seed_stages(),
                contacts: seed::seed_contacts(),
                custom_fields: seed::seed_custom_fields(),
                deal_tags: seed::seed_deal_tags(),
                utc_offset_minutes: 180,
            },
            seed::current_user(),
        )
    }

    /// An endpoint through the generated dispatch, its arguments bound from `call`.
    fn run(id: r7_proto::EndpointId, crm: &mut Crm, call: &Call) -> Outcome {
        let handler = crate::generated::handler(id).expect("emulated");
        handler(crm, call)
    }

    fn list(crm: &mut Crm, call: &Call) -> Outcome {
        run(r7_proto::EndpointId::ListOpportunities, crm, call)
    }

    fn call(params: &str, query: &str) -> Call {
        let mut bound = Params::default();
        bound.add_form(params.as_bytes());
        Call {
            params: bound,
            paging: Paging::from_query(Some(query)),
        }
    }

    fn page(reply: Reply) -> (Vec<Node>, PageMeta) {
        match reply {
            Reply::List { items, page } => (items, page),
            other => panic!("not a list: {other:?}"),
        }
    }

    fn ids(items: &[Node]) -> Vec<String> {
        items
            .iter()
            .map(|n| match n.path("id") {
                Some(Node::Integer(id)) => id.clone(),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn generic_paging() {
        let nodes: Vec<Node> = (1..=5).map(|i| Node::Integer(i.to_string())).collect();
        let run = |query: &str| page(smart_list(nodes.clone(), &Paging::from_query(Some(query))));
        let (items, meta) = run("");
        assert_eq!((items.len(), meta.total, meta.next_index), (5, None, None));
        let (items, meta) = run("count=2");
        assert_eq!(
            (items.len(), meta.total, meta.next_index),
            (2, Some(5), Some(3))
        );
        let (items, meta) = run("count=2&startIndex=4");
        assert_eq!(
            (items.len(), meta.total, meta.next_index),
            (1, Some(5), None)
        );
        let (items, meta) = run("count=5");
        assert_eq!((items.len(), meta.total), (5, None));
        let (items, meta) = run("count=0&startIndex=3");
        assert_eq!((items.len(), meta.start_index), (5, 3));
    }

    #[test]
    fn the_filter_pages_in_the_database_and_always_counts() {
        let mut crm = crm();
        let (items, meta) = page(list(&mut crm, &call("", "count=2")).unwrap());
        assert_eq!(ids(&items), ["1234", "1237"]);
        assert_eq!((meta.total, meta.next_index), (Some(5), Some(3)));
        let (items, meta) = page(list(&mut crm, &call("", "count=2&startIndex=4")).unwrap());
        assert_eq!(ids(&items), ["1238"]);
        assert_eq!(
            (meta.total, meta.next_index, meta.start_index),
            (Some(5), None, 4)
        );
        let (items, meta) =
            page(list(&mut crm, &call("", "sortBy=id&sortOrder=descending")).unwrap());
        assert_eq!(ids(&items)[0], "1238");
        assert_eq!(meta.total, Some(5));
        // An unknown sortBy sorts in memory by that member (a missing one first).
        let (items, meta) = page(list(&mut crm, &call("", "sortBy=successProbability")).unwrap());
        assert_eq!(ids(&items), ["1238", "1237", "1234", "1235", "1236"]);
        assert_eq!(meta.total, Some(5));
        let (items, _) = page(
            list(
                &mut crm,
                &call(
                    "",
                    "sortBy=responsible.displayName&sortOrder=descending&count=1",
                ),
            )
            .unwrap(),
        );
        assert_eq!(ids(&items), ["1235"]);
        // count=0 returns at most one row.
        let (items, meta) = page(list(&mut crm, &call("", "count=0")).unwrap());
        assert_eq!((items.len(), meta.total), (1, Some(5)));
        // Nothing found: total 0.
        let (items, meta) = page(list(&mut crm, &call("", "filterValue=zzz")).unwrap());
        assert_eq!((items.len(), meta.total), (0, Some(0)));
        // Bad values are 400s.
        for bad in [
            "stageType=x",
            "fromDate=yesterday",
            "responsibleid=x",
            "opportunityStagesid=x",
        ] {
            assert!(list(&mut crm, &call(bad, "")).is_err(), "{bad}");
        }
    }

    #[test]
    fn list_form_leaves_out_the_access_list_of_public_deals() {
        let crm = crm();
        let public = list_form(crm.deal(1235).unwrap());
        assert!(public.path("accessList").is_none());
        assert!(public.path("members").is_some());
        let private = list_form(crm.deal(1237).unwrap());
        assert!(matches!(private.path("accessList"), Some(Node::Array(a)) if a.len() == 2));
    }

    #[test]
    fn the_stage_route_reads_stageid_not_the_path() {
        let mut crm = crm();
        let mut params = Params::default();
        params.push("opportunityid", "1235");
        params.push("id", "8");
        let call = Call {
            params,
            paging: Paging::from_query(None),
        };
        assert_eq!(
            run(
                r7_proto::EndpointId::UpdateOpportunityStage,
                &mut crm,
                &call
            )
            .unwrap_err(),
            ApiError::ARGUMENT
        );
        let mut with_stage = call.clone();
        with_stage.params.push("stageid", "9");
        run(
            r7_proto::EndpointId::UpdateOpportunityStage,
            &mut crm,
            &with_stage,
        )
        .unwrap();
        assert_eq!(crm.deal(1235).unwrap().stage.as_ref().unwrap().id, 9);
    }
}

/// What the client sends arrives in the generated arguments with its value: a wire name that
/// differed on one side, or a binding that read it wrong, fails here.
#[cfg(test)]
mod bind_round_trip {
    use r7_model::{ApiDateTime, BidType, CustomFieldId, Uuid};
    use r7_proto::crm::opportunity::{CreateOpportunity, ListOpportunities};
    use r7_proto::{BaseUrl, CustomFieldValue, RequestContext, Token, build_request};

    use crate::generated::args::{CreateOpportunityArgs, ListOpportunitiesArgs};
    use crate::params::Params;

    fn sent(request: &http::Request<bytes::Bytes>) -> Params {
        let mut params = Params::default();
        if let Some(query) = request.uri().query() {
            params.add_form(query.as_bytes());
        }
        params.add_form(request.body());
        params
    }

    fn context() -> (BaseUrl, Token) {
        (
            BaseUrl::parse("https://portal.example.com/").expect("base"),
            Token::new("token").expect("token"),
        )
    }

    #[test]
    fn every_field_of_a_create_arrives() {
        let user = Uuid::from_u128(7);
        let date = ApiDateTime::parse("2025-06-30T00:00:00.0000000+03:00").expect("date");
        let create = CreateOpportunity::new("Сделка, 1", user, 30, "RUB")
            .contact_id(101)
            .members([101, 102])
            .description("a & b = c")
            .bid_type(BidType::PerMonth)
            .bid_value(99.5)
            .per_period_value(12)
            .success_probability(40)
            .actual_close_date(date)
            .expected_close_date(date)
            .custom_fields([CustomFieldValue::new(CustomFieldId::new(7), "Д-1")])
            .is_private(true)
            .access_list([user])
            .is_notify(true);
        let (base, token) = context();
        let request =
            build_request(&create, &RequestContext::new(&base, Some(&token))).expect("built");
        let args = CreateOpportunityArgs::bind(&sent(&request), 180).expect("bound");
        let fields = args.opportunity_fields;
        assert_eq!(fields.title.as_deref(), Some("Сделка, 1"));
        assert_eq!(fields.responsible_id, user);
        assert_eq!(fields.stage_id, 30);
        assert_eq!(fields.bid_currency.as_deref(), Some("RUB"));
        assert_eq!(fields.contact_id, 101);
        assert_eq!(fields.members, [101, 102]);
        assert_eq!(fields.description.as_deref(), Some("a & b = c"));
        assert_eq!(fields.bid_type, BidType::PerMonth);
        assert_eq!(fields.bid_value, 99.5);
        assert_eq!(fields.per_period_value, 12);
        assert_eq!(fields.success_probability, 40);
        assert_eq!(fields.actual_close_date, Some(date));
        assert_eq!(fields.expected_close_date, Some(date));
        assert_eq!(fields.custom_fields, [(7, "Д-1".to_owned())]);
        assert!(fields.is_private);
        assert_eq!(fields.access_list, [user]);
        assert!(fields.is_notify);
    }

    #[test]
    fn the_fields_are_converted_in_the_methods_signature_order() {
        // CreateDeal takes contactid before responsibleid, though the form carries them the
        // other way round: with both bad, the contact's error is the one the server reports.
        let mut params = Params::default();
        params.add_form(b"responsibleid=not-a-guid&contactid=not-a-number");
        let error = CreateOpportunityArgs::bind(&params, 180).expect_err("both are bad");
        assert_eq!(error, crate::render::ApiError::BAD_NUMBER);
        let mut params = Params::default();
        params.add_form(b"responsibleid=not-a-guid&contactid=101");
        let error = CreateOpportunityArgs::bind(&params, 180).expect_err("the GUID is bad");
        assert!(
            error.message.starts_with("Guid should contain"),
            "{error:?}"
        );
    }

    #[test]
    fn every_filter_of_a_search_arrives() {
        let user = Uuid::from_u128(9);
        let from = ApiDateTime::parse("2024-01-01T00:00:00.0000000+03:00").expect("date");
        let to = ApiDateTime::parse("2024-12-31T00:00:00.0000000+03:00").expect("date");
        let list = ListOpportunities::new()
            .responsible_id(user)
            .stage_id(30)
            .tags(["VIP", "опт"])
            .contact_id(101)
            .stage_type(r7_model::StageType::ClosedAndWon)
            .contact_also_is_participant(true)
            .from_date(from)
            .to_date(to);
        let (base, token) = context();
        let request =
            build_request(&list, &RequestContext::new(&base, Some(&token))).expect("built");
        let filter = ListOpportunitiesArgs::bind(&sent(&request), 180)
            .expect("bound")
            .opportunity_filter;
        assert_eq!(filter.responsible_id, user);
        assert_eq!(filter.stage_id, 30);
        assert_eq!(filter.tags, ["VIP", "опт"]);
        assert_eq!(filter.contact_id, 101);
        assert_eq!(filter.stage_type, Some(r7_model::StageType::ClosedAndWon));
        assert_eq!(filter.contact_also_is_participant, Some(true));
        assert_eq!((filter.from_date, filter.to_date), (Some(from), Some(to)));
    }
}
