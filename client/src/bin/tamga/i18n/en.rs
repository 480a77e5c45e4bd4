//! English messages (the default). Placeholders `{0}`, `{1}`, … are filled
//! in order ([`super::fill`]); the Kazakh and Russian catalogs have the same
//! keys and placeholders (a test checks).

/// Message key → template.
pub const MESSAGES: &[(&str, &str)] = &[
    // clap's help layout.
    ("help.usage", "Usage:"),
    ("help.commands", "Commands"),
    ("help.arguments", "Arguments"),
    ("help.options", "Options"),
    // Errors and prompts of the command line itself.
    ("error.prefix", "error"),
    ("runtime.failed", "error: cannot start the async runtime: {0}"),
    ("key.needed", "this command needs a key: pass --key FILE or set TAMGA_KEY"),
    ("account.needed", "give an account address, or --key"),
    ("export.key_needed", "the issuer export needs --key: an account key of the issuer's party or of a regulator"),
    ("passphrase.prompt", "Passphrase for {0}: "),
    ("fetch.decimals", "fetching the decimals of class {0}"),
    ("fetch.mining", "fetching mining notification {0}"),
    ("fetch.chain_id", "fetching the chain id (or pass --chain-id)"),
    ("fetch.nonce", "fetching the account's next nonce (or pass --nonce)"),
    ("tx.hash_differs", "the node names the transaction {0}, the file {1}"),
    ("tx.saved", "saved the signed transaction to {0}"),
    ("tx.refused", "the node refused the transaction"),
    ("tx.waiting", "waiting for {0} to commit"),
    ("tx.failed", "error: transaction failed: {0}: {1}"),
    ("tx.not_found", "transaction {0} is neither committed nor pending at {1}"),
    ("tx.pending", "transaction {0} is not committed yet"),
    ("tx.status_at", "{0}: {1} at height {2} ({3})"),
    ("usage.nothing", "nothing to do for {0}: give an id or a subcommand (see --help)"),
    ("file.create_failed", "creating {0}: {1}"),
    ("file.write_failed", "writing {0}: {1}"),
    // Signing (SPEC §1.7; Digital Code art. 47 p.4, 49).
    (
        "sign.standing",
        "Note: a Tamga signature is a digital confirmation of this transaction on the ledger; it is not an electronic \
         digital signature (ЭЦП / ЭЦҚ) under the law on electronic documents (Digital Code art. 47 p.4, 49).",
    ),
    ("sign.cert", "Signing account's certificate: issuer {0}, serial {1}"),
    ("sign.no_cert", "Signing account's certificate: none registered"),
    ("sign.cert_unknown", "Signing account's certificate: not known here"),
    ("sign.confirm", "Sign and submit? [y/N] "),
    ("sign.declined", "not signed: confirmation declined"),
    ("sign.no_terminal", "confirmation needed but stdin is not a terminal: pass --yes to sign without asking"),
    // The identifier and its salt (SPEC §3; Digital Code art. 41, 45).
    ("register.identifier_missing", "give --iin-bin (with or without --salt), or --id-commitment"),
    ("salt.missing", "--salt: no salt given and none generated"),
    ("salt.not_hex", "--salt: expected 64 hex characters (32 random bytes), got something that is not hex: {0}"),
    ("salt.length", "--salt: expected {0} bytes ({1} hex characters) of random data, got {2} bytes"),
    ("salt.random_failed", "--salt: the operating system's random source failed: {0}"),
    (
        "salt.generated",
        "Generated the identifier salt (32 random bytes): {0}\nKeep it off the ledger, in the party's custody: with \
         it the commitment can be checked against the IIN/BIN; destroy every copy to make the commitment \
         unlinkable to the person (SPEC §3).",
    ),
    ("salt.saved", "saved the salt to {0}"),
    ("ident.iin", "an IIN (individual identification number)"),
    ("ident.bin", "a BIN (business identification number)"),
    ("ident.party.individual", "an individual"),
    ("ident.party.legal_entity", "a legal entity"),
    ("ident.format", "--iin-bin: expected 12 digits, got \"{0}\""),
    ("ident.check_digit", "--iin-bin: {0} has check digit {2}, expected {1}"),
    ("ident.unassignable", "--iin-bin: {0} cannot have a valid check digit"),
    ("ident.structure", "--iin-bin: {0}: digits {1} are {2}, expected {3}"),
    ("ident.expected.3-4", "a month, 01-12"),
    ("ident.expected.5-6", "a day of birth, 01-31 (an IIN)"),
    ("ident.expected.5", "0-3 (the day of birth of an IIN) or 4-6 (the entity type of a BIN)"),
    ("ident.expected.7", "the century and sex digit, 1-6 (an IIN)"),
    (
        "ident.kind_mismatch",
        "--iin-bin: {0} is {1} by its structure (digit 5 is {2}), but --kind is {3}: expected {4}",
    ),
    // `receipt verify` (Digital Code art. 50 p.4).
    ("verify.valid", "VALID receipt bundle"),
    ("verify.invalid", "INVALID: {0}"),
    ("verify.transaction", "transaction: {0}\n"),
    ("verify.chain", "chain:       {0}\n"),
    ("verify.signed_by", "signed by:   account {0} (signature valid)\n"),
    ("verify.party", "party:       {0}\n"),
    ("verify.party.proof", "party {0} (proven against the block's state root; account status {1})"),
    ("verify.party.genesis", "party {0} (listed in the genesis)"),
    ("verify.party.no_account", "none: the state proves the signer had no account (an unknown signer)"),
    ("verify.party.unknown", "not determinable from the genesis file alone"),
    ("verify.at_genesis", "committed:   at genesis (height 0, transaction {0}), time {1} ms\n"),
    ("verify.committed", "committed:   height {0}, position {1}, block time {2} ms since the epoch\n"),
    ("verify.block", "block:       {0}\n"),
    (
        "verify.certified",
        "certified:   by {0} validators with power {1} of {2} ({3} validator-set changes verified from genesis)\n",
    ),
    ("verify.certifier", "             {0} (operator party {1}, power {2})\n"),
    ("verify.success", "success"),
    ("verify.failed", "failed: {0}: {1}"),
    ("verify.outcome", "outcome:     {0} (as recorded by the exporting node; not covered by the certificate)\n"),
    ("verify.what", "what it does:"),
];
