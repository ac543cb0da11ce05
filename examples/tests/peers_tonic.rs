//! The `grpc` example (tonic on `runtime`, natively): its server and client against each
//! other (unary, bidirectional streaming in lock-step, 50 concurrent calls on one connection,
//! error statuses), its server against Python's `grpcio` client, a gRPC implementation nobody
//! here wrote, and against tonic's own `transport::Channel`, which needs a Tokio context.
//!
//! The grpcio test needs `python3` with `grpcio` (`bash .ci/peers` installs both); it fails
//! with that message if they are missing.

#[path = "../../runtime/tests/support/mod.rs"]
mod support;

#[allow(dead_code)] // the example's `main` is not used here
#[path = "../grpc.rs"]
mod grpc;

use grpc::{Client, EchoRequest};
use std::process::Command;
use std::time::Duration;
use support::Watchdog;
use tonic::Code;

/// Starts the example's server on a free port in `rt`; returns its address.
fn start_server(rt: &runtime::Runtime) -> String {
    let listener = rt
        .block_on(runtime::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    rt.spawn(grpc::serve(listener));
    addr
}

fn request(message: &str) -> EchoRequest {
    EchoRequest {
        message: message.to_owned(),
    }
}

#[test]
fn grpc_unary_and_chat_round_trip_between_runtime_server_and_client() {
    let _dog = Watchdog::new("grpc_round_trip", Duration::from_secs(60));
    let rt = support::multi(2);
    let addr = start_server(&rt);
    rt.block_on(async {
        let mut client = Client::connect(&addr).await.unwrap();
        let reply = client.unary("hello").await.unwrap();
        assert_eq!((reply.message.as_str(), reply.sequence), ("echo: hello", 0));

        // Lock-step: each message is sent only after the previous reply came back, so the
        // replies must stream as the requests arrive (not when the request stream ends).
        let (tx, outgoing) = grpc::request_channel();
        let mut replies = client.chat(outgoing).await.unwrap();
        for (i, word) in ["one", "two", "three"].into_iter().enumerate() {
            tx.send(request(word)).unwrap();
            let reply = replies
                .message()
                .await
                .unwrap()
                .expect("a reply per request");
            assert_eq!(reply.message, word.to_uppercase());
            assert_eq!(reply.sequence, i as u32 + 1);
        }
        drop(tx); // the client's half closes: the server's stream ends too
        assert_eq!(replies.message().await.unwrap(), None);
        assert!(tokio::runtime::Handle::try_current().is_err());
    });
}

#[test]
fn grpc_50_concurrent_unary_calls_share_one_connection() {
    let _dog = Watchdog::new("grpc_concurrent", Duration::from_secs(60));
    let rt = support::multi(2);
    let addr = start_server(&rt);
    rt.block_on(async {
        let client = Client::connect(&addr).await.unwrap();
        let mut calls = runtime::task::JoinSet::new();
        for i in 0..50 {
            let mut client = client.clone();
            calls.spawn(async move { (i, client.unary(&format!("call {i}")).await) });
        }
        let mut seen = [false; 50];
        while let Some(done) = calls.join_next().await {
            let (i, reply) = done.unwrap();
            assert_eq!(reply.unwrap().message, format!("echo: call {i}"));
            seen[i] = true;
        }
        assert!(seen.iter().all(|&s| s));
    });
}

#[test]
fn grpc_errors_come_back_as_statuses_with_their_codes() {
    let _dog = Watchdog::new("grpc_statuses", Duration::from_secs(60));
    let rt = support::multi(1);
    let addr = start_server(&rt);
    rt.block_on(async {
        let mut client = Client::connect(&addr).await.unwrap();
        let status = client.unary("").await.unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(status.message(), "message is empty");
        // The connection still serves calls after an error status.
        assert_eq!(client.unary("again").await.unwrap().message, "echo: again");

        let err = Client::connect("127.0.0.1:1")
            .await
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.starts_with("cannot reach the gRPC server at 127.0.0.1:1"),
            "{err}"
        );
    });
}

/// A grpcio client with hand-encoded protobuf (no generated code, no `protobuf` package):
/// prints the unary reply, then one line per Chat reply.
const PYTHON_CLIENT: &str = r#"
import sys, grpc

def varint(n):
    out = b""
    while True:
        low, n = n & 0x7F, n >> 7
        out += bytes([low | (0x80 if n else 0)])
        if not n:
            return out

def encode(message):                     # EchoRequest { string message = 1; }
    data = message.encode()
    return b"\x0a" + varint(len(data)) + data

def decode(data):                        # EchoReply { string message = 1; uint32 sequence = 2; }
    fields, i = {}, 0
    def read_varint():
        nonlocal i
        value, shift = 0, 0
        while True:
            byte = data[i]; i += 1
            value |= (byte & 0x7F) << shift; shift += 7
            if not byte & 0x80:
                return value
    while i < len(data):
        key = read_varint()
        if key & 7 == 2:
            length = read_varint(); fields[key >> 3] = data[i:i + length].decode(); i += length
        else:
            fields[key >> 3] = read_varint()
    return fields.get(1, ""), fields.get(2, 0)

channel = grpc.insecure_channel(sys.argv[1])
unary = channel.unary_unary("/runtime.example.Echo/Unary",
                            request_serializer=encode, response_deserializer=decode)
print("unary %s|%d" % unary("from python", timeout=10))
try:
    unary("", timeout=10)
except grpc.RpcError as err:
    print("error %s|%s" % (err.code().name, err.details()))
chat = channel.stream_stream("/runtime.example.Echo/Chat",
                             request_serializer=encode, response_deserializer=decode)
for message, sequence in chat(iter(["alpha", "beta", "gamma"]), timeout=10):
    print("chat %s|%d" % (message, sequence))
"#;

#[test]
fn grpc_python_grpcio_client_gets_unary_chat_and_error_replies() {
    let _dog = Watchdog::new("grpc_python", Duration::from_secs(120));
    let rt = support::multi(2);
    let addr = start_server(&rt);
    let output = Command::new("python3")
        .args(["-c", PYTHON_CLIENT, &addr])
        .output()
        .unwrap_or_else(|err| {
            panic!("cannot run python3: {err}\nRun `bash .ci/peers` (installs python3 and grpcio).")
        });
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("No module named 'grpc'") {
        panic!(
            "python3 has no grpcio: run `bash .ci/peers` (pip-installs grpcio), \
             or `python3 -m pip install grpcio`"
        );
    }
    assert!(output.status.success(), "python client failed: {stderr}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "unary echo: from python|0",
            "error INVALID_ARGUMENT|message is empty",
            "chat ALPHA|1",
            "chat BETA|2",
            "chat GAMMA|3",
        ],
        "{stderr}"
    );
}

#[test]
fn grpc_tonic_transport_channel_needs_a_tokio_context_and_works_inside_compat() {
    let _dog = Watchdog::new("grpc_transport", Duration::from_secs(60));
    let rt = support::multi(2);
    let addr = start_server(&rt);
    let endpoint = tonic::transport::Endpoint::from_shared(format!("http://{addr}")).unwrap();

    // tonic's own transport connects with `tokio::net`: no Tokio context, a panic.
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        support::current().block_on(async {
            let _ = endpoint.connect().await;
        })
    }))
    .unwrap_err();
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert!(message.contains("Tokio 1.x runtime"), "{message}");

    // Inside async-compat's context it works, against the native server.
    let reply = rt.block_on(async_compat::Compat::new(async {
        let channel = endpoint.connect().await.unwrap();
        let mut grpc = tonic::client::Grpc::new(channel);
        grpc.ready().await.unwrap();
        let response: tonic::Response<grpc::EchoReply> = grpc
            .unary(
                tonic::Request::new(request("via transport")),
                tonic::codegen::http::uri::PathAndQuery::from_static(grpc::UNARY),
                tonic_prost::ProstCodec::default(),
            )
            .await
            .unwrap();
        response.into_inner()
    }));
    assert_eq!(reply.message, "echo: via transport");
}
