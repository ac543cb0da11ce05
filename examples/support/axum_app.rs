//! The axum application of the `axum_server` example: routes, extractors, shared state and a
//! middleware layer, with nothing runtime-specific in it (the same file is served on Tokio by
//! `benches/examples/axum_tokio.rs` for the side-by-side benchmark).
//!
//! | route | extractor | answers |
//! |---|---|---|
//! | `GET /` | none | `Hello, world!` (text) |
//! | `GET /hello/{name}` | `Path<String>` | `Hello, {name}!` (text) |
//! | `GET /add?a=..&b=..` | `Query<AddParams>` | `{"a":..,"b":..,"sum":..}`; a missing or non-integer parameter is a 400 |
//! | `POST /notes` | `State`, `Json<NewNote>` | 201 and `{"id":..,"text":..}`; bad JSON is a 400, a missing field a 422, no JSON content type a 415 |
//! | `GET /notes/{id}` | `State`, `Path<u64>` | the note as JSON, or 404; a non-integer id is a 400 |
//!
//! Every response goes through the `count_requests` middleware, which numbers requests
//! across all connections (shared state) and says the number in an `x-request-number`
//! header.

use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The body of `GET /`.
pub const HELLO: &str = "Hello, world!";

/// The header the middleware adds to every response.
pub const REQUEST_NUMBER: &str = "x-request-number";

/// State shared by every connection and request.
#[derive(Default)]
pub struct AppState {
    /// Requests seen so far (by the middleware).
    requests: AtomicU64,
    /// Notes by id; ids start at 1.
    notes: Mutex<HashMap<u64, String>>,
    next_id: AtomicU64,
}

/// The query of `GET /add`.
#[derive(Deserialize)]
pub struct AddParams {
    a: i64,
    b: i64,
}

/// The answer of `GET /add`.
#[derive(Serialize)]
pub struct Sum {
    a: i64,
    b: i64,
    sum: i64,
}

/// The body of `POST /notes`.
#[derive(Deserialize)]
pub struct NewNote {
    text: String,
}

/// A stored note.
#[derive(Serialize)]
pub struct Note {
    id: u64,
    text: String,
}

/// The application, with fresh state.
pub fn app() -> Router {
    let state = Arc::new(AppState::default());
    Router::new()
        .route("/", get(|| async { HELLO }))
        .route("/hello/{name}", get(hello))
        .route("/add", get(add))
        .route("/notes", post(create_note))
        .route("/notes/{id}", get(get_note))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            count_requests,
        ))
        .with_state(state)
}

async fn hello(Path(name): Path<String>) -> String {
    format!("Hello, {name}!")
}

async fn add(Query(AddParams { a, b }): Query<AddParams>) -> Result<Json<Sum>, StatusCode> {
    // Overflow is the client's mistake, not a panic.
    let sum = a.checked_add(b).ok_or(StatusCode::UNPROCESSABLE_ENTITY)?;
    Ok(Json(Sum { a, b, sum }))
}

async fn create_note(
    State(state): State<Arc<AppState>>,
    Json(NewNote { text }): Json<NewNote>,
) -> (StatusCode, Json<Note>) {
    let id = state.next_id.fetch_add(1, Ordering::Relaxed) + 1;
    state
        .notes
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .insert(id, text.clone());
    (StatusCode::CREATED, Json(Note { id, text }))
}

async fn get_note(
    State(state): State<Arc<AppState>>,
    Path(id): Path<u64>,
) -> Result<Json<Note>, StatusCode> {
    let notes = state
        .notes
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let text = notes.get(&id).ok_or(StatusCode::NOT_FOUND)?.clone();
    Ok(Json(Note { id, text }))
}

/// The middleware: numbers the request and puts the number on the response.
async fn count_requests(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let number = state.requests.fetch_add(1, Ordering::Relaxed) + 1;
    let mut response = next.run(req).await.into_response();
    response
        .headers_mut()
        .insert(REQUEST_NUMBER, HeaderValue::from(number));
    response
}
