//! Backends behind TLS, started by the test that needs them: a throwaway
//! CA made at run time (rcgen), a server certificate it signs for
//! `localhost` only (so that `127.0.0.1` is a name it does not carry), a
//! second CA that signs nothing of ours, and
//! a Redis, a PostgreSQL and (when built) a Meilisearch serving that
//! certificate on free ports. Each server stops when its handle drops.
//!
//! A machine without one of the servers makes its test skip, unless
//! `AGORA_TEST_TLS=required` (CI): then a missing server fails the test.
use std::{
    net::TcpListener,
    os::unix::{fs::PermissionsExt, process::CommandExt},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use tempfile::TempDir;

use super::skip;

/// The certificates of one test, as files.
pub struct Pki {
    _dir: TempDir,
    /// The CA that signed the servers' certificate.
    pub ca: PathBuf,
    /// A CA that signed nothing of ours: trusting it alone must fail.
    pub other_ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, name);
    CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap()
}

impl Pki {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        // Servers running as another user read the certificates from here.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let ours = ca("agora test CA");
        let other = ca("some other CA");
        let key = KeyPair::generate().unwrap();
        let server = CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .signed_by(&key, &ours)
            .unwrap();
        let write = |name: &str, pem: String, mode: u32| {
            let path = dir.path().join(name);
            std::fs::write(&path, pem).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            path
        };
        Self {
            ca: write("ca.pem", ours.pem(), 0o644),
            other_ca: write("other-ca.pem", other.pem(), 0o644),
            cert: write("server.pem", server.pem(), 0o644),
            key: write("server.key", key.serialize_pem(), 0o600),
            _dir: dir,
        }
    }
}

/// A server process, stopped when dropped (and, should the test binary
/// die first, by the kernel: it gets `stop` when its parent goes).
pub struct Server {
    child: Child,
    pub port: u16,
    /// The signal that stops it cleanly.
    stop: i32,
    _dir: Option<TempDir>,
}

impl Drop for Server {
    fn drop(&mut self) {
        // SAFETY: signals our own child, which has not been reaped yet.
        unsafe { libc::kill(self.child.id() as i32, self.stop) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `command` with its output in `log`, and `stop` sent to it when this
/// thread's process goes away.
fn spawn(command: &mut Command, log: &Path, stop: i32) -> Child {
    let out = std::fs::File::create(log).unwrap();
    let err = out.try_clone().unwrap();
    // SAFETY: prctl is async-signal-safe; it runs in the child before exec.
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, stop) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .spawn()
        .unwrap()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until `port` accepts connections (or the process died, when its
/// log says why).
fn wait_for(child: &mut Child, port: u16, what: &str, log: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            let said = std::fs::read_to_string(log).unwrap_or_default();
            panic!("{what} exited at start: {status}\n{said}");
        }
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not listen on {port} within 30 s");
}

/// Whether a missing server fails the test rather than skipping it.
fn required() -> bool {
    std::env::var("AGORA_TEST_TLS").is_ok_and(|v| v == "required")
}

/// Skips (or, when required, fails) for want of `what`.
fn missing(test: &str, what: &str) -> Option<Server> {
    assert!(!required(), "AGORA_TEST_TLS=required but {what}");
    skip(test, what);
    None
}

fn on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(program))
            .find(|path| path.is_file())
    })
}

/// `redis-server` with TLS only (no plaintext port), serving `pki`'s
/// certificate.
pub fn tls_redis(test: &str, pki: &Pki) -> Option<Server> {
    let Some(bin) = on_path("redis-server") else {
        return missing(test, "needs redis-server on PATH (built with TLS)");
    };
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("redis.log");
    let port = free_port();
    let mut command = Command::new(bin);
    command
        .args([
            "--port",
            "0",
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .arg("--tls-port")
        .arg(port.to_string())
        .arg("--tls-cert-file")
        .arg(&pki.cert)
        .arg("--tls-key-file")
        .arg(&pki.key)
        .arg("--tls-ca-cert-file")
        .arg(&pki.ca)
        .args(["--tls-auth-clients", "no"]);
    let mut child = spawn(&mut command, &log, libc::SIGTERM);
    wait_for(&mut child, port, "redis-server", &log);
    Some(Server {
        child,
        port,
        stop: libc::SIGTERM,
        _dir: Some(dir),
    })
}

/// The directory of PostgreSQL's server programs (`initdb`, `postgres`).
fn postgres_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| Some(entry.ok()?.path().join("bin")))
        .filter(|bin| bin.join("postgres").is_file() && bin.join("initdb").is_file())
        .collect();
    versions.sort();
    versions.pop().or_else(|| {
        let initdb = on_path("initdb")?;
        let dir = initdb.parent()?.to_path_buf();
        dir.join("postgres").is_file().then_some(dir)
    })
}

/// The user a PostgreSQL server may run as: this one, or `postgres` when
/// this is root (PostgreSQL refuses to run as root).
fn postgres_user() -> Option<(u32, u32)> {
    // SAFETY: getuid and getpwnam read process and system state; the
    // passwd entry is copied out before any other call.
    unsafe {
        let uid = libc::getuid();
        if uid != 0 {
            return Some((uid, libc::getgid()));
        }
        let pw = libc::getpwnam(c"postgres".as_ptr());
        if pw.is_null() {
            return None;
        }
        Some(((*pw).pw_uid, (*pw).pw_gid))
    }
}

fn chown(path: &Path, (uid, gid): (u32, u32)) {
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
}

/// A PostgreSQL cluster of its own (initdb in a temp dir), TLS on with
/// `pki`'s certificate, trust auth for `postgres` on 127.0.0.1.
pub fn tls_postgres(test: &str, pki: &Pki) -> Option<Server> {
    let Some(bin) = postgres_bin() else {
        return missing(
            test,
            "needs PostgreSQL's server programs (initdb, postgres)",
        );
    };
    let Some(owner) = postgres_user() else {
        return missing(
            test,
            "runs as root but finds no `postgres` user to run a cluster as",
        );
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    chown(dir.path(), owner);
    let data = dir.path().join("data");
    // The server reads its key only when the key is its own and private.
    let key = dir.path().join("server.key");
    std::fs::copy(&pki.key, &key).unwrap();
    chown(&key, owner);
    let initdb = Command::new(bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args(["-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"])
        .uid(owner.0)
        .gid(owner.1)
        .output()
        .unwrap();
    assert!(
        initdb.status.success(),
        "initdb failed: {}\n{}",
        initdb.status,
        String::from_utf8_lossy(&initdb.stderr)
    );
    let port = free_port();
    let log = dir.path().join("postgres.log");
    let mut command = Command::new(bin.join("postgres"));
    command
        .arg("-D")
        .arg(&data)
        .arg("-p")
        .arg(port.to_string())
        .args([
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "ssl=on",
            "-c",
            "fsync=off",
        ])
        .arg("-c")
        .arg(format!("ssl_cert_file={}", pki.cert.display()))
        .arg("-c")
        .arg(format!("ssl_key_file={}", key.display()))
        .arg("-c")
        .arg(format!("unix_socket_directories={}", dir.path().display()))
        .uid(owner.0)
        .gid(owner.1);
    // SIGINT: a fast shutdown that leaves no shared memory behind.
    let mut child = spawn(&mut command, &log, libc::SIGINT);
    wait_for(&mut child, port, "postgres", &log);
    Some(Server {
        child,
        port,
        stop: libc::SIGINT,
        _dir: Some(dir),
    })
}

/// Meilisearch over HTTPS with `pki`'s certificate, when this machine has
/// one built; its master key is `TLS_MEILI_KEY`.
pub fn tls_meili(test: &str, pki: &Pki) -> Option<Server> {
    let bin = std::env::var_os("AGORA_MEILI_BIN")
        .map(PathBuf::from)
        .or_else(|| {
            let home = std::env::var_os("HOME")?;
            Some(Path::new(&home).join(".cache/agora-tools/meilisearch"))
        })
        .filter(|bin| bin.is_file());
    let Some(bin) = bin else {
        // Meilisearch has no package here: never required.
        skip(test, "needs a Meilisearch binary (README \"Two commands\")");
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("meilisearch.log");
    let port = free_port();
    let mut command = Command::new(bin);
    command
        .arg("--db-path")
        .arg(dir.path().join("data"))
        .arg("--http-addr")
        .arg(format!("127.0.0.1:{port}"))
        .args([
            "--master-key",
            TLS_MEILI_KEY,
            "--no-analytics",
            "--env",
            "development",
        ])
        .arg("--ssl-cert-path")
        .arg(&pki.cert)
        .arg("--ssl-key-path")
        .arg(&pki.key);
    let mut child = spawn(&mut command, &log, libc::SIGTERM);
    wait_for(&mut child, port, "meilisearch", &log);
    Some(Server {
        child,
        port,
        stop: libc::SIGTERM,
        _dir: Some(dir),
    })
}

pub const TLS_MEILI_KEY: &str = "agora-tls-test-master-key-0123456789";
