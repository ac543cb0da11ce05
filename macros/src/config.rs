//! Arguments of `#[runtime::main(..)]` / `#[runtime::test(..)]`, parsed into a checked
//! [`Config`].
//!
//! Every argument is `key = literal`, except the bare flags `simulation` and `no_simulation`
//! (tests only). Each mistake becomes a `syn::Error` spanned at the token
//! that caused it (the key for unknown, duplicate or misplaced keys, the literal for bad values),
//! and all mistakes are reported together. On any mistake the caller still gets a usable
//! default [`Config`] so it can emit the function and keep IDEs working.

use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Ident, Lit, Token};

/// The keys accepted, in the order the error message lists them.
const KEYS: &str = "`flavor`, `worker_threads`, `start_paused`, `unhandled_panic`, `simulation`, `seeds`, \
     `no_simulation`, `crate`";

/// Seeds a `#[runtime::test(simulation)]` runs without `seeds = N`: the figure for
/// running the ordinary test suite under simulation in CI.
pub(crate) const DEFAULT_SEEDS: u64 = 20;

/// Which attribute is being expanded; it decides the default flavor and some messages.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    Main,
    Test,
}

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Main => "main",
            Kind::Test => "test",
        }
    }
}

/// The scheduler the generated runtime uses.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Flavor {
    MultiThread,
    CurrentThread,
    /// A current-thread `LocalRuntime`: the body may `spawn_local` `!Send` tasks.
    Local,
}

/// What the runtime does when a spawned task panics.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum UnhandledPanic {
    Ignore,
    ShutdownRuntime,
}

/// A checked configuration: every combination it can hold is valid.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    pub(crate) flavor: Flavor,
    pub(crate) worker_threads: Option<usize>,
    pub(crate) start_paused: Option<bool>,
    pub(crate) unhandled_panic: Option<UnhandledPanic>,
    /// `#[runtime::test(simulation, seeds = N)]`: run the body under this many seeds.
    pub(crate) simulation: Option<u64>,
    /// `#[runtime::test(no_simulation)]`: never run under `RUNTIME_TEST_FLAVOR=simulation`
    /// (the test needs real threads, sockets or wall time).
    pub(crate) no_simulation: bool,
    /// Path of the `runtime` crate in the user's namespace (default `::runtime`).
    pub(crate) crate_path: TokenStream,
}

impl Config {
    /// The configuration used when no argument is given (and after an error).
    pub(crate) fn default_for(kind: Kind) -> Self {
        Config {
            flavor: match kind {
                Kind::Main => Flavor::MultiThread,
                Kind::Test => Flavor::CurrentThread,
            },
            worker_threads: None,
            start_paused: None,
            unhandled_panic: None,
            simulation: None,
            no_simulation: false,
            crate_path: quote::quote!(::runtime),
        }
    }
}

/// One `key = literal` argument, or a bare flag (`simulation`).
struct Arg {
    key: Ident,
    value: Option<Lit>,
}

impl Parse for Arg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        // `parse_any` so that the keyword `crate` is accepted as a key.
        let key = input.call(Ident::parse_any)?;
        if (key == "simulation" || key == "no_simulation") && !input.peek(Token![=]) {
            return Ok(Arg { key, value: None });
        }
        if !input.peek(Token![=]) {
            return Err(syn::Error::new(
                key.span(),
                format!("expected `{key} = <value>`; arguments are written as `key = value`"),
            ));
        }
        input.parse::<Token![=]>()?;
        let value = input.parse::<Lit>().map_err(|e| {
            syn::Error::new(
                e.span(),
                "expected a literal value such as `\"current_thread\"`, `4` or `true`",
            )
        })?;
        Ok(Arg {
            key,
            value: Some(value),
        })
    }
}

/// Parses and checks the attribute arguments. Returns the configuration to expand with and the
/// combined error, if any (in which case the configuration holds defaults).
pub(crate) fn parse(args: TokenStream, kind: Kind) -> (Config, Option<syn::Error>) {
    let mut config = Config::default_for(kind);
    let parsed = match Punctuated::<Arg, Token![,]>::parse_terminated.parse2(args) {
        Ok(parsed) => parsed,
        Err(e) => return (config, Some(e)),
    };

    let mut errors = Errors(None);
    let mut seen: Vec<String> = Vec::new();
    let mut flavor_set = false;
    let mut worker_key: Option<Span> = None;
    let mut paused_key: Option<Span> = None;
    let mut simulation_key: Option<Span> = None;
    let mut no_simulation_key: Option<Span> = None;
    let mut seeds: Option<(Span, u64)> = None;
    for Arg { key, value } in parsed {
        let name = key.unraw().to_string();
        if seen.contains(&name) {
            errors.push(key.span(), format!("`{name}` is set more than once"));
            continue;
        }
        seen.push(name.clone());
        let value = match value {
            Some(value) => value,
            None if name == "no_simulation" => {
                no_simulation_key = Some(key.span());
                continue;
            }
            None => {
                // The bare `simulation` flag (the parser accepts no other).
                simulation_key = Some(key.span());
                continue;
            }
        };
        match name.as_str() {
            "no_simulation" => errors.push(
                key.span(),
                "`no_simulation` is a flag: write `#[runtime::test(no_simulation)]`",
            ),
            "simulation" => errors.push(
                key.span(),
                "`simulation` is a flag: write `#[runtime::test(simulation)]` or \
                 `#[runtime::test(simulation, seeds = 100)]`",
            ),
            "seeds" => match &value {
                Lit::Int(int) => match int.base10_parse::<u64>() {
                    Ok(0) => errors.push(int.span(), "`seeds` must be at least 1"),
                    Ok(n) => seeds = Some((key.span(), n)),
                    Err(e) => errors.push(int.span(), format!("invalid `seeds`: {e}")),
                },
                other => errors.push(
                    other.span(),
                    "`seeds` expects a positive integer, e.g. `seeds = 1000`",
                ),
            },
            "flavor" => match string(&value, "flavor").as_deref() {
                Ok("multi_thread") => (config.flavor, flavor_set) = (Flavor::MultiThread, true),
                Ok("current_thread") => (config.flavor, flavor_set) = (Flavor::CurrentThread, true),
                Ok("local") => (config.flavor, flavor_set) = (Flavor::Local, true),
                Ok(other) => errors.push(
                    value.span(),
                    format!(
                        "unknown runtime flavor `{other}`; expected \"multi_thread\", \"current_thread\" or \"local\""
                    ),
                ),
                Err(e) => errors.0 = Some(join(errors.0.take(), e.clone())),
            },
            "worker_threads" => {
                worker_key = Some(key.span());
                match &value {
                    Lit::Int(int) => match int.base10_parse::<usize>() {
                        Ok(0) => errors.push(int.span(), "`worker_threads` must be greater than zero"),
                        Ok(n) => config.worker_threads = Some(n),
                        Err(e) => errors.push(int.span(), format!("invalid `worker_threads`: {e}")),
                    },
                    other => errors.push(
                        other.span(),
                        "`worker_threads` expects a positive integer, e.g. `worker_threads = 4`",
                    ),
                }
            }
            "start_paused" => {
                paused_key = Some(key.span());
                match &value {
                    Lit::Bool(b) => config.start_paused = Some(b.value),
                    other => errors.push(
                        other.span(),
                        "`start_paused` expects `true` or `false`",
                    ),
                }
            }
            "unhandled_panic" => match string(&value, "unhandled_panic").as_deref() {
                Ok("ignore") => config.unhandled_panic = Some(UnhandledPanic::Ignore),
                Ok("shutdown_runtime") => {
                    config.unhandled_panic = Some(UnhandledPanic::ShutdownRuntime)
                }
                Ok(other) => errors.push(
                    value.span(),
                    format!(
                        "unknown `unhandled_panic` behavior `{other}`; expected \"ignore\" or \"shutdown_runtime\""
                    ),
                ),
                Err(e) => errors.0 = Some(join(errors.0.take(), e.clone())),
            },
            "crate" => match &value {
                Lit::Str(s) => match s.parse::<syn::Path>() {
                    Ok(path) => config.crate_path = path.into_token_stream(),
                    Err(_) => errors.push(
                        s.span(),
                        format!("`crate` expects a path such as \"my_runtime\", found \"{}\"", s.value()),
                    ),
                },
                other => errors.push(other.span(), "`crate` expects a string, e.g. `crate = \"my_runtime\"`"),
            },
            "core_threads" | "max_threads" => errors.push(
                key.span(),
                format!("unknown argument `{name}`; did you mean `worker_threads`?"),
            ),
            _ => errors.push(key.span(), format!("unknown argument `{name}`; expected one of {KEYS}")),
        }
    }

    // Combination checks, once the flavor is known.
    if let Some(span) = no_simulation_key {
        if kind == Kind::Main {
            errors.push(span, "`no_simulation` is for `#[runtime::test]`");
        }
        if simulation_key.is_some() {
            errors.push(span, "`no_simulation` contradicts `simulation`: keep one");
        }
        config.no_simulation = true;
    }
    if let Some(span) = simulation_key {
        if kind == Kind::Main {
            errors.push(
                span,
                "`simulation` is for `#[runtime::test]`; a program builds its simulation with \
                 `Builder::new_simulation(seed)`",
            );
        }
        if flavor_set || worker_key.is_some() || paused_key.is_some() {
            errors.push(
                span,
                "`simulation` is a flavor of its own (one seeded thread, time always paused): \
                 drop `flavor`, `worker_threads` and `start_paused`",
            );
        }
        if config.unhandled_panic.is_some() {
            errors.push(
                span,
                "`unhandled_panic` does not apply to `simulation`: a task's panic reaches the \
                 test through its `JoinHandle`",
            );
        }
        config.simulation = Some(seeds.map_or(DEFAULT_SEEDS, |(_, n)| n));
    } else if let Some((span, _)) = seeds {
        errors.push(
            span,
            "`seeds` needs the `simulation` flag: `#[runtime::test(simulation, seeds = N)]`",
        );
    }
    if simulation_key.is_some() && (flavor_set || worker_key.is_some() || paused_key.is_some()) {
        // Reported above; skip the flavor checks below, which would repeat it.
    } else {
        if let (Some(span), Flavor::CurrentThread | Flavor::Local) = (worker_key, config.flavor) {
            let hint = if flavor_set {
                "`worker_threads` only applies to the \"multi_thread\" flavor"
            } else {
                "`worker_threads` requires `flavor = \"multi_thread\"` (tests default to \"current_thread\")"
            };
            errors.push(span, hint);
        }
        if let (Some(span), Flavor::MultiThread) = (paused_key, config.flavor) {
            errors.push(
                span,
                format!(
                    "`start_paused` is only supported by the \"current_thread\" flavor{}",
                    if kind == Kind::Main && !flavor_set {
                        " (`main` defaults to \"multi_thread\"; add `flavor = \"current_thread\"`)"
                    } else {
                        ""
                    }
                ),
            );
        }
    }
    match errors.0 {
        None => (config, None),
        Some(e) => {
            // Keep only the crate path so the fallback expansion still resolves.
            let crate_path = config.crate_path;
            let mut fallback = Config::default_for(kind);
            fallback.crate_path = crate_path;
            (fallback, Some(e))
        }
    }
}

/// The value of a string literal, or an error naming the key that wanted one.
fn string(value: &Lit, key: &str) -> syn::Result<String> {
    match value {
        Lit::Str(s) => Ok(s.value()),
        other => Err(syn::Error::new(
            other.span(),
            format!("`{key}` expects a string literal, e.g. `{key} = \"...\"`"),
        )),
    }
}

fn join(first: Option<syn::Error>, next: syn::Error) -> syn::Error {
    match first {
        None => next,
        Some(mut e) => {
            e.combine(next);
            e
        }
    }
}

/// Accumulates every error so the user sees all of them at once.
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        self.0 = Some(join(self.0.take(), syn::Error::new(span, message)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn err(args: TokenStream, kind: Kind) -> String {
        parse(args, kind).1.expect("expected an error").to_string()
    }

    #[test]
    fn defaults_per_kind() {
        let (main, e) = parse(TokenStream::new(), Kind::Main);
        assert!(e.is_none());
        assert_eq!(main.flavor, Flavor::MultiThread);
        let (test, _) = parse(TokenStream::new(), Kind::Test);
        assert_eq!(test.flavor, Flavor::CurrentThread);
        assert_eq!(test.crate_path.to_string(), ":: runtime");
    }

    #[test]
    fn every_key_is_read() {
        let (c, e) = parse(
            quote!(
                flavor = "multi_thread",
                worker_threads = 3,
                unhandled_panic = "shutdown_runtime",
                crate = "rt2"
            ),
            Kind::Main,
        );
        assert!(e.is_none(), "{e:?}");
        assert_eq!((c.flavor, c.worker_threads), (Flavor::MultiThread, Some(3)));
        assert_eq!(c.unhandled_panic, Some(UnhandledPanic::ShutdownRuntime));
        assert_eq!(c.crate_path.to_string(), "rt2");
        let (c, e) = parse(
            quote!(
                flavor = "current_thread",
                start_paused = true,
                unhandled_panic = "ignore"
            ),
            Kind::Main,
        );
        assert!(e.is_none());
        assert_eq!(
            (c.flavor, c.start_paused),
            (Flavor::CurrentThread, Some(true))
        );
        assert_eq!(c.unhandled_panic, Some(UnhandledPanic::Ignore));
    }

    #[test]
    fn the_local_flavor_is_read_and_takes_no_worker_threads() {
        let (c, e) = parse(quote!(flavor = "local", start_paused = true), Kind::Main);
        assert!(e.is_none(), "{e:?}");
        assert_eq!((c.flavor, c.start_paused), (Flavor::Local, Some(true)));
        assert!(
            err(quote!(flavor = "local", worker_threads = 2), Kind::Test)
                .contains("only applies to the \"multi_thread\" flavor")
        );
        assert!(
            err(quote!(flavor = "locale"), Kind::Main)
                .contains("expected \"multi_thread\", \"current_thread\" or \"local\"")
        );
    }

    #[test]
    fn mistakes_are_reported() {
        assert!(err(quote!(foo = 1), Kind::Main).contains("unknown argument `foo`"));
        assert!(
            err(quote!(flavor = "single"), Kind::Main).contains("unknown runtime flavor `single`")
        );
        assert!(err(quote!(flavor = 1), Kind::Main).contains("expects a string literal"));
        assert!(err(quote!(worker_threads = 0), Kind::Main).contains("greater than zero"));
        assert!(
            err(quote!(start_paused = true), Kind::Main)
                .contains("only supported by the \"current_thread\"")
        );
        assert!(
            err(quote!(worker_threads = 2), Kind::Test)
                .contains("requires `flavor = \"multi_thread\"`")
        );
        assert!(
            err(
                quote!(flavor = "current_thread", flavor = "current_thread"),
                Kind::Main
            )
            .contains("set more than once")
        );
        assert!(
            err(quote!(core_threads = 2), Kind::Main).contains("did you mean `worker_threads`")
        );
        assert!(
            err(quote!(unhandled_panic = "abort"), Kind::Main)
                .contains("unknown `unhandled_panic`")
        );
        assert!(err(quote!(flavor), Kind::Main).contains("expected `flavor = <value>`"));
        assert!(err(quote!(crate = "a b"), Kind::Main).contains("`crate` expects a path"));
    }

    #[test]
    fn error_keeps_crate_path_and_defaults() {
        let (c, e) = parse(quote!(crate = "rt2", worker_threads = 0), Kind::Main);
        assert!(e.is_some());
        assert_eq!(c.crate_path.to_string(), "rt2");
        assert_eq!(c.worker_threads, None);
    }
}
