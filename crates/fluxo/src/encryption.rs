//! `[encryption]` of the operator's `fluxo.toml`: the key that seals data at rest, and the KMS
//! key ids it stands for; `fluxo keygen`, which writes a new key file.
//!
//! ```toml
//! [encryption]
//! key_file = "fluxo.key"            # relative to fluxo.toml's folder; base64 of 32 bytes
//! kms_key_ids = ["alias/orders"]    # optional: CUSTOMER_MANAGED_KMS_KEY ids this key serves
//! ```

use anyhow::{bail, Context, Result};
use fluxo_store::Cipher;
use serde::Deserialize;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    key_file: PathBuf,
    #[serde(default)]
    kms_key_ids: Vec<String>,
}

/// The operator's key, ready to seal, with the KMS key ids (key ids, key ARNs, alias names,
/// alias ARNs, as listed) that `encryptionConfiguration` may name for it.
pub struct Encryption {
    pub cipher: Cipher,
    pub kms_key_ids: Vec<String>,
}

/// The `[encryption]` table of `config`, its key read; `None` without a file or a table.
///
/// Errors: the table is malformed, the key file cannot be read, or it does not hold a 256-bit
/// key as base64 (the message names the file and what it must hold).
pub fn load(config: Option<&Path>) -> Result<Option<Encryption>> {
    let Some(path) = config else {
        return Ok(None);
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut file: toml::Table =
        toml::from_str(&text).with_context(|| format!("cannot parse {}", path.display()))?;
    let Some(table) = file.remove("encryption") else {
        return Ok(None);
    };
    let table: Table = table
        .try_into()
        .with_context(|| format!("[encryption] in {}", path.display()))?;
    let base = path.parent().unwrap_or(Path::new("."));
    let key_file = base.join(&table.key_file);
    let cipher = read_key(&key_file)?;
    Ok(Some(Encryption {
        cipher,
        kms_key_ids: table.kms_key_ids,
    }))
}

/// The key in `path`.
fn read_key(path: &Path) -> Result<Cipher> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "cannot read the encryption key file {} ([encryption] key_file)",
            path.display()
        )
    })?;
    warn_if_shared(path);
    Cipher::from_base64(&text).map_err(|error| {
        anyhow::anyhow!(
            "the encryption key file {} must hold a 256-bit key as base64 (32 bytes once \
             decoded; `fluxo keygen FILE` writes one): {error}",
            path.display()
        )
    })
}

/// A key file others may read protects nothing: say so (the server still starts, as with any
/// file the operator chose to share).
fn warn_if_shared(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(metadata) = std::fs::metadata(path) {
            if metadata.permissions().mode() & 0o077 != 0 {
                tracing::warn!(
                    key_file = %path.display(),
                    "the encryption key file can be read by other users: chmod 600 it"
                );
            }
        }
    }
}

/// Writes a new random key to `path` (readable by its owner only), refusing to replace a file:
/// a replaced key makes the data sealed with it unreadable.
pub fn keygen(path: &Path) -> Result<()> {
    let key = Cipher::generate_key().context("the system's random generator failed")?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = match options.open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => bail!(
            "{} exists already: a new key would make the data sealed with the old one \
             unreadable; choose another file",
            path.display()
        ),
        Err(error) => {
            return Err(error).with_context(|| format!("cannot create {}", path.display()))
        }
    };
    writeln!(file, "{key}").with_context(|| format!("cannot write {}", path.display()))?;
    file.sync_all()
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
