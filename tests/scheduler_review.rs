//! What a review of the request scheduler found.
mod support;

#[test]
fn builds() {}
