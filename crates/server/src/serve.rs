//! Serving HTTP/1.1 connections with bounds on what a client can hold.
//!
//! A client that misbehaves — opens sockets and sends nothing, sends half a header or half a
//! body, never reads its reply, or opens connection after connection — must not use up what
//! others need. So every connection has a deadline for what it is doing:
//!
//! | a connection that is | is closed when | flag |
//! |---|---|---|
//! | new, or sending a request's line and headers | they have not all arrived `header_timeout` after its first byte (or after the connection opened) | `--header-timeout-seconds` |
//! | sending a request's body | the body has not all arrived `body_timeout` after the headers (408) | `--body-timeout-seconds` (the [`bound_body`] layer) |
//! | idle between requests | no next request began within `keep_alive` | `--keep-alive-seconds` |
//! | not reading its reply | no byte of it could be sent for `send_timeout` | `--send-timeout-seconds` |
//!
//! and at most `connections_max` connections are open at once (more wait in the listen queue),
//! at most `connections_per_address_max` from one client address (more are closed at once), so
//! one client cannot take every connection. A handler that takes long is never cut off: while a
//! request is being answered no read deadline runs.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

use crate::extract::body_bytes_max;

/// The bounds on connections; see the module's table.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    pub keep_alive: Duration,
    pub send_timeout: Duration,
    pub connections_max: u32,
    pub connections_per_address_max: u32,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            keep_alive: Duration::from_secs(15),
            send_timeout: Duration::from_secs(30),
            connections_max: 512,
            connections_per_address_max: 128,
        }
    }
}

/// How long connections in flight may take to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// Serves `app` on `listener` within `limits` until `shutdown` resolves, then lets the requests
/// in flight finish (for at most 30 s).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let open = Arc::new(Semaphore::new(limits.connections_max as usize));
    let per_address = PerAddress::default();
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = open.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, or the client left before we accepted: wait a
                    // little rather than spin.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = per_address.take(peer.ip(), limits.connections_per_address_max) else {
            tracing::debug!(%peer, "too many connections from this address: closed");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Mutex::new(Activity::new()));
        let io = TokioIo::new(Bounded::new(stream, activity.clone(), limits));
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let answering = Answering::begin(activity.clone());
            let app = app.clone();
            async move {
                // The connection answers until the body is sent whole, not only until the
                // handler returns: a streamed answer (a CSV export) takes as long as it takes.
                let response = app.oneshot(request.map(Body::new)).await;
                response.map(|r| r.map(|body| Body::new(Answered::new(body, answering))))
            }
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        // Our own deadlines ([`Bounded`]) replace hyper's header timer, which also runs while a
        // connection is idle and so cannot be set apart from keep-alive.
        builder.header_read_timeout(None).keep_alive(true);
        let connection = graceful.watch(builder.serve_connection(io, service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%peer, %error, "connection ended");
            }
            drop(slot);
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("requests still in flight after {SHUTDOWN_GRACE:?}: stopping anyway");
        }
    }
    Ok(())
}

/// Middleware: bounds the request's body — at most [`body_bytes_max`] bytes, all of it within
/// `body_timeout` after the headers — without reading it. Nothing reads a body before the
/// request's credentials (and the route's permission) are checked; whoever reads it then meets
/// the bounds as [`BodyError`]s, which [`crate::extract::read_whole`] and
/// [`crate::extract::BodyPieces`] answer 413 or 408.
pub async fn bound_body(body_timeout: Duration, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let bounded = BoundedBody {
        inner: body,
        read_bytes: 0,
        limit_bytes: body_bytes_max(parts.uri.path()),
        deadline: Box::pin(tokio::time::sleep(body_timeout)),
        limit_seconds: u32::try_from(body_timeout.as_secs()).unwrap_or(u32::MAX),
    };
    next.run(Request::from_parts(parts, Body::new(bounded)))
        .await
}

/// Why a request body could not be read whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("the body is larger than {limit_bytes} bytes")]
    TooLarge { limit_bytes: u32 },
    #[error("the body did not arrive within {limit_seconds} s")]
    TooSlow { limit_seconds: u32 },
}

/// A request body that fails once it passes its size or its time.
struct BoundedBody {
    inner: Body,
    read_bytes: u64,
    limit_bytes: u32,
    deadline: Pin<Box<Sleep>>,
    limit_seconds: u32,
}

impl http_body::Body for BoundedBody {
    type Data = axum::body::Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let this = &mut *self;
        if this.deadline.as_mut().poll(cx).is_ready() {
            let error = BodyError::TooSlow {
                limit_seconds: this.limit_seconds,
            };
            return Poll::Ready(Some(Err(error.into())));
        }
        let frame = match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => frame,
            Poll::Ready(Some(Err(error))) => return Poll::Ready(Some(Err(error.into()))),
            other => return other.map_err(Into::into),
        };
        this.read_bytes += frame.data_ref().map_or(0, |data| data.len() as u64);
        if this.read_bytes > u64::from(this.limit_bytes) {
            let error = BodyError::TooLarge {
                limit_bytes: this.limit_bytes,
            };
            return Poll::Ready(Some(Err(error.into())));
        }
        Poll::Ready(Some(Ok(frame)))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Connections open per client address.
#[derive(Clone, Default)]
struct PerAddress(Arc<Mutex<HashMap<IpAddr, u32>>>);

/// One connection of an address; gives its place back when dropped.
struct AddressSlot {
    addresses: PerAddress,
    address: IpAddr,
}

impl PerAddress {
    fn take(&self, address: IpAddr, max: u32) -> Option<AddressSlot> {
        let mut open = self.0.lock().expect("connection count lock");
        let count = open.entry(address).or_insert(0);
        if *count >= max {
            return None;
        }
        *count += 1;
        Some(AddressSlot {
            addresses: self.clone(),
            address,
        })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self.addresses.0.lock().expect("connection count lock");
        if let Some(count) = open.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.address);
            }
        }
    }
}

/// What a connection is doing, for its read deadline.
#[derive(Debug)]
struct Activity {
    /// Requests being answered.
    answering: u32,
    /// When the request being received began (its first byte, or the connection's opening).
    head_since: Option<Instant>,
    /// When the connection last finished answering (it is idle since, unless `head_since`).
    idle_since: Instant,
    /// The task waiting to read, to wake when answering ends and a deadline starts to run.
    reader: Option<Waker>,
}

impl Activity {
    fn new() -> Activity {
        let now = Instant::now();
        Activity {
            answering: 0,
            head_since: Some(now),
            idle_since: now,
            reader: None,
        }
    }

    /// The time by which more must arrive, `None` while a request is being answered.
    fn read_deadline(&self, limits: &ConnectionLimits) -> Option<Instant> {
        if self.answering > 0 {
            return None;
        }
        Some(match self.head_since {
            Some(since) => since + limits.header_timeout,
            None => self.idle_since + limits.keep_alive,
        })
    }
}

/// Marks a connection as answering a request while it lives.
struct Answering(Arc<Mutex<Activity>>);

impl Answering {
    fn begin(activity: Arc<Mutex<Activity>>) -> Answering {
        {
            let mut a = activity.lock().expect("activity lock");
            a.answering += 1;
            a.head_since = None;
        }
        Answering(activity)
    }
}

impl Drop for Answering {
    fn drop(&mut self) {
        let mut a = self.0.lock().expect("activity lock");
        a.answering -= 1;
        if a.answering == 0 {
            a.idle_since = Instant::now();
            // A read left waiting while answering had no deadline: let it take the idle one.
            if let Some(reader) = a.reader.take() {
                reader.wake();
            }
        }
    }
}

/// A response body that keeps its connection [`Answering`] until it has been sent whole (or is
/// dropped, when the client went away): while it flows no read deadline runs.
struct Answered {
    body: Body,
    answering: Option<Answering>,
}

impl Answered {
    fn new(body: Body, answering: Answering) -> Answered {
        Answered {
            body,
            answering: Some(answering),
        }
    }
}

impl hyper::body::Body for Answered {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.body).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) {
            this.answering = None;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.body.size_hint()
    }
}

/// A TCP stream that fails with `TimedOut` when its connection's read deadline passes, or when a
/// write cannot proceed for `send_timeout`.
struct Bounded {
    stream: TcpStream,
    activity: Arc<Mutex<Activity>>,
    limits: ConnectionLimits,
    read_timer: Pin<Box<Sleep>>,
    write_timer: Pin<Box<Sleep>>,
    /// Whether `write_timer` runs (a write is waiting for the client to read).
    write_waiting: bool,
}

impl Bounded {
    fn new(stream: TcpStream, activity: Arc<Mutex<Activity>>, limits: ConnectionLimits) -> Self {
        let far = Instant::now() + Duration::from_secs(86_400);
        Bounded {
            stream,
            activity,
            limits,
            read_timer: Box::pin(tokio::time::sleep_until(far)),
            write_timer: Box::pin(tokio::time::sleep_until(far)),
            write_waiting: false,
        }
    }

    fn timed_out(what: &str) -> io::Error {
        io::Error::new(io::ErrorKind::TimedOut, what.to_owned())
    }

    /// A write's result: progress stops the stall timer; a write that could not proceed starts
    /// it (see [`Bounded::poll_write_stall`]).
    fn after_write<T>(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match polled {
            Poll::Pending => self.poll_write_stall(cx).map(Err),
            ready => {
                self.write_waiting = false;
                ready
            }
        }
    }

    /// After a write that could not proceed: fails once the client has not read for too long.
    fn poll_write_stall(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        if !self.write_waiting {
            self.write_waiting = true;
            let deadline = Instant::now() + self.limits.send_timeout;
            self.write_timer.as_mut().reset(deadline);
        }
        match self.write_timer.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Self::timed_out("the client did not read its reply")),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for Bounded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let filled = buf.filled().len();
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > filled {
                    let mut a = this.activity.lock().expect("activity lock");
                    if a.answering == 0 && a.head_since.is_none() {
                        a.head_since = Some(Instant::now());
                    }
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            Poll::Pending => {
                let deadline = {
                    let mut a = this.activity.lock().expect("activity lock");
                    a.reader = Some(cx.waker().clone());
                    a.read_deadline(&this.limits)
                };
                let Some(deadline) = deadline else {
                    return Poll::Pending;
                };
                if this.read_timer.deadline() != deadline {
                    this.read_timer.as_mut().reset(deadline);
                }
                match this.read_timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(Self::timed_out(
                        "no request, or not all of its headers, in time",
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl AsyncWrite for Bounded {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write(cx, data);
        this.after_write(cx, polled)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write_vectored(cx, data);
        this.after_write(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_flush(cx);
        this.after_write(cx, polled)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::stream::{self, StreamExt};
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn a_connection_answers_until_its_streamed_body_is_sent_whole() {
        let limits = ConnectionLimits::default();
        let activity = Arc::new(Mutex::new(Activity::new()));
        let chunks = stream::iter(["a", "b"]).map(|c| Ok::<_, std::io::Error>(c.to_owned()));
        let answered = Answered::new(
            Body::from_stream(chunks),
            Answering::begin(activity.clone()),
        );
        let deadline = || activity.lock().unwrap().read_deadline(&limits);
        let mut body = Body::new(answered);
        assert_eq!(deadline(), None, "answering: no read deadline");
        let first = body.frame().await.unwrap().unwrap();
        assert_eq!(first.into_data().unwrap(), "a");
        assert_eq!(
            deadline(),
            None,
            "the handler returned, the body still flows"
        );
        body.frame().await.unwrap().unwrap();
        assert!(body.frame().await.is_none());
        assert!(deadline().is_some(), "sent whole: the idle deadline runs");
        // A body dropped before its end (the client went away) ends the answering too.
        let answered = Answered::new(Body::from("x"), Answering::begin(activity.clone()));
        assert_eq!(deadline(), None);
        drop(answered);
        assert!(deadline().is_some());
    }
}
