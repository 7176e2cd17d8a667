//! Task and history categories (`CRMApi.ListItem.cs`, `ListItemDao.cs`), entries of the CRM's
//! lists (the shared steps are in `list_item`). Every route is a hook: create and update answer
//! what was sent, reorder matches by name, and the lookups by id do not check which list an id
//! is in.
//!
//! An entry in use (by tasks, by history events) cannot be changed or deleted, except that a
//! task category's tasks can move to another entry as it goes.

use r7_model::TaskCategory;

use super::list_item::{self, Column, Read, Sent, deletable, delete_row, in_use};
use crate::generated::args::{
    CreateHistoryCategoryArgs, CreateTaskCategoryArgs, DeleteHistoryCategoryArgs,
    DeleteTaskCategoryArgs, GetTaskCategoryArgs, ListHistoryCategoriesArgs, ListTaskCategoriesArgs,
    ReorderHistoryCategoriesArgs, ReorderTaskCategoriesArgs, UpdateHistoryCategoryArgs,
    UpdateHistoryCategoryIconArgs, UpdateTaskCategoryArgs, UpdateTaskCategoryIconArgs,
};
use crate::ops::{Call, Outcome};
use crate::store::{Crm, ListKind};
use crate::wire::{ApiError, Reply};

/// Where the portal serves the CRM's icons (`WebImageSupplier`, `PathProvider.cs:33`).
const IMAGES: &str = "/Products/CRM/App_Themes/default/images/";

/// An icon's address; empty without an icon (`WebImageSupplier.cs:52`).
pub(crate) fn image_path(image: Option<&str>) -> String {
    match image {
        Some(name) if !name.is_empty() => format!("{IMAGES}{name}"),
        _ => String::new(),
    }
}

/// A task category as a task embeds it (`GetTaskCategoryByID`, `CRMApi.ListItem.cs:960`): any
/// list's entry, with the number of tasks in it.
pub(crate) fn task_category(crm: &Crm, id: i64) -> Option<TaskCategory> {
    let row = crm.list_items.get(id)?;
    Some(Read::from_row(id, row).task_value(crm.tasks_in_category(id)))
}

/// What a category's create and update send: no colour (the API never sets one).
fn fields(title: Option<String>, description: Option<String>, image: Option<String>) -> Sent {
    Sent {
        title,
        description,
        color: None,
        image,
    }
}

/// `POST history/category` (`CRMApi.ListItem.cs:237`): the name checked first.
pub(crate) fn create_history(crm: &mut Crm, args: CreateHistoryCategoryArgs, _: &Call) -> Outcome {
    if args.title.as_deref().unwrap_or_default().is_empty() {
        return Err(ApiError::ARGUMENT);
    }
    let sent = fields(args.title, args.description, args.image_name);
    list_item::create(crm, ListKind::HistoryCategory, sent)
}

/// `PUT history/category/{id}` (`CRMApi.ListItem.cs:273`).
pub(crate) fn update_history(crm: &mut Crm, args: UpdateHistoryCategoryArgs, _: &Call) -> Outcome {
    let sent = fields(args.title, args.description, args.image_name);
    list_item::update(crm, ListKind::HistoryCategory, args.category_id, sent)
}

/// `PUT history/category/{id}/icon` (`CRMApi.ListItem.cs:312`).
pub(crate) fn icon_history(
    crm: &mut Crm,
    args: UpdateHistoryCategoryIconArgs,
    _: &Call,
) -> Outcome {
    let kind = ListKind::HistoryCategory;
    list_item::set(crm, kind, args.category_id, Column::Image, args.image_name)
}

/// `PUT history/category/reorder` (`CRMApi.ListItem.cs:347`).
pub(crate) fn reorder_history(
    crm: &mut Crm,
    args: ReorderHistoryCategoriesArgs,
    call: &Call,
) -> Outcome {
    list_item::reorder(crm, ListKind::HistoryCategory, &args.titles, call)
}

/// `DELETE history/category/{id}` (`CRMApi.ListItem.cs:374`).
pub(crate) fn delete_history(crm: &mut Crm, args: DeleteHistoryCategoryArgs, _: &Call) -> Outcome {
    let last = "The last history category cannot be deleted";
    list_item::delete(crm, ListKind::HistoryCategory, args.category_id, last)
}

/// `GET history/category` (`CRMApi.ListItem.cs:982`).
pub(crate) fn list_history(crm: &mut Crm, _: ListHistoryCategoriesArgs, call: &Call) -> Outcome {
    list_item::list(crm, ListKind::HistoryCategory, call)
}

/// `POST task/category` (`CRMApi.ListItem.cs:411`): no check of its own before the DAO's.
pub(crate) fn create_task(crm: &mut Crm, args: CreateTaskCategoryArgs, _: &Call) -> Outcome {
    let sent = fields(args.title, args.description, args.image_name);
    list_item::create(crm, ListKind::TaskCategory, sent)
}

/// `PUT task/category/{id}` (`CRMApi.ListItem.cs:446`).
pub(crate) fn update_task(crm: &mut Crm, args: UpdateTaskCategoryArgs, _: &Call) -> Outcome {
    let sent = fields(args.title, args.description, args.image_name);
    list_item::update(crm, ListKind::TaskCategory, args.category_id, sent)
}

/// `PUT task/category/{id}/icon` (`CRMApi.ListItem.cs:485`).
pub(crate) fn icon_task(crm: &mut Crm, args: UpdateTaskCategoryIconArgs, _: &Call) -> Outcome {
    let kind = ListKind::TaskCategory;
    list_item::set(crm, kind, args.category_id, Column::Image, args.image_name)
}

/// `PUT task/category/reorder` (`CRMApi.ListItem.cs:520`).
pub(crate) fn reorder_task(crm: &mut Crm, args: ReorderTaskCategoriesArgs, call: &Call) -> Outcome {
    list_item::reorder(crm, ListKind::TaskCategory, &args.titles, call)
}

/// `DELETE task/category/{id}` (`CRMApi.ListItem.cs:548`): the answer is built after the tasks
/// have moved, so it counts none.
pub(crate) fn delete_task(crm: &mut Crm, args: DeleteTaskCategoryArgs, _: &Call) -> Outcome {
    let id = args.category_id;
    if id <= 0 || args.new_category_id < 0 {
        return Err(ApiError::ARGUMENT);
    }
    let kind = ListKind::TaskCategory;
    let answer = deletable(crm, kind, id, "The last task category cannot be deleted")?;
    // `ChangeRelativeItemsLink` (`ListItemDao.cs:459`): tasks move to another existing entry
    // (of any list); with no tasks, `newcategoryid` is not read.
    if crm.tasks_in_category(id) > 0 {
        let to = args.new_category_id;
        if to == id {
            return Err(in_use(kind, "deleted"));
        }
        if !crm.list_items.contains(to) {
            return Err(ApiError::argument("\r\nParameter name: toItemID"));
        }
        for (_, task) in crm.tasks.iter_mut() {
            if task.category_id == id {
                task.category_id = to;
            }
        }
    }
    delete_row(crm, kind, id);
    Ok(Reply::One(answer.node(crm, kind)))
}

/// `GET task/category/{id}` (`CRMApi.ListItem.cs:960`): any list's entry, as a task category.
pub(crate) fn get_task(crm: &mut Crm, args: GetTaskCategoryArgs, _: &Call) -> Outcome {
    list_item::get(crm, ListKind::TaskCategory, args.category_id)
}

/// `GET task/category` (`CRMApi.ListItem.cs:1008`).
pub(crate) fn list_task(crm: &mut Crm, _: ListTaskCategoriesArgs, call: &Call) -> Outcome {
    list_item::list(crm, ListKind::TaskCategory, call)
}

#[cfg(test)]
mod tests {
    use r7_model::TaskCategory;

    use crate::generated::Wire;
    use crate::wire::{Node, to_node};

    #[test]
    fn a_task_category_is_written_as_the_documentation_sample_shows_it() {
        let fixture = include_str!("../../../../tests/fixtures/category/task.json");
        let envelope: Node = serde_json::from_str(fixture).expect("the fixture is JSON");
        let sample = envelope.path("response").expect("a response").clone();
        let expected = crate::wire::to_json(&sample).expect("written");
        let category: TaskCategory = serde_json::from_slice(&expected).expect("decodes");
        let written = crate::wire::to_json(&to_node(&Wire(&category))).expect("written");
        assert_eq!(String::from_utf8(written), String::from_utf8(expected));
    }
}
