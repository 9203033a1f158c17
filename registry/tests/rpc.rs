//! RpcChain against nodes that misbehave at the transport level (no EVM needed).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use alloy::primitives::Address;
use registry::chain::{Chain, ChainError, Request, Response, RpcChain};
use serde_json::{Value, json};

/// What the fake node sends back for one HTTP request body.
enum Reply {
    /// A JSON answer with a Content-Length.
    Json(Value),
    /// Raw bytes after the status line and headers given (the connection closes after them).
    Raw(&'static str, Vec<u8>),
}

/// A minimal HTTP/1.1 node on 127.0.0.1: answers each POST with `reply(body)`, keeping the
/// connection open between requests. Returns its URL.
fn fake_node(reply: impl Fn(&Value) -> Reply + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            if serve(stream, &reply).is_err() {
                continue;
            }
        }
    });
    url
}

fn serve(stream: TcpStream, reply: &impl Fn(&Value) -> Reply) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    loop {
        let mut length = 0usize;
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        match reply(&request) {
            Reply::Json(v) => {
                let bytes = v.to_string();
                write!(
                    out,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{bytes}",
                    bytes.len()
                )?;
            }
            Reply::Raw(head, bytes) => {
                out.write_all(head.as_bytes())?;
                // The client may hang up once it has seen enough.
                let _ = out.write_all(&bytes);
                return Ok(());
            }
        }
    }
}

/// The answer to `eth_chainId`, the first thing `connect` asks.
fn chain_id_answer(request: &Value) -> Option<Reply> {
    (request["method"] == "eth_chainId")
        .then(|| Reply::Json(json!({"jsonrpc": "2.0", "id": request["id"], "result": "0x539"})))
}

/// RpcChain is blocking, with its HTTP on its own I/O thread: it works from inside a caller's
/// tokio runtime (where driving a second runtime with `block_on` panics), from several threads at
/// once, and can be dropped inside a runtime.
#[test]
fn works_inside_a_tokio_runtime_and_across_threads() {
    let url = fake_node(|request| {
        if let Some(r) = chain_id_answer(request) {
            return r;
        }
        let answers: Vec<Value> = request
            .as_array()
            .unwrap()
            .iter()
            .map(|r| json!({"jsonrpc": "2.0", "id": r["id"], "result": "0x5"}))
            .collect();
        Reply::Json(Value::Array(answers))
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let chain = runtime.block_on(async {
        let chain = RpcChain::connect(&url).unwrap();
        assert_eq!(
            chain.batch(&[Request::BlockNumber]).unwrap(),
            vec![Response::Number(5)]
        );
        chain
    });
    let chain = std::sync::Arc::new(chain);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let chain = chain.clone();
            std::thread::spawn(move || chain.batch(&[Request::BlockNumber]).unwrap())
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), vec![Response::Number(5)]);
    }
    assert_eq!(chain.round_trips(), 6);
    runtime.block_on(async move { drop(chain) });
}

/// A node that accepts the connection and never answers: the request gives up with a clear
/// transport error instead of hanging the verifier.
#[test]
fn a_silent_node_times_out() {
    // The kernel completes the TCP handshake from the backlog; nobody ever reads or answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let r = RpcChain::connect_with_timeout(&url, Duration::from_millis(300));
    assert!(
        matches!(r, Err(ChainError::Transport(ref m)) if m.contains("no answer")),
        "{r:?}"
    );
    drop(listener);
}

#[test]
fn an_unreachable_node_or_bad_url_is_a_transport_error() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let r = RpcChain::connect(&format!("http://127.0.0.1:{port}"));
    assert!(matches!(r, Err(ChainError::Transport(_))), "{r:?}");
    let r = RpcChain::connect("not a url");
    assert!(matches!(r, Err(ChainError::Transport(_))), "{r:?}");
}

/// Batch answers may come in any order (JSON-RPC 2.0 § 6); they are matched by id.
#[test]
fn batch_answers_are_matched_by_id() {
    let url = fake_node(|request| {
        if let Some(r) = chain_id_answer(request) {
            return r;
        }
        let answers: Vec<Value> = request
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .map(|r| {
                let result = match r["method"].as_str().unwrap() {
                    "eth_blockNumber" => "0x5",
                    _ => "0x7",
                };
                json!({"jsonrpc": "2.0", "id": r["id"], "result": result})
            })
            .collect();
        Reply::Json(Value::Array(answers))
    });
    let chain = RpcChain::connect(&url).unwrap();
    assert_eq!(chain.chain_id().unwrap(), 1337);
    let answers = chain
        .batch(&[Request::BlockNumber, Request::Nonce(Address::ZERO)])
        .unwrap();
    assert_eq!(answers, vec![Response::Number(5), Response::Number(7)]);
}

/// Oversized, non-JSON, failing and error answers are clear errors, never a panic or a hang.
#[test]
fn misbehaving_answers_are_clear_errors() {
    let huge = registry::chain::rpc::MAX_RESPONSE_BYTES + 1;
    type Case = (
        &'static str,
        Box<dyn Fn() -> Reply + Send>,
        fn(&ChainError) -> bool,
    );
    let cases: Vec<Case> = vec![
        (
            "declared oversized",
            Box::new(move || {
                Reply::Raw(
                    Box::leak(
                        format!("HTTP/1.1 200 OK\r\nContent-Length: {huge}\r\n\r\n")
                            .into_boxed_str(),
                    ),
                    Vec::new(),
                )
            }),
            |e| matches!(e, ChainError::Transport(m) if m.contains("larger than")),
        ),
        (
            "undeclared oversized",
            Box::new(move || {
                Reply::Raw(
                    "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n",
                    vec![b' '; huge],
                )
            }),
            |e| matches!(e, ChainError::Transport(m) if m.contains("larger than")),
        ),
        (
            "not JSON",
            Box::new(|| {
                Reply::Raw(
                    "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n",
                    b"<html/>\r\n".to_vec(),
                )
            }),
            |e| matches!(e, ChainError::Unexpected(m) if m.contains("non-JSON")),
        ),
        (
            "HTTP error",
            Box::new(|| {
                Reply::Raw(
                    "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n",
                    Vec::new(),
                )
            }),
            |e| matches!(e, ChainError::Transport(m) if m.contains("503")),
        ),
        (
            "JSON-RPC error",
            Box::new(|| {
                Reply::Json(json!({"jsonrpc": "2.0", "id": 1,
                    "error": {"code": -32601, "message": "method not found"}}))
            }),
            |e| matches!(e, ChainError::Rpc(m) if m.contains("-32601")),
        ),
    ];
    for (name, reply, expected) in cases {
        let url = fake_node(move |_| reply());
        let r = RpcChain::connect_with_timeout(&url, Duration::from_secs(10));
        match r {
            Err(e) => assert!(expected(&e), "{name}: {e:?}"),
            Ok(_) => panic!("{name}: connected"),
        }
    }
}

/// An `https:` URL really speaks TLS (rustls with the ring provider): against a plain-text
/// server the handshake fails, rather than the scheme being unsupported.
#[test]
fn https_urls_use_tls() {
    let url = fake_node(|_| Reply::Json(json!({"not": "tls"})));
    let https = url.replacen("http://", "https://", 1);
    let r = RpcChain::connect_with_timeout(&https, Duration::from_secs(10));
    let Err(ChainError::Transport(message)) = r else {
        panic!("{r:?}");
    };
    let lower = message.to_ascii_lowercase();
    assert!(
        lower.contains("tls") || lower.contains("handshake") || lower.contains("corrupt"),
        "{message}"
    );
}
