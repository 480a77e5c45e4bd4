//! Two devnets on one machine (`tamgad devnet --seed --base-api-port
//! --base-p2p-port`, `docs/operations.md`): each is its own network — keys
//! and chain id derived from its seed, its own ports — so both commit blocks
//! independently and neither node ever connects to the other devnet.
//!
//! `two_devnets_run_side_by_side`: two 2-validator devnets with different
//! seeds and ports run at once (each `tamgad devnet` a child process that
//! starts its own nodes); both pass height 3 with their own chain id,
//! genesis and validator keys, and every node counts exactly one peer (its
//! devnet's other validator). A third devnet named on the first one's ports
//! refuses to start, names the ports and writes nothing; reusing a devnet's
//! home with another seed is refused.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tamga_client::Client;
use tamga_tests::net::tamgad_path;
use tamga_tests::say;
use tamga_types::views::NodeStatus;

/// A running `tamgad devnet`; SIGTERM on drop (it stops its nodes), then SIGKILL.
struct Devnet {
    child: Child,
    home: PathBuf,
    seed: u64,
    api: u16,
    p2p: u16,
}

impl Drop for Devnet {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!("tamgad devnet in {} did not stop in 20 s; killing it", self.home.display());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Devnet {
    fn args(home: &Path, seed: u64, api: u16, p2p: u16) -> Vec<String> {
        [
            "devnet",
            "--validators",
            "2",
            "--participants",
            "2",
            "--seed",
            &seed.to_string(),
            "--base-api-port",
            &api.to_string(),
            "--base-p2p-port",
            &p2p.to_string(),
            "--home",
            home.to_str().expect("utf-8 path"),
        ]
        .map(str::to_owned)
        .to_vec()
    }

    fn start(exe: &Path, home: PathBuf, seed: u64, api: u16, p2p: u16) -> Devnet {
        say(format!("devnet: seed {seed}, api ports {api}+, p2p ports {p2p}+, home {}", home.display()));
        std::fs::create_dir_all(&home).expect("create the devnet home");
        let log = std::fs::File::create(home.with_extension("log")).expect("create the devnet log");
        let child = Command::new(exe)
            .args(Devnet::args(&home, seed, api, p2p))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone the log handle"))
            .stderr(log)
            .spawn()
            .expect("tamgad devnet starts");
        Devnet { child, home, seed, api, p2p }
    }

    fn clients(&self) -> Vec<Client> {
        (0..2u16).map(|i| Client::new(format!("http://127.0.0.1:{}", self.api + i)).expect("a client")).collect()
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.home.with_extension("log")).unwrap_or_default()
    }
}

/// Eight consecutive free loopback ports (two devnets × 2 validators × API and p2p).
fn free_ports() -> u16 {
    let pid = u32::from(std::process::id() as u16);
    for attempt in 0..400u32 {
        let base = 30_000 + ((pid * 97 + attempt * 131) % 3_000) * 8;
        let base = u16::try_from(base).expect("below 65536");
        if (base..base + 8).all(|p| TcpListener::bind(("127.0.0.1", p)).is_ok()) {
            return base;
        }
    }
    panic!("no eight consecutive free ports in 30000..54000");
}

async fn wait_height(d: &Devnet, height: u64) -> Vec<NodeStatus> {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let mut all = Vec::new();
        for c in d.clients() {
            if let Ok(s) = c.status().await {
                if s.height >= height {
                    all.push(s);
                }
            }
        }
        if all.len() == 2 {
            return all;
        }
        assert!(
            Instant::now() < deadline,
            "devnet of seed {} reached no height {height} on both nodes in 120 s:\n{}",
            d.seed,
            d.log()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_devnets_run_side_by_side() {
    let exe = tamgad_path().expect("the tamgad binary");
    let dir = tempfile::Builder::new().prefix("tamga-two-devnets-").tempdir().expect("a temp dir");
    let seed = u64::from(rand::random::<u16>()) + 1;
    let base = free_ports();
    let a = Devnet::start(&exe, dir.path().join("a"), seed, base, base + 2);
    let b = Devnet::start(&exe, dir.path().join("b"), seed + 1, base + 4, base + 6);

    let (sa, sb) = (wait_height(&a, 3).await, wait_height(&b, 3).await);
    for (d, statuses) in [(&a, &sa), (&b, &sb)] {
        for s in statuses.iter() {
            assert_eq!(s.chain_id, format!("tamga-devnet-{}", d.seed), "the chain id follows the seed");
            assert_eq!(s.genesis_hash, statuses[0].genesis_hash, "one genesis per devnet");
            assert!(s.validator, "{} is a validator of its devnet", s.node_key);
        }
    }
    assert_ne!(sa[0].genesis_hash, sb[0].genesis_hash, "two networks");
    let keys_a: Vec<_> = sa.iter().map(|s| s.node_key).collect();
    assert!(sb.iter().all(|s| !keys_a.contains(&s.node_key)), "the validator keys come from the seed");

    // Both keep committing, each on its own chain, and no node counts a peer
    // beyond its devnet's other validator.
    let (ha, hb) = (sa[0].height, sb[0].height);
    let (sa, sb) = (wait_height(&a, ha + 2).await, wait_height(&b, hb + 2).await);
    for s in sa.iter().chain(sb.iter()) {
        assert_eq!(
            s.peers, 1,
            "node {} of chain {} has {} peers, expected only its own devnet's",
            s.node_key, s.chain_id, s.peers
        );
    }

    // A third devnet on the first one's ports refuses to start and names them.
    let out = Command::new(&exe)
        .args(Devnet::args(&dir.path().join("c"), seed + 2, a.api, a.p2p))
        .stdin(Stdio::null())
        .output()
        .expect("tamgad devnet runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a devnet on taken ports must not start: {stderr}");
    for (port, what) in [(a.api, "node0 api"), (a.api + 1, "node1 api"), (a.p2p, "node0 p2p"), (a.p2p + 1, "node1 p2p")]
    {
        assert!(stderr.contains(&format!("{port} ({what})")), "the refusal names {port} ({what}): {stderr}");
    }
    assert!(!dir.path().join("c").join("genesis.json").exists(), "nothing is written for a refused devnet");

    // Reusing a devnet's home with another seed is refused, not ignored.
    let mut reuse = Devnet::args(&a.home, seed + 5, a.api, a.p2p);
    reuse.push("--init-only".into());
    let out = Command::new(&exe).args(&reuse).output().expect("tamgad devnet runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains(&format!("--seed {}", seed + 5)), "{stderr}");

    // Still two live chains after the refusals.
    let (ha, hb) = (sa[0].height, sb[0].height);
    wait_height(&a, ha + 1).await;
    wait_height(&b, hb + 1).await;
    drop(a);
    drop(b);
}
