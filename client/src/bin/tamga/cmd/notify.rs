//! `tamga notify`: notifications to the regulator of digital mining and of
//! digital-asset activity (Law on Informatization art. 33-1 p.9 and p.10),
//! and their payloads.

use clap::{Args, Subcommand};
use tamga_types::{Date, MiningNotificationId, MiningNotificationKind, MiningSite, PartyId, Payload, Region};

use super::{snake, text, Op};

/// Notifications (Law on Informatization art. 33-1 p.9 and p.10).
#[derive(Debug, Subcommand)]
pub enum NotifyCmd {
    /// Digital mining notifications (Law art. 33-1 p.9): start, change, terminate, list, show, totals.
    #[command(subcommand)]
    Mining(NotifyMiningCmd),
    /// Digital-asset activity notifications: start, terminate, list.
    #[command(subcommand)]
    Activity(NotifyActivityCmd),
}

/// `notify mining …`.
#[derive(Debug, Subcommand)]
pub enum NotifyMiningCmd {
    /// Notify the start of mining at a site (miner); the receipt names the new `notification_id`.
    Start(SiteArgs),
    /// Notify a change of a site; fields not given keep the previous notification's values.
    Change(SiteChangeArgs),
    /// Notify the termination of a site; fields not given keep the previous notification's values.
    Terminate(SiteChangeArgs),
    /// List notifications (every page unless --limit), filtered.
    List(MiningListArgs),
    /// One notification.
    Show {
        /// Notification id.
        id: MiningNotificationId,
    },
    /// Installed capacity and units of active sites by region.
    Totals,
}

/// `notify activity …`.
#[derive(Debug, Subcommand)]
pub enum NotifyActivityCmd {
    /// Notify the start of an activity: issuance, trading-organisation, exchange.
    Start {
        /// Activity.
        #[arg(long, value_parser = snake::<tamga_types::Activity>)]
        activity: tamga_types::Activity,
        /// Effective date (YYYY-MM-DD).
        #[arg(long)]
        date: Date,
    },
    /// Notify the end of an activity.
    Terminate {
        /// Activity.
        #[arg(long, value_parser = snake::<tamga_types::Activity>)]
        activity: tamga_types::Activity,
        /// Effective date (YYYY-MM-DD).
        #[arg(long)]
        date: Date,
    },
    /// List notifications.
    List {
        /// Only this party's.
        #[arg(long)]
        party: Option<PartyId>,
    },
}

/// Filters of `mining list`.
#[derive(Debug, Args)]
pub struct MiningListArgs {
    /// Miner party.
    #[arg(long)]
    pub miner: Option<PartyId>,
    /// submitted, accepted or rejected.
    #[arg(long, value_parser = ["submitted", "accepted", "rejected"])]
    pub status: Option<String>,
    /// Region: its code (pavlodar, almaty-city) or its name in Kazakh, Russian or English ("Павлодар облысы", "Павлодарская область", "Pavlodar Region").
    #[arg(long, value_parser = region)]
    pub region: Option<Region>,
    /// start, change or termination.
    #[arg(long, value_parser = snake::<tamga_types::MiningNotificationKind>)]
    pub kind: Option<tamga_types::MiningNotificationKind>,
    /// Start date on or after (YYYY-MM-DD).
    #[arg(long)]
    pub from: Option<Date>,
    /// Start date on or before (YYYY-MM-DD).
    #[arg(long)]
    pub to: Option<Date>,
    /// Page cursor: ids after this one.
    #[arg(long)]
    pub after: Option<MiningNotificationId>,
    /// Page size (1–1000, default 100).
    #[arg(long)]
    pub limit: Option<usize>,
}

/// A mining site, every field given.
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// Region of the site: its code (pavlodar, almaty-city, east-kazakhstan) or its name in Kazakh, Russian or English ("Павлодарская область").
    #[arg(long, value_parser = region)]
    pub region: Region,
    /// Site address.
    #[arg(long)]
    pub address: String,
    /// Installed power capacity, kW.
    #[arg(long)]
    pub capacity_kw: u64,
    /// Equipment units.
    #[arg(long)]
    pub units: u32,
    /// Hashrate, TH/s.
    #[arg(long)]
    pub hashrate_ths: u64,
    /// Energy source: grid, own-generation, renewable, associated-gas, other.
    #[arg(long, value_parser = snake::<tamga_types::EnergySource>)]
    pub energy: tamga_types::EnergySource,
    /// Mining pool.
    #[arg(long)]
    pub pool: Option<String>,
    /// Start date (YYYY-MM-DD).
    #[arg(long)]
    pub start_date: Date,
}

/// A mining site's changed fields; the others are the previous notification's.
#[derive(Debug, Args)]
pub struct SiteChangeArgs {
    /// The notification this one follows (the miner's latest of the site).
    #[arg(long)]
    pub previous: MiningNotificationId,
    /// Region of the site.
    #[arg(long, value_parser = region)]
    pub region: Option<Region>,
    /// Site address.
    #[arg(long)]
    pub address: Option<String>,
    /// Installed power capacity, kW.
    #[arg(long)]
    pub capacity_kw: Option<u64>,
    /// Equipment units.
    #[arg(long)]
    pub units: Option<u32>,
    /// Hashrate, TH/s.
    #[arg(long)]
    pub hashrate_ths: Option<u64>,
    /// Energy source: grid, own-generation, renewable, associated-gas, other.
    #[arg(long, value_parser = snake::<tamga_types::EnergySource>)]
    pub energy: Option<tamga_types::EnergySource>,
    /// Mining pool.
    #[arg(long)]
    pub pool: Option<String>,
    /// Date of the change or termination (YYYY-MM-DD).
    #[arg(long)]
    pub start_date: Option<Date>,
}

/// A region by its code or its name in Kazakh, Russian or English (SPEC §6,
/// `tamga_types::region_names`), refused in the CLI's language listing the
/// valid codes (clap names the argument).
pub fn region(s: &str) -> Result<Region, String> {
    use tamga_types::RegionNameError as E;
    Region::from_name(s).map_err(|e| match &e {
        E::Unknown { value } => crate::i18n::t("region.unknown", &[value, &e.expected().join(", ")]),
        E::Ambiguous { value, .. } => crate::i18n::t("region.ambiguous", &[value, &e.expected().join(", ")]),
    })
}

/// The transaction of a `notify` command, if it is one (a query is not).
pub fn op(c: &NotifyCmd) -> Option<Op<'_>> {
    match c {
        NotifyCmd::Mining(c) => mining(c),
        NotifyCmd::Activity(c) => activity(c),
    }
}

fn activity(c: &NotifyActivityCmd) -> Option<Op<'_>> {
    Some(match c {
        NotifyActivityCmd::Start { activity, date } => Op::fixed(move || {
            Ok(Payload::SubmitActivityNotification {
                activity: *activity,
                phase: tamga_types::ActivityPhase::Start,
                date: *date,
            })
        }),
        NotifyActivityCmd::Terminate { activity, date } => Op::fixed(move || {
            Ok(Payload::SubmitActivityNotification {
                activity: *activity,
                phase: tamga_types::ActivityPhase::Termination,
                date: *date,
            })
        }),
        NotifyActivityCmd::List { .. } => return None,
    })
}

fn mining(c: &NotifyMiningCmd) -> Option<Op<'_>> {
    Some(match c {
        NotifyMiningCmd::Start(a) => Op::fixed(move || {
            Ok(Payload::SubmitMiningNotification {
                kind: MiningNotificationKind::Start,
                previous: None,
                site: site(a)?,
            })
        }),
        NotifyMiningCmd::Change(a) | NotifyMiningCmd::Terminate(a) => {
            let kind = match c {
                NotifyMiningCmd::Change(_) => MiningNotificationKind::Change,
                _ => MiningNotificationKind::Termination,
            };
            Op {
                amount_class: None,
                previous_mining: Some(a.previous),
                generated_salt: None,
                build: Box::new(move |ctx| {
                    Ok(Payload::SubmitMiningNotification {
                        kind,
                        previous: Some(a.previous),
                        site: changed_site(a, ctx.previous_site)?,
                    })
                }),
            }
        }
        NotifyMiningCmd::List(_) | NotifyMiningCmd::Show { .. } | NotifyMiningCmd::Totals => return None,
    })
}

fn site(a: &SiteArgs) -> Result<MiningSite, String> {
    Ok(MiningSite {
        region: a.region,
        address: text("address", &a.address)?,
        capacity_kw: a.capacity_kw,
        units: a.units,
        hashrate_ths: a.hashrate_ths,
        energy: a.energy,
        pool: a.pool.as_deref().map(|p| text("pool", p)).transpose()?,
        start_date: a.start_date,
    })
}

/// The previous site with the fields the command gives replaced.
fn changed_site(a: &SiteChangeArgs, previous: Option<&MiningSite>) -> Result<MiningSite, String> {
    let need = |what: &str| format!("--{what} is needed: the site of notification {} is not at hand", a.previous);
    let p = previous;
    Ok(MiningSite {
        region: a.region.or(p.map(|p| p.region)).ok_or_else(|| need("region"))?,
        address: match (&a.address, p) {
            (Some(s), _) => text("address", s)?,
            (None, Some(p)) => p.address.clone(),
            (None, None) => return Err(need("address")),
        },
        capacity_kw: a.capacity_kw.or(p.map(|p| p.capacity_kw)).ok_or_else(|| need("capacity-kw"))?,
        units: a.units.or(p.map(|p| p.units)).ok_or_else(|| need("units"))?,
        hashrate_ths: a.hashrate_ths.or(p.map(|p| p.hashrate_ths)).ok_or_else(|| need("hashrate-ths"))?,
        energy: a.energy.or(p.map(|p| p.energy)).ok_or_else(|| need("energy"))?,
        pool: match (&a.pool, p) {
            (Some(s), _) => Some(text("pool", s)?),
            (None, Some(p)) => p.pool.clone(),
            (None, None) => None,
        },
        start_date: a.start_date.or(p.map(|p| p.start_date)).ok_or_else(|| need("start-date"))?,
    })
}
