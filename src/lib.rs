//! k8s-constitution: one evaluation core (load → normalize → evaluate → findings) behind
//! three front ends: `lint` (files), `serve` (admission webhook) and `audit` (live cluster).

pub mod audit;
pub mod certs;
pub mod cli;
pub mod config;
pub mod core;
pub mod eval_cmd;
pub mod exempt;
pub mod export;
pub mod findings;
pub mod fix;
pub mod lint;
pub mod load;
pub mod object;
pub mod path;
pub mod policy;
pub mod report;
pub mod rule_ids;
pub mod rules_cmd;
pub mod serve;
pub mod testing;
