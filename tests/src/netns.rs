//! [`Netns`]: every node of a [`Net`](crate::Net) in its own Linux network
//! namespace, so links between chosen nodes can be cut and healed (the partition
//! scenarios).
//!
//! Layout of a net with id `K` (1..=250, unique among the runs on the machine):
//!
//! ```text
//! root namespace            bridge tamga-brK, 10.77.K.254/24 (the test process talks to the APIs through it)
//!   └─ veth tamgaKv<i> ──── namespace tamga-K-n<i>: tamgaKp<i> = 10.77.K.<i+1>/24, lo up, rp_filter = 1
//! ```
//!
//! Node `i` runs as `ip netns exec tamga-K-n<i> tamgad start …` and listens
//! (p2p and API) on `10.77.K.<i+1>`; the genesis validators' `p2p_address`
//! name those addresses, so nodes reach each other only through the bridge.
//!
//! **Cutting** the link `i–j` adds a blackhole route to `j` inside `i`'s
//! namespace and one to `i` inside `j`'s. A blackhole route drops the
//! packets a node sends; strict reverse-path filtering (`rp_filter = 1`)
//! drops, on arrival, packets from a source whose route back is a blackhole,
//! so nothing passes in either direction — also on established TCP
//! connections, whose in-order data would otherwise still be delivered to
//! the application while only the ACKs were lost. The connections are not
//! reset: they stall, TCP retransmits, and traffic resumes on the same
//! connection once the routes are deleted (**heal**). Routing is the only
//! tool here: the kernels the tests run on may lack netem and tc actions,
//! and there may be no iptables/nft. The test process (root namespace, the
//! bridge address) is never cut off, so every node's API stays readable
//! during a partition.
//!
//! Ownership: a run claims id `K` by creating the directory
//! `$TMPDIR/tamga-netns/K` (atomic) holding its pid. Everything is deleted
//! when the [`Netns`] drops; a run that died without dropping (SIGKILL) leaves
//! its id behind, and the next run removes it (namespaces, the processes
//! still inside them, links, bridge) once the recorded pid is gone.
//!
//! Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) and iproute2's `ip`.
//! [`Netns::create`] fails with a message saying which is missing; the
//! partition scenarios then fail rather than pass without a partition.

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use tamga_genesis::{GenesisFile, Testnet};

use crate::net::say;

/// The namespaces, veths and bridge of one net. See the module docs.
pub struct Netns {
    id: u8,
    nodes: usize,
    lock: PathBuf,
    /// Links currently cut, as `(low, high)` node pairs.
    cut: BTreeSet<(usize, usize)>,
}

/// First two octets of every net's /24.
const PREFIX: [u8; 2] = [10, 77];

fn bridge_name(id: u8) -> String {
    format!("tamga-br{id}")
}

fn ns_name(id: u8, i: usize) -> String {
    format!("tamga-{id}-n{i}")
}

fn ns_prefix(id: u8) -> String {
    format!("tamga-{id}-n")
}

/// Root-namespace end of node `i`'s veth (≤ 15 characters: `tamga250v252`).
fn veth_root(id: u8, i: usize) -> String {
    format!("tamga{id}v{i}")
}

/// Namespace end of node `i`'s veth.
fn veth_node(id: u8, i: usize) -> String {
    format!("tamga{id}p{i}")
}

fn lock_root() -> PathBuf {
    std::env::temp_dir().join("tamga-netns")
}

/// Runs `ip ARGS`, failing with its stderr.
fn ip(args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new("ip").args(args).output().with_context(|| format!("cannot run `ip {}`", args.join(" ")))?;
    if !out.status.success() {
        bail!("`ip {}` failed: {}", args.join(" "), String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs `ip ARGS` for teardown: errors are expected (already gone) and ignored.
fn ip_quiet(args: &[&str]) {
    let _ = Command::new("ip").args(args).output();
}

fn pid_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// Why this machine cannot run the namespace harness, if it cannot.
fn unavailable() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let euid = status.lines().find_map(|l| l.strip_prefix("Uid:")).and_then(|l| l.split_whitespace().nth(1));
    if euid != Some("0") {
        return Some(format!(
            "the test process is not root (effective uid {}); creating network namespaces needs root",
            euid.unwrap_or("unknown")
        ));
    }
    match Command::new("ip").arg("-V").output() {
        Ok(o) if o.status.success() => None,
        Ok(o) => Some(format!("`ip -V` failed: {}", String::from_utf8_lossy(&o.stderr).trim())),
        Err(e) => Some(format!("iproute2's `ip` cannot be run: {e}")),
    }
}

impl Netns {
    /// Creates a bridge and `nodes` namespaces (see the module docs) after
    /// removing what dead runs left behind.
    pub fn create(nodes: usize) -> anyhow::Result<Netns> {
        if let Some(why) = unavailable() {
            bail!("network namespaces unavailable: {why} (the partition scenarios need root and iproute2; CI runs as root)");
        }
        if nodes == 0 || nodes > 253 {
            bail!("{nodes} nodes: a net's /24 holds 1 to 253 nodes");
        }
        clean_stale();
        let (id, lock) = claim_id()?;
        let mut ns = Netns { id, nodes, lock, cut: BTreeSet::new() };
        // A leftover of the same id whose lock directory was lost (a wiped
        // temp dir): nothing of it may survive into this run.
        teardown(id);
        ns.build().with_context(|| format!("cannot set up the network namespaces of net {id}"))?;
        say(format!(
            "netns: net {id}: bridge {} at {}, nodes in namespaces {}..{} at {}..{}",
            bridge_name(id),
            ns.bridge_ip(),
            ns_name(id, 0),
            ns_name(id, nodes - 1),
            ns.ip(0),
            ns.ip(nodes - 1)
        ));
        Ok(ns)
    }

    fn build(&mut self) -> anyhow::Result<()> {
        let id = self.id;
        let br = bridge_name(id);
        ip(&["link", "add", &br, "type", "bridge"])?;
        ip(&["addr", "add", &format!("{}/24", self.bridge_ip()), "dev", &br])?;
        ip(&["link", "set", &br, "up"])?;
        for i in 0..self.nodes {
            let ns = ns_name(id, i);
            let (vr, vn) = (veth_root(id, i), veth_node(id, i));
            ip(&["netns", "add", &ns])?;
            ip(&["link", "add", &vr, "type", "veth", "peer", "name", &vn, "netns", &ns])?;
            ip(&["link", "set", &vr, "master", &br, "up"])?;
            ip(&["-n", &ns, "addr", "add", &format!("{}/24", self.ip(i)), "dev", &vn])?;
            ip(&["-n", &ns, "link", "set", &vn, "up"])?;
            ip(&["-n", &ns, "link", "set", "lo", "up"])?;
            // Strict reverse-path filtering, so a blackhole route also drops
            // what arrives from the cut peer (the effective value is the
            // maximum of `all` and the interface's).
            ip(&["netns", "exec", &ns, "sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=1"])?;
        }
        // Each namespace answers through the bridge: a closed port refuses at once.
        for i in 0..self.nodes {
            let addr = SocketAddr::from((self.ip(i), 9));
            match TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {}
                Ok(_) => {}
                Err(e) => bail!("node{i}'s namespace is not reachable at {addr} from the test process: {e}"),
            }
        }
        Ok(())
    }

    /// The net's id (third octet of its addresses).
    pub fn id(&self) -> u8 {
        self.id
    }

    /// Node `i`'s address.
    pub fn ip(&self, i: usize) -> Ipv4Addr {
        Ipv4Addr::new(PREFIX[0], PREFIX[1], self.id, (i + 1) as u8)
    }

    /// The bridge's address (the test process's side).
    pub fn bridge_ip(&self) -> Ipv4Addr {
        Ipv4Addr::new(PREFIX[0], PREFIX[1], self.id, 254)
    }

    /// Node `i`'s namespace.
    pub fn namespace(&self, i: usize) -> String {
        ns_name(self.id, i)
    }

    /// `ip netns exec <node i's namespace> <exe>`: `ip` enters the namespace
    /// and execs `exe`, so the child's pid is `exe`'s and signals reach it.
    pub fn command(&self, i: usize, exe: &Path) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.namespace(i)]).arg(exe);
        c
    }

    /// Rewrites a testnet written by `tamgad testnet` into `dir` so node `i`
    /// listens on its namespace address: the genesis validators'
    /// `p2p_address` (hence the genesis hash: in `genesis.json`, each node
    /// home's copy and `testnet.json`) and each `config.toml`'s `p2p.listen`
    /// and `api.listen`. Ports stay as generated. Returns the testnet read back.
    pub fn place_testnet(&self, dir: &Path, testnet: &Testnet) -> anyhow::Result<Testnet> {
        if testnet.validators.len() != self.nodes {
            bail!("{} validators for {} namespaces", testnet.validators.len(), self.nodes);
        }
        let mut t = testnet.clone();
        for (i, v) in t.validators.iter_mut().enumerate() {
            let p2p_port = port_of(&v.p2p_address)?;
            let api_port = port_of(&v.api_address)?;
            v.p2p_address = format!("/ip4/{}/tcp/{p2p_port}", self.ip(i));
            v.api_address = format!("{}:{api_port}", self.ip(i));
        }
        for (gv, v) in t.genesis.validators.iter_mut().zip(&t.validators) {
            gv.p2p_address = Some(v.p2p_address.clone());
        }
        let genesis_json = GenesisFile::from(&t.genesis).to_json();
        std::fs::write(dir.join("genesis.json"), &genesis_json)?;
        let mut manifest = serde_json::to_string_pretty(&t.manifest())?;
        manifest.push('\n');
        std::fs::write(dir.join("testnet.json"), manifest)?;
        for (i, v) in t.validators.iter().enumerate() {
            let home = dir.join(format!("node{i}"));
            std::fs::write(home.join("genesis.json"), &genesis_json)?;
            let path = home.join("config.toml");
            let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let mut cfg: toml::Table =
                toml::from_str(&text).with_context(|| format!("{} is not TOML", path.display()))?;
            let mut set = |section: &str, value: &str| -> anyhow::Result<()> {
                cfg.get_mut(section)
                    .and_then(|s| s.as_table_mut())
                    .ok_or_else(|| anyhow!("{}: no [{section}] table", path.display()))?
                    .insert("listen".into(), toml::Value::String(value.to_owned()));
                Ok(())
            };
            set("p2p", &v.p2p_address)?;
            set("api", &v.api_address)?;
            // Plain HTTP on a veth address: the node refuses it unless told
            // (docs/operations.md, "TLS on the API"); these namespaces are the
            // test's own closed network.
            if let Some(api) = cfg.get_mut("api").and_then(|s| s.as_table_mut()) {
                api.insert("allow_plaintext".into(), toml::Value::Boolean(true));
            }
            std::fs::write(&path, toml::to_string(&cfg)?)?;
        }
        // The same checks as any testnet: genesis valid, manifest and keys consistent.
        let back = Testnet::read(dir).context("the testnet rewritten for namespaces does not read back")?;
        if back.genesis != t.genesis {
            bail!("the rewritten genesis.json does not read back as written");
        }
        Ok(back)
    }

    /// Cuts the link between nodes `i` and `j` in both directions (no-op if cut).
    pub fn cut(&mut self, i: usize, j: usize) -> anyhow::Result<()> {
        let key = self.pair(i, j)?;
        if self.cut.contains(&key) {
            return Ok(());
        }
        for (a, b) in [(i, j), (j, i)] {
            ip(&["-n", &self.namespace(a), "route", "add", "blackhole", &format!("{}/32", self.ip(b))])?;
        }
        self.cut.insert(key);
        Ok(())
    }

    /// Restores the link between nodes `i` and `j` (no-op if not cut).
    pub fn heal(&mut self, i: usize, j: usize) -> anyhow::Result<()> {
        let key = self.pair(i, j)?;
        if !self.cut.contains(&key) {
            return Ok(());
        }
        for (a, b) in [(i, j), (j, i)] {
            ip(&["-n", &self.namespace(a), "route", "del", "blackhole", &format!("{}/32", self.ip(b))])?;
        }
        self.cut.remove(&key);
        Ok(())
    }

    /// Cuts every link between nodes of different groups (links inside a
    /// group are left as they are). Nodes in no group are left alone.
    pub fn partition(&mut self, groups: &[&[usize]]) -> anyhow::Result<()> {
        for (g, a) in groups.iter().enumerate() {
            for b in &groups[g + 1..] {
                for &i in a.iter() {
                    for &j in b.iter() {
                        self.cut(i, j)?;
                    }
                }
            }
        }
        say(format!("netns: partition {groups:?}: links cut {:?}", self.cut));
        Ok(())
    }

    /// Cuts node `i` off from every other node.
    pub fn isolate(&mut self, i: usize) -> anyhow::Result<()> {
        let others: Vec<usize> = (0..self.nodes).filter(|&j| j != i).collect();
        self.partition(&[&[i], &others])
    }

    /// Restores every cut link.
    pub fn heal_all(&mut self) -> anyhow::Result<()> {
        for (i, j) in self.cut.clone() {
            self.heal(i, j)?;
        }
        say("netns: every link healed");
        Ok(())
    }

    /// Links currently cut, as `(low, high)` pairs.
    pub fn cut_links(&self) -> Vec<(usize, usize)> {
        self.cut.iter().copied().collect()
    }

    fn pair(&self, i: usize, j: usize) -> anyhow::Result<(usize, usize)> {
        if i == j || i >= self.nodes || j >= self.nodes {
            bail!("no link {i}–{j} in a net of {} nodes", self.nodes);
        }
        Ok((i.min(j), i.max(j)))
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        teardown(self.id);
        let _ = std::fs::remove_dir_all(&self.lock);
    }
}

/// The port of `/ip4/A/tcp/PORT` or `A:PORT`.
fn port_of(addr: &str) -> anyhow::Result<u16> {
    addr.rsplit(['/', ':'])
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or_else(|| anyhow!("no port at the end of address {addr:?}"))
}

/// Claims a free id: its lock directory is created (atomically) with our pid
/// in it and its /24 is not routed on this machine.
fn claim_id() -> anyhow::Result<(u8, PathBuf)> {
    let root = lock_root();
    std::fs::create_dir_all(&root).with_context(|| format!("cannot create {}", root.display()))?;
    let routes = ip(&["-4", "route", "show", "table", "all"])?;
    let pid = std::process::id();
    for k in 0..250u32 {
        let id = ((pid + k) % 250 + 1) as u8;
        if routes.contains(&format!("{}.{}.{id}.", PREFIX[0], PREFIX[1])) {
            continue;
        }
        let dir = root.join(id.to_string());
        if std::fs::create_dir(&dir).is_err() {
            continue;
        }
        std::fs::write(dir.join("pid"), pid.to_string())?;
        return Ok((id, dir));
    }
    bail!("no free net id (10.77.1-250.0/24) left in {}", root.display())
}

/// Deletes everything of net `id`: processes still in its namespaces, the
/// namespaces (their veth ends with them), the root-side veths, the bridge.
fn teardown(id: u8) {
    let list = ip(&["netns", "list"]).unwrap_or_default();
    let prefix = ns_prefix(id);
    for name in list.lines().filter_map(|l| l.split_whitespace().next()) {
        let Some(rest) = name.strip_prefix(&prefix) else { continue };
        if rest.parse::<usize>().is_err() {
            continue;
        }
        // Processes a dead run left inside (its tamgad nodes).
        if let Ok(pids) = ip(&["netns", "pids", name]) {
            for pid in pids.split_whitespace() {
                let _ = Command::new("kill").args(["-KILL", pid]).status();
            }
        }
        ip_quiet(&["netns", "del", name]);
    }
    let links = ip(&["-o", "link", "show"]).unwrap_or_default();
    let veth = format!("tamga{id}v");
    for l in links.lines() {
        // "7: tamga12v0@if6: <…>"
        let Some(name) = l.split(": ").nth(1).and_then(|n| n.split('@').next()) else { continue };
        if name.strip_prefix(&veth).is_some_and(|r| r.parse::<usize>().is_ok()) {
            ip_quiet(&["link", "del", name]);
        }
    }
    ip_quiet(&["link", "del", &bridge_name(id)]);
}

/// Removes the nets of runs that died without cleaning up: ids whose lock
/// directory names a pid that is gone, and namespaces or bridges of this
/// harness with no lock directory at all.
fn clean_stale() {
    let root = lock_root();
    let mut live = BTreeSet::new();
    if let Ok(entries) = std::fs::read_dir(&root) {
        for e in entries.flatten() {
            let Some(id) = e.file_name().to_str().and_then(|s| s.parse::<u8>().ok()) else { continue };
            let pid = std::fs::read_to_string(e.path().join("pid")).ok().and_then(|s| s.trim().parse::<u32>().ok());
            match pid {
                Some(p) if pid_alive(p) => {
                    live.insert(id);
                }
                // No pid yet: a run between claiming and writing; leave it.
                None if e.path().join("pid").metadata().is_err() && recently_created(&e.path()) => {
                    live.insert(id);
                }
                _ => {
                    say(format!("netns: removing net {id} left by a dead run ({pid:?})"));
                    teardown(id);
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
        }
    }
    let mut orphans = BTreeSet::new();
    for name in ip(&["netns", "list"]).unwrap_or_default().lines().filter_map(|l| l.split_whitespace().next()) {
        if let Some(id) =
            name.strip_prefix("tamga-").and_then(|r| r.split('-').next()).and_then(|s| s.parse::<u8>().ok())
        {
            orphans.insert(id);
        }
    }
    for l in ip(&["-o", "link", "show"]).unwrap_or_default().lines() {
        if let Some(id) =
            l.split(": ").nth(1).and_then(|n| n.strip_prefix("tamga-br")).and_then(|s| s.parse::<u8>().ok())
        {
            orphans.insert(id);
        }
    }
    for id in orphans.difference(&live) {
        if !root.join(id.to_string()).exists() {
            say(format!("netns: removing net {id} (no owner recorded)"));
            teardown(*id);
        }
    }
}

fn recently_created(p: &Path) -> bool {
    p.metadata()
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|d| d < Duration::from_secs(10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fit_linux_interface_names() {
        assert!(veth_root(250, 252).len() <= 15);
        assert!(veth_node(250, 252).len() <= 15);
        assert!(bridge_name(250).len() <= 15);
    }

    #[test]
    fn ports_are_read_from_both_address_forms() {
        assert_eq!(port_of("/ip4/127.0.0.1/tcp/26656").ok(), Some(26656));
        assert_eq!(port_of("127.0.0.1:8080").ok(), Some(8080));
        assert!(port_of("/ip4/127.0.0.1/tcp/").is_err());
    }
}
