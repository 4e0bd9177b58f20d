//! A persistent store of fingerprints: which events and pages were seen, when, and
//! with what content.
//!
//! On disk it is a sorted snapshot plus an append-only log:
//! - snapshot `PATH`: magic, version, count, fixed-size records sorted by key, then an
//!   xxh3-64 of everything before it;
//! - log `PATH.log`: magic, version, then one batch per save: count, records, xxh3-64.
//!
//! Small saves append to the log; big ones compact log and snapshot into a new
//! snapshot. Every snapshot is written to a temporary file, synced, then renamed,
//! so a crash leaves the old or the new file, never half of one. A corrupt or
//! truncated file is reported with its path, offset and reason; salvaging keeps
//! every record that checks out and moves the damaged file aside.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use xxhash_rust::xxh3::{xxh3_128, xxh3_64};

use crate::columns::str_column;
use crate::error::{CoreError, CoreResult};

const SNAPSHOT_MAGIC: &[u8; 4] = b"DSHC";
const LOG_MAGIC: &[u8; 4] = b"DSHL";
const FORMAT_VERSION: u32 = 1;
const HEADER: usize = 16; // magic, version, count (the log's count is unused: zero)
const RECORD: usize = 40;
/// Compact when the log would hold more than this share of the snapshot's records.
const COMPACT_RATIO: usize = 4;

/// One fingerprint: what was seen, its content hash, and when it was first and last seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    pub key: u128,
    pub content: u64,
    pub first_seen: i64,
    pub last_seen: i64,
}

impl Record {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.key.to_le_bytes());
        out.extend_from_slice(&self.content.to_le_bytes());
        out.extend_from_slice(&self.first_seen.to_le_bytes());
        out.extend_from_slice(&self.last_seen.to_le_bytes());
    }

    fn decode(b: &[u8]) -> Record {
        let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        Record {
            key: u128::from_le_bytes(b[..16].try_into().expect("16 bytes")),
            content: u64_at(16),
            first_seen: u64_at(24) as i64,
            last_seen: u64_at(32) as i64,
        }
    }
}

/// What an observation found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    New,
    Changed,
    Unchanged,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::New => "new",
            Change::Changed => "changed",
            Change::Unchanged => "unchanged",
        }
    }
}

fn corrupt(path: &Path, reason: String) -> CoreError {
    CoreError::Invalid {
        what: format!("hash cache {}", path.display()),
        reason,
    }
}

fn io(path: &Path, e: std::io::Error) -> CoreError {
    CoreError::Invalid {
        what: format!("hash cache {}", path.display()),
        reason: e.to_string(),
    }
}

/// Read a file whole; a missing file is empty.
fn read_all(path: &Path) -> CoreResult<Option<Vec<u8>>> {
    match File::open(path) {
        Ok(mut f) => {
            let mut buf = Vec::new();
            f.read_to_end(&mut buf).map_err(|e| io(path, e))?;
            Ok(Some(buf))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path, e)),
    }
}

fn check_header(path: &Path, bytes: &[u8], magic: &[u8; 4]) -> CoreResult<u64> {
    if bytes.len() < HEADER {
        return Err(corrupt(
            path,
            format!("truncated header ({} of {HEADER} bytes)", bytes.len()),
        ));
    }
    if &bytes[..4] != magic {
        return Err(corrupt(
            path,
            "not a dancescrape hash cache (bad magic)".into(),
        ));
    }
    let version = u32::from_le_bytes(bytes[4..8].try_into().expect("4 bytes"));
    if version != FORMAT_VERSION {
        return Err(corrupt(
            path,
            format!("format version {version}, expected {FORMAT_VERSION}"),
        ));
    }
    Ok(u64::from_le_bytes(
        bytes[8..16].try_into().expect("8 bytes"),
    ))
}

/// Parse a snapshot: every byte must check out.
fn parse_snapshot(path: &Path, bytes: &[u8]) -> CoreResult<Vec<Record>> {
    let count = check_header(path, bytes, SNAPSHOT_MAGIC)?;
    let want = (count as usize)
        .checked_mul(RECORD)
        .and_then(|n| n.checked_add(HEADER + 8));
    if want != Some(bytes.len()) {
        return Err(corrupt(
            path,
            format!(
                "truncated or padded: {} bytes for {count} records",
                bytes.len()
            ),
        ));
    }
    let body = &bytes[..bytes.len() - 8];
    let sum = u64::from_le_bytes(bytes[bytes.len() - 8..].try_into().expect("8 bytes"));
    if xxh3_64(body) != sum {
        return Err(corrupt(
            path,
            "checksum mismatch: the snapshot is damaged".into(),
        ));
    }
    let records: Vec<Record> = body[HEADER..]
        .chunks_exact(RECORD)
        .map(Record::decode)
        .collect();
    if records.windows(2).any(|w| w[0].key >= w[1].key) {
        return Err(corrupt(path, "records out of order".into()));
    }
    Ok(records)
}

/// Parse a log: the records of every batch that checks out, and the first problem if any.
///
/// Each save appends one batch (count, records, xxh3-64 of both), so a save is all or
/// nothing: a torn append anywhere inside a batch is detected.
fn parse_log(path: &Path, bytes: &[u8]) -> (Vec<Record>, Option<CoreError>) {
    if let Err(e) = check_header(path, bytes, LOG_MAGIC) {
        return (Vec::new(), Some(e));
    }
    let mut records = Vec::new();
    let mut at = HEADER;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let count = match rest.get(..4) {
            Some(c) => u32::from_le_bytes(c.try_into().expect("4 bytes")) as usize,
            None => {
                let reason = format!("truncated batch at byte {at} ({} bytes left)", rest.len());
                return (records, Some(corrupt(path, reason)));
            }
        };
        let body = count.checked_mul(RECORD).and_then(|n| n.checked_add(4));
        let Some(body) = body.filter(|b| b + 8 <= rest.len()) else {
            let reason = format!("truncated batch at byte {at} ({count} records announced)");
            return (records, Some(corrupt(path, reason)));
        };
        let sum = u64::from_le_bytes(rest[body..body + 8].try_into().expect("8 bytes"));
        if xxh3_64(&rest[..body]) != sum {
            return (
                records,
                Some(corrupt(
                    path,
                    format!("checksum mismatch in batch at byte {at}"),
                )),
            );
        }
        records.extend(rest[4..body].chunks_exact(RECORD).map(Record::decode));
        at += body + 8;
    }
    (records, None)
}

/// Move a damaged file aside (kept for inspection, never deleted).
fn set_aside(path: &Path) -> CoreResult<PathBuf> {
    let mut n = 0;
    loop {
        let mut aside = path.as_os_str().to_owned();
        aside.push(if n == 0 {
            ".corrupt".to_string()
        } else {
            format!(".corrupt{n}")
        });
        let aside = PathBuf::from(aside);
        if !aside.exists() {
            fs::rename(path, &aside).map_err(|e| io(path, e))?;
            return Ok(aside);
        }
        n += 1;
    }
}

fn log_path(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".log");
    PathBuf::from(p)
}

/// The store: a sorted snapshot in memory, and newer records over it.
#[derive(Debug)]
pub struct HashStore {
    path: PathBuf,
    base: Vec<Record>,
    overlay: HashMap<u128, Record>,
    /// Keys changed since the last save.
    dirty: Vec<u128>,
    log_records: usize,
    /// What salvaging found wrong when the store was opened.
    pub problems: Vec<String>,
}

impl HashStore {
    /// Open the store at `path` (created on first save). With `salvage`, damaged files
    /// are moved aside and every record that checks out is kept; without, they are errors.
    pub fn open(path: &Path, salvage: bool) -> CoreResult<HashStore> {
        let mut store = HashStore {
            path: path.to_path_buf(),
            base: Vec::new(),
            overlay: HashMap::new(),
            dirty: Vec::new(),
            log_records: 0,
            problems: Vec::new(),
        };
        if let Some(bytes) = read_all(path)? {
            match parse_snapshot(path, &bytes) {
                Ok(records) => store.base = records,
                Err(e) if salvage => {
                    let aside = set_aside(path)?;
                    store
                        .problems
                        .push(format!("{e}; moved to {}", aside.display()));
                }
                Err(e) => return Err(e),
            }
        }
        let log = log_path(path);
        if let Some(bytes) = read_all(&log)? {
            let (records, problem) = parse_log(&log, &bytes);
            if let Some(e) = problem {
                if !salvage {
                    return Err(e);
                }
                let aside = set_aside(&log)?;
                store.problems.push(format!(
                    "{e}; kept {} good entries, moved the log to {}",
                    records.len(),
                    aside.display()
                ));
                // The good entries must survive: they are rewritten on the next save.
                store.dirty.extend(records.iter().map(|r| r.key));
            } else {
                store.log_records = records.len();
            }
            for r in records {
                store.overlay.insert(r.key, r);
            }
        }
        Ok(store)
    }

    pub fn len(&self) -> usize {
        self.base.len()
            + self
                .overlay
                .keys()
                .filter(|k| self.base_get(**k).is_none())
                .count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn base_get(&self, key: u128) -> Option<&Record> {
        self.base
            .binary_search_by_key(&key, |r| r.key)
            .ok()
            .map(|i| &self.base[i])
    }

    pub fn get(&self, key: u128) -> Option<Record> {
        self.overlay
            .get(&key)
            .or_else(|| self.base_get(key))
            .copied()
    }

    /// Record that `key` was seen at `now` with `content`; says what changed.
    pub fn observe(&mut self, key: u128, content: u64, now: i64) -> (Change, Record) {
        let (change, record) = match self.get(key) {
            None => (
                Change::New,
                Record {
                    key,
                    content,
                    first_seen: now,
                    last_seen: now,
                },
            ),
            Some(old) => {
                let change = if old.content == content {
                    Change::Unchanged
                } else {
                    Change::Changed
                };
                // A clock that went back must not move last_seen backwards.
                let last_seen = old.last_seen.max(now);
                let first_seen = old.first_seen.min(now);
                (
                    change,
                    Record {
                        key,
                        content,
                        first_seen,
                        last_seen,
                    },
                )
            }
        };
        if self.get(key) != Some(record) {
            self.overlay.insert(key, record);
            self.dirty.push(key);
        }
        (change, record)
    }

    /// Persist: append to the log when little changed, else compact into a new snapshot.
    pub fn save(&mut self) -> CoreResult<()> {
        self.dirty.sort_unstable();
        self.dirty.dedup();
        if self.dirty.is_empty() && self.path.exists() {
            return Ok(());
        }
        if !self.path.exists()
            || (self.log_records + self.dirty.len()) * COMPACT_RATIO > self.base.len()
        {
            return self.compact();
        }
        let log = log_path(&self.path);
        let fresh = !log.exists();
        let mut buf = Vec::with_capacity(HEADER + 12 + self.dirty.len() * RECORD);
        if fresh {
            buf.extend_from_slice(LOG_MAGIC);
            buf.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
            buf.extend_from_slice(&0u64.to_le_bytes());
        }
        let batch = buf.len();
        buf.extend_from_slice(&(self.dirty.len() as u32).to_le_bytes());
        for key in &self.dirty {
            self.overlay[key].encode(&mut buf);
        }
        let sum = xxh3_64(&buf[batch..]);
        buf.extend_from_slice(&sum.to_le_bytes());
        let mut f = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .map_err(|e| io(&log, e))?;
        f.write_all(&buf)
            .and_then(|()| f.sync_all())
            .map_err(|e| io(&log, e))?;
        self.log_records += self.dirty.len();
        self.dirty.clear();
        Ok(())
    }

    /// Merge everything into one snapshot (temporary file, sync, rename) and drop the log.
    pub fn compact(&mut self) -> CoreResult<()> {
        let mut merged: Vec<Record> = Vec::with_capacity(self.base.len() + self.overlay.len());
        merged.extend(
            self.base
                .iter()
                .filter(|r| !self.overlay.contains_key(&r.key)),
        );
        merged.extend(self.overlay.values());
        merged.sort_unstable_by_key(|r| r.key);
        let mut buf = Vec::with_capacity(HEADER + merged.len() * RECORD + 8);
        buf.extend_from_slice(SNAPSHOT_MAGIC);
        buf.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        buf.extend_from_slice(&(merged.len() as u64).to_le_bytes());
        for r in &merged {
            r.encode(&mut buf);
        }
        let sum = xxh3_64(&buf);
        buf.extend_from_slice(&sum.to_le_bytes());
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        }
        let mut tmp = self.path.as_os_str().to_owned();
        tmp.push(format!(".tmp{}", std::process::id()));
        let tmp = PathBuf::from(tmp);
        let mut f = File::create(&tmp).map_err(|e| io(&tmp, e))?;
        f.write_all(&buf)
            .and_then(|()| f.sync_all())
            .map_err(|e| io(&tmp, e))?;
        drop(f);
        fs::rename(&tmp, &self.path).map_err(|e| io(&self.path, e))?;
        // The snapshot now holds every logged record: the log can go.
        let log = log_path(&self.path);
        match fs::remove_file(&log) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(io(&log, e)),
            _ => {}
        }
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // Make the rename itself durable; some filesystems cannot sync a directory.
            let _ = File::open(dir).and_then(|d| d.sync_all());
        }
        self.base = merged;
        self.overlay.clear();
        self.dirty.clear();
        self.log_records = 0;
        Ok(())
    }
}

/// Key of an event id (32 hex digits), naming the column and row when it is not one.
pub fn event_key(id: &str, row: usize) -> CoreResult<u128> {
    if id.len() != 32 {
        return Err(CoreError::Invalid {
            what: "column \"event_id\"".into(),
            reason: format!("row {row}: {id:?} is not 32 hex digits"),
        });
    }
    u128::from_str_radix(id, 16).map_err(|_| CoreError::Invalid {
        what: "column \"event_id\"".into(),
        reason: format!("row {row}: {id:?} is not 32 hex digits"),
    })
}

/// Key of a page: its URL, in a namespace of its own.
pub fn page_key(url: &str) -> u128 {
    let mut buf = Vec::with_capacity(url.len() + 5);
    buf.extend_from_slice(b"page\x1f");
    buf.extend_from_slice(url.as_bytes());
    xxh3_128(&buf)
}

/// `(event key, content hash)` per row: the content is every string column but event_id.
pub fn event_fingerprints(batch: &RecordBatch) -> CoreResult<Vec<(u128, u64)>> {
    let ids = str_column(batch, "event_id")?;
    let names: Vec<String> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .filter(|n| n != "event_id")
        .collect();
    let cols = names
        .iter()
        .map(|n| str_column(batch, n))
        .collect::<CoreResult<Vec<_>>>()?;
    let mut buf = Vec::new();
    (0..batch.num_rows())
        .map(|row| {
            let id = ids.get(row).ok_or_else(|| CoreError::Invalid {
                what: "column \"event_id\"".into(),
                reason: format!("row {row} is null"),
            })?;
            buf.clear();
            for col in &cols {
                // A null and an empty string must hash apart: 0x00 marks null, 0x01 a value.
                match col.get(row) {
                    None => buf.push(0),
                    Some(v) => {
                        buf.push(1);
                        buf.extend_from_slice(&(v.len() as u64).to_le_bytes());
                        buf.extend_from_slice(v.as_bytes());
                    }
                }
            }
            Ok((event_key(id, row)?, xxh3_64(&buf)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("dshc-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir.join("cache.dshc")
    }

    #[test]
    fn observe_tells_new_changed_unchanged_and_round_trips() {
        let path = tmp("roundtrip");
        let mut s = HashStore::open(&path, false).unwrap();
        assert_eq!(s.observe(1, 10, 100).0, Change::New);
        assert_eq!(s.observe(2, 20, 100).0, Change::New);
        for k in 3..30 {
            s.observe(k, 0, 100);
        }
        s.save().unwrap();
        let mut s = HashStore::open(&path, false).unwrap();
        assert_eq!(s.len(), 29);
        let (c, r) = s.observe(1, 10, 200);
        assert_eq!(
            (c, r.first_seen, r.last_seen),
            (Change::Unchanged, 100, 200)
        );
        assert_eq!(s.observe(2, 21, 200).0, Change::Changed);
        s.save().unwrap(); // small change: appended to the log
        assert!(log_path(&path).exists());
        let s = HashStore::open(&path, false).unwrap();
        assert_eq!(s.get(1).unwrap().last_seen, 200);
        assert_eq!(s.get(2).unwrap().content, 21);
    }

    #[test]
    fn log_appends_and_compaction_agree() {
        let path = tmp("compact");
        let mut s = HashStore::open(&path, false).unwrap();
        for k in 0..100 {
            s.observe(k, k as u64, 1);
        }
        s.save().unwrap();
        for k in 0..10 {
            s.observe(k, 0, 2);
            s.save().unwrap();
        }
        let logged = HashStore::open(&path, false).unwrap();
        let mut compacted = HashStore::open(&path, false).unwrap();
        compacted.compact().unwrap();
        assert!(!log_path(&path).exists());
        let again = HashStore::open(&path, false).unwrap();
        for k in 0..100 {
            assert_eq!(logged.get(k), again.get(k));
        }
    }

    #[test]
    fn truncation_is_an_error_or_a_salvage_never_silent() {
        let path = tmp("trunc");
        let mut s = HashStore::open(&path, false).unwrap();
        for k in 0..50 {
            s.observe(k, 1, 1);
        }
        s.save().unwrap();
        s.observe(7, 2, 2);
        s.observe(8, 2, 2);
        s.save().unwrap();
        // Tear the last log entry.
        let log = log_path(&path);
        let bytes = fs::read(&log).unwrap();
        fs::write(&log, &bytes[..bytes.len() - 5]).unwrap();
        let err = HashStore::open(&path, false).unwrap_err().to_string();
        assert!(err.contains("truncated") && err.contains(".log"), "{err}");
        let s = HashStore::open(&path, true).unwrap();
        assert_eq!(s.problems.len(), 1);
        assert_eq!(s.len(), 50);
        // The torn save is lost as a whole; the snapshot before it is intact.
        assert_eq!(s.get(7).unwrap().content, 1);
        // Damage the snapshot: a clear error, or a salvage that sets it aside.
        let snap = fs::read(&path).unwrap();
        fs::write(&path, &snap[..snap.len() / 2]).unwrap();
        assert!(HashStore::open(&path, false)
            .unwrap_err()
            .to_string()
            .contains("cache.dshc"));
        let s = HashStore::open(&path, true).unwrap();
        assert!(s.problems[0].contains("moved to"), "{:?}", s.problems);
    }

    #[test]
    fn event_keys_parse_hex_and_name_bad_rows() {
        assert_eq!(event_key(&format!("{:032x}", 255u128), 0).unwrap(), 255);
        assert!(event_key("xyz", 3)
            .unwrap_err()
            .to_string()
            .contains("row 3"));
        assert_ne!(page_key("https://a/"), page_key("https://b/"));
    }
}
