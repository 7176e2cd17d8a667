//! Tasks (`CRMApi.Tasks.cs`, `TaskDao.cs`): the forms built from the rows, the task filter and
//! its orders, and the methods that fit no generic operation.
//!
//! The emulator has no cases yet: a task linked to a case shows no `entity`, as for a case
//! that no longer exists.

use std::borrow::Cow;
use std::cmp::Ordering;

use http::StatusCode;
use r7_model::{ContactInfoType, LinkedEntity, Task, TaskContact, Uuid};
use r7_proto::crm::task::TaskSortBy;

use crate::behaviour::{category, contact};
use crate::generated::args::{
    CreateTaskArgs, CreateTasksForContactsArgs, DeleteTaskArgs, ListTasksArgs, ReopenTaskArgs,
    UpdateTaskArgs,
};
use crate::generated::{Wire, WireList};
use crate::ops::{self, Call, Entity, Filtered, Outcome, Sorted, list_of};
use crate::store::{Crm, EntityLink, Table, TaskRow};
use crate::wire::{ApiError, Node, Reply, to_node};

/// `ItemNotFoundException(CRMErrorsResource.TaskCategoryNotFound)` (`CRMApi.Tasks.cs:308`).
const CATEGORY_NOT_FOUND: ApiError = ApiError {
    status: StatusCode::NOT_FOUND,
    message: Cow::Borrowed("Category is not found"),
    hresult: -2147467259,
};

impl Entity for Task {
    type Row = TaskRow;

    fn table(crm: &Crm) -> &Table<TaskRow> {
        &crm.tasks
    }

    fn table_mut(crm: &mut Crm) -> &mut Table<TaskRow> {
        &mut crm.tasks
    }

    /// `ToTaskWrapper` (`CRMApi.Tasks.cs:734`): the category with its number of tasks, read by
    /// `GetTaskCategoryByID`, so a category that no longer exists makes the task a 404.
    fn read(crm: &Crm, id: i64) -> Option<Task> {
        form(crm, id, crm.tasks.get(id)?, Form::Single)
    }

    /// `ToTaskListWrapper` (`CRMApi.Tasks.cs:607`): the category without a count, and left out
    /// when it no longer exists.
    fn read_listed(crm: &Crm, id: i64) -> Option<Task> {
        form(crm, id, crm.tasks.get(id)?, Form::List)
    }

    fn one(&self) -> Node {
        to_node(&Wire(self))
    }

    fn list_item(&self) -> Node {
        to_node(&WireList(self))
    }

    /// `GetTasks` without an order (`TaskDao.cs:668`): open first, then deadline and title.
    fn default_order(crm: &Crm, ids: &mut [i64]) {
        sort_tasks(crm, ids, None, false);
    }
}

/// Which wrapper a task is built into, and from where.
#[derive(Clone, Copy, PartialEq)]
enum Form {
    /// Read from the database, for one task.
    Single,
    /// Read from the database, in a list.
    List,
    /// The task in memory, as create and update answer it: the description as sent.
    Sent,
}

/// The contact in the short form with its primary e-mail (`ToContactBaseWithEmailWrapper`,
/// `CRMApi.Contacts.cs:2281`).
pub(crate) fn task_contact(crm: &Crm, id: i64) -> Option<TaskContact> {
    let mut v = TaskContact::from_base(contact::base(crm, id)?);
    v.email = contact::primary(crm, id, ContactInfoType::Email);
    Some(v)
}

/// `ToEntityWrapper` (`CRMApi.RelationshipEvent.cs:752`), which tasks and history events
/// share: a deal that exists; no case does.
pub(crate) fn linked(crm: &Crm, entity: Option<(EntityLink, i64)>) -> Option<LinkedEntity> {
    let (EntityLink::Opportunity, id) = entity? else {
        return None;
    };
    let deal = crm.deals.get(id)?;
    let mut v = LinkedEntity::default();
    v.entity_type = "opportunity".to_owned();
    v.entity_id = id;
    v.entity_title.clone_from(&deal.title);
    Some(v)
}

fn form(crm: &Crm, id: i64, row: &TaskRow, form: Form) -> Option<Task> {
    let mut v = Task::default();
    v.create_by = Some(crm.employee(row.created_by));
    v.created = row.created;
    v.contact = task_contact(crm, row.contact_id);
    v.title.clone_from(&row.title);
    v.description = match form {
        Form::Sent => row.description.clone(),
        Form::Single | Form::List => Some(row.description.clone().unwrap_or_default()),
    };
    v.deadline = row.deadline;
    v.alert_value = row.alert_value;
    v.responsible = Some(crm.employee(row.responsible));
    v.is_closed = row.is_closed;
    if row.category_id > 0 {
        let category = category::task_category(crm, row.category_id);
        v.category = match form {
            Form::Single | Form::Sent => Some(category?),
            Form::List => category.map(|mut c| {
                c.relative_items_count = 0;
                c
            }),
        };
    }
    v.entity = linked(crm, row.entity);
    v.can_edit = true;
    v.id = id.into();
    Some(v)
}

fn single(crm: &Crm, id: i64, sent: bool) -> Outcome {
    let row = crm.tasks.get(id).ok_or(ApiError::NOT_FOUND)?;
    let form = form(crm, id, row, if sent { Form::Sent } else { Form::Single });
    form.map(|t| Reply::One(t.one())).ok_or(ApiError::NOT_FOUND)
}

// --- The filter and the orders ------------------------------------------------------------------

/// `TaskDao.WhereConditional` (`TaskDao.cs:555`).
impl Filtered<ListTasksArgs> for Task {
    fn matching(crm: &Crm, args: &ListTasksArgs, call: &Call) -> Vec<i64> {
        let contacts: Option<Vec<i64>> = match (args.entity_type.as_deref(), args.entity_id) {
            (Some(kind), id) if id > 0 && kind.eq_ignore_ascii_case("contact") => {
                // A company's tasks include its people's (`TaskDao.cs:589`).
                Some(contact::with_people(crm, id))
            }
            _ => None,
        };
        let link = match (args.entity_type.as_deref(), args.entity_id) {
            (Some(kind), id) if id > 0 && kind.eq_ignore_ascii_case("opportunity") => {
                Some((EntityLink::Opportunity, id))
            }
            (Some(kind), id) if id > 0 && kind.eq_ignore_ascii_case("case") => {
                Some((EntityLink::Case, id))
            }
            _ => None,
        };
        let deadline = |t: &TaskRow| t.deadline.map_or(i128::MIN, |d| d.unix_nanos());
        let search = call.paging.filter_value.as_deref();
        crm.tasks
            .iter()
            .filter(|(_, t)| args.responsible_id.is_nil() || t.responsible == args.responsible_id)
            .filter(|(_, t)| args.category_id <= 0 || t.category_id == args.category_id)
            .filter(|(_, t)| args.is_closed.is_none_or(|closed| t.is_closed == closed))
            .filter(|(_, t)| {
                args.from_date
                    .is_none_or(|from| deadline(t) >= from.unix_nanos())
            })
            .filter(|(_, t)| args.to_date.is_none_or(|to| deadline(t) <= to.unix_nanos()))
            .filter(|(_, t)| {
                contacts
                    .as_ref()
                    .is_none_or(|ids| ids.contains(&t.contact_id))
            })
            .filter(|(_, t)| link.is_none_or(|l| t.entity == Some(l)))
            .filter(|(_, t)| {
                search.is_none_or(|text| {
                    let columns = [t.title.clone(), t.description.clone().unwrap_or_default()];
                    crate::filter::words(text, &columns)
                })
            })
            .map(|(id, _)| id)
            .collect()
    }
}

/// Orders tasks as `GetTasks` does (`TaskDao.cs:630`): open ones first, then by `sort`, each
/// with the columns it brings after it; without one by deadline and title. Ties by id. The
/// emulator's users have only a display name, which stands for the last and first names of
/// `ContactManager`.
fn sort_tasks(crm: &Crm, ids: &mut [i64], sort: Option<TaskSortBy>, descending: bool) {
    let none = TaskRow::default();
    let row = |id: &i64| crm.tasks.get(*id).unwrap_or(&none);
    let deadline = |t: &TaskRow| t.deadline.map_or(i128::MIN, |d| d.unix_nanos());
    let title = |t: &TaskRow| t.title.to_lowercase();
    let way = |order: Ordering| if descending { order.reverse() } else { order };
    // A name that is missing sorts last whatever the direction (`case when ... then 1`).
    let name = |a: Option<String>, b: Option<String>| match (a, b) {
        (Some(a), Some(b)) => way(a.cmp(&b)),
        (a, b) => a.is_none().cmp(&b.is_none()),
    };
    let contact = |t: &TaskRow| {
        crm.contacts
            .get(t.contact_id)
            .map(|c| c.display_name().to_lowercase())
    };
    let manager = |t: &TaskRow| {
        Some(crm.employee(t.responsible).display_name.to_lowercase()).filter(|n| !n.is_empty())
    };
    ids.sort_by(|ia, ib| {
        let (a, b) = (row(ia), row(ib));
        let then = || {
            deadline(a)
                .cmp(&deadline(b))
                .then_with(|| title(a).cmp(&title(b)))
        };
        let main = match sort {
            None => then(),
            Some(TaskSortBy::Title) => {
                way(title(a).cmp(&title(b))).then_with(|| deadline(a).cmp(&deadline(b)))
            }
            Some(TaskSortBy::DeadLine) => {
                way(deadline(a).cmp(&deadline(b))).then_with(|| title(a).cmp(&title(b)))
            }
            Some(TaskSortBy::Category) => way(a.category_id.cmp(&b.category_id)).then_with(then),
            Some(TaskSortBy::Contact) => name(contact(a), contact(b)).then_with(then),
            Some(TaskSortBy::ContactManager) => name(manager(a), manager(b)).then_with(then),
            Some(TaskSortBy::Id) => way(ia.cmp(ib)),
            // A key the spec adds later sorts by deadline until it is taught here.
            Some(_) => then(),
        };
        a.is_closed.cmp(&b.is_closed).then(main).then(ia.cmp(ib))
    });
}

impl Sorted for Task {
    type Key = TaskSortBy;

    /// `GetAllTasks` sorts by deadline when `sortBy` is empty (`CRMApi.Tasks.cs:114`).
    const DEFAULT: TaskSortBy = TaskSortBy::DeadLine;

    fn keys() -> &'static [TaskSortBy] {
        TaskSortBy::ALL
    }

    fn name(key: TaskSortBy) -> &'static str {
        key.as_str()
    }

    fn sort(crm: &Crm, ids: &mut [i64], key: TaskSortBy, descending: bool) {
        sort_tasks(crm, ids, Some(key), descending);
    }
}

// --- Hooks --------------------------------------------------------------------------------------

/// `GET task/filter` (`GetAllTasks`, `CRMApi.Tasks.cs:82`): an entity type other than
/// contact, opportunity or case is refused before anything; then the DAO list.
pub(crate) fn list(crm: &mut Crm, args: ListTasksArgs, call: &Call) -> Outcome {
    let allowed = ["contact", "opportunity", "case"];
    if let Some(kind) = args.entity_type.as_deref().filter(|k| !k.is_empty())
        && !allowed.iter().any(|a| a.eq_ignore_ascii_case(kind))
    {
        return Err(ApiError::ARGUMENT);
    }
    ops::list_filtered::<Task, _>(crm, &args, call)
}

/// `close` and `reopen` (`TaskDao.cs:103`, `:119`): a task that does not exist is an
/// `ArgumentException` there.
fn set_closed(crm: &mut Crm, id: i64, closed: bool) -> Outcome {
    if id <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    crm.tasks.get_mut(id).ok_or(ApiError::ARGUMENT)?.is_closed = closed;
    single(crm, id, false)
}

/// `PUT task/{id}/reopen` (`CRMApi.Tasks.cs:201`).
pub(crate) fn reopen(crm: &mut Crm, args: ReopenTaskArgs, _: &Call) -> Outcome {
    set_closed(crm, args.task_id, false)
}

/// `PUT task/{id}/close` (`CRMApi.Tasks.cs:226`): no history event is written.
pub(crate) fn close(
    crm: &mut Crm,
    args: crate::generated::args::CloseTaskArgs,
    _: &Call,
) -> Outcome {
    set_closed(crm, args.task_id, true)
}

/// `DELETE task/{id}` (`CRMApi.Tasks.cs:252`): the answer is built after the row is gone, so
/// its category no longer counts it.
pub(crate) fn delete(crm: &mut Crm, args: DeleteTaskArgs, _: &Call) -> Outcome {
    let id = args.task_id;
    if id <= 0 {
        return Err(ApiError::ARGUMENT);
    }
    let row = crm.tasks.remove(id).ok_or(ApiError::NOT_FOUND)?;
    form(crm, id, &row, Form::Single)
        .map(|t| Reply::One(t.one()))
        .ok_or(ApiError::NOT_FOUND)
}

/// What create and update take, checked in the server's order (`CRMApi.Tasks.cs:299`,
/// `TaskDao.cs:787`): the entity type, the category's id and existence, then the title and
/// the deadline.
struct Fields {
    title: Option<String>,
    description: Option<String>,
    deadline: Option<r7_model::ApiDateTime>,
    responsible: Uuid,
    category_id: i64,
    contact_id: i64,
    entity_type: Option<String>,
    entity_id: i64,
    alert_value: i64,
}

/// The fields of a create's or an update's arguments, which have the same names.
macro_rules! fields {
    ($args:ident, $contact:expr) => {
        Fields {
            contact_id: $contact,
            title: $args.title,
            description: $args.description,
            deadline: $args.deadline,
            responsible: $args.responsible_id,
            category_id: $args.category_id,
            entity_type: $args.entity_type,
            entity_id: $args.entity_id,
            alert_value: $args.alert_value,
        }
    };
}

impl Fields {
    fn link(&self) -> Result<Option<(EntityLink, i64)>, ApiError> {
        match self.entity_type.as_deref().filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(t) if t.eq_ignore_ascii_case("opportunity") => {
                Ok((self.entity_id > 0).then_some((EntityLink::Opportunity, self.entity_id)))
            }
            Some(t) if t.eq_ignore_ascii_case("case") => {
                Ok((self.entity_id > 0).then_some((EntityLink::Case, self.entity_id)))
            }
            Some(_) => Err(ApiError::ARGUMENT),
        }
    }

    /// The checks before anything is written, and the row's own columns.
    fn check(&self, crm: &Crm) -> Result<TaskRow, ApiError> {
        let entity = self.link()?;
        if self.category_id <= 0 {
            return Err(ApiError::ARGUMENT);
        }
        // `ListItemDao.GetByID` looks in every list.
        if crm.list_items.get(self.category_id).is_none() {
            return Err(CATEGORY_NOT_FOUND);
        }
        let title = self.title.clone().filter(|t| !t.is_empty());
        let (Some(title), Some(deadline)) = (title, self.deadline) else {
            return Err(ApiError::ARGUMENT);
        };
        Ok(TaskRow {
            title,
            description: self.description.clone(),
            deadline: Some(deadline),
            responsible: self.responsible,
            category_id: self.category_id,
            contact_id: self.contact_id.max(0),
            entity,
            alert_value: i32::try_from(self.alert_value).unwrap_or_default(),
            ..TaskRow::default()
        })
    }
}

/// `POST task` (`CreateTask`, `CRMApi.Tasks.cs:285`): an open task, created now by the caller.
pub(crate) fn create(crm: &mut Crm, args: CreateTaskArgs, _: &Call) -> Outcome {
    let _not_emulated = args.is_notify;
    let fields = fields!(args, args.contact_id);
    let row = fields.check(crm)?;
    let id = insert(crm, row);
    single(crm, id, true)
}

fn insert(crm: &mut Crm, mut row: TaskRow) -> i64 {
    row.created = Some(crm.now());
    row.created_by = crm.me().id.get();
    let id = crm.tasks.next_id();
    crm.tasks.insert(id, row);
    id
}

/// `POST contact/task/group` (`CreateTaskGroup`, `CRMApi.Tasks.cs:379`): only the entity type
/// is checked first; each task is checked and written in turn, so the first that fails stops
/// the call with the ones before it written. The category is looked up only to notify, after.
pub(crate) fn create_for_contacts(
    crm: &mut Crm,
    args: CreateTasksForContactsArgs,
    call: &Call,
) -> Outcome {
    let contacts = args.contact_ids.clone();
    let base = fields!(args, 0);
    base.link()?;
    let mut created = Vec::new();
    for contact in contacts {
        let title = base.title.clone().filter(|t| !t.is_empty());
        if title.is_none() || base.deadline.is_none() || base.category_id <= 0 {
            return Err(ApiError::ARGUMENT);
        }
        let row = TaskRow {
            title: title.unwrap_or_default(),
            description: base.description.clone(),
            deadline: base.deadline,
            responsible: base.responsible,
            category_id: base.category_id,
            contact_id: contact.max(0),
            entity: base.link()?,
            alert_value: i32::try_from(base.alert_value).unwrap_or_default(),
            ..TaskRow::default()
        };
        created.push(insert(crm, row));
    }
    if args.is_notify && base.category_id > 0 && crm.list_items.get(base.category_id).is_none() {
        return Err(ApiError::NOT_FOUND);
    }
    let tasks: Vec<Task> = created
        .iter()
        .filter_map(|id| form(crm, *id, crm.tasks.get(*id)?, Form::List))
        .map(|mut t| {
            t.description = crm
                .tasks
                .get(t.id.get())
                .and_then(|r| r.description.clone());
            t
        })
        .collect();
    Ok(list_of(&tasks, &call.paging))
}

/// `PUT task/{id}` (`UpdateTask`, `CRMApi.Tasks.cs:491`): every column replaced but the
/// creation and `isClosed`; an id that does not exist makes a new task (`TaskDao.cs:791`).
pub(crate) fn update(crm: &mut Crm, args: UpdateTaskArgs, _: &Call) -> Outcome {
    let _not_emulated = args.is_notify;
    let fields = fields!(args, args.contact_id);
    let mut row = fields.check(crm)?;
    let id = match crm.tasks.get(args.task_id).cloned() {
        Some(old) => {
            row.created = old.created;
            row.created_by = old.created_by;
            row.is_closed = old.is_closed;
            row.last_modified = Some(crm.now());
            crm.tasks.insert(args.task_id, row);
            args.task_id
        }
        None => insert(crm, row),
    };
    single(crm, id, true)
}

#[cfg(test)]
mod tests {
    use r7_model::Task;

    use crate::ops::Entity;
    use crate::wire::Node;

    #[test]
    fn a_task_is_written_as_the_documentation_sample_shows_it() {
        let fixture = include_str!("../../../../tests/fixtures/task/reopen.json");
        let envelope: Node = serde_json::from_str(fixture).expect("the fixture is JSON");
        let sample = envelope.path("response").expect("a response").clone();
        let expected = crate::wire::to_json(&sample).expect("written");
        let task: Task = serde_json::from_slice(&expected).expect("decodes");
        let written = crate::wire::to_json(&task.one()).expect("written");
        assert_eq!(String::from_utf8(written), String::from_utf8(expected));
    }
}
