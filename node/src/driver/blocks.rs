//! The bodies of the blocks this validator validated or built at the height
//! it is deciding, kept on disk under `HOME/data/values/`.
//!
//! The engine decides on block ids (Malachite's split of value and value
//! id): the safety state written before each vote (`crate::safety`) holds
//! the ids of the locked and valid blocks and the signed part of its
//! proposals, never a block. After a restart the engine therefore needs the
//! bodies back to re-propose its valid block (Tendermint L16) or to re-send
//! a proposal it signed; without them it proposes nothing in those rounds.
//! That costs liveness only, but when every validator that locked a block
//! restarts, none could propose it again and those locked on it could never
//! prevote another: the height would stall. So a body is kept here before
//! the engine may lock on it: before the driver reports it valid
//! (`Input::ValueValidated`), or before it proposes its own block. Once per
//! block and height, on the blocking thread that executed it, not before
//! each vote.
//!
//! Only liveness depends on these files, never safety (what was signed is
//! in the safety state), so they are written without fsync (a process crash
//! keeps them; a power loss may cost the rounds described above), and a
//! damaged or foreign file is skipped, never trusted: a body is fed back
//! only if it decodes within the block size limit, its transaction and
//! evidence roots match its header and its id matches the file name.
//!
//! Bounded: [`MAX_KEPT_PER_HEIGHT`] bodies per height (the engine keeps two
//! proposals per round; beyond that count nothing is written), and the files
//! of a height are removed when a later height starts.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use tamga_consensus::Value;
use tamga_types::codec::{self, limits::MAX_BLOCK_BYTES};
use tamga_types::{Block, Height};

/// Most block bodies kept for one height: the proposals of a few rounds.
pub const MAX_KEPT_PER_HEIGHT: usize = 8;

/// `HOME/data/values/`: one file per kept block, `<height>-<id>.bin`.
#[derive(Clone, Debug)]
pub struct KeptBlocks {
    dir: PathBuf,
}

impl KeptBlocks {
    /// The store next to the safety state `safety` (`data/safety.bin`).
    pub fn beside(safety: &Path) -> Self {
        let data = safety.parent().unwrap_or(Path::new("."));
        KeptBlocks { dir: data.join("values") }
    }

    fn name(height: Height, block: &Block) -> String {
        format!("{height:020}-{}.bin", block.id())
    }

    /// The files of `height`, sorted by name.
    fn files(&self, height: Height) -> Vec<PathBuf> {
        let prefix = format!("{height:020}-");
        let Ok(entries) = fs::read_dir(&self.dir) else { return Vec::new() };
        let mut out: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                n.starts_with(&prefix) && n.ends_with(".bin")
            })
            .collect();
        out.sort();
        out
    }

    /// Writes `block` (temporary file, then rename) unless it is kept
    /// already or its height holds [`MAX_KEPT_PER_HEIGHT`] bodies.
    pub fn keep(&self, block: &Block) -> std::io::Result<()> {
        let height = block.header.height;
        let path = self.dir.join(Self::name(height, block));
        if path.exists() {
            return Ok(());
        }
        fs::create_dir_all(&self.dir)?;
        if self.files(height).len() >= MAX_KEPT_PER_HEIGHT {
            return Ok(());
        }
        let tmp = path.with_extension("tmp");
        let mut f = fs::File::create(&tmp)?;
        f.write_all(&codec::encode(block))?;
        drop(f);
        fs::rename(&tmp, &path)
    }

    /// The sound bodies kept for `height` (module docs: what is skipped).
    pub fn load(&self, height: Height) -> Vec<Block> {
        self.files(height)
            .into_iter()
            .filter_map(|p| {
                let bytes = fs::read(&p).ok()?;
                let block: Block = codec::decode("kept block", &bytes, MAX_BLOCK_BYTES).ok()?;
                let sound = block.header.height == height
                    && block.check_body().is_ok()
                    && p.file_name().and_then(|n| n.to_str()) == Some(Self::name(height, &block).as_str());
                sound.then_some(block)
            })
            .collect()
    }

    /// Removes the bodies of every height below `height`.
    pub fn prune_below(&self, height: Height) {
        let Ok(entries) = fs::read_dir(&self.dir) else { return };
        for e in entries.filter_map(Result::ok) {
            let name = e.file_name();
            let below = name
                .to_str()
                .and_then(|n| n.get(..20))
                .and_then(|h| h.parse::<Height>().ok())
                .is_some_and(|h| h < height);
            if below {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamga_types::{BlockHeader, BoundedVec, ChainId, Hash, SigningKey};

    fn block(height: Height, salt: u8) -> Block {
        Block {
            header: BlockHeader {
                chain_id: ChainId::new("chain").unwrap(),
                height,
                round: 0,
                time_ms: 1,
                parent_hash: Hash([salt; 32]),
                proposer: SigningKey::from_seed([3; 32]).public(),
                tx_root: Block::compute_tx_root(&[]),
                evidence_root: Block::compute_evidence_root(&[]),
                state_root: Hash([2; 32]),
                receipts_root: Hash([4; 32]),
                validators_hash: Hash([5; 32]),
                next_validators_hash: Hash([5; 32]),
            },
            txs: BoundedVec::default(),
            evidence: BoundedVec::default(),
        }
    }

    #[test]
    fn keeps_loads_bounds_and_prunes() {
        let dir = tempfile::tempdir().unwrap();
        let kept = KeptBlocks::beside(&dir.path().join("data").join("safety.bin"));
        assert!(kept.load(5).is_empty(), "nothing kept yet");
        let (a, b) = (block(5, 1), block(5, 2));
        kept.keep(&a).unwrap();
        kept.keep(&a).unwrap();
        kept.keep(&b).unwrap();
        kept.keep(&block(6, 1)).unwrap();
        let mut got: Vec<Hash> = kept.load(5).iter().map(Value::id).collect();
        got.sort();
        let mut want = vec![a.id(), b.id()];
        want.sort();
        assert_eq!(got, want);
        // Bounded per height.
        for salt in 10..30 {
            kept.keep(&block(5, salt)).unwrap();
        }
        assert_eq!(kept.load(5).len(), MAX_KEPT_PER_HEIGHT);
        // A damaged body or one under another name is skipped, never fed back.
        let files = kept.files(5);
        fs::write(&files[0], b"not a block").unwrap();
        fs::copy(&files[2], &files[1]).unwrap();
        assert_eq!(kept.load(5).len(), MAX_KEPT_PER_HEIGHT - 2);
        kept.prune_below(6);
        assert!(kept.load(5).is_empty());
        assert_eq!(kept.load(6).len(), 1);
    }
}
