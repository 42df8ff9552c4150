//! `miaojing storage sync`: copies local files to the configured object storage with progress
//! output and a summary (see `miaojing_storage::sync`).
use std::io::Write;

use miaojing_storage::object::ObjectSide;
use miaojing_storage::sync::{sync_to_object, FileOutcome, SyncOptions, SyncSummary};
use miaojing_storage::LocalStorage;

use crate::config::Resolved;

/// Runs the sync as configured; prints one progress line per file to stderr and the summary to
/// stdout.
pub async fn run(r: &Resolved, dry_run: bool, verify_only: bool) -> anyhow::Result<SyncSummary> {
    let object = r.object_storage.clone().ok_or_else(|| anyhow::anyhow!("OBJECT_STORAGE_BUCKET is not set: nothing to sync to"))?;
    let bucket = object.bucket.clone();
    let object = ObjectSide::new(object)?;
    object.probe(std::time::Duration::from_secs(10)).await.map_err(|e| anyhow::anyhow!(e))?;
    let local = LocalStorage::new(&r.storage_dir)?;
    let opts = SyncOptions { dry_run, verify_only };
    let verb = if verify_only {
        "verifying"
    } else if dry_run {
        "checking (dry run)"
    } else {
        "syncing"
    };
    eprintln!("{verb} {} -> bucket {bucket}", r.storage_dir.display());
    let summary = sync_to_object(&local, &object, opts, |i, n, key, outcome| {
        let what = match outcome {
            FileOutcome::Matched => "same",
            FileOutcome::Copied => "copied",
            FileOutcome::Missing if verify_only => "DIFFERS",
            FileOutcome::Missing => "would copy",
            FileOutcome::Failed => "FAILED",
        };
        let width = n.to_string().len();
        let filled = (i * 20).checked_div(n).unwrap_or(20);
        eprintln!("[{}{}] {i:>width$}/{n} {what:<10} {key}", "#".repeat(filled), ".".repeat(20 - filled));
        let _ = std::io::stderr().flush();
    })
    .await?;
    println!(
        "{} files: {} already matched, {} copied ({} bytes), {} {}, {} failed",
        summary.files,
        summary.matched,
        summary.copied,
        summary.bytes_copied,
        summary.missing,
        if verify_only { "differ or are missing" } else { "to copy" },
        summary.failed
    );
    Ok(summary)
}
