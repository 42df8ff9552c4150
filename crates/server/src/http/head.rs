//! `HEAD` answers like `GET` without a body, on every route (API, stored files, the web app).
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

/// Routes a `HEAD` request as the `GET` of the same URL. The HTTP layer remembers the method the
/// client sent and writes only the status and headers (with the `Content-Length` the body would
/// have), so the answer is exactly the `GET` answer without its body.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}
