//! Contract cases for jobs, holds, works, likes and model call records.
use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{assert_err, balance, make_user, make_user_with_credits, now, page, SharedStore};
use crate::job::{CallFilter, Finisher, Job, JobFilter, JobStatus, Mode, NewJob, Outcome};
use crate::ledger::LedgerKind;
use crate::work::{Cursor, GalleryQuery, GallerySort, NewWork, Publication};
use crate::ErrorKind;

/// A text-to-image job of `user_id` costing `cost`, created at `at` (for this suite and backend tests).
pub fn new_job(user_id: Uuid, cost: i64, crid: Option<&str>, at: DateTime<Utc>) -> NewJob {
    NewJob {
        id: Uuid::new_v4(),
        user_id,
        mode: Mode::Text2Img,
        model: "Mock Image".into(),
        channel: "mock".into(),
        params: json!({"prompt": "a cat", "count": 1}),
        client_request_id: crid.map(str::to_string),
        estimated_cost: cost,
        deadline_at: at + Duration::minutes(30),
        created_at: at,
    }
}

fn new_work(user_id: Uuid, mode: Mode, prompt: &str, at: DateTime<Utc>) -> NewWork {
    NewWork {
        id: Uuid::new_v4(),
        user_id,
        job_id: None,
        mode,
        prompt: prompt.into(),
        negative_prompt: String::new(),
        params: json!({"ratio": "1:1"}),
        original_key: format!("works/{}.png", Uuid::new_v4()),
        thumbnail_key: Some(format!("thumbnails/{}.webp", Uuid::new_v4())),
        width: Some(1024),
        height: Some(1024),
        duration_secs: None,
        model: "Mock Image".into(),
        credits_cost: 3,
        created_at: at,
    }
}

/// An image work of `user_id`, for other areas' cases.
pub(super) fn work_for(user_id: Uuid, prompt: &str, at: DateTime<Utc>) -> NewWork {
    new_work(user_id, Mode::Text2Img, prompt, at)
}

async fn submit(store: &SharedStore, job: NewJob) -> Job {
    store.submit_job(job).await.expect("submit").0
}

/// Submission places a hold; the same client request id returns the first job; a hold the
/// balance minus open holds cannot cover is refused with 402 and nothing is written.
pub async fn jobs_submit_dedupe_and_hold(store: SharedStore) {
    let u = make_user_with_credits(&store, "hana", 100).await;
    let t = now();
    let (job, created) = store.submit_job(new_job(u.id, 30, Some("req-1"), t)).await.unwrap();
    assert!(created);
    assert_eq!(job.status, JobStatus::Queued);
    let hold = store.hold_by_id(job.hold_id.expect("a hold")).await.unwrap().unwrap();
    assert_eq!((hold.amount, hold.status.as_str()), (30, "open"));
    assert_eq!(store.open_holds_total(u.id).await.unwrap(), 30);

    let (again, created) = store.submit_job(new_job(u.id, 30, Some("req-1"), t)).await.unwrap();
    assert!(!created);
    assert_eq!(again.id, job.id);
    assert_eq!(store.open_holds_total(u.id).await.unwrap(), 30, "a duplicate holds nothing more");

    let e = assert_err(store.submit_job(new_job(u.id, 80, Some("req-2"), t)).await, ErrorKind::InsufficientCredits, "insufficient_credits");
    assert!(e.message.contains("80") && e.message.contains("30"), "{}", e.message);
    assert_eq!(store.open_holds_total(u.id).await.unwrap(), 30);
    assert!(store.user_jobs(u.id, &[], 10).await.unwrap().len() == 1, "the refused job was not stored");

    // Free jobs place no hold; the same request id of another user is a different job.
    let other = make_user(&store, "ivan").await;
    let (free, created) = store.submit_job(new_job(other.id, 0, Some("req-1"), t)).await.unwrap();
    assert!(created && free.hold_id.is_none() && free.id != job.id);
    assert_eq!(balance(&store, u.id).await, 100, "holds do not move the balance");
    let record = store.model_call_for_job(job.id).await.unwrap().expect("a model call record");
    assert_eq!((record.status.as_str(), record.source.as_str()), ("queued", "generation-job"));
}

/// Parallel submissions beyond the balance: exactly the affordable number is accepted.
pub async fn holds_parallel_submissions_exact(store: SharedStore) {
    let u = make_user_with_credits(&store, "jude", 100).await;
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let store = Arc::clone(&store);
            let id = u.id;
            tokio::spawn(async move { store.submit_job(new_job(id, 10, Some(&format!("p-{i}")), now())).await })
        })
        .collect();
    let mut accepted = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok((_, true)) => accepted += 1,
            Ok((_, false)) => panic!("no duplicates were submitted"),
            Err(e) => assert_eq!(e.code, "insufficient_credits", "{e}"),
        }
    }
    assert_eq!(accepted, 10);
    assert_eq!(store.open_holds_total(u.id).await.unwrap(), 100);
    assert_eq!(store.user_jobs(u.id, &[JobStatus::Queued], 100).await.unwrap().len(), 10);
}

/// A job is settled exactly once when workers and a cancel race to finish it.
pub async fn finish_settles_exactly_once(store: SharedStore) {
    let u = make_user_with_credits(&store, "kira", 100).await;
    let job = submit(&store, new_job(u.id, 40, None, now())).await;
    let claimed = store.claim_jobs("w1", 5, now(), now() + Duration::seconds(30)).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!((claimed[0].status, claimed[0].attempt), (JobStatus::Running, 1));

    // Another worker cannot finish w1's job.
    let wrong = store.finish_job(job.id, Finisher::Worker("w2"), Outcome::failed("x", "x"), now()).await.unwrap();
    assert!(wrong.is_none());

    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let store = Arc::clone(&store);
            let (id, uid) = (job.id, u.id);
            tokio::spawn(async move {
                let (finisher, outcome) = if i % 3 == 0 {
                    (Finisher::Any, Outcome::Cancelled)
                } else {
                    let w = new_work(uid, Mode::Text2Img, "a cat", now());
                    (Finisher::Worker("w1"), Outcome::Succeeded { actual_cost: 30, result: json!([{"workId": w.id}]), works: vec![w] })
                };
                store.finish_job(id, finisher, outcome, now()).await.expect("finish")
            })
        })
        .collect();
    let mut winners = vec![];
    for t in tasks {
        if let Some(j) = t.await.expect("task") {
            winners.push(j);
        }
    }
    assert_eq!(winners.len(), 1, "exactly one finisher wins");
    let done = store.job_by_id(job.id).await.unwrap().unwrap();
    let hold = store.hold_by_id(job.hold_id.unwrap()).await.unwrap().unwrap();
    let works = store.user_works(u.id, None, None, 50).await.unwrap();
    let consumes = store.ledger_page(u.id, page(1, 50)).await.unwrap().items.iter().filter(|e| e.kind == LedgerKind::Consume).count();
    match done.status {
        JobStatus::Succeeded => {
            assert_eq!(balance(&store, u.id).await, 70, "the actual cost is charged once");
            assert_eq!(hold.status, "settled");
            assert_eq!((works.len(), consumes, done.actual_cost), (1, 1, Some(30)));
            let rec = store.model_call_for_job(job.id).await.unwrap().unwrap();
            assert_eq!((rec.status.as_str(), rec.credits_cost, rec.result_count), ("succeeded", 30, 1));
        }
        JobStatus::Cancelled => {
            assert_eq!(balance(&store, u.id).await, 100);
            assert_eq!(hold.status, "released");
            assert_eq!((works.len(), consumes), (0, 0));
        }
        s => panic!("unexpected final status {s:?}"),
    }
    assert_eq!(store.open_holds_total(u.id).await.unwrap(), 0);
    // Finishing again moves nothing.
    assert!(store.finish_job(job.id, Finisher::Any, Outcome::Cancelled, now()).await.unwrap().is_none());
}

/// Claims never hand one job to two workers; leases extend; expired leases re-queue jobs,
/// keeping the upstream task id so polling resumes; jobs past their deadline fail and
/// release their holds.
pub async fn claims_leases_and_recovery(store: SharedStore) {
    let u = make_user_with_credits(&store, "lena", 100).await;
    let t0 = now() - Duration::seconds(10);
    let a = submit(&store, new_job(u.id, 10, None, t0)).await;
    let b = submit(&store, new_job(u.id, 10, None, t0 + Duration::milliseconds(1))).await;
    let c = submit(&store, new_job(u.id, 10, None, t0 + Duration::milliseconds(2))).await;
    let t = now();
    let lease = t + Duration::seconds(30);
    let w1 = store.claim_jobs("w1", 2, t, lease).await.unwrap();
    assert_eq!(w1.iter().map(|j| j.id).collect::<Vec<_>>(), vec![a.id, b.id], "oldest first");
    let w2 = store.claim_jobs("w2", 5, t, lease).await.unwrap();
    assert_eq!(w2.iter().map(|j| j.id).collect::<Vec<_>>(), vec![c.id]);
    assert!(store.claim_jobs("w3", 5, t, lease).await.unwrap().is_empty());

    let held: BTreeSet<Uuid> = store.extend_leases("w1", &[a.id, b.id], t, t + Duration::seconds(60)).await.unwrap().into_iter().collect();
    assert_eq!(held, [a.id, b.id].into_iter().collect());
    assert!(store.extend_leases("w1", &[c.id], t, t + Duration::seconds(60)).await.unwrap().is_empty(), "not w1's job");
    assert!(store.set_upstream_task(a.id, "w1", "task-a", t + Duration::seconds(5)).await.unwrap());
    // b's start died on w1 (no upstream task, no longer starting): its lease is not extended.
    let held = store.extend_leases("w1", &[], t, t + Duration::seconds(60)).await.unwrap();
    assert_eq!(held, vec![a.id], "a is polled, so it stays held without being in flight");
    assert!(!store.set_upstream_task(a.id, "w2", "task-x", t).await.unwrap(), "only the lease holder");
    assert!(store.due_polls("w1", t, 10).await.unwrap().is_empty(), "not due yet");
    assert_eq!(store.due_polls("w1", t + Duration::seconds(6), 10).await.unwrap().len(), 1);

    // w1 dies: at t+61 its leases have expired (w2's expired at t+30 as well).
    let later = t + Duration::seconds(61);
    let r = store.recover_jobs(later).await.unwrap();
    assert_eq!(r.requeued.iter().copied().collect::<BTreeSet<_>>(), [a.id, b.id, c.id].into_iter().collect());
    assert!(r.expired.is_empty());
    let again = store.claim_jobs("w3", 5, later, later + Duration::seconds(30)).await.unwrap();
    let ra = again.iter().find(|j| j.id == a.id).expect("a reclaimed");
    assert_eq!((ra.upstream_task_id.as_deref(), ra.attempt), (Some("task-a"), 2), "the upstream task is kept");
    assert_eq!(store.due_polls("w3", later, 10).await.unwrap().iter().map(|j| j.id).collect::<Vec<_>>(), vec![a.id]);
    assert!(!store.set_next_poll(a.id, "w1", later).await.unwrap(), "the dead worker lost it");

    // Past the deadline: failed, hold released, whatever its state.
    let r = store.recover_jobs(t + Duration::hours(1)).await.unwrap();
    assert_eq!(r.expired.len(), 3);
    for id in [a.id, b.id, c.id] {
        let j = store.job_by_id(id).await.unwrap().unwrap();
        assert_eq!((j.status, j.error_code.as_deref()), (JobStatus::Failed, Some("deadline_exceeded")));
        assert_eq!(store.hold_by_id(j.hold_id.unwrap()).await.unwrap().unwrap().status, "released");
    }
    assert_eq!(store.open_holds_total(u.id).await.unwrap(), 0);
    assert_eq!(balance(&store, u.id).await, 100);
}

/// A claim takes at most `limit` jobs, oldest first, however long the queue: a job claimed
/// beyond what the worker asked for would sit "running" with nobody starting it.
pub async fn claims_take_at_most_the_limit(store: SharedStore) {
    let u = make_user_with_credits(&store, "quinn", 1_000).await;
    let t0 = now() - Duration::seconds(60);
    let mut queued = Vec::new();
    for i in 0..40 {
        queued.push(submit(&store, new_job(u.id, 1, None, t0 + Duration::milliseconds(i))).await.id);
    }
    let t = now();
    for (round, limit) in [1usize, 1, 3, 1, 5].into_iter().enumerate() {
        let got = store.claim_jobs(&format!("w{round}"), limit as i64, t, t + Duration::seconds(30)).await.unwrap();
        let ids: Vec<Uuid> = got.iter().map(|j| j.id).collect();
        let expected: Vec<Uuid> = queued.drain(..limit).collect();
        assert_eq!(ids, expected, "round {round}: exactly the {limit} oldest queued jobs");
    }
    let running = store.claim_jobs("w-rest", 100, t, t + Duration::seconds(30)).await.unwrap();
    assert_eq!(running.len(), queued.len(), "every other job was still queued");
}

/// Run-time statistics count only succeeded jobs of the mode and model, finished in the window.
pub async fn run_time_stats_for_eta(store: SharedStore) {
    let u = make_user_with_credits(&store, "eta", 100).await;
    let t = now() - Duration::hours(2);
    for (secs, ok) in [(10, true), (30, true), (500, false)] {
        let job = submit(&store, new_job(u.id, 1, None, t)).await;
        let claimed = store.claim_jobs("w-eta", 1, t, t + Duration::minutes(30)).await.unwrap();
        assert_eq!(claimed[0].id, job.id);
        let outcome = if ok {
            Outcome::Succeeded { actual_cost: 1, result: json!({}), works: vec![] }
        } else {
            Outcome::failed("upstream_error", "boom")
        };
        store.finish_job(job.id, Finisher::Worker("w-eta"), outcome, t + Duration::seconds(secs)).await.unwrap().unwrap();
    }
    let (n, mean) = store.run_time_stats(Mode::Text2Img, "Mock Image", t - Duration::minutes(1)).await.unwrap();
    assert_eq!(n, 2, "failed jobs do not count");
    assert!((mean - 20.0).abs() < 0.01, "mean of 10 s and 30 s: {mean}");
    assert_eq!(store.run_time_stats(Mode::Text2Img, "Other", t - Duration::minutes(1)).await.unwrap().0, 0);
    assert_eq!(store.run_time_stats(Mode::Text2Video, "Mock Image", t - Duration::minutes(1)).await.unwrap().0, 0);
    assert_eq!(store.run_time_stats(Mode::Text2Img, "Mock Image", now()).await.unwrap(), (0, 0.0), "outside the window");
}

/// Admin listing and cleanup of jobs; model call record listing with filters.
pub async fn jobs_admin_list_and_cleanup(store: SharedStore) {
    let u = make_user_with_credits(&store, "milo", 100).await;
    let v = make_user(&store, "nora").await;
    let a = submit(&store, new_job(u.id, 10, None, now())).await;
    submit(&store, new_job(v.id, 0, None, now())).await;
    store.finish_job(a.id, Finisher::Any, Outcome::failed("upstream_error", "boom"), now()).await.unwrap().unwrap();
    let all = store.list_jobs(&JobFilter::default(), page(1, 10)).await.unwrap();
    assert_eq!(all.total, 2);
    let failed = store.list_jobs(&JobFilter { status: Some(JobStatus::Failed), ..Default::default() }, page(1, 10)).await.unwrap();
    assert_eq!(failed.items.iter().map(|r| r.job.id).collect::<Vec<_>>(), vec![a.id]);
    assert_eq!(failed.items[0].user_email, u.email);
    let by_name = store.list_jobs(&JobFilter { user_search: Some("NORA".into()), ..Default::default() }, page(1, 10)).await.unwrap();
    assert_eq!(by_name.total, 1);
    assert_err(store.delete_finished_jobs(JobStatus::Running, now()).await, ErrorKind::Validation, "invalid_status");
    assert_eq!(store.delete_finished_jobs(JobStatus::Failed, now() - Duration::days(1)).await.unwrap(), 0);
    assert_eq!(store.delete_finished_jobs(JobStatus::Failed, now() + Duration::seconds(1)).await.unwrap(), 1);
    assert!(store.job_by_id(a.id).await.unwrap().is_none());

    let calls = store.list_model_calls(&CallFilter::default(), page(1, 10)).await.unwrap();
    assert_eq!(calls.total, 2, "the deleted job's record is kept");
    let failed_calls =
        store.list_model_calls(&CallFilter { status: Some("failed".into()), ..Default::default() }, page(1, 10)).await.unwrap();
    assert_eq!(failed_calls.total, 1);
    assert_eq!(failed_calls.items[0].error.as_deref(), Some("boom"));
    let by_model = store
        .list_model_calls(&CallFilter { keyword: Some("mock im".into()), user_id: Some(v.id), ..Default::default() }, page(1, 10))
        .await
        .unwrap();
    assert_eq!(by_model.total, 1);
}

/// One job is deleted only once it has finished; its model call record stays.
pub async fn admin_deletes_one_finished_job(store: SharedStore) {
    let u = make_user_with_credits(&store, "quin", 100).await;
    let queued = submit(&store, new_job(u.id, 5, None, now())).await;
    let done = submit(&store, new_job(u.id, 5, None, now())).await;
    store.finish_job(done.id, Finisher::Any, Outcome::Cancelled, now()).await.unwrap().unwrap();
    assert!(!store.delete_finished_job(queued.id).await.unwrap(), "a queued job stays");
    assert!(store.job_by_id(queued.id).await.unwrap().is_some());
    assert!(!store.delete_finished_job(Uuid::new_v4()).await.unwrap(), "missing");
    assert!(store.delete_finished_job(done.id).await.unwrap());
    assert!(store.job_by_id(done.id).await.unwrap().is_none());
    assert!(!store.delete_finished_job(done.id).await.unwrap(), "only once");
    let calls = store.list_model_calls(&CallFilter::default(), page(1, 10)).await.unwrap();
    assert_eq!(calls.total, 2, "the deleted job's record is kept");
}

/// Dashboard activity: every job state with its count, and model calls in the window per
/// model with failures; older calls fall outside the window.
pub async fn activity_stats_count(store: SharedStore) {
    let t = now();
    let empty = store.activity_stats(t - Duration::days(7), 10).await.unwrap();
    assert_eq!(empty.jobs_by_status.iter().map(|(s, n)| (s.as_str(), *n)).collect::<Vec<_>>(), JobStatus::ALL.map(|s| (s.as_str(), 0)));
    assert_eq!((empty.calls_total, empty.calls_failed, empty.models.len()), (0, 0, 0));

    let u = make_user_with_credits(&store, "rosa", 100).await;
    let mut other = new_job(u.id, 1, None, t);
    other.model = "Other".into();
    submit(&store, other).await;
    let a = submit(&store, new_job(u.id, 1, None, t)).await;
    let b = submit(&store, new_job(u.id, 1, None, t)).await;
    submit(&store, new_job(u.id, 1, None, t)).await;
    let old = submit(&store, new_job(u.id, 1, None, t - Duration::days(10))).await;
    store.finish_job(a.id, Finisher::Any, Outcome::failed("upstream_error", "boom"), t).await.unwrap().unwrap();
    store.finish_job(b.id, Finisher::Any, Outcome::Cancelled, t).await.unwrap().unwrap();
    store.finish_job(old.id, Finisher::Any, Outcome::failed("upstream_error", "old"), t).await.unwrap().unwrap();

    let s = store.activity_stats(t - Duration::days(7), 10).await.unwrap();
    let by: Vec<(&str, i64)> = s.jobs_by_status.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    assert_eq!(by, vec![("queued", 2), ("running", 0), ("succeeded", 0), ("failed", 2), ("cancelled", 1)]);
    assert_eq!((s.calls_total, s.calls_failed), (4, 1), "{s:?}");
    let models: Vec<(&str, i64, i64)> = s.models.iter().map(|m| (m.model.as_str(), m.calls, m.failed)).collect();
    assert_eq!(models, vec![("Mock Image", 3, 1), ("Other", 1, 0)], "most used first");
    let top = store.activity_stats(t - Duration::days(30), 1).await.unwrap();
    assert_eq!((top.calls_total, top.calls_failed), (5, 2), "totals cover every model");
    assert_eq!(top.models.len(), 1);
    assert_eq!((top.models[0].model.as_str(), top.models[0].calls), ("Mock Image", 4));
}

/// History is per user, newest first, keyset-paged and filterable by mode; users delete
/// only their own works.
pub async fn works_history_scope(store: SharedStore) {
    let u = make_user(&store, "olga").await;
    let v = make_user(&store, "pete").await;
    let t = now();
    let mut mine = vec![];
    for i in 0..7 {
        let mode = if i % 2 == 0 { Mode::Text2Img } else { Mode::Text2Video };
        mine.push(store.insert_work(new_work(u.id, mode, &format!("p{i}"), t + Duration::seconds(i))).await.unwrap());
    }
    let theirs = store.insert_work(new_work(v.id, Mode::Text2Img, "v", t)).await.unwrap();
    let p1 = store.user_works(u.id, None, None, 4).await.unwrap();
    let p2 = store.user_works(u.id, None, Some(Cursor::after_history(p1.last().unwrap())), 4).await.unwrap();
    let ids: Vec<Uuid> = p1.iter().chain(&p2).map(|w| w.id).collect();
    assert_eq!(ids, mine.iter().rev().map(|w| w.id).collect::<Vec<_>>());
    let videos = store.user_works(u.id, Some(Mode::Text2Video), None, 10).await.unwrap();
    assert_eq!(videos.len(), 3);
    assert!(!store.delete_user_work(u.id, theirs.id).await.unwrap(), "not theirs");
    assert!(store.work_by_id(theirs.id).await.unwrap().is_some());
    assert!(store.delete_user_work(u.id, mine[0].id).await.unwrap());
    assert_eq!(store.delete_user_works(u.id).await.unwrap(), 6);
    assert_eq!(store.user_works(v.id, None, None, 10).await.unwrap().len(), 1);
}

/// The gallery shows only public works; latest and popular pages have no duplicates or
/// gaps while new works are published between pages; search covers prompt, author, model.
pub async fn gallery_pages_stable(store: SharedStore) {
    let u = make_user(&store, "quin").await;
    let v = make_user(&store, "rosa").await;
    let t = now() - Duration::hours(1);
    let mut public = BTreeSet::new();
    for i in 0..23 {
        let owner = if i % 2 == 0 { &u } else { &v };
        let w = store.insert_work(new_work(owner.id, Mode::Text2Img, &format!("scene {i}"), t)).await.unwrap();
        // Several share a publication instant: the id breaks ties.
        store.publish_work(owner.id, w.id, &Publication::default(), t + Duration::seconds(i / 3)).await.unwrap().unwrap();
        public.insert(w.id);
    }
    for _ in 0..4 {
        store.insert_work(new_work(u.id, Mode::Text2Img, "private", t)).await.unwrap();
    }
    let pick: Vec<Uuid> = public.iter().copied().take(2).collect();
    for (n, id) in pick.iter().enumerate() {
        for liker in [&u, &v].iter().take(n + 1) {
            store.like_work(liker.id, *id, now()).await.unwrap();
        }
    }
    for sort in [GallerySort::Latest, GallerySort::Popular] {
        let mut seen = vec![];
        let mut after = None;
        loop {
            let q = GalleryQuery { sort, after, limit: 5, viewer: Some(u.id), ..Default::default() };
            let items = store.gallery(&q).await.unwrap();
            // A new work arrives between pages; it sorts before the cursor, so never shows.
            let w = store.insert_work(new_work(v.id, Mode::Text2Img, "late", now())).await.unwrap();
            store.publish_work(v.id, w.id, &Publication::default(), now()).await.unwrap();
            let Some(last) = items.last() else { break };
            after = Some(Cursor::after_gallery(&last.work, sort));
            seen.extend(items.iter().map(|i| i.work.id));
        }
        let unique: BTreeSet<Uuid> = seen.iter().copied().collect();
        assert_eq!(unique.len(), seen.len(), "no duplicates ({sort:?})");
        if sort == GallerySort::Latest {
            assert_eq!(unique, public, "no gaps, and later arrivals never slip into older pages");
        } else {
            // Arrivals have no likes yet and may follow the cursor; every earlier work still shows once.
            assert!(unique.is_superset(&public), "no gaps (popular)");
            assert_eq!(seen[..2], [pick[1], pick[0]], "most liked first");
        }
    }
    let found = store.gallery(&GalleryQuery { search: Some("SCENE 1".into()), limit: 50, ..Default::default() }).await.unwrap();
    assert!(found.len() >= 2 && found.iter().all(|i| i.work.prompt.starts_with("scene 1")));
    let by_author = store.gallery(&GalleryQuery { search: Some("quin".into()), limit: 50, ..Default::default() }).await.unwrap();
    assert_eq!(by_author.len(), 12);
    let by_model = store.gallery(&GalleryQuery { search: Some("mock image".into()), limit: 5, ..Default::default() }).await.unwrap();
    assert_eq!(by_model.len(), 5);
    let videos = store.gallery(&GalleryQuery { modes: vec![Mode::Text2Video], limit: 5, ..Default::default() }).await.unwrap();
    assert!(videos.is_empty());
    let admin = store.admin_gallery(Some("rosa@"), &[], page(1, 100)).await.unwrap();
    assert!(admin.total >= 11 && admin.items.iter().all(|i| i.author_email.as_deref() == Some(v.email.as_str())));
}

/// Likes are idempotent per user, counted, and shown to the liker; private works cannot be liked.
pub async fn likes_idempotent(store: SharedStore) {
    let u = make_user(&store, "sami").await;
    let v = make_user(&store, "tess").await;
    let w = store.insert_work(new_work(u.id, Mode::Text2Img, "liked", now())).await.unwrap();
    assert_err(store.like_work(v.id, w.id, now()).await, ErrorKind::NotFound, "work_not_found");
    store.publish_work(u.id, w.id, &Publication::default(), now()).await.unwrap().unwrap();
    assert!(store.publish_work(v.id, w.id, &Publication::default(), now()).await.unwrap().is_none(), "only the owner");
    assert!(store.unpublish_works(Some(v.id), &[w.id]).await.unwrap().is_empty(), "only the owner");
    assert_eq!(store.like_work(v.id, w.id, now()).await.unwrap(), 1);
    assert_eq!(store.like_work(v.id, w.id, now()).await.unwrap(), 1);
    assert_eq!(store.like_work(u.id, w.id, now()).await.unwrap(), 2);
    let seen = store.gallery(&GalleryQuery { limit: 5, viewer: Some(v.id), ..Default::default() }).await.unwrap();
    assert!(seen[0].liked && seen[0].work.like_count == 2);
    assert_eq!(store.unlike_work(v.id, w.id).await.unwrap(), 1);
    assert_eq!(store.unlike_work(v.id, w.id).await.unwrap(), 1);
    let seen = store.gallery(&GalleryQuery { limit: 5, viewer: Some(v.id), ..Default::default() }).await.unwrap();
    assert!(!seen[0].liked);
    let anon = store.gallery(&GalleryQuery { limit: 5, ..Default::default() }).await.unwrap();
    assert!(!anon[0].liked);
    // Moderation edits only public works.
    assert_eq!(store.update_work_prompt(w.id, "edited").await.unwrap().unwrap().prompt, "edited");
    assert_eq!(store.unpublish_works(Some(u.id), &[w.id]).await.unwrap().len(), 1);
    assert!(store.update_work_prompt(w.id, "again").await.unwrap().is_none());
    assert!(store.gallery(&GalleryQuery { limit: 5, ..Default::default() }).await.unwrap().is_empty());
    assert_eq!(store.delete_work(w.id).await.unwrap().map(|d| d.id), Some(w.id));
    assert!(store.delete_work(w.id).await.unwrap().is_none());
}

/// Publishing records the title and the gallery copy's keys; unpublishing (owner or admin, one
/// or many) takes works out of the gallery, hands back the copies' keys and keeps the rows in
/// their owners' history; search finds works by title.
pub async fn publication_keeps_history_and_title_search(store: SharedStore) {
    let u = make_user(&store, "ulla").await;
    let v = make_user(&store, "vick").await;
    let t = now() - Duration::minutes(5);
    let a = store.insert_work(new_work(u.id, Mode::Text2Img, "a harbour at dawn", t)).await.unwrap();
    let b = store.insert_work(new_work(v.id, Mode::Text2Img, "plain prompt", t)).await.unwrap();
    let copy = |id: Uuid| Publication {
        title: Some("Golden Harbour".into()),
        gallery_key: Some(format!("gallery/images/{id}.png")),
        gallery_thumbnail_key: Some(format!("thumbnails/gallery/images/{id}-m1280q86.webp")),
    };
    let pa = store.publish_work(u.id, a.id, &copy(a.id), t).await.unwrap().unwrap();
    assert_eq!((pa.title.as_str(), pa.shown_key()), ("Golden Harbour", format!("gallery/images/{}.png", a.id).as_str()));
    assert!(pa.is_public && pa.published_at.is_some());
    // Publishing again with no new title or copy keeps both.
    let again = store.publish_work(u.id, a.id, &Publication::default(), now()).await.unwrap().unwrap();
    assert_eq!((again.title, again.gallery_key, again.published_at), (pa.title.clone(), pa.gallery_key.clone(), pa.published_at));
    store.publish_work(v.id, b.id, &Publication { title: Some("Night".into()), ..copy(b.id) }, t).await.unwrap().unwrap();

    let by_title = store.gallery(&GalleryQuery { search: Some("golden harb".into()), limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(by_title.iter().map(|i| i.work.id).collect::<Vec<_>>(), vec![a.id]);
    let admin = store.admin_gallery(Some("NIGHT"), &[], page(1, 10)).await.unwrap();
    assert_eq!((admin.total, admin.items[0].work.id), (1, b.id));

    // Someone else's id is skipped when an owner is given; an admin takes down both at once.
    assert!(store.unpublish_works(Some(u.id), &[b.id]).await.unwrap().is_empty());
    let taken = store.unpublish_works(None, &[a.id, b.id, Uuid::new_v4()]).await.unwrap();
    let mut keys: Vec<_> = taken.iter().map(|w| w.gallery_key.clone().unwrap()).collect();
    keys.sort();
    let mut want = vec![format!("gallery/images/{}.png", a.id), format!("gallery/images/{}.png", b.id)];
    want.sort();
    assert_eq!(keys, want, "the copies' keys are handed back");
    assert!(store.unpublish_works(None, &[a.id, b.id]).await.unwrap().is_empty(), "already private");
    assert!(store.gallery(&GalleryQuery { limit: 10, ..Default::default() }).await.unwrap().is_empty());
    let kept = store.work_by_id(a.id).await.unwrap().expect("the row stays");
    assert!(!kept.is_public && kept.gallery_key.is_none() && kept.gallery_thumbnail_key.is_none());
    assert_eq!((kept.title.as_str(), kept.original_key.as_str()), ("Golden Harbour", a.original_key.as_str()));
    let history = store.user_works(u.id, None, None, 10).await.unwrap();
    assert_eq!(history.iter().map(|w| w.id).collect::<Vec<_>>(), vec![a.id]);
}

/// A work published before gallery copies existed gets one attached exactly once, and only
/// while it is public: a work taken down meanwhile is left alone.
pub async fn gallery_copy_attaches_to_public_works_without_one(store: SharedStore) {
    let u = make_user(&store, "gina").await;
    let t = now() - Duration::minutes(5);
    let legacy = store.insert_work(new_work(u.id, Mode::Text2Img, "legacy", t)).await.unwrap();
    let private = store.insert_work(new_work(u.id, Mode::Text2Img, "private", t)).await.unwrap();
    store.publish_work(u.id, legacy.id, &Publication::default(), t).await.unwrap().unwrap();
    let key = format!("gallery/images/{}.png", legacy.id);
    let thumb = format!("thumbnails/gallery/images/{}-m1280q86.webp", legacy.id);
    assert!(store.attach_gallery_copy(legacy.id, &key, Some(&thumb)).await.unwrap());
    let w = store.work_by_id(legacy.id).await.unwrap().unwrap();
    assert_eq!((w.gallery_key.as_deref(), w.gallery_thumbnail_key.as_deref()), (Some(key.as_str()), Some(thumb.as_str())));
    assert!(w.is_public && w.shown_key() == key);
    assert!(!store.attach_gallery_copy(legacy.id, "gallery/images/other.png", None).await.unwrap(), "already has one");
    assert_eq!(store.work_by_id(legacy.id).await.unwrap().unwrap().gallery_key.as_deref(), Some(key.as_str()));
    assert!(!store.attach_gallery_copy(private.id, "gallery/images/p.png", None).await.unwrap(), "not public");
    assert!(store.work_by_id(private.id).await.unwrap().unwrap().gallery_key.is_none());
    assert!(!store.attach_gallery_copy(Uuid::new_v4(), "gallery/images/x.png", None).await.unwrap(), "missing");
}
