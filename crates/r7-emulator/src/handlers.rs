//! One function per endpoint of the table ([`r7_proto::ENDPOINTS`]), named by the endpoint's
//! `emulator` key in the spec (`generated/dispatch.rs` calls them): each binds its parameters as the server's method signature does (every conversion
//! first, so a bad value is a 400 before anything else), runs the method on the CRM data and
//! shapes the answer (single or list form, paging).

use r7_model::{Opportunity, Uuid};

use crate::crm::{Crm, DealFilter, DealInput, DealSort, StageFields};
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
fn positive(params: &Params, name: &str) -> Result<i64, ApiError> {
    let id = params.int(name)?;
    if id <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    Ok(id)
}

/// The deal filter of `opportunity/filter` and the batch methods; the search text comes from
/// the query string's `filterValue`.
fn bind_filter(crm: &Crm, call: &Call) -> Result<DealFilter, ApiError> {
    let p = &call.params;
    let offset = crm.utc_offset();
    Ok(DealFilter {
        responsible: p.guid("responsibleid")?,
        stage_id: p.int("opportunityStagesid")?,
        tags: p.strings("tags"),
        contact_id: p.int("contactid")?,
        stage_type: p.opt_stage_type("stageType")?,
        contact_also_participant: p.opt_bool("contactAlsoIsParticipant")?,
        from: p.date("fromDate", offset)?,
        to: p.date("toDate", offset)?,
        search: call.paging.filter_value.clone(),
    })
}

/// The fields of a deal's create or update.
fn bind_deal(crm: &Crm, params: &Params) -> Result<DealInput, ApiError> {
    let offset = crm.utc_offset();
    let input = DealInput {
        contact_id: params.int("contactid")?,
        members: params.ints("members")?,
        title: params.string("title"),
        description: params.string("description"),
        responsible: params.guid("responsibleid")?,
        bid_type: params.bid_type("bidType")?,
        bid_value: params.decimal("bidValue")?,
        currency: params.string("bidCurrencyAbbr"),
        per_period_value: params.int("perPeriodValue")?,
        stage_id: params.int("stageid")?,
        success_probability: params.int("successProbability")?,
        actual_close_date: params.date("actualCloseDate", offset)?,
        expected_close_date: params.date("expectedCloseDate", offset)?,
        custom_fields: params.key_values("customFieldList")?,
        is_private: params.bool("isPrivate")?,
        access_list: params.guids("accessList")?,
    };
    // Bound (a bad value is a 400) but not emulated: nobody is notified.
    params.bool("isNotify")?;
    Ok(input)
}

fn bind_access(params: &Params) -> Result<(bool, Vec<Uuid>), ApiError> {
    Ok((params.bool("isPrivate")?, params.guids("accessList")?))
}

fn bind_stage(params: &Params) -> Result<StageFields, ApiError> {
    Ok(StageFields {
        title: params.string("title"),
        description: params.string("description"),
        color: params.string("color"),
        success_probability: params.int("successProbability")?,
        stage_type: params.stage_type("stageType")?,
    })
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

pub(crate) fn get_opportunity(crm: &mut Crm, call: &Call) -> Outcome {
    let id = positive(&call.params, "opportunityid")?;
    crm.deal(id)
        .map(|deal| Reply::One(to_node(&Wire(deal))))
        .ok_or(ApiError::NOT_FOUND)
}

pub(crate) fn delete_opportunity(crm: &mut Crm, call: &Call) -> Outcome {
    let id = positive(&call.params, "opportunityid")?;
    crm.delete_deal(id)
        .map(|deal| Reply::One(to_node(&Wire(&deal))))
        .ok_or(ApiError::NOT_FOUND)
}

pub(crate) fn create_opportunity(crm: &mut Crm, call: &Call) -> Outcome {
    let input = bind_deal(crm, &call.params)?;
    crm.create_deal(input)
        .map(|deal| Reply::One(to_node(&Wire(&deal))))
}

pub(crate) fn update_opportunity(crm: &mut Crm, call: &Call) -> Outcome {
    let id = call.params.int("opportunityid")?;
    let input = bind_deal(crm, &call.params)?;
    crm.update_deal(id, input)
        .map(|deal| Reply::One(to_node(&Wire(&deal))))
}

/// Binds `stageid`; the path's `{id}` is never read.
pub(crate) fn update_opportunity_stage(crm: &mut Crm, call: &Call) -> Outcome {
    let deal = call.params.int("opportunityid")?;
    let stage = call.params.int("stageid")?;
    if deal <= 0 || stage <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    crm.move_to_stage(deal, stage)
        .map(|deal| Reply::One(to_node(&Wire(&deal))))
}

pub(crate) fn set_opportunity_access(crm: &mut Crm, call: &Call) -> Outcome {
    let id = positive(&call.params, "opportunityid")?;
    let (is_private, users) = bind_access(&call.params)?;
    crm.set_access(id, is_private, &users)
        .map(|deal| Reply::One(to_node(&Wire(&deal))))
        .ok_or(ApiError::NOT_FOUND)
}

pub(crate) fn set_opportunity_access_by_ids(crm: &mut Crm, call: &Call) -> Outcome {
    let ids = call.params.ints("opportunityid")?;
    let (is_private, users) = bind_access(&call.params)?;
    let changed: Vec<Opportunity> = unique_sorted(ids)
        .into_iter()
        .filter_map(|id| crm.set_access(id, is_private, &users))
        .collect();
    Ok(deal_list(&changed, &call.paging))
}

pub(crate) fn set_opportunity_access_by_filter(crm: &mut Crm, call: &Call) -> Outcome {
    let filter = bind_filter(crm, call)?;
    let (is_private, users) = bind_access(&call.params)?;
    let changed: Vec<Opportunity> = matching_ids(crm, &filter)
        .into_iter()
        .filter_map(|id| crm.set_access(id, is_private, &users))
        .collect();
    Ok(deal_list(&changed, &call.paging))
}

pub(crate) fn delete_opportunities(crm: &mut Crm, call: &Call) -> Outcome {
    let ids = call.params.ints("opportunityids")?;
    if ids.is_empty() {
        return Err(ApiError::ARGUMENT);
    }
    let deleted: Vec<Opportunity> = unique_sorted(ids)
        .into_iter()
        .filter_map(|id| crm.delete_deal(id))
        .collect();
    Ok(deal_list(&deleted, &call.paging))
}

pub(crate) fn delete_opportunities_by_filter(crm: &mut Crm, call: &Call) -> Outcome {
    let filter = bind_filter(crm, call)?;
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
pub(crate) fn list_opportunities(crm: &mut Crm, call: &Call) -> Outcome {
    let filter = bind_filter(crm, call)?;
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

pub(crate) fn list_opportunities_by_contact(crm: &mut Crm, call: &Call) -> Outcome {
    let contact = call.params.int("contactid")?;
    Ok(deal_list(crm.deals_of_contact(contact), &call.paging))
}

/// Builds each deal in the single form; `total` only for a contact's own deals (or when the
/// list is cut).
pub(crate) fn list_opportunities_by_prefix(crm: &mut Crm, call: &Call) -> Outcome {
    let prefix = call.params.string("prefix");
    let contact = call.params.int("contactID")?;
    let internal = call.params.bool("internalSearch")?;
    let (deals, total) = crm.deals_by_prefix(prefix.as_deref(), contact, internal)?;
    let mut reply = smart_list(
        deals.into_iter().map(|deal| to_node(&Wire(deal))).collect(),
        &call.paging,
    );
    if let (Reply::List { page, .. }, Some(total)) = (&mut reply, total) {
        page.total = Some(total);
    }
    Ok(reply)
}

pub(crate) fn set_opportunity_creation_date(crm: &mut Crm, call: &Call) -> Outcome {
    let id = call.params.int("opportunityid")?;
    let date = call.params.date("creationDate", crm.utc_offset())?;
    crm.set_created(id, date)
        .map(|()| Reply::Void)
        .ok_or(ApiError::NOT_FOUND)
}

pub(crate) fn set_opportunity_last_modified_date(crm: &mut Crm, call: &Call) -> Outcome {
    let id = call.params.int("opportunityid")?;
    let date = call.params.date("lastModifedDate", crm.utc_offset())?;
    crm.set_last_modified(id, date)
        .map(|()| Reply::Void)
        .ok_or(ApiError::NOT_FOUND)
}

// --- Members ----------------------------------------------------------------------------------

pub(crate) fn list_opportunity_contacts(crm: &mut Crm, call: &Call) -> Outcome {
    let id = call.params.int("opportunityid")?;
    let members = crm.members_of(id).ok_or(ApiError::NOT_FOUND)?;
    Ok(smart_list(
        members
            .iter()
            .map(|contact| to_node(&WireList(contact)))
            .collect(),
        &call.paging,
    ))
}

pub(crate) fn add_opportunity_contact(crm: &mut Crm, call: &Call) -> Outcome {
    let deal = call.params.int("opportunityid")?;
    let contact = call.params.int("contactid")?;
    crm.add_member(deal, contact)
        .map(|contact| Reply::One(to_node(&Wire(&contact))))
}

pub(crate) fn remove_opportunity_contact(crm: &mut Crm, call: &Call) -> Outcome {
    let deal = call.params.int("opportunityid")?;
    let contact = call.params.int("contactid")?;
    crm.remove_member(deal, contact)
        .map(|contact| Reply::One(to_node(&Wire(&contact))))
}

// --- Stages -----------------------------------------------------------------------------------

pub(crate) fn create_stage(crm: &mut Crm, call: &Call) -> Outcome {
    let fields = bind_stage(&call.params)?;
    crm.create_stage(fields)
        .map(|stage| Reply::One(to_node(&Wire(&stage))))
}

pub(crate) fn update_stage(crm: &mut Crm, call: &Call) -> Outcome {
    let id = call.params.int("id")?;
    let fields = bind_stage(&call.params)?;
    crm.update_stage(id, fields)
        .map(|stage| Reply::One(to_node(&Wire(&stage))))
}

pub(crate) fn update_stage_color(crm: &mut Crm, call: &Call) -> Outcome {
    let id = call.params.int("id")?;
    let color = call.params.string("color").unwrap_or_default();
    crm.set_stage_color(id, &color)
        .map(|stage| Reply::One(to_node(&Wire(&stage))))
}

pub(crate) fn reorder_stages(crm: &mut Crm, call: &Call) -> Outcome {
    let ids = call.params.ints("ids")?;
    let stages = crm.reorder_stages(&ids)?;
    Ok(smart_list(
        stages.iter().map(|stage| to_node(&Wire(stage))).collect(),
        &call.paging,
    ))
}

pub(crate) fn delete_stage(crm: &mut Crm, call: &Call) -> Outcome {
    let id = call.params.int("id")?;
    crm.delete_stage(id)
        .map(|stage| Reply::One(to_node(&Wire(&stage))))
}

pub(crate) fn get_stage(crm: &mut Crm, call: &Call) -> Outcome {
    let id = positive(&call.params, "stageid")?;
    crm.stage_wrapper(id)
        .map(|stage| Reply::One(to_node(&Wire(&stage))))
        .ok_or(ApiError::NOT_FOUND)
}

pub(crate) fn list_stages(crm: &mut Crm, call: &Call) -> Outcome {
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
        let (items, meta) = page(list_opportunities(&mut crm, &call("", "count=2")).unwrap());
        assert_eq!(ids(&items), ["1234", "1237"]);
        assert_eq!((meta.total, meta.next_index), (Some(5), Some(3)));
        let (items, meta) =
            page(list_opportunities(&mut crm, &call("", "count=2&startIndex=4")).unwrap());
        assert_eq!(ids(&items), ["1238"]);
        assert_eq!(
            (meta.total, meta.next_index, meta.start_index),
            (Some(5), None, 4)
        );
        let (items, meta) = page(
            list_opportunities(&mut crm, &call("", "sortBy=id&sortOrder=descending")).unwrap(),
        );
        assert_eq!(ids(&items)[0], "1238");
        assert_eq!(meta.total, Some(5));
        // An unknown sortBy sorts in memory by that member (a missing one first).
        let (items, meta) =
            page(list_opportunities(&mut crm, &call("", "sortBy=successProbability")).unwrap());
        assert_eq!(ids(&items), ["1238", "1237", "1234", "1235", "1236"]);
        assert_eq!(meta.total, Some(5));
        let (items, _) = page(
            list_opportunities(
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
        let (items, meta) = page(list_opportunities(&mut crm, &call("", "count=0")).unwrap());
        assert_eq!((items.len(), meta.total), (1, Some(5)));
        // Nothing found: total 0.
        let (items, meta) =
            page(list_opportunities(&mut crm, &call("", "filterValue=zzz")).unwrap());
        assert_eq!((items.len(), meta.total), (0, Some(0)));
        // Bad values are 400s.
        for bad in [
            "stageType=x",
            "fromDate=yesterday",
            "responsibleid=x",
            "opportunityStagesid=x",
        ] {
            assert!(
                list_opportunities(&mut crm, &call(bad, "")).is_err(),
                "{bad}"
            );
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
            update_opportunity_stage(&mut crm, &call).unwrap_err(),
            ApiError::ARGUMENT
        );
        let mut with_stage = call.clone();
        with_stage.params.push("stageid", "9");
        update_opportunity_stage(&mut crm, &with_stage).unwrap();
        assert_eq!(crm.deal(1235).unwrap().stage.as_ref().unwrap().id, 9);
    }
}
