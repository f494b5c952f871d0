//! The values a record holds: one [`FieldValue`] shape per group of column kinds, the
//! [`Link`] of a link column in either of its two forms, and the Rust types
//! ([`FieldType`]) a column can be read as and set from.

use crate::domain::schema::ColumnKind;
use crate::notion::DateValue;

/// The value of a link column. Workspaces made by `hsn setup` hold real relations; those
/// made by the original tool hold the target's ID as text (`WF-WELL-BOOK`, or several IDs
/// separated by commas). Each form is written back as it was read.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "form", content = "value")]
pub enum Link {
    /// Notion page ids of a relation.
    Pages(Vec<String>),
    /// The text of a rich_text link column.
    Text(String),
}

impl Default for Link {
    fn default() -> Self {
        Link::Pages(Vec::new())
    }
}

impl Link {
    /// The page ids, or the IDs named by the text (split on commas, trimmed, empties dropped).
    pub fn ids(&self) -> Vec<String> {
        match self {
            Link::Pages(ids) => ids.clone(),
            Link::Text(text) => text
                .split(',')
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(str::to_string)
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Link::Pages(ids) => ids.is_empty(),
            Link::Text(text) => text.split(',').all(|id| id.trim().is_empty()),
        }
    }
}

/// A column's value, in the shape its schema kind calls for. Serialized, it is how the
/// local store keeps a record between runs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "value")]
pub enum FieldValue {
    /// Title and rich_text columns.
    Text(String),
    /// Select, status, email, phone and url columns: `None` when empty.
    OptText(Option<String>),
    /// Multi-select option names.
    Names(Vec<String>),
    Number(Option<f64>),
    Date(Option<DateValue>),
    Link(Link),
}

impl FieldValue {
    /// Whether this value belongs in a column of `kind`.
    pub fn fits(&self, kind: ColumnKind) -> bool {
        use ColumnKind as K;
        matches!(
            (self, kind),
            (FieldValue::Text(_), K::Title | K::Text)
                | (
                    FieldValue::OptText(_),
                    K::Select(_) | K::Status(_) | K::Email | K::Phone | K::Url
                )
                | (FieldValue::Names(_), K::MultiSelect)
                | (FieldValue::Number(_), K::Number)
                | (FieldValue::Date(_), K::Date)
                | (FieldValue::Link(_), K::Relation { .. })
        )
    }

    pub(super) fn shape(&self) -> &'static str {
        match self {
            FieldValue::Text(_) => "text",
            FieldValue::OptText(_) => "optional text",
            FieldValue::Names(_) => "names",
            FieldValue::Number(_) => "a number",
            FieldValue::Date(_) => "a date",
            FieldValue::Link(_) => "a link",
        }
    }
}

/// A Rust type a column's value can be read as and set from.
pub trait FieldType: Default + Sized {
    /// Whether this type belongs in a column of `kind`.
    fn fits(kind: ColumnKind) -> bool;
    fn from_field(value: &FieldValue) -> Option<Self>;
    fn into_field(self) -> FieldValue;
}

/// `FieldType` for a type held by one `FieldValue` variant.
macro_rules! field_type {
    ($ty:ty, $variant:ident, $($kind:pat_param)|+) => {
        impl FieldType for $ty {
            fn fits(kind: ColumnKind) -> bool {
                matches!(kind, $($kind)|+)
            }
            fn from_field(value: &FieldValue) -> Option<Self> {
                match value {
                    FieldValue::$variant(v) => Some(v.clone()),
                    _ => None,
                }
            }
            fn into_field(self) -> FieldValue {
                FieldValue::$variant(self)
            }
        }
    };
}

field_type!(String, Text, ColumnKind::Title | ColumnKind::Text);
field_type!(
    Option<String>,
    OptText,
    ColumnKind::Select(_)
        | ColumnKind::Status(_)
        | ColumnKind::Email
        | ColumnKind::Phone
        | ColumnKind::Url
);
field_type!(Vec<String>, Names, ColumnKind::MultiSelect);
field_type!(Option<f64>, Number, ColumnKind::Number);
field_type!(Option<DateValue>, Date, ColumnKind::Date);
field_type!(Link, Link, ColumnKind::Relation { .. });

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::schema::DATABASES;

    #[test]
    fn link_ids_split_text_on_commas() {
        assert_eq!(Link::Text("WF-WELL-BOOK".into()).ids(), ["WF-WELL-BOOK"]);
        assert_eq!(Link::Text(" WF-A, ,WF-B ,".into()).ids(), ["WF-A", "WF-B"]);
        assert!(Link::Text(" , ".into()).is_empty());
        assert!(Link::default().is_empty());
        assert_eq!(Link::Pages(vec!["p1".into()]).ids(), ["p1"]);
    }

    #[test]
    fn every_column_kind_fits_exactly_one_field_type() {
        /// The type's verdict, and the verdict on the value it makes: they must agree.
        fn check<T: FieldType>(kind: ColumnKind) -> bool {
            let fits = T::fits(kind);
            assert_eq!(T::default().into_field().fits(kind), fits, "{kind:?}");
            fits
        }
        for column in DATABASES.iter().flat_map(|d| d.columns) {
            let fits = [
                check::<String>(column.kind),
                check::<Option<String>>(column.kind),
                check::<Vec<String>>(column.kind),
                check::<Option<f64>>(column.kind),
                check::<Option<DateValue>>(column.kind),
                check::<Link>(column.kind),
            ];
            assert_eq!(fits.iter().filter(|f| **f).count(), 1, "{}", column.name);
        }
    }
}
