//! What can stop an operation, each with a message an operator can act on.

use crate::domain::record::RecordError;
use crate::domain::workflow::WorkflowError;
use crate::notion::NotionError;

#[derive(Debug, thiserror::Error)]
pub enum OperationError {
    #[error("no {what} \"{reference}\" in {database}")]
    NotFound {
        what: &'static str,
        reference: String,
        database: &'static str,
    },
    #[error("{count} pages of {database} are titled \"{reference}\"; use the page id instead")]
    Ambiguous {
        reference: String,
        database: &'static str,
        count: usize,
    },
    /// Someone else moved the instance since the operator read it. Nothing was written.
    #[error(
        "{instance} is now in \"{found}\", not \"{expected}\" as when you read it{by}; nothing was changed"
    )]
    Conflict {
        instance: String,
        expected: String,
        found: String,
        /// ` (moved by NAME)` when the history says who.
        by: String,
    },
    /// The record changed since the change was planned, so it no longer applies (an
    /// instance no longer in Error, a task someone edited after the edit an undo reverses).
    /// Nothing was written.
    #[error("{0}")]
    Stale(String),
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
    #[error(transparent)]
    Record(#[from] RecordError),
    /// A value the operator gave that the schema refuses (an unknown status, a bad date).
    #[error("{0}")]
    Invalid(String),
    #[error("{}", source.explain(subject))]
    Notion {
        subject: String,
        #[source]
        source: Box<NotionError>,
    },
    /// The history kept changing under us (another writer on every attempt).
    #[error("the history of {0} kept changing while hsn wrote to it; try again")]
    Unsettled(String),
    /// This process no longer holds the write (it stalled past its lease and another
    /// process took it over): it sent nothing more; the other settles it.
    #[error("another hsn process took this write over; it sends it")]
    LeaseLost,
    /// Whether an earlier attempt landed could not be found out: never a refusal (it may
    /// have), so the write is kept to try again.
    #[error("could not find out whether {what}: {source}; kept to try again")]
    Undetermined {
        what: String,
        #[source]
        source: Box<OperationError>,
    },
    /// Part of the operation landed (`done` says what exists) and the rest failed for a
    /// reason worth retrying: never a refusal.
    #[error("{done}; the rest is not done yet: {source}")]
    Partial {
        done: String,
        #[source]
        source: Box<OperationError>,
    },
}

impl OperationError {
    /// Whether trying again later could succeed: the network, a rate limit, Notion's own
    /// trouble or a conflict (nothing was saved), a history that kept changing. Every write
    /// hsn sends can be sent twice safely (it finds out first whether it landed), so server
    /// errors and lost connections count too. The rest (a refusal, a conflict with another
    /// operator's move, a value Notion rejects) will not change by waiting.
    pub fn is_temporary(&self) -> bool {
        match self {
            OperationError::Notion { source, .. } => match source.as_ref() {
                NotionError::Timeout(_) | NotionError::Connect(_) | NotionError::Network(_) => true,
                // A rejected token rejects every write: keep them until it is fixed.
                e => matches!(e.status(), Some(401 | 409 | 429 | 500..=599)),
            },
            OperationError::Unsettled(_)
            | OperationError::Partial { .. }
            | OperationError::Undetermined { .. } => true,
            _ => false,
        }
    }

    /// The Notion error underneath, if any.
    pub fn notion_error(&self) -> Option<&NotionError> {
        match self {
            OperationError::Notion { source, .. } => Some(source),
            OperationError::Partial { source, .. }
            | OperationError::Undetermined { source, .. } => source.notion_error(),
            _ => None,
        }
    }

    /// Wraps a Notion failure with what it was about ("instance INST-1a2b3c4d").
    pub fn notion(subject: impl Into<String>) -> impl FnOnce(NotionError) -> OperationError {
        let subject = subject.into();
        move |source| OperationError::Notion {
            subject,
            source: Box::new(source),
        }
    }
}
