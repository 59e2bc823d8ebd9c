//! Errors as HTTP answers: every failure is a JSON body
//! `{"error": {"code": "...", "message": "..."}}` with a fitting status, so a
//! widget can show it and a merchant can act on it. Handlers use `?`.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::turn::TurnError;

/// An API error: status, stable code, human message.
#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// More fields of the error object, beside `code` and `message` (a
    /// refused pack's `problems`).
    pub details: serde_json::Map<String, serde_json::Value>,
}

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> AppError {
        AppError {
            status,
            code,
            message: message.into(),
            details: serde_json::Map::new(),
        }
    }

    /// Adds `key` to the error object.
    pub fn with(mut self, key: &str, value: serde_json::Value) -> AppError {
        self.details.insert(key.to_string(), value);
        self
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(code = self.code, message = %self.message, "request failed");
        }
        let mut error = self.details;
        error.insert("code".into(), json!(self.code));
        error.insert("message".into(), json!(self.message));
        let body = json!({ "error": error });
        (self.status, Json(body)).into_response()
    }
}

impl From<TurnError> for AppError {
    fn from(e: TurnError) -> AppError {
        let (status, code) = match &e {
            TurnError::EmptyMessage => (StatusCode::BAD_REQUEST, "empty_message"),
            TurnError::MessageTooLong { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "message_too_long"),
            TurnError::UnknownConversation(_) => (StatusCode::NOT_FOUND, "unknown_conversation"),
            TurnError::UnknownCustomer(_) => (StatusCode::NOT_FOUND, "unknown_customer"),
            TurnError::WrongState { .. } => (StatusCode::CONFLICT, "wrong_state"),
            TurnError::MissingAgent => (StatusCode::BAD_REQUEST, "missing_agent"),
            TurnError::MaxChats(_) => (StatusCode::BAD_REQUEST, "invalid_fields"),
            TurnError::ShuttingDown => (StatusCode::SERVICE_UNAVAILABLE, "shutting_down"),
            TurnError::Desk(_) => (StatusCode::CONFLICT, "agent_unavailable"),
            TurnError::Store(handoff::Error::UnknownConversation { .. }) => {
                (StatusCode::NOT_FOUND, "unknown_conversation")
            }
            TurnError::Store(handoff::Error::NotWaiting { .. }) => {
                (StatusCode::CONFLICT, "not_waiting")
            }
            TurnError::Store(
                handoff::Error::NotClaimed { .. }
                | handoff::Error::ClaimedByOther { .. }
                | handoff::Error::AlreadyWithAgent { .. },
            ) => (StatusCode::CONFLICT, "wrong_state"),
            TurnError::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, "store"),
            TurnError::Dialog(_) => (StatusCode::INTERNAL_SERVER_ERROR, "dialog"),
            TurnError::Commerce(_) => (StatusCode::BAD_GATEWAY, "commerce"),
        };
        if let TurnError::Commerce(cause) = &e {
            // The cause names the order system's addresses: for the log,
            // not for whoever called (a shopper's widget among them).
            tracing::error!(%cause, "the order system failed a request");
            return AppError::new(
                status,
                code,
                "the shop's order system is not answering; please try again in a moment",
            );
        }
        AppError::new(status, code, e.to_string())
    }
}

/// `Json<T>` whose rejections (malformed JSON, wrong content type, missing
/// fields, oversized body) come back in the API's error shape.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(rejection_error(rejection)),
        }
    }
}

fn rejection_error(rejection: JsonRejection) -> AppError {
    let status = rejection.status();
    let code = match &rejection {
        JsonRejection::JsonSyntaxError(_) => "malformed_json",
        JsonRejection::JsonDataError(_) => "invalid_fields",
        JsonRejection::MissingJsonContentType(_) => "content_type",
        _ if status == StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
        _ => "bad_body",
    };
    AppError::new(status, code, rejection.body_text())
}

/// `Query<T>` whose rejection (`?after=abc`) comes back in the API's error
/// shape, 400 `bad_query`, instead of axum's plain-text answer.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(AppError::new(
                StatusCode::BAD_REQUEST,
                "bad_query",
                rejection.body_text(),
            )),
        }
    }
}

/// The router's fallback: a path no route serves is 404 `not_found` in the
/// API's error shape (axum's own answer has an empty body).
pub async fn no_route(method: Method, uri: Uri) -> AppError {
    AppError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no such endpoint: {method} {}", uri.path()),
    )
}

/// A path served for other methods only: 405 `method_not_allowed` in the
/// API's error shape (axum's own answer has an empty body; it still adds the
/// `Allow` header).
pub async fn wrong_method(method: Method, uri: Uri) -> AppError {
    AppError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{} does not answer {method}", uri.path()),
    )
}
