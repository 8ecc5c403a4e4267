//! Start-up loading: the command line, config files (with `include`), standard input.
//!
//! Follows redis-server 7.0: the command-line options are turned into config lines appended
//! after the file and standard input, and the whole text is read line by line; the first bad
//! line stops everything with a fatal error naming it.

use std::io::Read;
use std::path::{Path, PathBuf};

use corekv_proto::request::split_args;

use super::table::{self, MULTI_ARG};
use super::text;
use super::{Config, FileState, REDIS_VERSION};

/// Directives Redis no longer uses but still accepts (with exactly one value) and ignores.
const DEPRECATED: [&str; 3] = [
    "list-max-ziplist-entries",
    "list-max-ziplist-value",
    "lua-replicate-commands",
];

/// How deep `include`s may nest. Redis has no limit and overflows its stack on an include
/// loop; corekv stops with an error instead.
const MAX_INCLUDE_DEPTH: usize = 64;

/// The longest piece Redis's reader (`fgets` into a 1024-byte buffer) takes at once.
const READ_CHUNK: usize = 1024;

pub(super) fn version_requested(args: &[String]) -> Option<String> {
    match args.first().map(String::as_str) {
        Some("-v" | "--version") => Some(format!(
            "Redis server v={REDIS_VERSION} sha=00000000:0 malloc=libc bits=64 build=0 \
             corekv={}",
            env!("CARGO_PKG_VERSION")
        )),
        _ => None,
    }
}

fn usage() -> String {
    [
        "Usage: ./corekv-server [/path/to/redis.conf] [options] [-]",
        "       ./corekv-server - (read config from stdin)",
        "       ./corekv-server -v or --version",
        "       ./corekv-server -h or --help",
        "",
        "Examples:",
        "       ./corekv-server (run the server with default conf)",
        "       echo 'maxmemory 128mb' | ./corekv-server -",
        "       ./corekv-server /etc/redis/6379.conf",
        "       ./corekv-server --port 7777",
        "       ./corekv-server --port 7777 --replicaof 127.0.0.1 8888",
        "       ./corekv-server /etc/myredis.conf --loglevel verbose -",
        "       ./corekv-server /etc/myredis.conf --loglevel verbose",
        "       ./corekv-server --shards 4 --port 7777",
    ]
    .join("\n")
}

/// How reading a file or a line failed.
enum Failure {
    /// The reason alone; the caller adds the banner and the line.
    Reason(String),
    /// A complete message (from an included file, which names its own line).
    Complete(String),
}

struct Loader<'a> {
    cfg: Config,
    state: FileState,
    /// The command table as `rename-command` leaves it (lower case), when known.
    commands: Option<Vec<String>>,
    /// How many `include`s enclose the text being read.
    depth: usize,
    stdin: &'a mut dyn Read,
}

pub(super) fn from_args(
    args: &[String],
    commands: Option<&[&str]>,
    stdin: &mut dyn Read,
) -> Result<Config, String> {
    if let Some(version) = version_requested(args) {
        return Err(version);
    }
    match args.first().map(String::as_str) {
        Some("--help" | "-h") => return Err(usage()),
        Some(option @ ("--test-memory" | "--check-system")) => {
            return Err(format!("corekv-server does not implement {option}"))
        }
        _ => {}
    }
    if args.iter().any(|a| a == "--sentinel") {
        return Err("corekv-server does not support Sentinel mode (--sentinel)".to_string());
    }
    let mut loader = Loader {
        cfg: Config::default(),
        state: FileState::default(),
        commands: commands.map(|c| c.iter().map(|n| n.to_ascii_lowercase()).collect()),
        depth: 0,
        stdin,
    };
    let Some(first) = args.first() else {
        // No arguments: Redis reads nothing at all.
        return Ok(loader.cfg);
    };

    let mut j = 0;
    if !first.starts_with('-') {
        let cwd = PathBuf::from(&loader.cfg.dir);
        loader.cfg.config_file = Some(text::absolute_path(first, &cwd));
        j = 1;
    }
    let (options, from_stdin) = options_text(args, j);
    let file = loader
        .cfg
        .config_file
        .as_ref()
        .map(|p| p.to_string_lossy().into_owned());
    loader
        .load_file(file.as_deref(), from_stdin, Some(&options))
        .map_err(|f| match f {
            Failure::Reason(r) => fatal(None, &r),
            Failure::Complete(m) => m,
        })?;
    Ok(loader.cfg)
}

/// Turns `--name value...` arguments (from index `start`) into config lines, one per option,
/// values quoted; also says whether `-` (first or last argument) asks for standard input.
/// As in Redis: an argument starting with `--` right after an option name with no value yet
/// is taken as that value; `--save` with no value means `save ""`.
fn options_text(args: &[String], start: usize) -> (Vec<u8>, bool) {
    let mut options: Vec<u8> = Vec::new();
    let mut from_stdin = false;
    let mut last_option_has_value = true;
    let last = args.len() - 1;
    for (j, arg) in args.iter().enumerate().skip(start) {
        if arg == "-" && (j == 0 || j == last) {
            from_stdin = true;
        } else if last_option_has_value && arg.starts_with("--") {
            if !options.is_empty() {
                options.push(b'\n');
            }
            options.extend_from_slice(&arg.as_bytes()[2..]);
            options.push(b' ');
            // "--port 6380" as one argument carries its own value.
            if words(arg).len() == 1 {
                last_option_has_value = false;
                let is_save = arg.eq_ignore_ascii_case("--save");
                let next_is_option = args.get(j + 1).is_some_and(|n| n.starts_with("--"));
                if is_save && (next_is_option || j == last) {
                    options.extend_from_slice(b"\"\"");
                    last_option_has_value = next_is_option;
                }
            } else {
                last_option_has_value = true;
            }
        } else {
            options.extend_from_slice(text::repr(arg).as_bytes());
            options.push(b' ');
            last_option_has_value = true;
        }
    }
    (options, from_stdin)
}

/// Splits like `sdssplitargs`; unbalanced quotes give no words.
fn words(s: &str) -> Vec<String> {
    let mut buf = Vec::new();
    let mut ranges = Vec::new();
    match split_args(s.as_bytes(), &mut buf, &mut ranges) {
        Ok(()) => ranges
            .into_iter()
            .map(|r| String::from_utf8_lossy(&buf[r]).into_owned())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// The banner Redis prints for a fatal configuration error.
fn fatal(at: Option<(usize, &[u8])>, reason: &str) -> String {
    let mut s = format!("\n*** FATAL CONFIG FILE ERROR (Redis {REDIS_VERSION}) ***\n");
    if let Some((n, line)) = at {
        s.push_str(&format!(
            "Reading the configuration file, at line {n}\n>>> '{}'\n",
            String::from_utf8_lossy(line)
        ));
    }
    s.push_str(reason);
    s
}

/// Appends file contents the way Redis's reader does: in pieces of at most 1023 bytes ending at
/// a newline, each cut at its first NUL byte (C strings).
fn append_c_text(out: &mut Vec<u8>, data: &[u8]) {
    let mut rest = data;
    while !rest.is_empty() {
        let limit = rest.len().min(READ_CHUNK - 1);
        let end = rest[..limit]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(limit, |p| p + 1);
        let piece = &rest[..end];
        let kept = piece.iter().position(|&c| c == 0).unwrap_or(piece.len());
        out.extend_from_slice(&piece[..kept]);
        rest = &rest[end..];
    }
}

fn trim_line(line: &[u8]) -> &[u8] {
    let blank = |c: &u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
    let start = line.iter().position(|c| !blank(c)).unwrap_or(line.len());
    let end = line
        .iter()
        .rposition(|c| !blank(c))
        .map_or(start, |p| p + 1);
    &line[start..end]
}

impl Loader<'_> {
    /// Reads a file (a glob reads every match, in order; no match is fine), then standard input
    /// if asked, then the options, and loads the whole text.
    fn load_file(
        &mut self,
        filename: Option<&str>,
        from_stdin: bool,
        options: Option<&[u8]>,
    ) -> Result<(), Failure> {
        let mut content = Vec::new();
        if let Some(name) = filename {
            // Relative names are relative to `dir` (Redis has chdir()ed there by now).
            let cwd = PathBuf::from(&self.cfg.dir);
            if text::has_glob(name) {
                for path in text::expand_glob(name, &cwd) {
                    read_config(&path, &path.to_string_lossy(), &mut content)?;
                }
            } else {
                read_config(&cwd.join(name), name, &mut content)?;
            }
        }
        if from_stdin {
            let mut input = Vec::new();
            // A read error ends the input, as it ends Redis's fgets loop.
            let _ = self.stdin.read_to_end(&mut input);
            append_c_text(&mut content, &input);
        }
        if let Some(options) = options {
            content.push(b'\n');
            content.extend_from_slice(options);
        }
        self.load_text(&content).map_err(Failure::Complete)
    }

    /// Loads config text. `Err` is the complete fatal message.
    fn load_text(&mut self, content: &[u8]) -> Result<(), String> {
        self.state.reading = true;
        let lines: Vec<&[u8]> = if content.is_empty() {
            Vec::new()
        } else {
            content.split(|&c| c == b'\n').collect()
        };
        for (i, raw) in lines.iter().enumerate() {
            let line = trim_line(raw);
            if line.is_empty() || line[0] == b'#' {
                continue;
            }
            let mut buf = Vec::new();
            let mut ranges = Vec::new();
            if split_args(line, &mut buf, &mut ranges).is_err() {
                return Err(fatal(
                    Some((i + 1, line)),
                    "Unbalanced quotes in configuration line",
                ));
            }
            let mut argv: Vec<String> = ranges
                .into_iter()
                .map(|r| String::from_utf8_lossy(&buf[r]).into_owned())
                .collect();
            let Some(name) = argv.first_mut() else {
                continue;
            };
            name.make_ascii_lowercase();
            match self.directive(&argv) {
                Ok(()) => {}
                Err(Failure::Reason(reason)) => return Err(fatal(Some((i + 1, line)), &reason)),
                Err(Failure::Complete(message)) => return Err(message),
            }
        }

        if !self.cfg.logfile.is_empty() {
            // Redis opens the log file here to fail early (creating it, as it will anyway).
            let path = Path::new(&self.cfg.dir).join(&self.cfg.logfile);
            if let Err(e) = std::fs::OpenOptions::new()
                .append(true)
                .create(true)
                .open(path)
            {
                let reason = format!("Can't open the log file: {}", text::strerror(&e));
                return Err(fatal(None, &reason));
            }
        }
        if self.cfg.text_of("cluster-enabled") == "yes" && self.cfg.replicaof.is_some() {
            return Err(fatal(
                None,
                "replicaof directive not allowed in cluster mode",
            ));
        }
        self.cfg.clamp_hz();
        self.state.reading = false;
        Ok(())
    }

    /// One config line, already split, with its name lower-cased.
    fn directive(&mut self, argv: &[String]) -> Result<(), Failure> {
        let name = argv[0].as_str();
        let argc = argv.len();
        if let Some(found) = table::lookup(name.as_bytes()) {
            let multi = found.def().has(MULTI_ARG);
            if !multi && argc != 2 {
                return Err(Failure::Reason("wrong number of arguments".to_string()));
            }
            // `save "3600 1 300 100"`: a multi-word parameter given as one quoted word.
            let words = if multi && argc == 2 && !argv[1].is_empty() {
                words(&argv[1])
            } else {
                argv[1..].to_vec()
            };
            return self
                .cfg
                .set_words(found.index, &words, Some(&mut self.state))
                .map(|_| ())
                .map_err(Failure::Reason);
        }
        if argc == 2 && DEPRECATED.contains(&name) {
            return Ok(());
        }
        let reason = match name {
            "include" if argc == 2 && self.depth >= MAX_INCLUDE_DEPTH => {
                "Too many nested includes (does a file include itself?)"
            }
            "include" if argc == 2 => {
                self.depth += 1;
                let result = self.load_file(Some(&argv[1]), false, None);
                self.depth -= 1;
                return result;
            }
            "rename-command" if argc == 3 => return self.rename_command(&argv[1], &argv[2]),
            "user" if argc >= 2 => {
                self.cfg.users.push(argv[1..].to_vec());
                return Ok(());
            }
            "loadmodule" if argc >= 2 => {
                self.cfg.loadmodules.push(argv[1..].to_vec());
                return Ok(());
            }
            _ if name.contains('.') => {
                if argc < 2 {
                    "Module config specified without value"
                } else {
                    let value = argv[1..].join(" ");
                    let configs = &mut self.cfg.module_configs;
                    match configs.iter_mut().find(|(n, _)| n == name) {
                        Some(entry) => entry.1 = value,
                        None => configs.push((name.to_string(), value)),
                    }
                    return Ok(());
                }
            }
            "sentinel" if argc == 1 => return Ok(()),
            "sentinel" => "sentinel directive while not in sentinel mode",
            _ => "Bad directive or wrong number of arguments",
        };
        Err(Failure::Reason(reason.to_string()))
    }

    fn rename_command(&mut self, old: &str, new: &str) -> Result<(), Failure> {
        if let Some(commands) = &mut self.commands {
            let Some(at) = commands.iter().position(|c| c.eq_ignore_ascii_case(old)) else {
                return Err(Failure::Reason(
                    "No such command in rename-command".to_string(),
                ));
            };
            commands.remove(at);
            if !new.is_empty() {
                if commands.iter().any(|c| c.eq_ignore_ascii_case(new)) {
                    return Err(Failure::Reason(
                        "Target command name already exists".to_string(),
                    ));
                }
                commands.push(new.to_ascii_lowercase());
            }
        }
        self.cfg
            .rename_commands
            .push((old.to_string(), new.to_string()));
        Ok(())
    }
}

/// Reads one config file. A file that cannot be opened is fatal; a directory opens and reads
/// as empty, as it does for Redis.
fn read_config(path: &Path, shown: &str, out: &mut Vec<u8>) -> Result<(), Failure> {
    let mut file = std::fs::File::open(path).map_err(|e| {
        Failure::Complete(format!(
            "Fatal error, can't open config file '{shown}': {}",
            text::strerror(&e)
        ))
    })?;
    let mut data = Vec::new();
    // A read error (EISDIR for a directory) ends the file.
    let _ = file.read_to_end(&mut data);
    append_c_text(out, &data);
    Ok(())
}
