//! Extractors: the signed-in caller, an admin, and the client's address.
use miaojing_domain::ErrorCode;
use std::future::Future;
use std::pin::Pin;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{http::header, web, FromRequest, HttpMessage, HttpRequest, ResponseError};
use miaojing_auth::service::Client;
use miaojing_auth::AuthUser;
use miaojing_domain::Error;

use crate::http::error::ApiError;
use crate::state::AppState;

fn state(req: &HttpRequest) -> AppState {
    req.app_data::<web::Data<AppState>>().expect("AppState is registered").get_ref().clone()
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string()).filter(|t| !t.is_empty())
}

/// The client address: the peer, or the first `X-Forwarded-For` / `X-Real-IP` entry when the
/// server is configured to trust a reverse proxy.
pub fn client_of(req: &HttpRequest, trust_proxy: bool) -> Client {
    let forwarded = trust_proxy
        .then(|| {
            let h = req.headers();
            h.get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .or_else(|| h.get("x-real-ip").and_then(|v| v.to_str().ok()))
                .map(|s| s.trim().to_string())
        })
        .flatten()
        .filter(|s| !s.is_empty());
    let ip = forwarded.or_else(|| req.peer_addr().map(|a| a.ip().to_string()));
    let user_agent = req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(String::from);
    Client { ip, user_agent }
}

/// The caller's address and user agent.
pub struct ClientInfo(pub Client);

impl FromRequest for ClientInfo {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(ClientInfo(client_of(req, state(req).trust_proxy))))
    }
}

type Pending<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

/// Resolves the request's bearer token (if any) to the caller, off the request's borrow.
fn caller(req: &HttpRequest, missing: &'static str) -> impl Future<Output = Result<(AppState, AuthUser), ApiError>> {
    let st = state(req);
    let token = bearer(req);
    async move {
        let token = token.ok_or_else(|| Error::unauthenticated(missing))?;
        let user = st.auth.authenticate(&token).await?;
        Ok((st, user))
    }
}

/// A signed-in, active user (401 otherwise).
pub struct Authed(pub AuthUser);

impl FromRequest for Authed {
    type Error = ApiError;
    type Future = Pending<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let fut = caller(req, "请先登录");
        Box::pin(async move { Ok(Authed(fut.await?.1)) })
    }
}

/// The caller when signed in, `None` otherwise (a missing or invalid token is treated as absent).
pub struct MaybeAuthed(pub Option<AuthUser>);

impl FromRequest for MaybeAuthed {
    type Error = ApiError;
    type Future = Pending<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let fut = caller(req, "请先登录");
        Box::pin(async move { Ok(MaybeAuthed(fut.await.ok().map(|(_, u)| u))) })
    }
}

/// A signed-in admin (`admin` or `enterprise_admin`, read from the store on every request):
/// 401 without a valid session, 403 for other roles. Admin calls are rate-limited per session.
pub struct Admin(pub AuthUser);

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Pending<Self>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if let Some(checked) = req.extensions().get::<CheckedAdmin>() {
            let user = checked.0.clone();
            return Box::pin(async move { Ok(Admin(user)) });
        }
        let fut = caller(req, "未登录或无管理员权限");
        Box::pin(async move {
            let (st, user) = fut.await?;
            if !user.user.role.is_admin() {
                return Err(Error::forbidden(ErrorCode::AdminRequired, "无管理员权限").into());
            }
            let limit = st.auth.rate_limits().admin;
            st.auth.limiter().check("admin", &user.session_id.to_string(), limit, chrono::Utc::now()).await?;
            Ok(Admin(user))
        })
    }
}

/// An admin already checked by [`admin_gate`] for this request.
#[derive(Clone)]
struct CheckedAdmin(AuthUser);

/// Operations only admins may call, whatever their body: everything under `/api/admin/`, site
/// settings, announcement changes and notification mail.
fn admin_only(method: &actix_web::http::Method, path: &str) -> bool {
    use actix_web::http::Method;
    path.starts_with("/api/admin/")
        || (path == "/api/site-config" && method == Method::PUT)
        || (path == "/api/announcements" && method != Method::GET)
        || path == "/api/email/send-notification"
}

/// Checks the caller of every admin-only request before its handler reads the body, so a
/// non-admin gets 401/403 whatever the body holds. The checked admin is kept on the request:
/// the [`Admin`] extractor then neither looks it up nor counts it against the limit again.
pub async fn admin_gate(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if !admin_only(req.method(), req.path()) {
        return next.call(req).await.map(ServiceResponse::map_into_left_body);
    }
    match Admin::from_request(req.request(), &mut Payload::None).await {
        Ok(Admin(user)) => {
            req.extensions_mut().insert(CheckedAdmin(user));
            next.call(req).await.map(ServiceResponse::map_into_left_body)
        }
        Err(e) => Ok(req.into_response(e.error_response()).map_into_right_body()),
    }
}
