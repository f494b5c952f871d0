//! The request budget as the status line says it.

/// The request budget on the status line: "Notion 37/180 a min", and a recent 429.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetLine {
    pub text: String,
    /// A 429 came lately, or the gate is closed.
    pub warn: bool,
}

impl BudgetLine {
    /// What the status line says of `status`. Whole seconds only, so the line changes (and
    /// the screen redraws) at most once a second.
    pub fn from_status(status: &crate::sync::RateStatus) -> BudgetLine {
        use crate::notion::RateLimitReason;
        let mut text = format!("Notion {}/{} a min", status.spent, status.budget);
        if status.budget < status.configured {
            text.push_str(&format!(" (of {})", status.configured));
        }
        let recent = status
            .last_limited
            .as_ref()
            .filter(|seen| seen.ago < std::time::Duration::from_secs(300));
        let mut warn = false;
        if let Some(seen) = recent {
            warn = true;
            let what = match seen.reason {
                RateLimitReason::Connection => "429: budget spent",
                RateLimitReason::Workspace => "429: workspace saturated",
                RateLimitReason::Endpoint => "429: endpoint limit",
                RateLimitReason::Blocked => "429: CONNECTION BLOCKED",
                RateLimitReason::Overload => "529: Notion overloaded",
                RateLimitReason::Other(_) => "429",
            };
            text.push_str(&format!(" · {what}"));
            match status.closed_for {
                Some(wait) => text.push_str(&format!(", waiting {} s", wait.as_secs() + 1)),
                None => text.push_str(&format!(
                    " {} ago",
                    crate::present::duration_text(
                        chrono::Duration::from_std(seen.ago).unwrap_or_default(),
                    )
                )),
            }
        }
        BudgetLine { text, warn }
    }
}
