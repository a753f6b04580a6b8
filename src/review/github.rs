//! The few GitHub REST calls a review needs, with every failure explained
//! in words. Blocking HTTP (ureq, rustls): one review is a handful of
//! requests.
//!
//! What the client promises (docs/reliability.md): the token is sent only
//! to the scheme, host and port of `--api-url`, and nothing is read from
//! anywhere else (a `Link` or a redirect to another origin is refused); a
//! redirected `POST` is an error, never a success; every message that may
//! quote the server has the token removed ([`crate::secrets`]); a body is
//! read, streamed, up to [`MAX_BODY_BYTES`].

use std::fmt;
use std::io::Read;
use std::time::Duration;

use serde_json::Value;
use ureq::http::Uri;

/// The most of one response body that is read (a pull request's diff, a
/// page of comments): 64 MiB.
pub const MAX_BODY_BYTES: u64 = 64 * 1024 * 1024;

/// Redirects followed for one `GET`, at most (within the API's origin).
const MAX_REDIRECTS: usize = 5;

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
    #[error("GitHub API: {what}: the {method} to {url} was answered with a redirect (HTTP {status}) to `{location}`; it was not sent again there, so it did not happen (check --api-url)")]
    RedirectedWrite {
        what: String,
        method: &'static str,
        url: String,
        status: u16,
        location: String,
    },
    #[error("GitHub API: {what}: the answer points to {url}, which is not on {origin} (the origin of --api-url); not followed: the token is sent, and answers are read, only there")]
    OtherOrigin {
        what: String,
        url: String,
        origin: String,
    },
    #[error("GitHub API: {what}: the answer {} is larger than the {} MiB this tool reads (MAX_BODY_BYTES); it was not read", declared.map(|bytes| format!("({bytes} bytes, as declared)")).unwrap_or_else(|| "(still being sent)".to_string()), MAX_BODY_BYTES / (1024 * 1024))]
    TooLarge { what: String, declared: Option<u64> },
    #[error("--api-url: `{url}` is not an http or https URL with a host")]
    BadApiUrl { url: String },
}

impl ApiError {
    /// The error with every registered secret removed from what it quotes.
    fn redacted(self) -> Self {
        use crate::secrets::redact;
        match self {
            ApiError::Status {
                what,
                status,
                explanation,
                github_message,
                request_id,
            } => ApiError::Status {
                what: redact(&what),
                status,
                explanation: redact(&explanation),
                github_message: github_message.map(|m| redact(&m)),
                request_id: redact(&request_id),
            },
            ApiError::Transport { what, url, reason } => ApiError::Transport {
                what: redact(&what),
                url: redact(&url),
                reason: redact(&reason),
            },
            ApiError::Unexpected { what, reason } => ApiError::Unexpected {
                what: redact(&what),
                reason: redact(&reason),
            },
            ApiError::RedirectedWrite {
                what,
                method,
                url,
                status,
                location,
            } => ApiError::RedirectedWrite {
                what: redact(&what),
                method,
                url: redact(&url),
                status,
                location: redact(&location),
            },
            ApiError::OtherOrigin { what, url, origin } => ApiError::OtherOrigin {
                what: redact(&what),
                url: redact(&url),
                origin: redact(&origin),
            },
            ApiError::TooLarge { what, declared } => ApiError::TooLarge {
                what: redact(&what),
                declared,
            },
            ApiError::BadApiUrl { url } => ApiError::BadApiUrl { url: redact(&url) },
        }
    }
}

/// The scheme, host and port of a URL: where credentials may go.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    fn of(url: &str) -> Option<Origin> {
        let uri: Uri = url.parse().ok()?;
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "https" => 443,
            "http" => 80,
            _ => return None,
        };
        Some(Origin {
            host: uri.host()?.to_ascii_lowercase(),
            port: uri.port_u16().unwrap_or(default_port),
            scheme,
        })
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

pub struct Client {
    agent: ureq::Agent,
    api_url: String,
    origin: Origin,
    token: Option<String>,
}

pub struct Response {
    pub body: String,
    pub link: Option<String>,
}

impl Client {
    pub fn new(api_url: &str, token: Option<String>) -> Result<Self, ApiError> {
        if let Some(token) = &token {
            crate::secrets::register(token);
        }
        let origin = Origin::of(api_url).ok_or_else(|| ApiError::BadApiUrl {
            url: api_url.to_string(),
        })?;
        // Redirects are followed here, not by ureq: only within the origin,
        // and never for a `POST` (ureq would repeat it as a `GET`).
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(60)))
            .user_agent(concat!("hybridize/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Self {
            agent,
            api_url: api_url.trim_end_matches('/').to_string(),
            origin,
            token,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api_url)
    }

    /// `GET`, with `accept` as the media type.
    pub fn get(&self, what: &str, url: &str, accept: &str) -> Result<Response, ApiError> {
        self.send(what, url, accept, None)
            .map_err(ApiError::redacted)
    }

    /// `POST` of a JSON body.
    pub fn post_json(&self, what: &str, url: &str, body: &str) -> Result<Response, ApiError> {
        self.send(what, url, "application/vnd.github+json", Some(body))
            .map_err(ApiError::redacted)
    }

    /// Sends a `GET` (no `body`) or a `POST`, following a `GET`'s
    /// redirects within the origin.
    fn send(
        &self,
        what: &str,
        url: &str,
        accept: &str,
        body: Option<&str>,
    ) -> Result<Response, ApiError> {
        let mut url = url.to_string();
        for _ in 0..=MAX_REDIRECTS {
            self.check_origin(what, &url)?;
            let response = self
                .request(&url, accept, body)
                .map_err(|err| transport(what, &url, err))?;
            let status = response.status().as_u16();
            if !(300..400).contains(&status) || status == 304 {
                return finish(what, &url, response);
            }
            let location = header(&response, "location").unwrap_or_default();
            if body.is_some() {
                return Err(ApiError::RedirectedWrite {
                    what: what.to_string(),
                    method: "POST",
                    url,
                    status,
                    location,
                });
            }
            url = resolve(&url, &location);
        }
        Err(ApiError::Unexpected {
            what: what.to_string(),
            reason: format!("more than {MAX_REDIRECTS} redirects"),
        })
    }

    /// One request, with the token (the origin was checked).
    fn request(
        &self,
        url: &str,
        accept: &str,
        body: Option<&str>,
    ) -> Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        let authorization = self.token.as_ref().map(|token| format!("Bearer {token}"));
        macro_rules! headers {
            ($request:expr) => {{
                let mut request = $request
                    .header("Accept", accept)
                    .header("X-GitHub-Api-Version", "2022-11-28");
                if let Some(authorization) = &authorization {
                    request = request.header("Authorization", authorization);
                }
                request
            }};
        }
        match body {
            None => headers!(self.agent.get(url)).call(),
            Some(body) => headers!(self.agent.post(url))
                .header("Content-Type", "application/json")
                .send(body),
        }
    }

    /// Refuses a URL outside the origin of `--api-url`: the token must not
    /// go there, and what it answers is not GitHub's.
    fn check_origin(&self, what: &str, url: &str) -> Result<(), ApiError> {
        if Origin::of(url).as_ref() == Some(&self.origin) {
            return Ok(());
        }
        Err(ApiError::OtherOrigin {
            what: what.to_string(),
            url: url.to_string(),
            origin: self.origin.to_string(),
        })
    }

    /// Every page of a list endpoint, following `Link: <...>; rel="next"`
    /// (within the origin of `--api-url`).
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

fn header(response: &ureq::http::Response<ureq::Body>, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string)
}

/// `location` (absolute, or relative to `base`) as an absolute URL.
fn resolve(base: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_string();
    }
    let Ok(uri) = base.parse::<Uri>() else {
        return location.to_string();
    };
    let scheme = uri.scheme_str().unwrap_or("https");
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or_default();
    if let Some(rest) = location.strip_prefix("//") {
        format!("{scheme}://{rest}")
    } else if location.starts_with('/') {
        format!("{scheme}://{authority}{location}")
    } else {
        let folder = uri.path().rsplit_once('/').map_or("", |(folder, _)| folder);
        format!("{scheme}://{authority}{folder}/{location}")
    }
}

fn transport(what: &str, url: &str, err: ureq::Error) -> ApiError {
    ApiError::Transport {
        what: what.to_string(),
        url: url.to_string(),
        reason: err.to_string(),
    }
}

/// The body, streamed, up to [`MAX_BODY_BYTES`]: a larger one is refused
/// as soon as its declared length, or what was read, is over the limit.
fn read_body(
    what: &str,
    url: &str,
    response: &mut ureq::http::Response<ureq::Body>,
) -> Result<String, ApiError> {
    let declared = header(response, "content-length").and_then(|n| n.trim().parse::<u64>().ok());
    if declared.is_some_and(|bytes| bytes > MAX_BODY_BYTES) {
        return Err(ApiError::TooLarge {
            what: what.to_string(),
            declared,
        });
    }
    let mut bytes = Vec::new();
    response
        .body_mut()
        .as_reader()
        .take(MAX_BODY_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| transport(what, url, ureq::Error::Io(err)))?;
    if bytes.len() as u64 > MAX_BODY_BYTES {
        return Err(ApiError::TooLarge {
            what: what.to_string(),
            declared: None,
        });
    }
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned()))
}

fn finish(
    what: &str,
    url: &str,
    mut response: ureq::http::Response<ureq::Body>,
) -> Result<Response, ApiError> {
    let status = response.status().as_u16();
    let link = header(&response, "link");
    let remaining = header(&response, "x-ratelimit-remaining");
    let reset = header(&response, "x-ratelimit-reset");
    let retry_after = header(&response, "retry-after");
    let request_id = header(&response, "x-github-request-id").unwrap_or_default();
    let body = read_body(what, url, &mut response)?;
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
    use super::{resolve, Origin};

    #[test]
    fn origins_differ_by_scheme_host_and_port() {
        let api = Origin::of("https://api.github.com").unwrap();
        assert_eq!(
            Origin::of("https://API.github.com:443/x?page=2"),
            Some(api.clone())
        );
        for other in [
            "http://api.github.com/x",
            "https://api.github.com:8443/x",
            "https://evil.example/x",
            "https://api.github.com.evil.example/x",
            "ftp://api.github.com/x",
            "/relative",
        ] {
            assert_ne!(Origin::of(other).as_ref(), Some(&api), "{other}");
        }
    }

    #[test]
    fn redirect_locations_resolve_against_the_request() {
        let base = "https://ghe.test/api/v3/repos/o/r/pulls/7";
        assert_eq!(
            resolve(base, "/repositories/1"),
            "https://ghe.test/repositories/1"
        );
        assert_eq!(resolve(base, "//other.test/x"), "https://other.test/x");
        assert_eq!(
            resolve(base, "8"),
            "https://ghe.test/api/v3/repos/o/r/pulls/8"
        );
        assert_eq!(resolve(base, "http://x.test/y"), "http://x.test/y");
    }

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
