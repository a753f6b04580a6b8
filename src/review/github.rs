//! The few GitHub REST calls a review needs, with every failure explained
//! in words. Blocking HTTP (ureq, rustls): one review is a handful of
//! requests.

use std::time::Duration;

use serde_json::Value;

/// A GitHub API failure, in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("GitHub API: {what}: {explanation} (HTTP {status}{}){}", github_message.as_deref().map(|m| format!(", GitHub says: {m}")).unwrap_or_default(), if request_id.is_empty() { String::new() } else { format!(" [request id {request_id}]") })]
    Status {
        what: String,
        status: u16,
        explanation: String,
        github_message: Option<String>,
        request_id: String,
    },
    #[error("GitHub API: {what}: cannot reach {url}: {reason}")]
    Transport {
        what: String,
        url: String,
        reason: String,
    },
    #[error("GitHub API: {what}: the response is not what the API describes: {reason}")]
    Unexpected { what: String, reason: String },
}

pub struct Client {
    agent: ureq::Agent,
    api_url: String,
    token: Option<String>,
}

pub struct Response {
    pub body: String,
    pub link: Option<String>,
}

impl Client {
    pub fn new(api_url: &str, token: Option<String>) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .user_agent(concat!("hybridize/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Self {
            agent,
            api_url: api_url.trim_end_matches('/').to_string(),
            token,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api_url)
    }

    /// `GET`, with `accept` as the media type.
    pub fn get(&self, what: &str, url: &str, accept: &str) -> Result<Response, ApiError> {
        let mut request = self
            .agent
            .get(url)
            .header("Accept", accept)
            .header("X-GitHub-Api-Version", "2022-11-28");
        if let Some(token) = &self.token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let response = request.call().map_err(|err| transport(what, url, err))?;
        finish(what, url, response)
    }

    pub fn post_json(&self, what: &str, url: &str, body: &str) -> Result<Response, ApiError> {
        let mut request = self
            .agent
            .post(url)
            .header("Accept", "application/vnd.github+json")
            .header("Content-Type", "application/json")
            .header("X-GitHub-Api-Version", "2022-11-28");
        if let Some(token) = &self.token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let response = request
            .send(body)
            .map_err(|err| transport(what, url, err))?;
        finish(what, url, response)
    }

    /// Every page of a list endpoint, following `Link: <...>; rel="next"`.
    pub fn get_all_pages(&self, what: &str, first_url: &str) -> Result<Vec<Value>, ApiError> {
        let mut items = Vec::new();
        let mut next = Some(first_url.to_string());
        let mut pages = 0;
        while let Some(url) = next {
            pages += 1;
            if pages > 1_000 {
                return Err(ApiError::Unexpected {
                    what: what.to_string(),
                    reason: "more than 1000 pages".to_string(),
                });
            }
            let response = self.get(what, &url, "application/vnd.github+json")?;
            let page: Value =
                serde_json::from_str(&response.body).map_err(|err| ApiError::Unexpected {
                    what: what.to_string(),
                    reason: err.to_string(),
                })?;
            let Value::Array(page) = page else {
                return Err(ApiError::Unexpected {
                    what: what.to_string(),
                    reason: "expected a JSON array".to_string(),
                });
            };
            items.extend(page);
            next = response.link.as_deref().and_then(next_link);
        }
        Ok(items)
    }
}

fn transport(what: &str, url: &str, err: ureq::Error) -> ApiError {
    ApiError::Transport {
        what: what.to_string(),
        url: url.to_string(),
        reason: err.to_string(),
    }
}

fn finish(
    what: &str,
    url: &str,
    mut response: ureq::http::Response<ureq::Body>,
) -> Result<Response, ApiError> {
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string)
    };
    let link = header("link");
    let remaining = header("x-ratelimit-remaining");
    let reset = header("x-ratelimit-reset");
    let retry_after = header("retry-after");
    let request_id = header("x-github-request-id").unwrap_or_default();
    let body = response
        .body_mut()
        .with_config()
        .limit(512 * 1024 * 1024)
        .read_to_string()
        .map_err(|err| transport(what, url, err))?;
    if (200..300).contains(&status) {
        return Ok(Response { body, link });
    }
    let github_message = serde_json::from_str::<Value>(&body).ok().map(|value| {
        let mut message = value["message"].as_str().unwrap_or_default().to_string();
        if let Some(errors) = value["errors"].as_array() {
            let details: Vec<String> = errors
                .iter()
                .map(|e| match e {
                    Value::String(text) => text.clone(),
                    other => other["message"]
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| other.to_string()),
                })
                .collect();
            if !details.is_empty() {
                message.push_str(&format!(" ({})", details.join("; ")));
            }
        }
        message
    });
    let explanation = explain(
        status,
        remaining.as_deref(),
        reset.as_deref(),
        retry_after.as_deref(),
    );
    Err(ApiError::Status {
        what: what.to_string(),
        status,
        explanation,
        github_message: github_message.filter(|m| !m.is_empty()),
        request_id,
    })
}

fn explain(
    status: u16,
    remaining: Option<&str>,
    reset: Option<&str>,
    retry_after: Option<&str>,
) -> String {
    if matches!(status, 403 | 429) {
        if let Some(seconds) = retry_after {
            return format!(
                "rate limited (secondary rate limit); GitHub asks to retry after {seconds} seconds"
            );
        }
        if remaining == Some("0") {
            let when = reset
                .and_then(|r| r.parse::<u64>().ok())
                .map(|reset| {
                    let now = std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_secs())
                        .unwrap_or(0);
                    format!(
                        "; it resets in {} seconds (at Unix time {reset})",
                        reset.saturating_sub(now)
                    )
                })
                .unwrap_or_default();
            return format!("the API rate limit for this token is used up{when}");
        }
    }
    match status {
        401 => "the token was rejected: GITHUB_TOKEN is missing, expired or revoked".to_string(),
        403 => "the token may not do this: a workflow needs `permissions: pull-requests: write`, and pull requests from forks get a read-only token".to_string(),
        404 => "not found: check --repo and --pr, and that the token can see the repository (private repositories answer 404 to tokens without access)".to_string(),
        422 => "GitHub refused the request as invalid: usually a comment on a line outside the pull request's diff, or a commit that is not the pull request's head (push again and re-run)".to_string(),
        429 => "too many requests".to_string(),
        500..=599 => "GitHub had an internal error; try again".to_string(),
        _ => "unexpected status".to_string(),
    }
}

/// The `rel="next"` URL of a `Link` header.
fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim() == "rel=\"next\"")
            .then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_next_page_comes_from_the_link_header() {
        let link = "<https://api.github.com/x?page=2>; rel=\"next\", <https://api.github.com/x?page=5>; rel=\"last\"";
        assert_eq!(
            super::next_link(link).as_deref(),
            Some("https://api.github.com/x?page=2")
        );
        assert_eq!(super::next_link("<u>; rel=\"prev\""), None);
    }
}
