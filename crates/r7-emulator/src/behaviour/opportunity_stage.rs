//! Deal stages ("deal milestones", `CRMApi.ListItem.cs`, `DealMilestoneDao.cs`): the forms
//! built from the rows, and the rules of create, update and delete.

use r7_model::{OpportunityStage, StageType};

use crate::generated::args::{CreateOpportunityStageArgs, UpdateOpportunityStageFieldsArgs};
use crate::generated::{Wire, WireList};
use crate::ops::{Entity, Ordered, Written};
use crate::store::{Crm, StageRow, Table};
use crate::wire::{ApiError, Node, to_node};

impl Entity for OpportunityStage {
    type Row = StageRow;

    fn table(crm: &Crm) -> &Table<StageRow> {
        &crm.stages
    }

    fn table_mut(crm: &mut Crm) -> &mut Table<StageRow> {
        &mut crm.stages
    }

    /// `ToDealMilestoneWrapper`: with the number of its deals, without `sortOrder`.
    fn read(crm: &Crm, id: i64) -> Option<OpportunityStage> {
        let mut stage = embed(crm, id)?;
        stage.relative_items_count = crm.deals_in_stage(id);
        Some(stage)
    }

    /// The pipeline: by position, ties by id (`DealMilestoneDao.GetAll` orders by `sort_order`).
    fn ordered(crm: &Crm) -> Vec<i64> {
        let mut stages: Vec<(i32, i64)> = crm
            .stages
            .iter()
            .map(|(id, s)| (s.sort_order, id))
            .collect();
        stages.sort_unstable();
        stages.into_iter().map(|(_, id)| id).collect()
    }

    fn one(&self) -> Node {
        to_node(&Wire(self))
    }

    fn list_item(&self) -> Node {
        to_node(&WireList(self))
    }

    /// `DealMilestoneDao.Delete` (`DealMilestoneDao.cs:217`) refuses a stage that has deals.
    fn check_delete(crm: &Crm, id: i64) -> Result<(), ApiError> {
        if crm.deals_in_stage(id) > 0 {
            return Err(ApiError::argument(
                "Can't be deleted. There are some opportunities at this stage.",
            ));
        }
        Ok(())
    }
}

impl Ordered for OpportunityStage {
    fn position(row: &mut StageRow) -> &mut i32 {
        &mut row.sort_order
    }
}

/// A stage as deals embed it: no count, no `sortOrder`.
pub(crate) fn embed(crm: &Crm, id: i64) -> Option<OpportunityStage> {
    let row = crm.stages.get(id)?;
    let mut v = OpportunityStage::default();
    v.success_probability = row.success_probability;
    v.stage_type = row.stage_type;
    v.title.clone_from(&row.title);
    v.description.clone_from(&row.description);
    v.color.clone_from(&row.color);
    v.id = id.into();
    Some(v)
}

/// What a stage's create or update sends.
struct StageFields {
    title: Option<String>,
    description: Option<String>,
    color: Option<String>,
    success_probability: i64,
    stage_type: StageType,
}

/// `CreateDealMilestone` and `UpdateDealMilestone` (`CRMApi.ListItem.cs:60`, `:108`) refuse an
/// empty title and a probability outside 0..=100 before they read anything.
fn check_fields(fields: &StageFields) -> Result<(), ApiError> {
    if fields.title.as_deref().unwrap_or_default().is_empty()
        || !(0..=100).contains(&fields.success_probability)
    {
        return Err(ApiError::ARGUMENT);
    }
    Ok(())
}

fn write_fields(crm: &mut Crm, id: i64, sort_order: i32, fields: StageFields) {
    crm.stages.insert(
        id,
        StageRow {
            title: fields.title.unwrap_or_default(),
            description: fields.description.unwrap_or_default(),
            color: fields.color.unwrap_or_default(),
            success_probability: i32::try_from(fields.success_probability).unwrap_or_default(),
            stage_type: fields.stage_type,
            sort_order,
        },
    );
}

/// Both methods take the same fields (create has no id, and requires a colour).
macro_rules! stage_fields_from {
    ($($args:ty),*) => {$(
        impl From<$args> for StageFields {
            fn from(a: $args) -> StageFields {
                StageFields {
                    title: a.title,
                    description: a.description,
                    color: a.color,
                    success_probability: a.success_probability,
                    stage_type: a.stage_type,
                }
            }
        }
    )*};
}

stage_fields_from!(CreateOpportunityStageArgs, UpdateOpportunityStageFieldsArgs);

impl Written<CreateOpportunityStageArgs> for OpportunityStage {
    fn check(fields: &CreateOpportunityStageArgs) -> Result<(), ApiError> {
        check_fields(&fields.clone().into())
    }

    /// `DealMilestoneDao.Create` (`DealMilestoneDao.cs:154`) also refuses an empty colour; a
    /// new stage goes to the end of the pipeline.
    fn write(
        crm: &mut Crm,
        id: i64,
        _: Option<StageRow>,
        fields: CreateOpportunityStageArgs,
    ) -> Result<(), ApiError> {
        if fields.color.as_deref().unwrap_or_default().is_empty() {
            return Err(ApiError::ARGUMENT);
        }
        let end = crm.next_sort_order();
        write_fields(crm, id, end, fields.into());
        Ok(())
    }
}

impl Written<UpdateOpportunityStageFieldsArgs> for OpportunityStage {
    fn check(fields: &UpdateOpportunityStageFieldsArgs) -> Result<(), ApiError> {
        check_fields(&fields.clone().into())
    }

    /// `DealMilestoneDao.Edit` (`DealMilestoneDao.cs:193`) refuses a stage that has deals.
    fn write(
        crm: &mut Crm,
        id: i64,
        old: Option<StageRow>,
        fields: UpdateOpportunityStageFieldsArgs,
    ) -> Result<(), ApiError> {
        if crm.deals_in_stage(id) > 0 {
            return Err(ApiError::argument(
                "Can't be edited. There are some opportunities at this stage.",
            ));
        }
        let position = old.map_or(0, |o| o.sort_order);
        write_fields(crm, id, position, fields.into());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use r7_proto::EndpointId::{
        CreateOpportunityStage, DeleteOpportunityStage, ReorderOpportunityStages,
        UpdateOpportunityStageFields,
    };

    use super::*;
    use crate::ops::testing::{call, crm, id, ids, one, page, run};

    const FIELDS: &str = "title=Renamed&color=%23000000&successProbability=10";

    #[test]
    fn stages_refuse_changes_while_they_have_deals() {
        let mut crm = crm();
        let update = |id: i64| call(&format!("id={id}&{FIELDS}"), "");
        let error = run(UpdateOpportunityStageFields, &mut crm, &update(30)).unwrap_err();
        assert_eq!(
            error.message,
            "Can't be edited. There are some opportunities at this stage."
        );
        let error = run(DeleteOpportunityStage, &mut crm, &call("id=30", "")).unwrap_err();
        assert_eq!(
            error.message,
            "Can't be deleted. There are some opportunities at this stage."
        );
        let updated = one(run(UpdateOpportunityStageFields, &mut crm, &update(1)).unwrap());
        assert!(matches!(updated.path("title"), Some(Node::String(t)) if t == "Renamed"));
        assert!(
            updated.path("sortOrder").is_none(),
            "no stage answer has it"
        );
        let created = one(run(CreateOpportunityStage, &mut crm, &call(FIELDS, "")).unwrap());
        assert_eq!(id(&created), 31);
        assert_eq!(OpportunityStage::ordered(&crm).last(), Some(&31));
        let out_of_range = call("title=x&color=%23000000&successProbability=101", "");
        let error = run(CreateOpportunityStage, &mut crm, &out_of_range).unwrap_err();
        assert_eq!(error, ApiError::ARGUMENT);
        let no_colour = call("title=x&successProbability=1", "");
        let error = run(CreateOpportunityStage, &mut crm, &no_colour).unwrap_err();
        assert_eq!(error, ApiError::ARGUMENT);
        let reorder = call("ids[]=31&ids[]=1", "");
        let (items, _) = page(run(ReorderOpportunityStages, &mut crm, &reorder).unwrap());
        assert_eq!(ids(&items), [31, 1]);
        assert_eq!(OpportunityStage::ordered(&crm)[..2], [31, 1]);
        let unknown = call("ids[]=31&ids[]=404", "");
        let error = run(ReorderOpportunityStages, &mut crm, &unknown).unwrap_err();
        assert_eq!(error, ApiError::NULL_REFERENCE);
        assert_eq!(
            OpportunityStage::ordered(&crm)[..2],
            [31, 1],
            "nothing moved"
        );
        let deleted = one(run(DeleteOpportunityStage, &mut crm, &call("id=31", "")).unwrap());
        assert_eq!(id(&deleted), 31);
        let error = run(DeleteOpportunityStage, &mut crm, &call("id=31", "")).unwrap_err();
        assert_eq!(error, ApiError::NOT_FOUND);
    }

    #[test]
    fn an_update_checks_its_fields_before_it_looks_for_the_stage() {
        let mut crm = crm();
        let bad_and_missing = call("id=404&title=&successProbability=1", "");
        let error = run(UpdateOpportunityStageFields, &mut crm, &bad_and_missing).unwrap_err();
        assert_eq!(error, ApiError::ARGUMENT);
        let missing = call(&format!("id=404&{FIELDS}"), "");
        let error = run(UpdateOpportunityStageFields, &mut crm, &missing).unwrap_err();
        assert_eq!(error, ApiError::NOT_FOUND);
    }
}
