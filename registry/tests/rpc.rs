//! RpcChain against nodes that misbehave at the transport level (no EVM needed).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use std::net::TcpListener;
use std::time::Duration;

use registry::chain::{ChainError, RpcChain};

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
