//! The secret scan over every synced record (see `domain::secrets`): each text-like
//! property of the 16 databases (titles, rich text with the History Logs, emails, phone
//! numbers, URLs) checked against the rules, `API Keys Reference` against the reference
//! forms. What `hsn doctor --secrets` and the Overview's count report.

use color_eyre::eyre::{Result, WrapErr};

use super::Store;
use crate::domain::record::FieldValue;
use crate::domain::schema::{ColumnKind, DATABASES};
use crate::domain::secrets::{
    Finding, check_value, may_hold_credential, names_a_secret, safe_title,
};

/// Every finding in the store, database by database in schema order, records in the
/// order they are stored. `forms`: the accepted reference forms.
pub fn scan_store<S: AsRef<str>>(store: &Store, forms: &[S]) -> Result<Vec<Finding>> {
    let mut findings = Vec::new();
    for definition in &DATABASES {
        let columns: Vec<&'static str> = definition
            .columns
            .iter()
            .filter(|c| {
                matches!(
                    c.kind,
                    ColumnKind::Title
                        | ColumnKind::Text
                        | ColumnKind::Email
                        | ColumnKind::Phone
                        | ColumnKind::Url
                )
            })
            .map(|c| c.name)
            .collect();
        let title_column = definition.title_column().name;
        // Only records whose stored text holds a rule's anchor are read, unless a column
        // is named for a secret (its check, by entropy, has no anchor).
        let read_all = columns.iter().any(|c| names_a_secret(c));
        let keep = |stored: &[u8]| read_all || may_hold_credential(stored);
        store
            .each_record_where(definition.key, &columns, &keep, |stored| {
                let record = &stored.record;
                for &column in &columns {
                    let value = match record.value(column) {
                        Some(FieldValue::Text(text)) => text.as_str(),
                        Some(FieldValue::OptText(Some(text))) => text.as_str(),
                        _ => continue,
                    };
                    if let Some(problem) = check_value(column, value, forms) {
                        findings.push(Finding {
                            database: definition.title,
                            page_id: record.page_id.clone().unwrap_or_default(),
                            record: safe_title(&record.title(), title_column),
                            property: column,
                            rule: problem.rule(),
                            description: problem.description(),
                            masked: problem.masked(value),
                        });
                    }
                }
                Ok(())
            })
            .wrap_err_with(|| format!("scanning {} for credentials", definition.title))?;
    }
    Ok(findings)
}
