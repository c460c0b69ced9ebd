//! Pages of listings with keyset tokens: a token names the last item shown, not an offset, so
//! that pages do not shift when executions start between two calls.

use crate::StoreError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// A page request: at most `max_results` (0 means the default of 100, at most 1000), after the
/// item `next_token` names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Page {
    pub max_results: usize,
    pub next_token: Option<String>,
}

/// The largest page: AWS's `maxResults` maximum for every list action.
pub const MAX_PAGE: usize = 1000;

/// Tokens say what they list, so that one listing's token is refused by another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    StateMachines,
    Executions,
    Events,
    Activities,
    Versions,
    Aliases,
    MapRuns,
}

impl Listing {
    fn tag(self) -> &'static str {
        match self {
            Listing::StateMachines => "m",
            Listing::Executions => "x",
            Listing::Events => "e",
            Listing::Activities => "a",
            Listing::Versions => "v",
            Listing::Aliases => "l",
            Listing::MapRuns => "r",
        }
    }
}

impl Page {
    pub fn new(max_results: usize, next_token: Option<String>) -> Self {
        Page {
            max_results,
            next_token,
        }
    }

    pub fn limit(&self) -> usize {
        match self.max_results {
            0 => 100,
            n => n.min(MAX_PAGE),
        }
    }

    /// The key of the last item of the previous page, if any.
    pub fn after(&self, listing: Listing) -> Result<Option<String>, StoreError> {
        let Some(token) = &self.next_token else {
            return Ok(None);
        };
        let invalid = || StoreError::InvalidPageToken(token.clone());
        let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
        let text = String::from_utf8(bytes).map_err(|_| invalid())?;
        let key = text
            .strip_prefix(listing.tag())
            .and_then(|rest| rest.strip_prefix(':'))
            .ok_or_else(invalid)?;
        Ok(Some(key.to_string()))
    }

    /// [`Page::after`] for listings keyed by a number.
    pub fn after_number(&self, listing: Listing) -> Result<Option<u64>, StoreError> {
        match self.after(listing)? {
            None => Ok(None),
            Some(key) => key
                .parse()
                .map(Some)
                .map_err(|_| StoreError::InvalidPageToken(key)),
        }
    }

    /// The token of the page after the item with `key`.
    pub fn token(listing: Listing, key: &str) -> String {
        URL_SAFE_NO_PAD.encode(format!("{}:{key}", listing.tag()))
    }
}

/// Keeps `limit` of `limit + 1` fetched items and makes the next page's token from the last
/// item kept when there was one more.
pub fn listed<T>(
    mut items: Vec<T>,
    limit: usize,
    listing: Listing,
    key: impl Fn(&T) -> String,
) -> crate::Listed<T> {
    let more = items.len() > limit;
    items.truncate(limit);
    let next_token = more
        .then(|| items.last().map(|last| Page::token(listing, &key(last))))
        .flatten();
    crate::Listed { items, next_token }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_name_their_listing() {
        let token = Page::token(Listing::Executions, "42");
        let page = Page::new(10, Some(token.clone()));
        assert_eq!(page.after_number(Listing::Executions), Ok(Some(42)));
        assert!(matches!(
            page.after(Listing::Events),
            Err(StoreError::InvalidPageToken(_))
        ));
        let garbage = Page::new(10, Some("o12".into()));
        assert!(garbage.after(Listing::Executions).is_err());
        assert_eq!(Page::new(0, None).limit(), 100);
        assert_eq!(Page::new(5000, None).limit(), MAX_PAGE);
    }
}
