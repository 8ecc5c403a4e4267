//! Commands the server implements itself (`Route::Server` rows): connection state,
//! introspection and administration. One module per area; `run` maps a row's `ServerCmd` to
//! its handler (an exhaustive match, so a row without a handler does not compile).
//!
//! A handler writes exactly one reply with `ex.out()` and returns `Ok(())`, or returns the
//! error to reply with. Handlers that read or change other shards' state start with
//! `ex.barrier().await` so that everything the client sent before them has run.

pub mod client_cmd;
pub mod config_cmd;
pub mod connection;
pub mod coord;
pub mod debug;
pub mod info;
pub mod introspect;
pub mod keyspace;

use corekv_shard::cmd::ServerCmd;
use corekv_shard::error::OpError;

use crate::client::ClientRef;
use crate::config::ProtectedConfig;
use crate::dispatch::Exchange;

pub type HandlerResult = Result<(), OpError>;

pub async fn run(cmd: ServerCmd, ex: &mut Exchange<'_>, args: &[&[u8]]) -> HandlerResult {
    use ServerCmd as S;
    match cmd {
        S::Ping => connection::ping(ex, args),
        S::Echo => connection::echo(ex, args),
        S::Quit => connection::quit(ex),
        S::Hello => connection::hello(ex, args).await,
        S::Reset => connection::reset(ex).await,
        S::Auth => connection::auth(ex, args),
        S::Select => connection::select(ex, args),
        S::Time => connection::time(ex),
        S::Lastsave => connection::lastsave(ex),
        S::Role => connection::role(ex),
        S::Readonly | S::Readwrite => connection::cluster_disabled(),
        S::Lolwut => connection::lolwut(ex),
        S::Shutdown => connection::shutdown(ex, args),
        S::ClientId => client_cmd::id(ex),
        S::ClientSetName => client_cmd::setname(ex, args),
        S::ClientGetName => client_cmd::getname(ex),
        S::ClientList => client_cmd::list(ex, args).await,
        S::ClientInfo => client_cmd::info(ex),
        S::ClientKill => client_cmd::kill(ex, args).await,
        S::ClientNoEvict => client_cmd::no_evict(ex, args),
        S::ClientReply => client_cmd::reply(ex, args),
        S::ClientHelp => client_cmd::help(ex),
        S::ClientUnblock => client_cmd::unblock(ex, args).await,
        S::ClientPause
        | S::ClientUnpause
        | S::ClientTracking
        | S::ClientCaching
        | S::ClientGetRedir
        | S::ClientTrackingInfo => client_cmd::not_yet(ex, args),
        S::Info => info::info(ex, args).await,
        S::ConfigGet => config_cmd::get(ex, args),
        S::ConfigSet => config_cmd::set(ex, args).await,
        S::ConfigResetStat => config_cmd::resetstat(ex).await,
        S::ConfigRewrite => config_cmd::rewrite(ex).await,
        S::ConfigHelp => config_cmd::help(ex),
        S::Debug => debug::debug(ex, args).await,
        S::CommandAll => introspect::all(ex),
        S::CommandCount => introspect::count(ex),
        S::CommandInfo => introspect::info(ex, args),
        S::CommandDocs => introspect::docs(ex, args),
        S::CommandList => introspect::list(ex, args),
        S::CommandGetKeys => introspect::getkeys(ex, args, false),
        S::CommandGetKeysAndFlags => introspect::getkeys(ex, args, true),
        S::CommandHelp => introspect::help(ex),
        S::FunctionFlush => connection::function_flush(ex, args),
    }
}

/// Whether a protected command (DEBUG) may run for this client under the given setting.
pub fn protected_allowed(setting: ProtectedConfig, client: &ClientRef) -> bool {
    match setting {
        ProtectedConfig::Yes => true,
        ProtectedConfig::No => false,
        ProtectedConfig::Local => {
            let c = client.borrow();
            c.unix || c.addr.starts_with("127.") || c.addr.starts_with("[::1]")
        }
    }
}

/// Writes a HELP reply: the title line and the lines, as simple strings.
pub fn help_reply(ex: &mut Exchange<'_>, title: &str, lines: &[&str]) {
    let w = ex.out();
    w.array(lines.len() + 3);
    w.simple(title);
    for l in lines {
        w.simple(l);
    }
    w.simple("HELP");
    w.simple("    Print this help.");
}
