//! Error answers shaped like the real services: Cloud's `{"type":"error",…}` envelope,
//! Data Center's `{"errors":[…]}` list, and the plain-text rate-limit answer.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// Message of Cloud's 401 for a token without scopes, expired, or used the wrong way.
pub const TOKEN_INVALID: &str = "Token is invalid, expired, or not supported for this endpoint.";
/// Message of Cloud's 403 for missing scopes.
pub const MISSING_SCOPES: &str = "Your credentials lack one or more required privilege scopes.";
/// Body of a 429 (plain text on both products).
pub const RATE_LIMITED: &str = "Rate limit for this resource has been exceeded";
/// Message of Cloud's 404 for a repository the caller cannot see.
pub const CLOUD_NO_REPO: &str =
    "You may not have access to this repository or it no longer exists in this workspace.";

/// A Cloud error answer.
#[derive(Debug, Clone)]
pub struct CloudError {
    /// HTTP status.
    pub status: StatusCode,
    /// `error.message`.
    pub message: String,
    /// `error.detail`, when any.
    pub detail: Option<Value>,
    /// Adds `WWW-Authenticate: Basic realm="Bitbucket.org HTTP"`.
    pub challenge: bool,
}

impl CloudError {
    /// An error with a status and message.
    pub fn new(status: StatusCode, message: impl Into<String>) -> CloudError {
        CloudError {
            status,
            message: message.into(),
            detail: None,
            challenge: false,
        }
    }

    /// 404 with a message.
    pub fn not_found(message: impl Into<String>) -> CloudError {
        CloudError::new(StatusCode::NOT_FOUND, message)
    }

    /// 400 with a message.
    pub fn bad_request(message: impl Into<String>) -> CloudError {
        CloudError::new(StatusCode::BAD_REQUEST, message)
    }

    /// 403 for missing scopes, naming the required and granted scopes.
    pub fn missing_scopes(required: &[&str], granted: &[String]) -> CloudError {
        CloudError {
            detail: Some(json!({ "required": required, "granted": granted })),
            ..CloudError::new(StatusCode::FORBIDDEN, MISSING_SCOPES)
        }
    }

    /// 401 for wrong Basic credentials, with the Basic challenge.
    pub fn bad_credentials() -> CloudError {
        CloudError {
            challenge: true,
            ..CloudError::new(StatusCode::UNAUTHORIZED, "Invalid credentials")
        }
    }
}

impl IntoResponse for CloudError {
    fn into_response(self) -> Response {
        let mut error = json!({ "message": self.message });
        if let Some(detail) = self.detail {
            error["detail"] = detail;
        }
        let mut response = (
            self.status,
            axum::Json(json!({ "type": "error", "error": error })),
        )
            .into_response();
        if self.challenge {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"Bitbucket.org HTTP\""),
            );
        }
        response
    }
}

/// A Data Center error answer.
#[derive(Debug, Clone)]
pub struct DcError {
    /// HTTP status.
    pub status: StatusCode,
    /// `errors[0].message`.
    pub message: String,
    /// `errors[0].exceptionName`.
    pub exception: Option<String>,
}

impl DcError {
    /// An error with a status, message and fully qualified exception name.
    pub fn new(status: StatusCode, message: impl Into<String>, exception: &str) -> DcError {
        DcError {
            status,
            message: message.into(),
            exception: Some(exception.to_string()),
        }
    }

    /// 401 for a caller without the needed permission.
    pub fn not_permitted() -> DcError {
        DcError::new(
            StatusCode::UNAUTHORIZED,
            "You are not permitted to access this resource",
            "com.atlassian.bitbucket.AuthorisationException",
        )
    }

    /// 401 for an anonymous caller.
    pub fn authentication_required() -> DcError {
        DcError::new(
            StatusCode::UNAUTHORIZED,
            "You are not permitted to access this resource",
            "com.atlassian.plugins.rest.api.security.exception.AuthenticationRequiredException",
        )
    }

    /// 401 for wrong credentials (also expired or misused tokens).
    pub fn bad_credentials() -> DcError {
        DcError::new(
            StatusCode::UNAUTHORIZED,
            "Authentication failed. Please check your credentials and try again.",
            "com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException",
        )
    }

    /// 404 for an unknown repository.
    pub fn no_such_repository(key: &str, slug: &str) -> DcError {
        DcError::new(
            StatusCode::NOT_FOUND,
            format!("Repository {key}/{slug} does not exist."),
            "com.atlassian.bitbucket.repository.NoSuchRepositoryException",
        )
    }

    /// 404 for an unknown commit or ref.
    pub fn no_such_commit(rev: &str, slug: &str) -> DcError {
        DcError::new(
            StatusCode::NOT_FOUND,
            format!("Commit '{rev}' does not exist in repository '{slug}'."),
            "com.atlassian.bitbucket.commit.NoSuchCommitException",
        )
    }

    /// 404 for an unknown path.
    pub fn no_such_path(path: &str, rev: &str) -> DcError {
        DcError::new(
            StatusCode::NOT_FOUND,
            format!("The path \"{path}\" does not exist at revision \"{rev}\""),
            "com.atlassian.bitbucket.content.NoSuchPathException",
        )
    }

    /// 400 validation error.
    pub fn validation(message: impl Into<String>) -> DcError {
        DcError::new(
            StatusCode::BAD_REQUEST,
            message,
            "com.atlassian.bitbucket.validation.ArgumentValidationException",
        )
    }
}

impl IntoResponse for DcError {
    fn into_response(self) -> Response {
        let body = json!({ "errors": [{
            "context": null,
            "message": self.message,
            "exceptionName": self.exception,
        }]});
        (self.status, axum::Json(body)).into_response()
    }
}

/// The plain-text 429 answer.
pub fn rate_limited() -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        RATE_LIMITED,
    )
        .into_response()
}

/// An error answer in the error shape of the product that `path` belongs to (Cloud for `/2.0`,
/// Data Center otherwise, with no exception name).
pub fn product_error(path: &str, status: StatusCode, message: &str) -> Response {
    if path.starts_with("/2.0") {
        CloudError::new(status, message).into_response()
    } else {
        DcError {
            status,
            message: message.to_string(),
            exception: None,
        }
        .into_response()
    }
}
