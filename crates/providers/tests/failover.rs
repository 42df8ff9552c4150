//! Failover and channel health over real HTTP against mock-upstream.
mod common;

use std::time::Duration;

use common::*;
use miaojing_mock_upstream::{Action, MockHandle, Rule};
use miaojing_providers::failover::{self, Candidate, FailoverOptions};
use miaojing_providers::{ChannelHealth, GenerationRequest, HealthPolicy, MediaType, MemoryHealth, Mode};
use uuid::Uuid;

const GEN: &str = "/v1/images/generations";

fn candidates(mock: &MockHandle, models: &[&str]) -> Vec<Candidate> {
    models.iter().map(|m| Candidate { id: Uuid::new_v4(), channel: openai(mock, m, MediaType::Image) }).collect()
}

fn opts(stream: bool) -> FailoverOptions {
    FailoverOptions { stream, retry_delay: Duration::from_millis(20) }
}

fn req() -> GenerationRequest {
    let mut r = GenerationRequest::new(Mode::Text2Img, "failover fox");
    r.size = Some("64x64".into());
    r
}

fn calls_for(mock: &MockHandle, model: &str) -> usize {
    on(mock, GEN).iter().filter(|r| r.model.as_deref() == Some(model)).count()
}

#[tokio::test]
async fn gateway_errors_retry_once_then_the_next_candidate_serves() {
    let mock = mock().await;
    let client = client(&mock);
    let health = MemoryHealth::default();
    let cands = candidates(&mock, &["gpt-image-1", "gpt-image-2", "gpt-image-3"]);
    mock.add_rule(Rule::new(Action::status(503)).on_path(GEN).for_model("gpt-image-1"));
    let served = failover::generate(&client, &cands, &health, &req(), opts(false), Duration::from_secs(10)).await.unwrap();
    assert_eq!((served.index, served.candidate_id, served.attempts), (1, cands[1].id, 3));
    assert_eq!(served.value.images.len(), 1);
    assert_eq!(calls_for(&mock, "gpt-image-1"), 2, "one retry on 503, no more");
    assert_eq!(calls_for(&mock, "gpt-image-3"), 0, "later candidates are not touched");
    assert_eq!(health.state(cands[0].id).last_error_code.as_deref(), Some("upstream_unavailable"));
    assert!(health.state(cands[1].id).last_success_at.is_some());
}

#[tokio::test]
async fn a_single_gateway_error_is_absorbed_by_the_retry() {
    let mock = mock().await;
    let client = client(&mock);
    let health = MemoryHealth::default();
    let cands = candidates(&mock, &["gpt-image-1", "gpt-image-2"]);
    mock.add_rule(Rule::new(Action::status(504)).on_path(GEN).times(1));
    let served = failover::generate(&client, &cands, &health, &req(), opts(false), Duration::from_secs(10)).await.unwrap();
    assert_eq!((served.index, served.attempts), (0, 2));
    assert!(health.state(cands[0].id).recent_failures.is_empty());
}

#[tokio::test]
async fn an_idle_stream_ending_in_524_is_retried_once_without_streaming() {
    let mock = mock().await;
    let client = client(&mock);
    let health = MemoryHealth::default();
    let cands = candidates(&mock, &["gpt-image-1", "gpt-image-2"]);
    mock.add_rule(Rule::new(Action::idle(0.3)).on_path(GEN).times(1));
    let served = failover::generate(&client, &cands, &health, &req(), opts(true), Duration::from_secs(10)).await.unwrap();
    assert_eq!((served.index, served.attempts), (0, 2));
    let sent = on(&mock, GEN);
    assert_eq!(sent[0].body.as_ref().unwrap()["stream"], true);
    assert!(sent[1].body.as_ref().unwrap().get("stream").is_none(), "the retry does not stream");
    assert_eq!(sent[0].status, Some(524));
}

#[tokio::test]
async fn a_524_without_streaming_moves_on_and_all_failing_reads_model_busy() {
    let mock = mock().await;
    let client = client(&mock);
    let health = MemoryHealth::default();
    let cands = candidates(&mock, &["gpt-image-1", "gpt-image-2"]);
    mock.add_rule(Rule::new(Action::idle(0.1)).on_path(GEN).for_model("gpt-image-1"));
    mock.add_rule(Rule::new(Action::status(500)).on_path(GEN).for_model("gpt-image-2"));
    let e = failover::generate(&client, &cands, &health, &req(), opts(false), Duration::from_secs(10)).await.unwrap_err();
    assert_eq!((e.status(), e.code.as_ref()), (503, "model_busy"));
    assert_eq!(e.message, "因使用人数较多，模型繁忙，请稍后再试");
    assert_eq!((calls_for(&mock, "gpt-image-1"), calls_for(&mock, "gpt-image-2")), (1, 1), "no retry on 524 (not streaming) or 500");
    assert_no_key(&e);
}

#[tokio::test]
async fn the_last_actionable_error_wins_over_model_busy() {
    let mock = mock().await;
    let client = client(&mock);
    let health = MemoryHealth::default();
    let cands = candidates(&mock, &["gpt-image-1", "gpt-image-2", "gpt-image-3"]);
    let msg = format!("Your prompt was rejected by the safety system (key {KEY})");
    mock.add_rule(
        Rule::new(Action::Status { status: 400, retry_after: None, message: Some(msg), body: None }).on_path(GEN).for_model("gpt-image-2"),
    );
    mock.add_rule(Rule::new(Action::status(401)).on_path(GEN).for_model("gpt-image-1"));
    mock.add_rule(Rule::new(Action::status(502)).on_path(GEN).for_model("gpt-image-3"));
    let e = failover::generate(&client, &cands, &health, &req(), opts(false), Duration::from_secs(10)).await.unwrap_err();
    assert_eq!((e.status(), e.code.as_ref()), (422, "upstream_rejected"));
    assert!(e.message.contains("rejected by the safety system"));
    assert_no_key(&e);
    assert!(health.state(cands[1].id).recent_failures.is_empty(), "a rejected prompt says nothing about the channel");
    assert_eq!(health.state(cands[0].id).last_error_code.as_deref(), Some("upstream_auth_failed"));
}

#[tokio::test]
async fn keyless_and_frozen_candidates_are_skipped_and_probes_re_enable() {
    let mock = mock().await;
    let client = client(&mock);
    let policy = HealthPolicy { threshold: 2, ..HealthPolicy::default() };
    let health = MemoryHealth::new(policy);
    let mut cands = candidates(&mock, &["gpt-image-1", "gpt-image-2", "gpt-image-3"]);
    cands[0].channel.api_key = String::new();
    mock.add_rule(Rule::new(Action::status(500)).on_path(GEN).for_model("gpt-image-2").times(2));
    for _ in 0..2 {
        let served = failover::generate(&client, &cands, &health, &req(), opts(false), Duration::from_secs(10)).await.unwrap();
        assert_eq!(served.index, 2);
    }
    assert!(health.is_frozen(cands[1].id).await.unwrap(), "two failures reach the threshold");
    let before = calls_for(&mock, "gpt-image-2");
    let served = failover::generate(&client, &cands, &health, &req(), opts(false), Duration::from_secs(10)).await.unwrap();
    assert_eq!(served.index, 2);
    assert_eq!(calls_for(&mock, "gpt-image-2"), before, "a frozen candidate is not called");
    assert_eq!(calls_for(&mock, "gpt-image-1"), 0, "a keyless candidate is never called");
    // The background probe finds it healthy again (a real connection test) and re-enables it.
    let ok = client.test_connection(&cands[1].channel).await.is_ok();
    health.apply_probe(cands[1].id, ok);
    let served = failover::generate(&client, &cands, &health, &req(), opts(false), Duration::from_secs(10)).await.unwrap();
    assert_eq!(served.index, 1);
}

#[tokio::test]
async fn nothing_to_try_is_model_busy_and_rate_limits_are_reported() {
    let mock = mock().await;
    let client = client(&mock);
    let health = MemoryHealth::default();
    let e = failover::generate(&client, &[], &health, &req(), opts(false), Duration::from_secs(10)).await.unwrap_err();
    assert_eq!(e.code, "model_busy");
    let cands = candidates(&mock, &["gpt-image-1"]);
    mock.add_rule(Rule::new(Action::rate_limited(9)).on_path(GEN));
    let e = failover::generate(&client, &cands, &health, &req(), opts(false), Duration::from_secs(10)).await.unwrap_err();
    assert_eq!((e.code.as_ref(), e.retry_after), ("upstream_rate_limited", Some(9)));
    assert_eq!(calls_for(&mock, "gpt-image-1"), 1, "429 is not retried on the same candidate");
}
