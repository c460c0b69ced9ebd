//! This process's resident memory, from `/proc/self/status` (Linux): `VmRSS` now and `VmHWM`,
//! the peak since the process started.

use anyhow::{Context, Result};

/// Resident bytes now and at their peak.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct Resident {
    pub now: u64,
    pub peak: u64,
}

/// Reads `VmRSS` and `VmHWM`.
pub fn resident() -> Result<Resident> {
    let status = std::fs::read_to_string("/proc/self/status").context("/proc/self/status")?;
    parse(&status)
}

fn parse(status: &str) -> Result<Resident> {
    let kilobytes = |key: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(key))
            .and_then(|rest| rest.trim().strip_suffix("kB"))
            .and_then(|number| number.trim().parse::<u64>().ok())
            .map(|kb| kb * 1024)
            .with_context(|| format!("{key} in /proc/self/status"))
    };
    Ok(Resident {
        now: kilobytes("VmRSS:")?,
        peak: kilobytes("VmHWM:")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_kernel_s_lines_and_this_process() {
        let text = "Name:\tx\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n";
        let read = parse(text).unwrap();
        assert_eq!((read.now, read.peak), (1024 * 1024, 2048 * 1024));
        assert!(parse("Name:\tx\n").is_err());
        let here = resident().unwrap();
        assert!(here.now > 0 && here.peak >= here.now);
    }
}
