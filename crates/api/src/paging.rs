//! The one paging helper: `maxResults` and `nextToken` in, a store page out, and the
//! `nextToken` back.

use crate::ApiError;
use fluxo_store::{Page, MAX_PAGE};

/// A store page from a request's `maxResults` (0 or absent: the default) and `nextToken`.
pub fn page(max_results: Option<i64>, next_token: Option<String>) -> Result<Page, ApiError> {
    let max_results = match max_results {
        None => 0,
        Some(n) if (0..=MAX_PAGE as i64).contains(&n) => n as usize,
        Some(n) => {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to {MAX_PAGE}"
            )))
        }
    };
    Ok(Page::new(max_results, next_token))
}
