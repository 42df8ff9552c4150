//! Small upstream checks used by the key pages: list an OpenAI-compatible provider's models.
use miaojing_api_types::providers::UpstreamModel;
use miaojing_domain::{Error, ErrorKind, Result};
use miaojing_providers::outbound::OutboundClient;

/// The `/models` URL of an endpoint: known operation suffixes and trailing slashes removed.
pub fn models_url(api_url: &str) -> String {
    let mut base = api_url.trim().trim_end_matches('/').to_string();
    for suffix in ["/images/generations", "/images/edits", "/videos/generations", "/chat/completions", "/models"] {
        if let Some(i) = base.find(suffix) {
            base.truncate(i);
        }
    }
    format!("{}/models", base.trim_end_matches('/'))
}

/// `GET <base>/models` with the key; the upstream's status on refusal, never the key.
pub async fn list_models(client: &OutboundClient, api_url: &str, api_key: &str, provider: &str) -> Result<Vec<UpstreamModel>> {
    let req = client.request(reqwest::Method::GET, &models_url(api_url))?.bearer_auth(api_key);
    let res = client.send(req).await?;
    let status = res.status();
    if !status.is_success() {
        let e = Error::new(ErrorKind::Upstream, "upstream_refused", format!("上游返回 HTTP {}", status.as_u16()));
        return Err(e.with_detail(status.as_u16().to_string()));
    }
    let body: serde_json::Value =
        res.json().await.map_err(|_| Error::new(ErrorKind::Upstream, "upstream_bad_response", "API 返回的数据格式不正确"))?;
    let list = body.get("data").or_else(|| body.get("models")).and_then(|v| v.as_array()).cloned().unwrap_or_default();
    Ok(list
        .iter()
        .filter_map(|m| {
            let id = m.get("id").or_else(|| m.get("name")).and_then(|v| v.as_str())?.to_string();
            let description = m.get("owned_by").and_then(|v| v.as_str()).unwrap_or_default().to_string();
            Some(UpstreamModel { name: id.clone(), id, description, provider: provider.to_string() })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_operation_suffixes() {
        assert_eq!(models_url("https://a.example/v1/images/generations"), "https://a.example/v1/models");
        assert_eq!(models_url("https://a.example/v1/"), "https://a.example/v1/models");
        assert_eq!(models_url("https://a.example/v1/chat/completions"), "https://a.example/v1/models");
    }
}
