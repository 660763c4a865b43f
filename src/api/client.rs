//! Where a call comes from: the client address, observed for per-IP limits
//! (purpose `security`), never stored.
use std::net::IpAddr;

use poem::{FromRequest, Request, RequestBody};

#[derive(Clone, Debug)]
pub struct ClientInfo {
    pub ip: IpAddr,
}

/// Whether `X-Forwarded-For` is trusted; put into request data at start-up.
#[derive(Clone, Copy, Debug)]
pub struct TrustForwardedFor(pub bool);

impl ClientInfo {
    pub fn from_request(req: &Request) -> Self {
        let trust = req.data::<TrustForwardedFor>().is_some_and(|t| t.0);
        let forwarded = trust
            .then(|| req.header("x-forwarded-for"))
            .flatten()
            .and_then(|v| v.split(',').next())
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
