//! The one map from an HTTP answer that is not a success (status, headers, body) to an [`ApiError`].

use super::api_error::{ApiError, BodyLimit, TokenLimit, NOT_ACCESSIBLE_BY_MECHANISM};
use super::body::ErrorBody;
use super::context::{ErrorContext, Operation};
use crate::bitbucket::request::ApiResponse;
use crate::connection::AuthMode;
use crate::repo_url::Flavour;

impl ApiError {
    /// Maps a response that is not a success, or whose body was too large to read, to an error.
    pub fn from_response(response: &ApiResponse, context: &ErrorContext) -> ApiError {
        if let Some(refused) = response.too_large {
            return ApiError::TooLarge {
                what: context.subject.clone(),
                limit: refused.limit,
                size: refused.size,
            };
        }
        let body = ErrorBody::parse(&response.body, context);
        let edit =
            (context.flavour, context.operation) == (Flavour::DataCenter, Operation::CommitFiles);
        if edit && body.has_exception("FeatureDisabledException") {
            return ApiError::FileEditingOff;
        }
        if context.operation == Operation::OpenPullRequest && matches!(response.status, 400 | 409) {
            return ApiError::PullRequestRefused {
                message: body.message,
            };
        }
        match response.status {
            400 if body.has_exception("DuplicateRefException") => ApiError::Conflict {
                message: body.message,
            },
            400 => ApiError::BadRequest {
                message: body.message,
            },
            401 => unauthorised(body, context),
            403 => forbidden(body, context),
            404 => ApiError::NotFound {
                what: context.subject.clone(),
                message: body.message,
            },
            409 => ApiError::Conflict {
                message: body.message,
            },
            413 => ApiError::BodyTooLarge {
                what: context.subject.clone(),
                limit: match (context.flavour, body.product_shaped) {
                    (Flavour::Cloud, _) => BodyLimit::Cloud,
                    (Flavour::DataCenter, true) => BodyLimit::DataCenterUpload,
                    (Flavour::DataCenter, false) => BodyLimit::DataCenterRelay,
                },
            },
            429 => match (
                context.flavour,
                response
                    .header("Retry-After")
                    .and_then(|v| v.trim().parse().ok()),
            ) {
                (Flavour::Cloud, None) => ApiError::HourlyLimit {
                    needed: None,
                    left: 0,
                    retry_in_secs: None,
                },
                (flavour, retry_after) => ApiError::RateLimited {
                    flavour,
                    retry_after,
                },
            },
            500..=599 => ApiError::Server {
                status: response.status,
            },
            _ => ApiError::unexpected(response, context),
        }
    }

    /// A successful status whose body cannot be read as expected (or any status we do not handle).
    pub fn unexpected(response: &ApiResponse, context: &ErrorContext) -> ApiError {
        ApiError::UnexpectedResponse {
            status: response.status,
            excerpt: context.scrub(&String::from_utf8_lossy(&response.body)),
        }
    }

    /// The error for a fetch that failed without any HTTP answer. Browsers report CORS refusals and an
    /// unreachable server the same way, so `is_cross_origin` (the API is on another origin than the app)
    /// decides whether CORS is named as a possible cause.
    pub fn from_fetch_failure(flavour: Flavour, is_cross_origin: bool) -> ApiError {
        ApiError::Network {
            flavour,
            cross_origin: is_cross_origin,
        }
    }
}

fn unauthorised(body: ErrorBody, context: &ErrorContext) -> ApiError {
    if context.flavour == Flavour::Cloud && body.text.contains(NOT_ACCESSIBLE_BY_MECHANISM) {
        return ApiError::ResourceTokenCannot {
            limit: TokenLimit::ReadAccount,
        };
    }
    let authenticated_but_refused = body.has_exception("AuthorisationException")
        || body.has_exception("NoAccessAuthenticationException");
    if context.flavour == Flavour::DataCenter && authenticated_but_refused {
        return ApiError::Forbidden {
            message: body.message,
        };
    }
    ApiError::InvalidCredentials {
        flavour: context.flavour,
        auth: context.auth,
        username_is_email: context.username_is_email,
    }
}

fn forbidden(body: ErrorBody, context: &ErrorContext) -> ApiError {
    if body.text.contains("XSRF check failed") {
        return ApiError::XsrfRejected;
    }
    if context.flavour == Flavour::Cloud && body.text.contains(NOT_ACCESSIBLE_BY_MECHANISM) {
        return ApiError::ResourceTokenCannot {
            limit: TokenLimit::ReadAccount,
        };
    }
    if !body.required_scopes.is_empty() {
        return match body.granted_scopes {
            Some(granted) if granted.is_empty() => ApiError::TokenWithoutScopes,
            granted => ApiError::MissingScope {
                needed: body.required_scopes,
                granted,
            },
        };
    }
    match (context.flavour, context.operation, context.auth) {
        (Flavour::DataCenter, Operation::CommitFiles, _)
            if body.text.to_ascii_lowercase().contains("access token") =>
        {
            ApiError::ResourceTokenCannot {
                limit: TokenLimit::CommitFiles,
            }
        }
        (Flavour::Cloud, Operation::Permission, AuthMode::Bearer) => {
            ApiError::ResourceTokenCannot {
                limit: TokenLimit::ReadPermissions,
            }
        }
        _ => ApiError::Forbidden {
            message: body.message,
        },
    }
}
