//! Task and history categories (`CRMApi.ListItem.cs`, `ListItemDao.cs`), entries of the CRM's
//! lists. Every route is a hook: create and update answer what was sent, reorder matches by
//! name, and the lookups by id do not check which list an id is in.
//!
//! An entry in use (by tasks, by history events) cannot be changed or deleted, except that a
//! task category's tasks can move to another entry as it goes.

use r7_model::{HistoryCategory, TaskCategory};

use crate::generated::Wire;
use crate::generated::args::{
    CreateHistoryCategoryArgs, CreateTaskCategoryArgs, DeleteHistoryCategoryArgs,
    DeleteTaskCategoryArgs, GetTaskCategoryArgs, ListHistoryCategoriesArgs, ListTaskCategoriesArgs,
    ReorderHistoryCategoriesArgs, ReorderTaskCategoriesArgs, UpdateHistoryCategoryArgs,
    UpdateHistoryCategoryIconArgs, UpdateTaskCategoryArgs, UpdateTaskCategoryIconArgs,
};
use crate::ops::{Call, Outcome, smart_list};
use crate::store::{Crm, ListItemRow, ListKind};
use crate::wire::{ApiError, Node, Reply, to_node};

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
    Some(Read::from_row(id, row).task_value(crm))
}

/// An entry as either wrapper reads it from the database: `NULL` columns come back as "".
struct Read {
    id: i64,
    title: Option<String>,
    description: Option<String>,
    color: Option<String>,
    image: Option<String>,
    sort_order: i32,
}

impl Read {
    fn from_row(id: i64, row: &ListItemRow) -> Read {
        Read {
            id,
            title: Some(row.title.clone()),
            description: Some(row.description.clone().unwrap_or_default()),
            color: Some(row.color.clone().unwrap_or_default()),
            image: row.image.clone(),
            sort_order: row.sort_order,
        }
    }

    /// `TaskCategoryWrapper`: the icon's address always set, empty without one, and the
    /// number of tasks in the category (`ListItemDao.cs:295`).
    fn task_value(self, crm: &Crm) -> TaskCategory {
        let mut v = TaskCategory::default();
        v.relative_items_count = crm.tasks_in_category(self.id);
        v.image_path = image_path(self.image.as_deref());
        v.title = self.title;
        v.description = self.description;
        v.color = self.color;
        v.sort_order = self.sort_order;
        v.id = self.id.into();
        v
    }

    fn task(self, crm: &Crm) -> Node {
        to_node(&Wire(&self.task_value(crm)))
    }

    /// `HistoryCategoryWrapper`: the icon's address set only with an icon, else `null`, and
    /// the number of events in the category (`ToHistoryCategoryWrapper`, `CRMApi.ListItem.cs:1123`).
    fn history(self, crm: &Crm) -> Node {
        let mut v = HistoryCategory::default();
        v.relative_items_count = crm.related_items(ListKind::HistoryCategory, self.id);
        v.image_path = Some(image_path(self.image.as_deref())).filter(|p| !p.is_empty());
        v.title = self.title;
        v.description = self.description;
        v.color = self.color;
        v.sort_order = self.sort_order;
        v.id = self.id.into();
        to_node(&Wire(&v))
    }

    fn node(self, crm: &Crm, kind: ListKind) -> Node {
        match kind {
            ListKind::TaskCategory => self.task(crm),
            ListKind::HistoryCategory => self.history(crm),
        }
    }
}

/// `ListItemDao.IsExist(type, title)` (`ListItemDao.cs:129`): MySQL's default collation
/// compares without case and ignores trailing spaces.
fn by_title(crm: &Crm, kind: ListKind, title: &str) -> Option<i64> {
    let wanted = title.trim_end().to_lowercase();
    crm.list_items
        .iter()
        .find(|(_, r)| r.kind == kind && r.title.trim_end().to_lowercase() == wanted)
        .map(|(id, _)| id)
}

/// The entries of a list by position, ties by id (`GetItems`, `ListItemDao.cs:154`).
fn entries(crm: &Crm, kind: ListKind) -> Vec<(i64, &ListItemRow)> {
    let mut items: Vec<(i64, &ListItemRow)> = crm
        .list_items
        .iter()
        .filter(|(_, r)| r.kind == kind)
        .collect();
    items.sort_by_key(|(id, r)| (r.sort_order, *id));
    items
}

fn list(crm: &Crm, kind: ListKind, call: &Call) -> Outcome {
    let items = entries(crm, kind)
        .into_iter()
        .map(|(id, row)| Read::from_row(id, row).node(crm, kind))
        .collect();
    Ok(smart_list(items, &call.paging))
}

/// `Path.GetFileName`: what follows the last separator.
fn file_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// `CreateItem` (`ListItemDao.cs:358`) and the answer built from the request (`CRMApi.ListItem.cs:244`).
fn create(
    crm: &mut Crm,
    kind: ListKind,
    title: Option<String>,
    description: Option<String>,
    image: Option<String>,
) -> Outcome {
    let title = title.unwrap_or_default();
    let (id, image) = match by_title(crm, kind, &title) {
        // A name the list has: its id, nothing changed, nothing else checked.
        Some(id) => (id, image),
        None => {
            let image = image.filter(|i| !i.is_empty());
            let (false, Some(image)) = (title.is_empty(), image) else {
                return Err(ApiError::ARGUMENT);
            };
            let image = file_name(&image).to_owned();
            let sort_order = entries(crm, kind)
                .iter()
                .map(|(_, r)| r.sort_order)
                .max()
                .unwrap_or(0)
                + 1;
            let id = crm.list_items.next_id();
            crm.list_items.insert(
                id,
                ListItemRow {
                    kind,
                    title: title.clone(),
                    description: description.clone(),
                    color: None,
                    image: Some(image.clone()),
                    sort_order,
                },
            );
            (id, Some(image))
        }
    };
    let answer = Read {
        id,
        title: Some(title),
        description,
        color: None,
        image,
        sort_order: 0,
    };
    Ok(Reply::One(answer.node(crm, kind)))
}

/// `EditItem` (`ListItemDao.cs:396`): name, description and icon as sent, the colour cleared,
/// the position kept; the answer built from the request (`CRMApi.ListItem.cs:283`).
fn update(
    crm: &mut Crm,
    kind: ListKind,
    id: i64,
    title: Option<String>,
    description: Option<String>,
    image: Option<String>,
) -> Outcome {
    let title = title.filter(|t| !t.is_empty());
    let (true, Some(title)) = (id > 0, title) else {
        return Err(ApiError::ARGUMENT);
    };
    // `IsExist(id)` looks in every list (`ListItemDao.cs:141`).
    if !crm.list_items.contains(id) {
        return Err(ApiError::NOT_FOUND);
    }
    if crm.related_items(kind, id) > 0 {
        return Err(in_use(kind, "edited"));
    }
    let row = crm.list_items.get_mut(id).ok_or(ApiError::NOT_FOUND)?;
    row.title.clone_from(&title);
    row.description.clone_from(&description);
    row.image.clone_from(&image);
    row.color = None;
    let answer = Read {
        id,
        title: Some(title),
        description,
        color: None,
        image,
        sort_order: 0,
    };
    Ok(Reply::One(answer.node(crm, kind)))
}

/// `ChangePicture` (`ListItemDao.cs:421`): any name, in any list; the entry as read, with it.
fn icon(crm: &mut Crm, kind: ListKind, id: i64, image: Option<String>) -> Outcome {
    if id <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    let row = crm.list_items.get_mut(id).ok_or(ApiError::NOT_FOUND)?;
    row.image = image;
    let read = Read::from_row(id, row);
    Ok(Reply::One(read.node(crm, kind)))
}

/// `ReorderItems` by name (`ListItemDao.cs:524`): positions 0, 1, 2...; the answer read before.
/// A name the list does not have is dereferenced after the reorder: the server's 500.
fn reorder(crm: &mut Crm, kind: ListKind, titles: &[String], call: &Call) -> Outcome {
    let before: Vec<Option<Read>> = titles
        .iter()
        .map(|t| {
            by_title(crm, kind, t).and_then(|id| Some(Read::from_row(id, crm.list_items.get(id)?)))
        })
        .collect();
    for (position, title) in (0..).zip(titles) {
        let wanted = title.trim_end().to_lowercase();
        for (_, row) in crm.list_items.iter_mut() {
            if row.kind == kind && row.title.trim_end().to_lowercase() == wanted {
                row.sort_order = position;
            }
        }
    }
    let items: Vec<Node> = before
        .into_iter()
        .map(|r| r.map(|r| r.node(crm, kind)).ok_or(ApiError::NULL_REFERENCE))
        .collect::<Result<_, _>>()?;
    Ok(smart_list(items, &call.paging))
}

/// `EditItem` and `DeleteItem` refuse an entry in use (`ListItemDao.cs:399`, `:505`).
fn in_use(kind: ListKind, what: &str) -> ApiError {
    let rows = match kind {
        ListKind::TaskCategory => "tasks",
        ListKind::HistoryCategory => "history events",
    };
    ApiError::argument(format!(
        "Can't be {what}. There are some {rows} with this category."
    ))
}

/// The checks of a delete (`CRMApi.ListItem.cs:379`, `:553`): the entry exists in any list, and
/// is not the last of its own.
fn deletable(crm: &Crm, kind: ListKind, id: i64, last: &'static str) -> Result<Read, ApiError> {
    let row = crm.list_items.get(id).ok_or(ApiError::NOT_FOUND)?;
    if entries(crm, kind).len() < 2 {
        return Err(ApiError::argument(last));
    }
    Ok(Read::from_row(id, row))
}

/// `DeleteItem` (`ListItemDao.cs:521`): only an entry of this list is deleted; another list's
/// id answers as if it were.
fn delete_row(crm: &mut Crm, kind: ListKind, id: i64) {
    if crm.list_items.get(id).is_some_and(|r| r.kind == kind) {
        crm.list_items.remove(id);
    }
}

/// `POST history/category` (`CRMApi.ListItem.cs:237`): the name checked first.
pub(crate) fn create_history(crm: &mut Crm, args: CreateHistoryCategoryArgs, _: &Call) -> Outcome {
    if args.title.as_deref().unwrap_or_default().is_empty() {
        return Err(ApiError::ARGUMENT);
    }
    create(
        crm,
        ListKind::HistoryCategory,
        args.title,
        args.description,
        args.image_name,
    )
}

/// `PUT history/category/{id}` (`CRMApi.ListItem.cs:273`).
pub(crate) fn update_history(crm: &mut Crm, args: UpdateHistoryCategoryArgs, _: &Call) -> Outcome {
    let kind = ListKind::HistoryCategory;
    update(
        crm,
        kind,
        args.category_id,
        args.title,
        args.description,
        args.image_name,
    )
}

/// `PUT history/category/{id}/icon` (`CRMApi.ListItem.cs:312`).
pub(crate) fn icon_history(
    crm: &mut Crm,
    args: UpdateHistoryCategoryIconArgs,
    _: &Call,
) -> Outcome {
    icon(
        crm,
        ListKind::HistoryCategory,
        args.category_id,
        args.image_name,
    )
}

/// `PUT history/category/reorder` (`CRMApi.ListItem.cs:347`).
pub(crate) fn reorder_history(
    crm: &mut Crm,
    args: ReorderHistoryCategoriesArgs,
    call: &Call,
) -> Outcome {
    reorder(crm, ListKind::HistoryCategory, &args.titles, call)
}

/// `DELETE history/category/{id}` (`CRMApi.ListItem.cs:374`).
pub(crate) fn delete_history(crm: &mut Crm, args: DeleteHistoryCategoryArgs, _: &Call) -> Outcome {
    let id = args.category_id;
    if id <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    let kind = ListKind::HistoryCategory;
    let answer = deletable(crm, kind, id, "The last history category cannot be deleted")?;
    // No other entry takes over a history category's events (`ListItemDao.cs:514`).
    if crm.related_items(kind, id) > 0 {
        return Err(in_use(kind, "deleted"));
    }
    delete_row(crm, kind, id);
    Ok(Reply::One(answer.node(crm, kind)))
}

/// `GET history/category` (`CRMApi.ListItem.cs:982`).
pub(crate) fn list_history(crm: &mut Crm, _: ListHistoryCategoriesArgs, call: &Call) -> Outcome {
    list(crm, ListKind::HistoryCategory, call)
}

/// `POST task/category` (`CRMApi.ListItem.cs:411`): no check of its own before the DAO's.
pub(crate) fn create_task(crm: &mut Crm, args: CreateTaskCategoryArgs, _: &Call) -> Outcome {
    create(
        crm,
        ListKind::TaskCategory,
        args.title,
        args.description,
        args.image_name,
    )
}

/// `PUT task/category/{id}` (`CRMApi.ListItem.cs:446`).
pub(crate) fn update_task(crm: &mut Crm, args: UpdateTaskCategoryArgs, _: &Call) -> Outcome {
    let kind = ListKind::TaskCategory;
    update(
        crm,
        kind,
        args.category_id,
        args.title,
        args.description,
        args.image_name,
    )
}

/// `PUT task/category/{id}/icon` (`CRMApi.ListItem.cs:485`).
pub(crate) fn icon_task(crm: &mut Crm, args: UpdateTaskCategoryIconArgs, _: &Call) -> Outcome {
    icon(
        crm,
        ListKind::TaskCategory,
        args.category_id,
        args.image_name,
    )
}

/// `PUT task/category/reorder` (`CRMApi.ListItem.cs:520`).
pub(crate) fn reorder_task(crm: &mut Crm, args: ReorderTaskCategoriesArgs, call: &Call) -> Outcome {
    reorder(crm, ListKind::TaskCategory, &args.titles, call)
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
    let id = args.category_id;
    if id <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    let row = crm.list_items.get(id).ok_or(ApiError::NOT_FOUND)?;
    Ok(Reply::One(Read::from_row(id, row).task(crm)))
}

/// `GET task/category` (`CRMApi.ListItem.cs:1008`).
pub(crate) fn list_task(crm: &mut Crm, _: ListTaskCategoriesArgs, call: &Call) -> Outcome {
    list(crm, ListKind::TaskCategory, call)
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
