//! The raw pages beside the records: each page exactly as Notion last sent it, kept
//! LZ4-compressed. A page's JSON is ~3 × larger than its compressed form, and these bytes
//! are most of what a sync writes: compressing them is what lets a sync store 20,000 pages
//! a second and keeps a 100,000-record store well under a gigabyte.
//!
//! Stores written before compression hold the text itself; both read back the same.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};

/// A page's JSON as the store keeps it.
pub(super) struct PackedPage(Vec<u8>);

impl PackedPage {
    pub(super) fn of(raw: &str) -> PackedPage {
        PackedPage(lz4_flex::compress_prepend_size(raw.as_bytes()))
    }
}

pub(super) fn write(conn: &Connection, page_id: &str, page: &PackedPage) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO pages_raw (page_id, raw) VALUES (?1, ?2)
         ON CONFLICT(page_id) DO UPDATE SET raw = excluded.raw",
    )?
    .execute(params![page_id, page.0])?;
    Ok(())
}

/// Whether the store holds exactly this page.
pub(super) fn holds(conn: &Connection, page_id: &str, page: &PackedPage) -> rusqlite::Result<bool> {
    let mut statement = conn.prepare_cached("SELECT raw FROM pages_raw WHERE page_id = ?1")?;
    let same = statement
        .query_row(params![page_id], |row| {
            Ok(match row.get_ref(0)? {
                ValueRef::Blob(bytes) => bytes == page.0.as_slice(),
                // Written before compression: compare the text.
                ValueRef::Text(text) => unpack_text(text) == unpack(&page.0),
                _ => false,
            })
        })
        .optional()?;
    Ok(same.unwrap_or(false))
}

/// The page's JSON text, if the store holds the page (and can read it back).
pub(super) fn read(conn: &Connection, page_id: &str) -> rusqlite::Result<Option<String>> {
    let mut statement = conn.prepare_cached("SELECT raw FROM pages_raw WHERE page_id = ?1")?;
    let raw = statement
        .query_row(params![page_id], |row| Ok(text_of(row.get_ref(0)?)))
        .optional()?;
    Ok(raw.flatten())
}

/// The text of a stored `raw` value (compressed or, from an older store, plain).
pub(super) fn text_of(value: ValueRef<'_>) -> Option<String> {
    match value {
        ValueRef::Blob(bytes) => unpack(bytes),
        ValueRef::Text(text) => unpack_text(text),
        _ => None,
    }
}

/// Larger than any page Notion sends: a damaged length never asks for gigabytes.
const LARGEST_PAGE: usize = 64 << 20;

fn unpack(bytes: &[u8]) -> Option<String> {
    let (length, packed) = bytes.split_first_chunk::<4>()?;
    let length = u32::from_le_bytes(*length) as usize;
    if length > LARGEST_PAGE {
        return None;
    }
    let mut text = vec![0; length];
    let unpacked = lz4_flex::block::decompress_into(packed, &mut text).ok()?;
    (unpacked == length).then_some(())?;
    String::from_utf8(text).ok()
}

fn unpack_text(text: &[u8]) -> Option<String> {
    std::str::from_utf8(text).ok().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE pages_raw (page_id TEXT PRIMARY KEY, raw TEXT NOT NULL)")
            .unwrap();
        conn
    }

    #[test]
    fn a_page_reads_back_as_it_was_sent_and_is_stored_smaller() {
        let conn = table();
        let raw =
            r#"{"object":"page","id":"p1","properties":{"Name":{"type":"title","title":[]}}}"#
                .repeat(20);
        write(&conn, "p1", &PackedPage::of(&raw)).unwrap();
        assert_eq!(read(&conn, "p1").unwrap().as_deref(), Some(raw.as_str()));
        let stored: i64 = conn
            .query_row("SELECT length(raw) FROM pages_raw", [], |r| r.get(0))
            .unwrap();
        assert!(
            (stored as usize) * 3 < raw.len(),
            "{stored} bytes for {}",
            raw.len()
        );
        assert!(holds(&conn, "p1", &PackedPage::of(&raw)).unwrap());
        assert!(!holds(&conn, "p1", &PackedPage::of(&raw[1..])).unwrap());
        assert!(!holds(&conn, "p2", &PackedPage::of(&raw)).unwrap());
    }

    #[test]
    fn a_page_stored_as_text_by_an_older_hsn_reads_back_and_compares() {
        let conn = table();
        let raw = r#"{"object":"page","id":"p1"}"#;
        conn.execute("INSERT INTO pages_raw VALUES ('p1', ?1)", [raw])
            .unwrap();
        assert_eq!(read(&conn, "p1").unwrap().as_deref(), Some(raw));
        assert!(holds(&conn, "p1", &PackedPage::of(raw)).unwrap());
        assert!(!holds(&conn, "p1", &PackedPage::of(r#"{"object":"page"}"#)).unwrap());
    }

    #[test]
    fn a_damaged_blob_reads_as_no_page() {
        let conn = table();
        let PackedPage(good) = PackedPage::of(&r#"{"object":"page","id":"p1"}"#.repeat(5));
        let mut longer = good.clone();
        longer[0] += 1;
        let mut huge = good.clone();
        huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        let damaged = [
            &good[..good.len() - 3],
            &longer,
            &huge,
            &good[..2],
            b"\x00\x00",
        ];
        for (i, blob) in damaged.into_iter().enumerate() {
            conn.execute(
                "INSERT INTO pages_raw VALUES (?1, ?2)",
                params![i.to_string(), blob],
            )
            .unwrap();
            assert_eq!(read(&conn, &i.to_string()).unwrap(), None, "blob {i}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_read_back_as_a_page_or_as_none(bytes: Vec<u8>) {
            let _ = text_of(ValueRef::Blob(&bytes));
        }

        #[test]
        fn any_text_reads_back_as_itself(text: String) {
            let PackedPage(packed) = PackedPage::of(&text);
            proptest::prop_assert_eq!(text_of(ValueRef::Blob(&packed)), Some(text));
        }
    }
}
