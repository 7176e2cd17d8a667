//! Every generated endpoint: the exact method, path, query and body it sends, and the table
//! that lists them.

use r7_model::{ApiDateTime, BidType, StageType, Uuid};
use r7_proto::crm::opportunity::*;
use r7_proto::crm::opportunity_stage::*;
use r7_proto::*;

const USER: &str = "4a515a15-d4d6-4b8e-828e-e0586f18f3a3";
const OTHER: &str = "1f3b2c4d-0000-4000-8000-00000000abcd";

fn uuid(text: &str) -> Uuid {
    text.parse().expect("uuid")
}

fn date(text: &str) -> ApiDateTime {
    ApiDateTime::parse(text).expect("date")
}

/// Builds `endpoint` against a sub-path portal and checks what would go on the wire.
#[track_caller]
fn wire<E: Endpoint>(endpoint: &E, method: &str, path_and_query: &str, body: &str) {
    let base = BaseUrl::parse("https://portal.example.com/office/").expect("base");
    let token = Token::new("tok").expect("token");
    let request =
        build_request(endpoint, &RequestContext::new(&base, Some(&token))).expect("builds");
    assert_eq!(request.method().as_str(), method);
    let uri = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("");
    assert_eq!(uri, format!("/office/{path_and_query}"));
    assert_eq!(std::str::from_utf8(request.body()).expect("utf-8"), body);
    let content_type = request.headers().get("content-type");
    if body.is_empty() {
        assert!(content_type.is_none(), "no body, no content type");
    } else {
        assert_eq!(
            content_type.expect("content type"),
            "application/x-www-form-urlencoded"
        );
    }
    assert_eq!(request.headers()["authorization"], "tok");
}

#[test]
fn deal_reads_and_deletes() {
    wire(
        &GetOpportunity::new(42),
        "GET",
        "api/2.0/crm/opportunity/42.json",
        "",
    );
    wire(
        &DeleteOpportunity::new(1234),
        "DELETE",
        "api/2.0/crm/opportunity/1234.json",
        "",
    );
    wire(
        &DeleteOpportunities::new([3, 1, 2]),
        "PUT",
        "api/2.0/crm/opportunity.json",
        "opportunityids=3&opportunityids=1&opportunityids=2",
    );
    wire(
        &ListOpportunitiesByContact::new(7).start_index(10).count(5),
        "GET",
        "api/2.0/crm/opportunity/bycontact/7.json?startIndex=10&count=5",
        "",
    );
    wire(
        &ListOpportunitiesByPrefix::new("Hotel cat")
            .contact_id(7)
            .internal_search(true),
        "GET",
        "api/2.0/crm/opportunity/byprefix.json?prefix=Hotel%20cat&contactID=7&internalSearch=true",
        "",
    );
    wire(
        &ListOpportunityContacts::new(42),
        "GET",
        "api/2.0/crm/opportunity/42/contact.json",
        "",
    );
    wire(
        &AddOpportunityContact::new(42, 9),
        "POST",
        "api/2.0/crm/opportunity/42/contact/9.json",
        "",
    );
    wire(
        &RemoveOpportunityContact::new(42, 9),
        "DELETE",
        "api/2.0/crm/opportunity/42/contact/9.json",
        "",
    );
}

#[test]
fn deal_search_carries_filters_paging_and_sorting_in_the_query() {
    wire(
        &ListOpportunities::new()
            .responsible_id(uuid(USER))
            .stage_id(3)
            .tags(["vip".to_owned(), "пилот".to_owned()])
            .stage_type(StageType::ClosedAndWon)
            .from_date(date("2024-01-01T00:00:00+03:00"))
            .to_date(date("2024-12-31T23:59:59.5Z"))
            .start_index(25)
            .count(25)
            .sort_by(OpportunitySortBy::BidValue)
            .sort_order(SortOrder::Descending)
            .filter_value("hotel a&b"),
        "GET",
        "api/2.0/crm/opportunity/filter.json?responsibleid=4a515a15-d4d6-4b8e-828e-e0586f18f3a3\
         &opportunityStagesid=3&tags=vip&tags=%D0%BF%D0%B8%D0%BB%D0%BE%D1%82&stageType=ClosedAndWon\
         &fromDate=2024-01-01T00%3A00%3A00.0000000%2B03%3A00&toDate=2024-12-31T23%3A59%3A59.5000000Z\
         &startIndex=25&count=25&sortBy=bidvalue&sortOrder=descending&filterValue=hotel%20a%26b",
        "",
    );
    wire(
        &ListOpportunities::new(),
        "GET",
        "api/2.0/crm/opportunity/filter.json",
        "",
    );
    wire(
        &DeleteOpportunitiesByFilter::new()
            .contact_id(5)
            .contact_also_is_participant(true),
        "DELETE",
        "api/2.0/crm/opportunity/filter.json?contactid=5&contactAlsoIsParticipant=true",
        "",
    );
}

#[test]
fn create_and_update_send_every_field_in_the_servers_form() {
    let create = CreateOpportunity::new("Поставка / Supply", uuid(USER), 3, "rub")
        .contact_id(7)
        .members([7, 8])
        .description("Two lines\nand a slash /")
        .bid_type(BidType::PerMonth)
        .bid_value(1500.5)
        .per_period_value(12)
        .success_probability(40)
        .expected_close_date(date("2024-04-30T00:00:00+03:00"))
        .custom_fields([CustomFieldValue::new(5, "gold")])
        .is_private(true)
        .access_list([uuid(OTHER)])
        .is_notify(false);
    let body = "title=%D0%9F%D0%BE%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B0%20%2F%20Supply\
        &responsibleid=4a515a15-d4d6-4b8e-828e-e0586f18f3a3&stageid=3&bidCurrencyAbbr=rub\
        &contactid=7&members=7&members=8&description=Two%20lines%0Aand%20a%20slash%20%2F\
        &bidType=PerMonth&bidValue=1500.5&perPeriodValue=12&successProbability=40\
        &expectedCloseDate=2024-04-30T00%3A00%3A00.0000000%2B03%3A00&isPrivate=true\
        &accessList=1f3b2c4d-0000-4000-8000-00000000abcd&isNotify=false\
        &customFieldList%5B0%5D%5Bkey%5D=5&customFieldList%5B0%5D%5Bvalue%5D=gold";
    wire(&create, "POST", "api/2.0/crm/opportunity.json", body);

    let update = UpdateOpportunity::new(42, "Renewal", uuid(USER), 6, "EUR").bid_value(125000.0);
    wire(
        &update,
        "PUT",
        "api/2.0/crm/opportunity/42.json",
        "title=Renewal&responsibleid=4a515a15-d4d6-4b8e-828e-e0586f18f3a3&stageid=6\
         &bidCurrencyAbbr=EUR&bidValue=125000",
    );
}

#[test]
fn stage_change_access_and_dates() {
    // The stage id travels in the path (ignored by the server) and in the body (read).
    wire(
        &UpdateOpportunityStage::new(42, 6),
        "PUT",
        "api/2.0/crm/opportunity/42/stage/6.json",
        "stageid=6",
    );
    wire(
        &SetOpportunityAccess::new(42, true).access_list([uuid(USER), uuid(OTHER)]),
        "PUT",
        "api/2.0/crm/opportunity/42/access.json",
        "isPrivate=true&accessList=4a515a15-d4d6-4b8e-828e-e0586f18f3a3\
         &accessList=1f3b2c4d-0000-4000-8000-00000000abcd",
    );
    wire(
        &SetOpportunityAccessByIds::new([1, 2], false),
        "PUT",
        "api/2.0/crm/opportunity/access.json",
        "opportunityid=1&opportunityid=2&isPrivate=false",
    );
    wire(
        &SetOpportunityAccessByFilter::new(true)
            .stage_id(3)
            .filter_value("x"),
        "PUT",
        "api/2.0/crm/opportunity/filter/access.json?filterValue=x",
        "opportunityStagesid=3&isPrivate=true",
    );
    wire(
        &SetOpportunityCreationDate::new(42, date("2022-10-08T15:03:33.1944111Z")),
        "PUT",
        "api/2.0/crm/opportunity/42/creationdate.json",
        "creationDate=2022-10-08T15%3A03%3A33.1944111Z",
    );
    wire(
        &SetOpportunityLastModifiedDate::new(42, date("2022-10-08T15:03:33Z")),
        "PUT",
        "api/2.0/crm/opportunity/42/lastmodifeddate.json",
        "lastModifedDate=2022-10-08T15%3A03%3A33.0000000Z",
    );
}

#[test]
fn stages() {
    wire(
        &ListOpportunityStages::new(),
        "GET",
        "api/2.0/crm/opportunity/stage.json",
        "",
    );
    wire(
        &GetOpportunityStage::new(30),
        "GET",
        "api/2.0/crm/opportunity/stage/30.json",
        "",
    );
    wire(
        &CreateOpportunityStage::new("Discussion", "#B9AFD3")
            .success_probability(20)
            .stage_type(StageType::Open),
        "POST",
        "api/2.0/crm/opportunity/stage.json",
        "title=Discussion&color=%23B9AFD3&successProbability=20&stageType=Open",
    );
    wire(
        &UpdateOpportunityStageFields::new(30, "Talks").description("d"),
        "PUT",
        "api/2.0/crm/opportunity/stage/30.json",
        "title=Talks&description=d",
    );
    wire(
        &UpdateOpportunityStageColor::new(30, "#66A83A"),
        "PUT",
        "api/2.0/crm/opportunity/stage/30/color.json",
        "color=%2366A83A",
    );
    wire(
        &ReorderOpportunityStages::new([3, 1, 2]),
        "PUT",
        "api/2.0/crm/opportunity/stage/reorder.json",
        "ids=3&ids=1&ids=2",
    );
    wire(
        &DeleteOpportunityStage::new(30),
        "DELETE",
        "api/2.0/crm/opportunity/stage/30.json",
        "",
    );
}

#[test]
fn values_the_server_would_refuse_are_refused_before_sending() {
    let base = BaseUrl::parse("https://portal.example.com/").expect("base");
    let token = Token::new("tok").expect("token");
    let context = RequestContext::new(&base, Some(&token));
    let refused: Vec<(&str, BuildError)> = vec![
        (
            "opportunityids",
            build_request(&DeleteOpportunities::new(Vec::<i64>::new()), &context)
                .expect_err("empty"),
        ),
        (
            "opportunityids",
            build_request(&DeleteOpportunities::new([1, 0]), &context).expect_err("zero"),
        ),
        (
            "title",
            build_request(&CreateOpportunityStage::new("  ", "#fff"), &context).expect_err("blank"),
        ),
        (
            "stageid",
            build_request(&UpdateOpportunityStage::new(1, -2), &context).expect_err("neg"),
        ),
        (
            "members",
            build_request(
                &CreateOpportunity::new("t", uuid(USER), 1, "RUB").members([0]),
                &context,
            )
            .expect_err("member"),
        ),
    ];
    for (name, error) in refused {
        match error {
            BuildError::InvalidArgument { name: got, .. } => assert_eq!(got, name),
            other => panic!("{name}: unexpected {other:?}"),
        }
    }
}

/// The error `endpoint` is refused with, or a panic naming what was built instead.
#[track_caller]
fn refusal<E: Endpoint + std::fmt::Debug>(endpoint: &E) -> (String, String) {
    let base = BaseUrl::parse("https://portal.example.com/").expect("base");
    let token = Token::new("tok").expect("token");
    match build_request(endpoint, &RequestContext::new(&base, Some(&token))) {
        Err(BuildError::InvalidArgument { name, reason }) => (name, reason),
        Err(other) => panic!("{endpoint:?}: unexpected {other:?}"),
        Ok(request) => panic!("{endpoint:?} was built: {}", request.uri()),
    }
}

/// The refusal of a request that would act on every deal: it says how to mean that.
#[track_caller]
fn assert_no_filter<E: Endpoint + std::fmt::Debug>(endpoint: &E, opt_in: &str) {
    let (name, reason) = refusal(endpoint);
    assert_eq!(name, "filter", "{endpoint:?}");
    assert!(reason.contains("no filter is set"), "{reason}");
    assert!(reason.contains(opt_in), "{reason} names {opt_in}");
}

#[test]
fn by_filter_requests_without_a_filter_are_refused_and_name_the_opt_in() {
    const DELETE_ALL: &str = "`DeleteOpportunitiesByFilter::all()`";
    const ACCESS_ALL: &str = "`SetOpportunityAccessByFilter::all()`";
    assert_no_filter(&DeleteOpportunitiesByFilter::new(), DELETE_ALL);
    assert_no_filter(&DeleteOpportunitiesByFilter::default(), DELETE_ALL);
    assert_no_filter(&SetOpportunityAccessByFilter::new(true), ACCESS_ALL);
    let (_, reason) = refusal(&DeleteOpportunitiesByFilter::new());
    assert!(
        reason.contains("delete every deal the caller may delete"),
        "{reason}"
    );

    // Values the server takes for "no filter" (an empty text, the nil GUID), or that select
    // nothing a caller can have meant (blank text or tags), are no filter either.
    for blank in ["", " ", "\t \n"] {
        assert_no_filter(
            &DeleteOpportunitiesByFilter::new().filter_value(blank),
            DELETE_ALL,
        );
        assert_no_filter(
            &SetOpportunityAccessByFilter::new(false).filter_value(blank),
            ACCESS_ALL,
        );
    }
    assert_no_filter(
        &DeleteOpportunitiesByFilter::new().responsible_id(Uuid::nil()),
        DELETE_ALL,
    );
    assert_no_filter(
        &DeleteOpportunitiesByFilter::new().tags(["".to_owned(), "  ".to_owned()]),
        DELETE_ALL,
    );
}

#[test]
fn by_filter_parameters_the_server_would_ignore_are_refused() {
    let from = date("2024-01-01T00:00:00Z");
    let to = date("2024-12-31T00:00:00Z");
    // The server applies fromDate and toDate only as a pair (DealDao.GetCrudeDeals): alone
    // it ignores them, so next to another filter more deals would be deleted than asked.
    let cases = [
        (
            refusal(&DeleteOpportunitiesByFilter::new().from_date(from)),
            "fromDate",
            "toDate",
        ),
        (
            refusal(&DeleteOpportunitiesByFilter::new().to_date(to)),
            "toDate",
            "fromDate",
        ),
        (
            refusal(
                &DeleteOpportunitiesByFilter::new()
                    .stage_id(3)
                    .from_date(from),
            ),
            "fromDate",
            "toDate",
        ),
        (
            refusal(&DeleteOpportunitiesByFilter::all().from_date(from)),
            "fromDate",
            "toDate",
        ),
        (
            refusal(
                &SetOpportunityAccessByFilter::new(true)
                    .tags(["vip".to_owned()])
                    .to_date(to),
            ),
            "toDate",
            "fromDate",
        ),
        (
            refusal(&DeleteOpportunitiesByFilter::new().contact_also_is_participant(true)),
            "contactAlsoIsParticipant",
            "contactid",
        ),
    ];
    for ((name, reason), expected, partner) in cases {
        assert_eq!(name, expected, "{reason}");
        assert!(
            reason.contains(&format!("only together with `{partner}`")),
            "{reason}"
        );
    }
    // The server reads filterValue only up to its first comma: ",x" would be no filter at all,
    // "x,y" a wider one.
    for text in [",Hotel", "hotel,catalogue", "  ,"] {
        let (name, reason) = refusal(&DeleteOpportunitiesByFilter::new().filter_value(text));
        assert_eq!(name, "filterValue");
        assert!(reason.contains("comma"), "{reason}");
        let (name, _) = refusal(&SetOpportunityAccessByFilter::all(true).filter_value(text));
        assert_eq!(name, "filterValue");
    }
}

#[test]
fn by_filter_requests_send_exactly_their_filter_or_none_when_all() {
    wire(
        &DeleteOpportunitiesByFilter::new().filter_value("hotel"),
        "DELETE",
        "api/2.0/crm/opportunity/filter.json?filterValue=hotel",
        "",
    );
    wire(
        &DeleteOpportunitiesByFilter::new()
            .responsible_id(uuid(USER))
            .from_date(date("2024-01-01T00:00:00Z"))
            .to_date(date("2024-02-01T00:00:00Z")),
        "DELETE",
        "api/2.0/crm/opportunity/filter.json?responsibleid=4a515a15-d4d6-4b8e-828e-e0586f18f3a3\
         &fromDate=2024-01-01T00%3A00%3A00.0000000Z&toDate=2024-02-01T00%3A00%3A00.0000000Z",
        "",
    );
    wire(
        &DeleteOpportunitiesByFilter::new().tags(["vip".to_owned()]),
        "DELETE",
        "api/2.0/crm/opportunity/filter.json?tags=vip",
        "",
    );
    wire(
        &DeleteOpportunitiesByFilter::new().stage_type(StageType::Open),
        "DELETE",
        "api/2.0/crm/opportunity/filter.json?stageType=Open",
        "",
    );
    wire(
        &SetOpportunityAccessByFilter::new(true).responsible_id(uuid(OTHER)),
        "PUT",
        "api/2.0/crm/opportunity/filter/access.json",
        "responsibleid=1f3b2c4d-0000-4000-8000-00000000abcd&isPrivate=true",
    );
    // The explicit opt-in goes without any filter, and the flag itself is not sent.
    wire(
        &DeleteOpportunitiesByFilter::all(),
        "DELETE",
        "api/2.0/crm/opportunity/filter.json",
        "",
    );
    wire(
        &SetOpportunityAccessByFilter::all(false),
        "PUT",
        "api/2.0/crm/opportunity/filter/access.json",
        "isPrivate=false",
    );
    // Filters set on top of all() still apply.
    wire(
        &DeleteOpportunitiesByFilter::all().stage_id(3),
        "DELETE",
        "api/2.0/crm/opportunity/filter.json?opportunityStagesid=3",
        "",
    );
}

#[test]
fn the_table_lists_every_endpoint_once_with_its_route() {
    // Counted in the spec's text itself, not through the generator.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/crm/endpoints");
    let declared: usize = std::fs::read_dir(dir)
        .expect("the spec's endpoints")
        .map(|entry| std::fs::read_to_string(entry.expect("entry").path()).expect("read"))
        .map(|text| text.lines().filter(|l| *l == "[[endpoint]]").count())
        .sum();
    assert!(declared >= 25, "{declared}");
    assert_eq!(ENDPOINTS.len(), declared);
    assert_eq!(r7_proto::EndpointId::ALL.len(), declared);
    let mut names: Vec<_> = ENDPOINTS.iter().map(|e| e.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), declared, "names are unique");
    for (info, id) in ENDPOINTS.iter().zip(r7_proto::EndpointId::ALL) {
        assert_eq!(info.id, *id);
        assert_eq!(id.info().name, info.name);
    }
    let delete = ENDPOINTS
        .iter()
        .find(|e| e.name == "DeleteOpportunity")
        .expect("seed endpoint");
    assert_eq!(delete.method, "DELETE");
    assert_eq!(
        delete.path_template,
        DeleteOpportunity::new(1).path_template()
    );
    assert_eq!(
        delete.route,
        "api/2.0/crm/opportunity/{opportunityid:[0-9]+}"
    );
    assert_eq!(delete.auth, Auth::Required);
    assert!(!delete.idempotent);
    // Hidden is what the server's doc comments say (`<visible>false</visible>`), read into the
    // inventory from the source: each endpoint is hidden exactly when its route is.
    let inventory = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/crm/inventory.toml"),
    )
    .expect("the inventory");
    for endpoint in ENDPOINTS {
        let route = endpoint.route.trim_start_matches("api/2.0/crm/");
        let line = inventory
            .lines()
            .find(|l| {
                l.contains(&format!("method = \"{}\",", endpoint.method))
                    && l.contains(&format!("route = \"{route}\","))
            })
            .unwrap_or_else(|| panic!("{} is not in the inventory", endpoint.name));
        assert_eq!(
            endpoint.undocumented,
            line.contains("hidden = true"),
            "{}",
            endpoint.name
        );
    }
    assert!(ENDPOINTS.iter().any(|e| e.undocumented));
    for endpoint in ENDPOINTS {
        assert!(endpoint.route.starts_with("api/2.0/crm/"), "{endpoint:?}");
        // The template is the route without its constraints (`:[0-9]+`, `:(a|b)`).
        let plain: String = endpoint
            .route
            .split('/')
            .map(|s| match s.split_once(':') {
                Some((name, _)) => format!("{name}}}"),
                None => s.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/");
        assert_eq!(plain, endpoint.path_template, "{endpoint:?}");
        // GETs, and the writes that set a state rather than add or remove something.
        let repeatable = endpoint.method == "GET"
            || [
                "AddOpportunityContact",
                "SetOpportunityCreationDate",
                "SetOpportunityLastModifiedDate",
                "UpdateOpportunityStageFields",
                "UpdateOpportunityStageColor",
                "ReorderOpportunityStages",
                // A tag already linked is linked again with no change (`REPLACE`).
                "AddTagToEntities",
                "AddEntityTag",
                "AddContactGroupTag",
                "UpdateCustomField",
                "ReorderCustomFields",
                "UpdateTaskCategory",
                "UpdateTaskCategoryIcon",
                "ReorderTaskCategories",
                "UpdateHistoryCategory",
                "UpdateHistoryCategoryIcon",
                "ReorderHistoryCategories",
                "UpdateContactStatusFields",
                "UpdateContactStatusColor",
                "ReorderContactStatuses",
                "UpdateContactType",
                "ReorderContactTypes",
                // A setting set again is the same setting; `PUT settings` without a key gives a
                // new one each time, and the key change always does.
                "UpdateContactStatusSettings",
                "UpdateMailToHistorySettings",
                "UpdateContactTagSettings",
                "ReopenTask",
                "CloseTask",
                "SetTaskCreationDate",
                "SetTaskLastModifiedDate",
                // Full replacements and settings of one value.
                "UpdatePerson",
                "UpdateCompany",
                "UpdateContactStatus",
                "UpdateCompanyStatus",
                "UpdatePersonStatus",
                "SetContactAccess",
                "SetContactsAccess",
                "SetContactCreationDate",
                "SetContactLastModifiedDate",
                "UpdateContactInfo",
                "UpdateContactAddress",
                // Cancelling the mailing again finds it cancelled; a photo set again replaces
                // the same photo.
                "CancelContactsMail",
                "ChangeContactPhotoByUrl",
                "ChangeContactPhoto",
                // The details are replaced by the same items again (with new ids).
                "ReplaceContactInfoBatch",
            ]
            .contains(&endpoint.name);
        assert_eq!(endpoint.idempotent, repeatable, "{endpoint:?}");
    }
}
