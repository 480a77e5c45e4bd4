//! CPU time and peak memory of the node processes (Linux `/proc`), and a
//! description of the machine. A node whose pid file is missing, or whose
//! process is gone, is reported as unknown rather than failing the run.

use std::path::Path;

/// Clock ticks per second of `/proc/PID/stat`'s `utime`/`stime` (USER_HZ).
/// It is 100 on every Linux architecture Tamga targets; reading it would
/// need `sysconf`, which this crate (no unsafe, no libc) does not call.
const CLOCK_TICKS: f64 = 100.0;

/// One reading of a process.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProcSample {
    /// The pid read from the node's pid file.
    pub pid: u32,
    /// User plus system CPU seconds since the process started.
    pub cpu_s: f64,
    /// Peak resident set size (VmHWM), MiB.
    pub peak_rss_mib: f64,
}

/// Reads the pid in `pid_file` and samples that process; `None` if either is
/// missing, or if the pid now belongs to a process of another name than
/// `expect_name` (a stale pid file whose pid was reused).
pub fn sample(pid_file: &Path, expect_name: Option<&str>) -> Option<ProcSample> {
    let pid: u32 = std::fs::read_to_string(pid_file).ok()?.trim().parse().ok()?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    if let Some(name) = expect_name {
        let comm = status.lines().find_map(|l| l.strip_prefix("Name:")).map(str::trim)?;
        if comm != name {
            return None;
        }
    }
    Some(ProcSample { pid, cpu_s: parse_cpu_seconds(&stat)?, peak_rss_mib: parse_vm_hwm_mib(&status)? })
}

/// This process's CPU seconds so far, user plus system, all its threads:
/// what `getrusage(RUSAGE_SELF)` reports, read from `/proc/self/stat` (10 ms
/// resolution) because this crate calls no libc. `None` off Linux.
pub fn self_cpu_seconds() -> Option<f64> {
    parse_cpu_seconds(&std::fs::read_to_string("/proc/self/stat").ok()?)
}

/// `utime + stime` of a `/proc/PID/stat` line, in seconds. The command name
/// (field 2) is in parentheses and may hold spaces, so fields are counted
/// from the last `)`.
pub fn parse_cpu_seconds(stat: &str) -> Option<f64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name: state is field 3, utime field 14, stime field 15.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) as f64 / CLOCK_TICKS)
}

/// `VmHWM` of a `/proc/PID/status`, in MiB.
pub fn parse_vm_hwm_mib(status: &str) -> Option<f64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb as f64 / 1024.0)
}

/// The number of logical CPUs and the CPU model name.
pub fn machine() -> (usize, String) {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let (count, model) = parse_cpuinfo(&info);
    let cores = if count > 0 { count } else { std::thread::available_parallelism().map_or(1, |n| n.get()) };
    (cores, model.unwrap_or_else(|| "unknown".into()))
}

fn parse_cpuinfo(info: &str) -> (usize, Option<String>) {
    let count = info.lines().filter(|l| l.starts_with("processor")).count();
    let model = info
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_owned());
    (count, model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_files() {
        let stat = "4242 (tamgad (x) y) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 9 0 100 0 0";
        assert_eq!(parse_cpu_seconds(stat), Some(3.25));
        assert_eq!(parse_cpu_seconds("garbage"), None);
        let status = "Name:\ttamgad\nVmPeak:\t  900000 kB\nVmHWM:\t  262144 kB\nVmRSS:\t 100 kB\n";
        assert_eq!(parse_vm_hwm_mib(status), Some(256.0));
        assert_eq!(parse_vm_hwm_mib("Name: x\n"), None);
        let info = "processor\t: 0\nmodel name\t: Test CPU @ 2GHz\n\nprocessor\t: 1\nmodel name\t: Test CPU @ 2GHz\n";
        assert_eq!(parse_cpuinfo(info), (2, Some("Test CPU @ 2GHz".into())));
    }

    #[test]
    fn missing_pid_file_is_none() {
        assert_eq!(sample(Path::new("/nonexistent/tamgad.pid"), None), None);
    }

    #[test]
    fn samples_this_process() {
        let dir = std::env::temp_dir().join(format!("tamga-bench-pid-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pid_file = dir.join("tamgad.pid");
        std::fs::write(&pid_file, format!("{}\n", std::process::id())).unwrap();
        if Path::new("/proc/self/stat").exists() {
            let s = sample(&pid_file, None).unwrap();
            assert_eq!(s.pid, std::process::id());
            assert!(s.peak_rss_mib > 0.0 && s.cpu_s >= 0.0);
            assert_eq!(sample(&pid_file, Some("tamgad")), None, "this test process is not a tamgad");
            // Spin until the own-CPU clock moves (it ticks every 10 ms).
            let before = self_cpu_seconds().unwrap();
            let mut x = 0u64;
            while self_cpu_seconds().unwrap() <= before {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
            }
            assert!(self_cpu_seconds().unwrap() > before);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
