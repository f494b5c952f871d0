//! `cargo fuzz run page`: see `checks::page` for what is checked.
#![no_main]

#[allow(dead_code)] // the other targets' checks
#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::page(data));
