//! A job request read once into typed values: its kind, its mode and checked spec, and the
//! model it names. Nothing after this reads the request's strings again.
use miaojing_api_types::generation::{CreateJobRequest, ModelChoice};
use miaojing_domain::job::{JobKind, Mode};
use miaojing_domain::{Error, ErrorCode, Result};
use uuid::Uuid;

use super::spec::{self, JobSpec, Source};

/// The model a request names, read in this order: the caller's own key, a platform row by id,
/// then a platform model's display name (`customApiConfig.modelName`, else `payload.model`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelRef {
    UserKey(Uuid),
    SystemApi(Uuid),
    Name(String),
}

impl ModelRef {
    /// The reference of a request's model choice; `model_required` when it names none.
    pub fn of(choice: Option<&ModelChoice>, model: Option<&str>) -> Result<Self> {
        if let Some(id) = choice.and_then(|c| c.custom_api_key_id) {
            return Ok(Self::UserKey(id));
        }
        if let Some(id) = choice.and_then(|c| c.system_api_id) {
            return Ok(Self::SystemApi(id));
        }
        choice
            .and_then(|c| c.model_name.as_deref())
            .or(model)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Self::Name(s.to_string()))
            .ok_or_else(|| Error::validation(ErrorCode::ModelRequired, "请选择模型"))
    }
}

/// A checked job request.
#[derive(Debug, Clone, PartialEq)]
pub struct JobRequest {
    pub kind: JobKind,
    pub mode: Mode,
    /// The checked spec; its source is set when the model is resolved.
    pub spec: JobSpec,
    pub model: ModelRef,
    /// The style preset the client picked (counted when the job is accepted).
    pub style_label: Option<String>,
}

/// Reads a `POST /api/generation-jobs` body: `missing_payload`, then the kind
/// (`unsupported_job_type`), then the payload's checks, then the model reference.
pub fn parse(body: CreateJobRequest) -> Result<JobRequest> {
    let payload = body.payload.ok_or_else(|| Error::validation(ErrorCode::MissingPayload, "缺少任务参数"))?;
    let kind = JobKind::parse(&body.kind)?;
    let choice = payload.custom_api_config.clone();
    let model = payload.model.clone();
    let style_label = payload.style_label.clone();
    let (mode, spec) = spec::check(kind, payload, Source::System { name: String::new() })?;
    let model = ModelRef::of(choice.as_ref(), model.as_deref())?;
    Ok(JobRequest { kind, mode, spec, model, style_label })
}

#[cfg(test)]
mod tests {
    use super::*;
    use miaojing_api_types::generation::GenerationPayload;

    fn body(kind: &str, payload: GenerationPayload) -> CreateJobRequest {
        CreateJobRequest { kind: kind.into(), payload: Some(payload) }
    }

    fn payload(prompt: &str, model: Option<&str>) -> GenerationPayload {
        GenerationPayload { prompt: Some(prompt.into()), model: model.map(Into::into), ..Default::default() }
    }

    #[test]
    fn reads_kind_mode_and_model_once() {
        let r = parse(body("video", payload("a wave", Some(" Wave ")))).unwrap();
        assert_eq!((r.kind, r.mode, r.model), (JobKind::Video, Mode::Text2Video, ModelRef::Name("Wave".into())));
        assert_eq!(parse(body("audio", payload("a cat", Some("m")))).unwrap_err().code, "unsupported_job_type");
        assert_eq!(parse(CreateJobRequest { kind: "audio".into(), payload: None }).unwrap_err().code, "missing_payload");
        // The payload is checked before the model is asked for.
        assert_eq!(parse(body("image", payload("a", None))).unwrap_err().code, "prompt_too_short");
        assert_eq!(parse(body("image", payload("a cat", Some(" ")))).unwrap_err().code, "model_required");
        let (key, row) = (Uuid::new_v4(), Uuid::new_v4());
        let mut p = payload("a cat", Some("Paint"));
        p.custom_api_config = Some(ModelChoice { custom_api_key_id: Some(key), system_api_id: Some(row), model_name: None });
        assert_eq!(parse(body("image", p.clone())).unwrap().model, ModelRef::UserKey(key));
        p.custom_api_config = Some(ModelChoice { custom_api_key_id: None, system_api_id: Some(row), model_name: None });
        assert_eq!(parse(body("image", p.clone())).unwrap().model, ModelRef::SystemApi(row));
        p.custom_api_config = Some(ModelChoice { custom_api_key_id: None, system_api_id: None, model_name: Some("Other".into()) });
        assert_eq!(parse(body("image", p)).unwrap().model, ModelRef::Name("Other".into()));
    }
}
