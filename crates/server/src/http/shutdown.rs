//! Ends long-lived responses (server-sent event streams) when the server stops, so a graceful
//! stop does not wait for clients to hang up.
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web;
use bytes::Bytes;
use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use tokio::sync::watch;

/// The stop signal: triggered once when the server starts to stop.
#[derive(Debug, Clone)]
pub struct Shutdown {
    tx: Arc<watch::Sender<bool>>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self { tx: Arc::new(watch::channel(false).0) }
    }
}

impl Shutdown {
    /// Tells every open stream to end.
    pub fn trigger(&self) {
        self.tx.send_replace(true);
    }

    /// Resolves once [`Shutdown::trigger`] was called (at once if it already was).
    pub fn wait(&self) -> BoxFuture<'static, ()> {
        let mut rx = self.tx.subscribe();
        async move {
            let _ = rx.wait_for(|stopped| *stopped).await;
        }
        .boxed()
    }
}

/// A streamed body that ends cleanly (a complete chunked response) when the server stops.
pub struct UntilShutdown {
    body: BoxBody,
    stop: BoxFuture<'static, ()>,
    stopped: bool,
}

impl MessageBody for UntilShutdown {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = self.get_mut();
        if this.stopped || this.stop.as_mut().poll(cx).is_ready() {
            this.stopped = true;
            return Poll::Ready(None);
        }
        Pin::new(&mut this.body).poll_next(cx)
    }
}

/// Middleware: responses of type `text/event-stream` end when the server stops.
pub async fn end_streams_on_shutdown(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<BoxBody, UntilShutdown>>, actix_web::Error> {
    let shutdown = req.app_data::<web::Data<Shutdown>>().map(|s| s.get_ref().clone());
    let res = next.call(req).await?;
    let streaming =
        res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|ct| ct.starts_with("text/event-stream"));
    match shutdown {
        Some(s) if streaming => {
            Ok(res.map_body(|_, body| EitherBody::right(UntilShutdown { body: body.boxed(), stop: s.wait(), stopped: false })))
        }
        _ => Ok(res.map_into_boxed_body().map_into_left_body()),
    }
}
