//! Where a call comes from: the client address, observed for per-IP limits
//! (purpose `security`), never stored.
use std::net::IpAddr;

use poem::{FromRequest, Request, RequestBody};

#[derive(Clone, Debug)]
pub struct ClientInfo {
    pub ip: IpAddr,
}

/// How many trusted proxies append to `X-Forwarded-For` in front of agora
/// (0: the header is ignored); put into request data at start-up.
#[derive(Clone, Copy, Debug)]
pub struct TrustForwardedFor(pub usize);

impl ClientInfo {
    pub fn from_request(req: &Request) -> Self {
        let hops = req.data::<TrustForwardedFor>().map_or(0, |t| t.0);
        // The client controls the left of the header; each of our proxies
        // appends the address it saw, so the client is `hops` from the right.
        let forwarded = (hops > 0)
            .then(|| req.header("x-forwarded-for"))
            .flatten()
            .and_then(|v| v.rsplit(',').nth(hops - 1))
            .and_then(|v| v.trim().parse::<IpAddr>().ok());
        let remote = req
            .remote_addr()
            .as_socket_addr()
            .map(|a| a.ip())
            .unwrap_or(IpAddr::from([0, 0, 0, 0]));
        Self {
            ip: forwarded.unwrap_or(remote),
        }
    }
}

impl<'a> FromRequest<'a> for ClientInfo {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(Self::from_request(req))
    }
}
