//! The upstream task a job waits on: the stored row whose channel accepted it and the
//! upstream's own task id.
//!
//! The job keeps it in its `upstream_task_id` column as `s:<row>:<task>` (a platform row) or
//! `u:<key>:<task>` (a user's key), the row as 32 hex digits — the form every earlier version
//! wrote, so tasks in flight across an upgrade (and instances still on the previous version)
//! keep reading each other's jobs (decision 60). Only [`TaskRef::to_stored`] and
//! [`TaskRef::from_stored`] know that form.
use uuid::Uuid;

/// The stored row whose channel serves a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelRow {
    /// A platform row (`system_apis`), billed by its pricing.
    System(Uuid),
    /// The job owner's own key (`user_api_keys`), free.
    UserKey(Uuid),
}

/// An upstream task accepted for a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRef {
    pub row: ChannelRow,
    /// The upstream's own task id (any text, `:` included).
    pub task: String,
}

impl TaskRef {
    /// The task `task` accepted by `row`'s channel.
    pub fn new(row: ChannelRow, task: impl Into<String>) -> Self {
        Self { row, task: task.into() }
    }

    /// The form kept in the job's `upstream_task_id` column.
    pub fn to_stored(&self) -> String {
        let (kind, row) = match self.row {
            ChannelRow::System(id) => ('s', id),
            ChannelRow::UserKey(id) => ('u', id),
        };
        format!("{kind}:{}:{}", row.simple(), self.task)
    }

    /// Reads the stored form back (`None` for anything else).
    pub fn from_stored(s: &str) -> Option<Self> {
        let (kind, rest) = s.split_once(':')?;
        let (row, task) = rest.split_once(':')?;
        let row = Uuid::try_parse(row).ok()?;
        let row = match kind {
            "s" => ChannelRow::System(row),
            "u" => ChannelRow::UserKey(row),
            _ => return None,
        };
        Some(Self::new(row, task))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_form_round_trips_and_reads_what_earlier_versions_wrote() {
        let id = Uuid::new_v4();
        for row in [ChannelRow::System(id), ChannelRow::UserKey(id)] {
            let t = TaskRef::new(row, "task:1");
            assert_eq!(TaskRef::from_stored(&t.to_stored()), Some(t));
        }
        // Written by the previous executor (`encode_task`): kind, row as 32 hex digits, task.
        let old = format!("s:{}:abc:def", id.simple());
        assert_eq!(TaskRef::from_stored(&old), Some(TaskRef::new(ChannelRow::System(id), "abc:def")));
        assert_eq!(TaskRef::new(ChannelRow::System(id), "abc:def").to_stored(), old, "the written form is unchanged");
        assert_eq!(TaskRef::from_stored(&format!("u:{id}:t")), Some(TaskRef::new(ChannelRow::UserKey(id), "t")));
        assert_eq!(TaskRef::from_stored("x:1:2"), None);
        assert_eq!(TaskRef::from_stored("s:not-a-uuid:2"), None);
        assert_eq!(TaskRef::from_stored("plain-task-id"), None);
    }
}
