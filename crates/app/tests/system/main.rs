//! System tests: the compiled `jobping` binary run as an operator runs it, each case in
//! an empty folder of its own, configured only through the environment and
//! `jobping.toml`, against real services on loopback (job boards over HTTP, an SMTP
//! server, PostgreSQL and Redis).

mod boards;
mod commands;
mod dns;
mod double_send;
mod harness;
mod leases;
mod mail;
mod scale_out;
mod services;
mod sqlite_journey;
