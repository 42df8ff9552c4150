//! The outbound HTTP client: every request to an upstream or a result URL goes through it.
//!
//! Only `http`/`https` URLs without credentials are allowed, and only to public addresses.
//! The check runs inside the client's DNS resolver, on the very addresses the connection will
//! use, so a name that resolves (or re-resolves) to a private address is refused — there is no
//! window between checking and connecting. IP-literal hosts, which skip DNS, are checked before
//! the request and on every redirect. `MIAOJING_OUTBOUND_ALLOWLIST` (comma-separated
//! `host:port`) opens exact exceptions, e.g. for a local mock upstream in tests.
use miaojing_domain::ErrorCode;
use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use miaojing_domain::{Error, ErrorKind, Result};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// Most redirects followed.
pub const MAX_REDIRECTS: usize = 3;

/// Whether an address is on the public internet (not loopback, private, link-local, CGNAT,
/// multicast, documentation, benchmarking, unspecified or reserved; IPv4-mapped and
/// IPv4-compatible IPv6 addresses are judged by their IPv4 part).
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let seg = v6.segments();
            // IPv4-compatible (::a.b.c.d, deprecated) and NAT64 (64:ff9b::/96) embed IPv4.
            if seg[..6] == [0, 0, 0, 0, 0, 0] || seg[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let v4 = Ipv4Addr::new((seg[6] >> 8) as u8, seg[6] as u8, (seg[7] >> 8) as u8, seg[7] as u8);
                return !v6.is_unspecified() && !v6.is_loopback() && is_public_v4(v4);
            }
            !(v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (seg[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (seg[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
                || (seg[0] == 0x2001 && seg[1] == 0x0db8) // documentation
                || (seg[0] == 0x2001 && seg[1] < 0x0200) // IETF protocol assignments, Teredo
                || seg[0] == 0x2002) // 6to4 embeds arbitrary IPv4
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || a == 0 // "this network"
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64/10
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2) // documentation
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

/// Exact `host:port` exceptions to the public-address rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList {
    entries: HashSet<(String, u16)>,
}

impl AllowList {
    /// Parses `host:port[,host:port…]` (IPv6 hosts in brackets). Bad entries are an error.
    pub fn parse(spec: &str) -> Result<Self> {
        let mut entries = HashSet::new();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let url = Url::parse(&format!("http://{item}")).map_err(|_| bad_allow(item))?;
            let (Some(host), Some(port)) = (url.host_str(), url.port()) else {
                return Err(bad_allow(item));
            };
            if url.path() != "/" || !url.username().is_empty() {
                return Err(bad_allow(item));
            }
            entries.insert((host.trim_matches(['[', ']']).to_ascii_lowercase(), port));
        }
        Ok(Self { entries })
    }

    fn allows(&self, host: &str, port: u16) -> bool {
        self.entries.contains(&(host.trim_matches(['[', ']']).to_ascii_lowercase(), port))
    }

    fn allows_host(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        self.entries.iter().any(|(h, _)| *h == host)
    }
}

fn bad_allow(item: &str) -> Error {
    Error::validation(ErrorCode::InvalidOutboundAllowlist, format!("MIAOJING_OUTBOUND_ALLOWLIST 条目无效：{item}（应为 host:port）"))
}

fn blocked(what: impl std::fmt::Display) -> Error {
    Error::validation(ErrorCode::BlockedDestination, "不允许访问该地址（仅允许公网 http/https 地址）").with_detail(what.to_string())
}

/// Checks a URL's shape and, for IP-literal hosts, the address. Names are checked at connect time.
pub fn check_url(url: &Url, allow: &AllowList) -> Result<()> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(blocked(format!("scheme {}", url.scheme())));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(blocked("credentials in URL"));
    }
    let port = url.port_or_known_default().ok_or_else(|| blocked("no port"))?;
    let host = url.host_str().ok_or_else(|| blocked("no host"))?;
    if allow.allows(host, port) {
        return Ok(());
    }
    let ip = match url.host() {
        Some(Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
        Some(Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
        _ => None,
    };
    match ip {
        Some(ip) if !is_public_ip(ip) => Err(blocked(format!("address {ip}"))),
        // A name allowed only on another port must not reach its private address on this one.
        None if allow.allows_host(host) => Err(blocked(format!("{host}:{port} is not in the allow-list"))),
        _ => Ok(()),
    }
}

/// The resolver that refuses non-public addresses (except allow-listed hosts).
#[derive(Debug)]
struct GuardedResolver {
    allow: AllowList,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        let allowed = self.allow.allows_host(&host);
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let (public, private): (Vec<SocketAddr>, Vec<SocketAddr>) = addrs.into_iter().partition(|a| is_public_ip(a.ip()));
            if allowed {
                return Ok(Box::new(public.into_iter().chain(private)) as Addrs);
            }
            if public.is_empty() {
                return Err(format!("{host} resolves only to non-public addresses").into());
            }
            // Private answers are dropped, never connected to.
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

/// Timeouts of outbound calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    /// Longest wait for any read, including the first byte.
    pub read: Duration,
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self { connect: Duration::from_secs(10), read: Duration::from_secs(120), total: Duration::from_secs(360) }
    }
}

/// The guarded client.
#[derive(Clone)]
pub struct OutboundClient {
    client: reqwest::Client,
    allow: Arc<AllowList>,
}

impl OutboundClient {
    /// A client with these exceptions and timeouts.
    pub fn new(allow: AllowList, timeouts: Timeouts) -> Result<Self> {
        let redirect_allow = allow.clone();
        let policy = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() > MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if let Err(e) = check_url(attempt.url(), &redirect_allow) {
                attempt.error(e.detail.unwrap_or(e.message))
            } else {
                attempt.follow()
            }
        });
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(GuardedResolver { allow: allow.clone() }))
            .redirect(policy)
            .connect_timeout(timeouts.connect)
            .read_timeout(timeouts.read)
            .timeout(timeouts.total)
            .user_agent(concat!("MiaoJing/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::internal(format!("building the outbound client: {e}")))?;
        Ok(Self { client, allow: Arc::new(allow) })
    }

    /// A request builder for `method url`, after the URL passes [`check_url`].
    pub fn request(&self, method: reqwest::Method, url: &str) -> Result<reqwest::RequestBuilder> {
        let parsed = Url::parse(url).map_err(|_| Error::validation(ErrorCode::InvalidUrl, "地址格式不正确"))?;
        check_url(&parsed, &self.allow)?;
        Ok(self.client.request(method, parsed))
    }

    /// Sends a request; transport failures become 502 `upstream_unreachable` (or 504
    /// `upstream_timeout`, or 400 `blocked_destination` when the guard refused the address).
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response> {
        request.send().await.map_err(|e| {
            let chain = error_chain(&e);
            if chain.contains("non-public") || chain.contains("allow-list") || chain.contains("address ") {
                blocked(chain)
            } else if e.is_timeout() {
                Error::new(ErrorKind::UpstreamTimeout, ErrorCode::UpstreamTimeout, "上游服务响应超时").with_detail(chain)
            } else {
                Error::new(ErrorKind::Upstream, ErrorCode::UpstreamUnreachable, "无法连接上游服务").with_detail(chain)
            }
        })
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(inner) = cur {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        cur = inner.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn classifies_addresses() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "0.0.0.0",
            "0.1.2.3",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "192.0.2.10",
            "198.18.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2001:db8::1",
            "2002:a00:1::",
        ] {
            assert!(!is_public_ip(ip(private)), "{private} must be refused");
        }
        for public in
            ["1.1.1.1", "8.8.8.8", "100.63.255.255", "100.128.0.1", "172.32.0.1", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]
        {
            assert!(is_public_ip(ip(public)), "{public} is public");
        }
    }

    #[test]
    fn checks_url_shapes_and_literals() {
        let none = AllowList::default();
        for bad in [
            "ftp://example.com/x",
            "file:///etc/passwd",
            "http://user:pw@example.com/",
            "http://127.0.0.1/",
            "http://[::1]:8080/",
            "http://[::ffff:7f00:1]/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://10.0.0.1/",
            "http://169.254.169.254/latest/meta-data",
        ] {
            let url = Url::parse(bad).unwrap();
            assert!(check_url(&url, &none).is_err(), "{bad} must be refused");
        }
        assert!(check_url(&Url::parse("https://api.example.com/v1").unwrap(), &none).is_ok());
        let allow = AllowList::parse("127.0.0.1:9000, localhost:9001").unwrap();
        assert!(check_url(&Url::parse("http://127.0.0.1:9000/v1").unwrap(), &allow).is_ok());
        assert!(check_url(&Url::parse("http://127.0.0.1:9001/v1").unwrap(), &allow).is_err(), "exact port only");
        assert!(check_url(&Url::parse("http://localhost:9002/").unwrap(), &allow).is_err(), "an allowed name on another port");
        assert!(AllowList::parse("nohostport").is_err());
        assert!(AllowList::parse("a:b").is_err());
    }

    async fn local_server() -> (u16, actix_web::dev::ServerHandle) {
        let server = actix_web::HttpServer::new(|| {
            actix_web::App::new()
                .route("/ok", actix_web::web::get().to(|| async { "hello" }))
                .route(
                    "/to-private",
                    actix_web::web::get()
                        .to(|| async { actix_web::HttpResponse::Found().insert_header(("location", "http://10.0.0.1/secret")).finish() }),
                )
                .route(
                    "/slow",
                    actix_web::web::get().to(|| async {
                        tokio::time::sleep(Duration::from_secs(3)).await;
                        "late"
                    }),
                )
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .unwrap();
        let port = server.addrs()[0].port();
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        (port, handle)
    }

    #[actix_web::test]
    async fn names_resolving_to_private_addresses_are_refused_at_connect_time() {
        let (port, handle) = local_server().await;
        let guard = OutboundClient::new(AllowList::default(), Timeouts::default()).unwrap();
        // "localhost" passes the URL check (it is a name) but resolves to loopback.
        let req = guard.request(reqwest::Method::GET, &format!("http://localhost:{port}/ok")).unwrap();
        let err = guard.send(req).await.unwrap_err();
        assert_eq!(err.code, "blocked_destination", "{err}");
        // The same name is reachable once allow-listed for that exact port.
        let allowed = OutboundClient::new(AllowList::parse(&format!("localhost:{port}")).unwrap(), Timeouts::default()).unwrap();
        let res = allowed.send(allowed.request(reqwest::Method::GET, &format!("http://localhost:{port}/ok")).unwrap()).await.unwrap();
        assert_eq!(res.text().await.unwrap(), "hello");
        // A redirect to a private literal is refused.
        let err =
            allowed.send(allowed.request(reqwest::Method::GET, &format!("http://localhost:{port}/to-private")).unwrap()).await.unwrap_err();
        assert_eq!(err.code, "blocked_destination", "{err}");
        handle.stop(true).await;
    }

    #[actix_web::test]
    async fn slow_upstreams_time_out_with_504() {
        let (port, handle) = local_server().await;
        let timeouts = Timeouts { connect: Duration::from_secs(2), read: Duration::from_millis(300), total: Duration::from_secs(1) };
        let client = OutboundClient::new(AllowList::parse(&format!("127.0.0.1:{port}")).unwrap(), timeouts).unwrap();
        let err = client.send(client.request(reqwest::Method::GET, &format!("http://127.0.0.1:{port}/slow")).unwrap()).await.unwrap_err();
        assert_eq!(err.code, "upstream_timeout", "{err}");
        assert_eq!(err.status(), 504);
        handle.stop(false).await;
    }
}
