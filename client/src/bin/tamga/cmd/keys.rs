//! `tamga keys`: key files (the work is in [`crate::keys`]).

use std::path::PathBuf;

use clap::Subcommand;

/// Key files.
#[derive(Debug, Subcommand)]
pub enum KeysCmd {
    /// Generate a new key into a new file (mode 0600, never overwritten) and print its address.
    ///
    /// The file is encrypted with a passphrase (TAMGA_PASSPHRASE,
    /// --passphrase-file, or asked twice on the terminal) unless --plain.
    /// Where: --out FILE, else DIR/NAME.key (DIR: --dir, default ~/.tamga/keys).
    New {
        /// Name of the key: the file is DIR/NAME.key.
        name: Option<String>,
        /// Directory for NAME [default: ~/.tamga/keys].
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Write the seed unencrypted (64 hex characters; development only).
        #[arg(long)]
        plain: bool,
    },
    /// List the key files in a directory with their addresses (no passphrase needed).
    List {
        /// Directory [default: ~/.tamga/keys].
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// Print the address (public key) of a key file: `keys show FILE` or `--key FILE`.
    Show {
        /// Key file [default: --key].
        file: Option<PathBuf>,
        /// Also decrypt an encrypted file, proving the passphrase opens it.
        #[arg(long)]
        verify: bool,
    },
    /// Import a 64-hex seed (from --seed-file, or one line on stdin) into a new key file.
    ///
    /// Encrypted unless --plain; the file is --out FILE, else DIR/NAME.key.
    Import {
        /// Name of the key: the file is DIR/NAME.key.
        name: Option<String>,
        /// File holding the seed as 64 hex characters (a plain key file) [default: stdin].
        #[arg(long, value_name = "FILE")]
        seed_file: Option<PathBuf>,
        /// Directory for NAME [default: ~/.tamga/keys].
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
        /// Write the seed unencrypted (development only).
        #[arg(long)]
        plain: bool,
    },
}
