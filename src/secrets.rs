//! The secrets a run holds (the GitHub token of `hybridize review`), and
//! their removal from every message that may quote someone else's words:
//! an API error that repeats the `Authorization` header must not print the
//! token.

use std::sync::Mutex;

/// Secrets shorter than this are not looked for: they are no real token,
/// and replacing them would garble every message.
const SHORTEST: usize = 4;

static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Remembers `secret`, so that [`redact`] removes it from now on.
pub fn register(secret: &str) {
    if secret.len() < SHORTEST {
        return;
    }
    let mut secrets = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
    if !secrets.iter().any(|known| known == secret) {
        secrets.push(secret.to_string());
    }
}

/// `text` with every registered secret replaced by `***`.
pub fn redact(text: &str) -> String {
    let secrets = SECRETS.lock().unwrap_or_else(|e| e.into_inner());
    let mut out = text.to_string();
    for secret in secrets.iter() {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), "***");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn registered_secrets_are_replaced() {
        super::register("ghp_s3cr3t_for_this_test");
        super::register("ab");
        assert_eq!(
            super::redact("Bearer ghp_s3cr3t_for_this_test, ab"),
            "Bearer ***, ab"
        );
    }
}
