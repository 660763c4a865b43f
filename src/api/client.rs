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
        // A proxy may add its own header line instead of extending the
        // client's: the lines are one list, in order (RFC 9110 5.3), read
        // from the right without joining them.
        let forwarded = hops
            .checked_sub(1)
            .and_then(|skip| {
                req.headers()
                    .get_all("x-forwarded-for")
                    .iter()
                    .rev()
                    .filter_map(|v| v.to_str().ok())
                    .flat_map(|line| line.rsplit(','))
                    .nth(skip)
            })
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

impl ClientInfo {
    /// What per-IP limits count under: the address, or for IPv6 its /64
    /// (one subscriber's whole network, which it can rotate through).
    pub fn limit_key(&self) -> String {
        match self.ip {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        }
    }
}

impl<'a> FromRequest<'a> for ClientInfo {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(Self::from_request(req))
    }
}
