//! Human-readable rendering of a signed transaction (Digital Code art. 50
//! p.4, SPEC §1.7): what verification shows next to its result.
//!
//! The rendering is text for people, not a format: the operation's stable
//! name, the signer, network, nonce and memo, then the payload as indented
//! JSON (amounts are exact base-unit integers, keys and hashes hex).

use tamga_types::SignedTransaction;

/// Renders what `tx` does, line by line.
pub fn render_transaction(tx: &SignedTransaction) -> String {
    let t = &tx.tx;
    let payload = serde_json::to_string_pretty(&t.payload)
        .unwrap_or_else(|e| format!("(the payload cannot be rendered as JSON: {e})"));
    let mut out = String::new();
    out.push_str(&format!("operation:  {}\n", t.payload.kind_name()));
    out.push_str(&format!("signer:     {}\n", t.signer));
    out.push_str(&format!("chain:      {}\n", t.chain_id.as_str()));
    out.push_str(&format!("nonce:      {}\n", t.nonce));
    if let Some(m) = &t.memo {
        out.push_str(&format!("memo:       {:?}\n", m.as_str()));
    }
    out.push_str("payload (amounts in base units):\n");
    for line in payload.lines() {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    out
}
