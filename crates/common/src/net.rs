//! Binding listening sockets.
//!
//! A port already in use is the most common start-up failure on a developer machine, so the
//! error names the port, the variable that sets it and what to do.

use std::net::SocketAddr;

use anyhow::Context;
use tokio::net::TcpListener;

/// Binds `addr`; `variable` names the setting that chose the port, for the error message.
pub async fn bind(addr: SocketAddr, variable: &str) -> anyhow::Result<TcpListener> {
    match TcpListener::bind(addr).await {
        Ok(listener) => Ok(listener),
        Err(error) if error.kind() == std::io::ErrorKind::AddrInUse => Err(anyhow::anyhow!(
            "port {} is already in use: stop the program that holds it (see `ss -ltnp`) \
             or choose another port with {variable}",
            addr.port()
        )),
        Err(error) => {
            Err(error).with_context(|| format!("failed to listen on {addr} (set by {variable})"))
        }
    }
}
