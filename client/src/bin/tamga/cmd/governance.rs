//! `tamga validators` and `tamga params`: the validator set and the chain
//! parameters, and the payloads that change them (regulator).

use clap::{Args, Subcommand, ValueEnum};
use tamga_types::{BoundedVec, Height, ParameterChange, PartyId, Payload, PublicKey, ValidatorUpdate};

use super::Op;

/// `validators` [update].
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ValidatorsArgs {
    /// The set certifying the block at this height [default: the next block].
    #[arg(long)]
    pub height: Option<Height>,
    /// Change the set.
    #[command(subcommand)]
    pub cmd: Option<ValidatorsCmd>,
}

/// Validator-set changes.
#[derive(Debug, Subcommand)]
pub enum ValidatorsCmd {
    /// Change validators (regulator), effective `validator_change_delay` blocks after commit.
    Update {
        /// `KEY:POWER:OPERATOR_PARTY[:P2P_KEY]`; power 0 removes the validator;
        /// `P2P_KEY` is the node's p2p identity (`tamgad show-key`), omitted it
        /// keeps the recorded one (the consensus key for a new validator). Repeat for several.
        #[arg(long = "set", required = true, value_name = "KEY:POWER:PARTY[:P2P_KEY]")]
        updates: Vec<String>,
    },
}

/// `params` [set].
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ParamsArgs {
    /// Change a parameter.
    #[command(subcommand)]
    pub cmd: Option<ParamsCmd>,
}

/// Parameter changes.
#[derive(Debug, Subcommand)]
pub enum ParamsCmd {
    /// Set a chain parameter (regulator): `max-block-txs N`, `validator-change-delay N`, `require-mining-notice true|false`.
    Set {
        /// Parameter name.
        #[arg(value_enum)]
        name: ParamName,
        /// New value.
        value: String,
    },
}

/// Changeable parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ParamName {
    /// Maximum transactions per block.
    MaxBlockTxs,
    /// Blocks between a validator-set change's commit and its effect.
    ValidatorChangeDelay,
    /// Whether validators need an accepted mining notification.
    RequireMiningNotice,
    /// The fewest validators the admission rule leaves in the set (SPEC §9.4).
    MinValidators,
}

/// The transaction of a `validators` command, if it is one (a query is not).
pub fn validators_op(c: &ValidatorsCmd) -> Op<'_> {
    match c {
        ValidatorsCmd::Update { updates } => Op::fixed(move || {
            update_validators(updates.iter().map(|s| validator_update(s)).collect::<Result<Vec<_>, _>>()?)
        }),
    }
}

/// The transaction of a `params` command.
pub fn params_op(c: &ParamsCmd) -> Op<'_> {
    match c {
        ParamsCmd::Set { name, value } => Op::fixed(move || set_param(*name, value)),
    }
}

pub(super) fn validator_update(s: &str) -> Result<ValidatorUpdate, String> {
    let bad = || format!("validator update {s:?}: expected KEY:POWER:PARTY or KEY:POWER:PARTY:P2P_KEY");
    let mut it = s.split(':');
    let (k, p, o) = (it.next().ok_or_else(bad)?, it.next().ok_or_else(bad)?, it.next().ok_or_else(bad)?);
    // SPEC §9: the p2p identity peers admit the validator's node under;
    // omitted, the recorded one is kept (the consensus key for a new validator).
    let p2p = it.next();
    if it.next().is_some() {
        return Err(bad());
    }
    Ok(ValidatorUpdate {
        key: PublicKey::from_hex(k).map_err(|e| format!("validator key {k:?}: {e}"))?,
        power: p.parse().map_err(|_| format!("validator power {p:?}: expected an unsigned integer"))?,
        operator: PartyId(o.parse().map_err(|_| format!("operator party {o:?}: expected a party id"))?),
        p2p_key: p2p
            .map(|h| PublicKey::from_hex(h).map_err(|e| format!("validator p2p key {h:?}: {e}")))
            .transpose()?,
    })
}

pub(super) fn update_validators(updates: Vec<ValidatorUpdate>) -> Result<Payload, String> {
    Ok(Payload::UpdateValidators {
        updates: BoundedVec::new(updates).map_err(|e| format!("{} updates, at most {}", e.len, e.max))?,
    })
}

pub(super) fn set_param(name: ParamName, value: &str) -> Result<Payload, String> {
    let int = |v: &str| v.parse::<u64>().map_err(|_| format!("{name:?} needs an unsigned integer, got {v:?}"));
    let change = match name {
        ParamName::MaxBlockTxs => ParameterChange::MaxBlockTxs(
            u32::try_from(int(value)?).map_err(|_| format!("max-block-txs {value} does not fit u32"))?,
        ),
        ParamName::ValidatorChangeDelay => ParameterChange::ValidatorChangeDelay(int(value)?),
        ParamName::RequireMiningNotice => ParameterChange::RequireMiningNotice(
            value.parse().map_err(|_| format!("require-mining-notice needs true or false, got {value:?}"))?,
        ),
        ParamName::MinValidators => ParameterChange::MinValidators(
            u32::try_from(int(value)?).map_err(|_| format!("min-validators {value} does not fit u32"))?,
        ),
    };
    Ok(Payload::SetParameter { change })
}
