//! A gRPC service and client with tonic on `runtime`, natively: no Tokio runtime, no
//! `tonic::transport`. The messages are hand-written prost structs (no `.proto` build step, so
//! no `protoc`), the service is routed by hand over tonic's `server::Grpc` (what generated code
//! does), and both ends run on hyper's HTTP/2 through [`runtime::compat::hyper`]: the server
//! with hyper's `http2` connection builder, the client with `tonic::client::Grpc` over a hyper
//! `SendRequest`. (tonic's own `transport` module, `Server` and `Channel`, connects with
//! `tokio::net` and spawns with `tokio::spawn`: it needs a Tokio context, such as
//! `async_compat::Compat`'s; the way here needs none.)
//!
//! The service, `runtime.example.Echo`:
//! - `Unary(EchoRequest) -> EchoReply`: the message back, prefixed with `echo: `;
//! - `Chat(stream EchoRequest) -> stream EchoReply`: bidirectional streaming, each message back
//!   upper-cased with its 1-based sequence number, as soon as it arrives.
//!
//! ```text
//! cargo run --release -p examples --example grpc -- serve 127.0.0.1:50051
//! cargo run --release -p examples --example grpc -- call http://127.0.0.1:50051 hello there
//! ```

use futures_util::{Stream, StreamExt};
use hyper::body::Incoming;
use runtime::compat::hyper::{Executor, HyperIo, Timer};
use runtime::net::{TcpListener, TcpStream};
use std::convert::Infallible;
use std::error::Error;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use tonic::codegen::http::uri::PathAndQuery;
use tonic::codegen::{Service, http};
use tonic::{Request, Response, Status, Streaming};
use tonic_prost::ProstCodec;

/// Any failure, with the step that failed in its message.
pub type BoxError = Box<dyn Error + Send + Sync>;

/// The full name of the service, the first part of its methods' paths.
pub const SERVICE: &str = "runtime.example.Echo";
/// The unary method's path.
pub const UNARY: &str = "/runtime.example.Echo/Unary";
/// The bidirectional streaming method's path.
pub const CHAT: &str = "/runtime.example.Echo/Chat";

/// `message EchoRequest { string message = 1; }`
#[derive(Clone, PartialEq, prost::Message)]
pub struct EchoRequest {
    /// What to echo.
    #[prost(string, tag = "1")]
    pub message: String,
}

/// `message EchoReply { string message = 1; uint32 sequence = 2; }`
#[derive(Clone, PartialEq, prost::Message)]
pub struct EchoReply {
    /// The echoed message.
    #[prost(string, tag = "1")]
    pub message: String,
    /// In `Chat`, which message of the stream this answers (from 1); 0 in `Unary`.
    #[prost(uint32, tag = "2")]
    pub sequence: u32,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
type ReplyStream = Pin<Box<dyn Stream<Item = Result<EchoReply, Status>> + Send>>;

/// The `Unary` method.
struct Unary;

impl Service<Request<EchoRequest>> for Unary {
    type Response = Response<EchoReply>;
    type Error = Status;
    type Future = BoxFuture<Result<Response<EchoReply>, Status>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Status>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<EchoRequest>) -> Self::Future {
        Box::pin(async move {
            let message = request.into_inner().message;
            if message.is_empty() {
                return Err(Status::invalid_argument("message is empty"));
            }
            Ok(Response::new(EchoReply {
                message: format!("echo: {message}"),
                sequence: 0,
            }))
        })
    }
}

/// The `Chat` method.
struct Chat;

impl Service<Request<Streaming<EchoRequest>>> for Chat {
    type Response = Response<ReplyStream>;
    type Error = Status;
    type Future = BoxFuture<Result<Response<ReplyStream>, Status>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Status>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Streaming<EchoRequest>>) -> Self::Future {
        let mut sequence = 0;
        let replies = request.into_inner().map(move |received| {
            let request = received?;
            sequence += 1;
            Ok(EchoReply {
                message: request.message.to_uppercase(),
                sequence,
            })
        });
        Box::pin(async move { Ok(Response::new(Box::pin(replies) as ReplyStream)) })
    }
}

/// Answers one HTTP/2 request: routes it by path to a method, as tonic's generated servers do.
pub async fn route(
    request: http::Request<Incoming>,
) -> Result<http::Response<tonic::body::Body>, Infallible> {
    let mut grpc = tonic::server::Grpc::new(ProstCodec::<EchoReply, EchoRequest>::default());
    Ok(match request.uri().path() {
        UNARY => grpc.unary(Unary, request).await,
        CHAT => grpc.streaming(Chat, request).await,
        other => Status::unimplemented(format!("no method {other} in {SERVICE}")).into_http(),
    })
}

/// Serves gRPC (HTTP/2 with prior knowledge) on every connection `listener` accepts, each on
/// its own task; returns only if accepting fails.
pub async fn serve(listener: TcpListener) -> std::io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        runtime::spawn(async move {
            let served = hyper::server::conn::http2::Builder::new(Executor::current())
                .timer(Timer)
                .serve_connection(HyperIo::new(stream), hyper::service::service_fn(route))
                .await;
            if let Err(err) = served {
                eprintln!("gRPC connection error: {err}");
            }
        });
    }
}

/// hyper's HTTP/2 `SendRequest` as the tower service `tonic::client::Grpc` drives.
#[derive(Clone)]
pub struct Channel(hyper::client::conn::http2::SendRequest<tonic::body::Body>);

impl Service<http::Request<tonic::body::Body>> for Channel {
    type Response = http::Response<Incoming>;
    type Error = hyper::Error;
    type Future = BoxFuture<Result<http::Response<Incoming>, hyper::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), hyper::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<tonic::body::Body>) -> Self::Future {
        Box::pin(self.0.send_request(request))
    }
}

/// A client of the service over one HTTP/2 connection to `addr` (`host:port`); clones share
/// the connection (their calls are multiplexed on it).
#[derive(Clone)]
pub struct Client {
    grpc: tonic::client::Grpc<Channel>,
}

impl Client {
    /// Connects to `addr` and spawns the connection's task.
    pub async fn connect(addr: &str) -> Result<Client, BoxError> {
        let stream = TcpStream::connect(addr)
            .await
            .map_err(|err| format!("cannot reach the gRPC server at {addr}: {err}"))?;
        stream.set_nodelay(true)?;
        let (sender, connection) = hyper::client::conn::http2::Builder::new(Executor::current())
            .timer(Timer)
            .handshake(HyperIo::new(stream))
            .await
            .map_err(|err| format!("HTTP/2 handshake with {addr} failed: {err}"))?;
        runtime::spawn(async move {
            if let Err(err) = connection.await {
                eprintln!("gRPC client connection error: {err}");
            }
        });
        let origin = format!("http://{addr}").parse()?;
        Ok(Client {
            grpc: tonic::client::Grpc::with_origin(Channel(sender), origin),
        })
    }

    /// Calls `Unary`.
    pub async fn unary(&mut self, message: &str) -> Result<EchoReply, Status> {
        self.ready().await?;
        let request = Request::new(EchoRequest {
            message: message.to_owned(),
        });
        let path = PathAndQuery::from_static(UNARY);
        let response = self
            .grpc
            .unary(request, path, ProstCodec::default())
            .await?;
        Ok(response.into_inner())
    }

    /// Calls `Chat`, sending what `outgoing` yields; the replies come as they arrive.
    pub async fn chat(
        &mut self,
        outgoing: impl Stream<Item = EchoRequest> + Send + 'static,
    ) -> Result<Streaming<EchoReply>, Status> {
        self.ready().await?;
        let path = PathAndQuery::from_static(CHAT);
        let response = self
            .grpc
            .streaming(Request::new(outgoing), path, ProstCodec::default())
            .await?;
        Ok(response.into_inner())
    }

    async fn ready(&mut self) -> Result<(), Status> {
        self.grpc
            .ready()
            .await
            .map_err(|err| Status::unavailable(format!("connection closed: {err}")))
    }
}

/// A stream of the requests sent into the returned sender: for a `Chat` that sends each
/// message after reading the previous reply.
pub fn request_channel() -> (
    runtime::sync::mpsc::UnboundedSender<EchoRequest>,
    impl Stream<Item = EchoRequest> + Send + 'static,
) {
    let (tx, rx) = runtime::sync::mpsc::unbounded_channel();
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|request| (request, rx))
    });
    (tx, stream)
}

#[runtime::main]
async fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("serve") => {
            let addr = args.get(1).map_or("127.0.0.1:50051", String::as_str);
            let listener = TcpListener::bind(addr)
                .await
                .map_err(|err| format!("cannot listen on {addr}: {err}"))?;
            println!("gRPC {SERVICE} on {}", listener.local_addr()?);
            serve(listener).await?;
        }
        Some("call") => {
            let url = args.get(1).map_or("http://127.0.0.1:50051", String::as_str);
            let addr = url
                .strip_prefix("http://")
                .unwrap_or(url)
                .trim_end_matches('/');
            let words: Vec<String> = match &args[2.min(args.len())..] {
                [] => vec!["hello".to_owned()],
                words => words.to_vec(),
            };
            let mut client = Client::connect(addr).await?;
            println!("Unary: {:?}", client.unary(&words.join(" ")).await?.message);
            let outgoing = futures_util::stream::iter(
                words.into_iter().map(|message| EchoRequest { message }),
            );
            let mut replies = client.chat(outgoing).await?;
            while let Some(reply) = replies.message().await? {
                println!("Chat #{}: {:?}", reply.sequence, reply.message);
            }
        }
        _ => {
            return Err("usage: grpc serve [ADDR] | grpc call [http://ADDR] [WORDS...]".into());
        }
    }
    Ok(())
}
