//! Expansion of `#[runtime::main]` and `#[runtime::test]`.
//!
//! The function is parsed *shallowly*: outer attributes, visibility, signature, and the body
//! kept as raw tokens (inner attributes are lifted out). Nothing inside the body is parsed, so
//! expansion is cheap and every span in the body survives untouched.
//!
//! The expansion drops `async`, wraps the body in an `async move` block whose output is annotated
//! with the declared return type (so a type mistake is reported against the user's code, not
//! against the generated call), builds the configured runtime through the hidden path
//! `<crate>::__private::Builder`, and `return`s `block_on(body)`.
//!
//! Error recovery: a bad argument or signature still produces the expanded function (with a
//! default configuration) next to the `compile_error!`, so the rest of the crate type-checks and
//! IDEs keep working.

use crate::config::{self, Config, Flavor, Kind, UnhandledPanic};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::{AttrStyle, Attribute, ReturnType, Signature, Type, Visibility, braced};

/// A function parsed only as far as the expansion needs.
struct EntryFn {
    attrs: Vec<Attribute>,
    vis: Visibility,
    sig: Signature,
    body: TokenStream,
}

impl Parse for EntryFn {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut attrs = input.call(Attribute::parse_outer)?;
        let vis = input.parse()?;
        let sig = input.parse()?;
        let content;
        braced!(content in input);
        // Inner attributes (`#![allow(..)]`) become outer ones of the generated function.
        let inner = content.call(Attribute::parse_inner)?;
        attrs.extend(inner.into_iter().map(|attr| Attribute {
            style: AttrStyle::Outer,
            ..attr
        }));
        let body = content.parse()?;
        Ok(EntryFn {
            attrs,
            vis,
            sig,
            body,
        })
    }
}

/// Expands `#[runtime::main]` (`kind == Main`) or `#[runtime::test]` (`kind == Test`).
pub(crate) fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let (config, mut error) = config::parse(args, kind);
    let mut func = match syn::parse2::<EntryFn>(item.clone()) {
        Ok(func) => func,
        Err(e) => {
            // Not a function: hand the item back unchanged so only our error shows.
            let e = e.to_compile_error();
            return quote!(#item #e);
        }
    };

    let mut push = |e: syn::Error| match &mut error {
        Some(first) => first.combine(e),
        None => error = Some(e),
    };
    if func.sig.asyncness.is_none() {
        push(syn::Error::new_spanned(
            func.sig.fn_token,
            format!(
                "the `async` keyword is missing from the function declaration \
                 (`#[runtime::{}]` needs an `async fn`)",
                kind.name()
            ),
        ));
    }
    if !func.sig.inputs.is_empty() {
        let what = match kind {
            Kind::Main => "the `main` function cannot accept arguments",
            Kind::Test => "test functions cannot accept arguments",
        };
        push(syn::Error::new_spanned(&func.sig.inputs, what));
        func.sig.inputs.clear();
    }
    if kind == Kind::Test {
        if let Some(attr) = func.attrs.iter().find(|a| a.path().is_ident("test")) {
            push(syn::Error::new_spanned(
                attr,
                "a second `#[test]` attribute is supplied; `#[runtime::test]` already adds one",
            ));
        }
        func.attrs.retain(|a| !a.path().is_ident("test"));
    }

    let expanded = generate(kind, &config, func);
    match error {
        Some(e) => {
            let e = e.to_compile_error();
            quote!(#e #expanded)
        }
        None => expanded,
    }
}

/// Whether a `#[runtime::test]` may run under the simulation flavor when the suite is run
/// that way (`RUNTIME_TEST_FLAVOR=simulation`): a plain current-thread test (no
/// `no_simulation`, no `unhandled_panic`, which the simulation does not apply) whose output
/// `sim::check` can judge (`()` or a `Result`).
fn suite_can_simulate(config: &Config, sig: &Signature) -> bool {
    let judged = match &sig.output {
        ReturnType::Default => true,
        ReturnType::Type(_, ty) => match &**ty {
            Type::Tuple(tuple) => tuple.elems.is_empty(),
            Type::Path(path) => path
                .path
                .segments
                .last()
                .is_some_and(|last| last.ident == "Result"),
            _ => false,
        },
    };
    judged
        && !config.no_simulation
        && config.simulation.is_none()
        && config.unhandled_panic.is_none()
        && config.flavor == Flavor::CurrentThread
}

/// The type to annotate the body's output with, when it can be named in a `let`.
fn output_type(sig: &Signature) -> Option<TokenStream> {
    match &sig.output {
        ReturnType::Default => Some(quote!(())),
        // `impl Trait` and `!` cannot annotate a `let`; leave those to inference.
        ReturnType::Type(_, ty) => match &**ty {
            Type::ImplTrait(_) | Type::Never(_) => None,
            ty => Some(ty.to_token_stream()),
        },
    }
}

fn generate(kind: Kind, config: &Config, func: EntryFn) -> TokenStream {
    let EntryFn {
        attrs,
        vis,
        mut sig,
        body,
    } = func;
    sig.asyncness = None;
    let mixed = Span::mixed_site();

    let suite_ok = kind == Kind::Test && suite_can_simulate(config, &sig);
    let body = match output_type(&sig) {
        Some(ty) => quote_spanned! {mixed=>
            async move {
                let __runtime_output: #ty = { #body };
                // Unreachable when the body diverges (ends in `panic!`, `loop {}`, ...).
                #[allow(unreachable_code, clippy::needless_return)]
                return __runtime_output;
            }
        },
        None => quote_spanned!(mixed=> async move { #body }),
    };

    let krate = &config.crate_path;
    if let Some(seeds) = config.simulation {
        // One fresh simulation runtime per seed (`runtime::sim::check`), the body rebuilt
        // for each.
        let ident = &sig.ident;
        return quote_spanned! {mixed=>
            #[::core::prelude::v1::test]
            #(#attrs)*
            #vis #sig {
                return #krate::sim::check(
                    ::core::concat!(::core::module_path!(), "::", ::core::stringify!(#ident)),
                    #seeds,
                    || #body,
                );
            }
        };
    }
    let ctor = match config.flavor {
        Flavor::MultiThread => quote!(new_multi_thread),
        Flavor::CurrentThread | Flavor::Local => quote!(new_current_thread),
    };
    let build = match config.flavor {
        Flavor::Local => {
            quote_spanned!(mixed=> build_local(#krate::__private::LocalOptions::default()))
        }
        Flavor::MultiThread | Flavor::CurrentThread => quote_spanned!(mixed=> build()),
    };
    let mut builder = quote_spanned!(mixed=> #krate::__private::Builder::#ctor());
    if let Some(n) = config.worker_threads {
        builder.extend(quote_spanned!(mixed=> .worker_threads(#n)));
    }
    if let Some(paused) = config.start_paused {
        builder.extend(quote_spanned!(mixed=> .start_paused(#paused)));
    }
    if let Some(policy) = config.unhandled_panic {
        let variant = match policy {
            UnhandledPanic::Ignore => quote!(Ignore),
            UnhandledPanic::ShutdownRuntime => quote!(ShutdownRuntime),
        };
        builder.extend(quote_spanned! {mixed=>
            .unhandled_panic(#krate::__private::UnhandledPanic::#variant)
        });
    }
    let failure = format!("`#[runtime::{}]` failed to build its runtime", kind.name());
    let test_attr = match kind {
        Kind::Test => quote!(#[::core::prelude::v1::test]),
        Kind::Main => TokenStream::new(),
    };

    if suite_ok {
        // Under `RUNTIME_TEST_FLAVOR=simulation` (the CI step running the suite under the
        // simulation flavor) the body runs under the seeds `suite_check` reads instead.
        let ident = &sig.ident;
        return quote_spanned! {mixed=>
            #test_attr
            #(#attrs)*
            #vis #sig {
                let __runtime_make = || #body;
                if #krate::__private::suite_is_simulation() {
                    return #krate::__private::suite_check(
                        ::core::concat!(::core::module_path!(), "::", ::core::stringify!(#ident)),
                        __runtime_make,
                    );
                }
                #[allow(clippy::expect_used, clippy::needless_return)]
                {
                    return #builder
                        .#build
                        .expect(#failure)
                        .block_on(__runtime_make());
                }
            }
        };
    }
    quote_spanned! {mixed=>
        #test_attr
        #(#attrs)*
        #vis #sig {
            let __runtime_body = #body;
            #[allow(clippy::expect_used, clippy::needless_return)]
            {
                return #builder
                    .#build
                    .expect(#failure)
                    .block_on(__runtime_body);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn expand_str(kind: Kind, args: TokenStream, item: TokenStream) -> String {
        expand(kind, args, item).to_string()
    }

    #[test]
    fn main_expands_to_builder_and_block_on() {
        let out = expand_str(
            Kind::Main,
            quote!(worker_threads = 2),
            quote!(
                #[doc = "hi"]
                async fn main() -> Result<(), E> {
                    Ok(())
                }
            ),
        );
        assert!(
            out.contains("new_multi_thread () . worker_threads (2usize)"),
            "{out}"
        );
        assert!(out.contains("# [doc = \"hi\"]"), "{out}");
        assert!(
            out.contains("let __runtime_output : Result < () , E >"),
            "{out}"
        );
        assert!(!out.contains("async fn"), "{out}");
        assert!(!out.contains("compile_error"), "{out}");
    }

    #[test]
    fn test_adds_test_attribute_and_current_thread() {
        let out = expand_str(
            Kind::Test,
            quote!(start_paused = true, crate = "rt2"),
            quote!(
                #[should_panic]
                async fn t() {
                    #![allow(unused)]
                    panic!()
                }
            ),
        );
        assert!(
            out.starts_with("# [:: core :: prelude :: v1 :: test]"),
            "{out}"
        );
        assert!(out.contains(
            "rt2 :: __private :: Builder :: new_current_thread () . start_paused (true)"
        ));
        assert!(out.contains("# [should_panic] # [allow (unused)]"), "{out}");
    }

    #[test]
    fn plain_tests_ask_whether_the_suite_runs_under_simulation_and_opted_out_ones_do_not() {
        let plain = expand_str(
            Kind::Test,
            quote!(),
            quote!(
                async fn t() {}
            ),
        );
        assert!(plain.contains("suite_is_simulation ()"), "{plain}");
        assert!(
            plain.contains(":: runtime :: __private :: suite_check ("),
            "{plain}"
        );
        let result = expand_str(
            Kind::Test,
            quote!(),
            quote!(
                async fn t() -> std::io::Result<()> {
                    Ok(())
                }
            ),
        );
        assert!(result.contains("suite_is_simulation ()"), "{result}");
        for (args, item) in [
            (
                quote!(no_simulation),
                quote!(
                    async fn t() {}
                ),
            ),
            (
                quote!(flavor = "multi_thread"),
                quote!(
                    async fn t() {}
                ),
            ),
            (
                quote!(flavor = "local"),
                quote!(
                    async fn t() {}
                ),
            ),
            (
                quote!(unhandled_panic = "shutdown_runtime"),
                quote!(
                    async fn t() {}
                ),
            ),
            (
                quote!(),
                quote!(
                    async fn t() -> u32 {
                        1
                    }
                ),
            ),
        ] {
            let out = expand_str(Kind::Test, args, item);
            assert!(!out.contains("suite_is_simulation"), "{out}");
            assert!(!out.contains("compile_error"), "{out}");
        }
        let main = expand_str(
            Kind::Main,
            quote!(),
            quote!(
                async fn main() {}
            ),
        );
        assert!(!main.contains("suite_is_simulation"), "{main}");
    }

    #[test]
    fn no_simulation_mistakes_are_named() {
        let err = |args: TokenStream| {
            expand_str(
                Kind::Test,
                args,
                quote!(
                    async fn t() {}
                ),
            )
        };
        assert!(err(quote!(no_simulation, simulation)).contains("contradicts `simulation`"));
        assert!(err(quote!(no_simulation = true)).contains("`no_simulation` is a flag"));
        let main = expand_str(
            Kind::Main,
            quote!(no_simulation),
            quote!(
                async fn main() {}
            ),
        );
        assert!(
            main.contains("`no_simulation` is for `#[runtime::test]`"),
            "{main}"
        );
    }

    #[test]
    fn simulation_runs_the_body_under_seeds_through_sim_check() {
        let out = expand_str(
            Kind::Test,
            quote!(simulation, seeds = 1000),
            quote!(
                async fn finds_it() {}
            ),
        );
        assert!(out.contains(":: runtime :: sim :: check ("), "{out}");
        assert!(out.contains("1000u64"), "{out}");
        assert!(out.contains("stringify ! (finds_it)"), "{out}");
        assert!(!out.contains("compile_error"), "{out}");
        let default = expand_str(
            Kind::Test,
            quote!(simulation),
            quote!(
                async fn t() {}
            ),
        );
        assert!(default.contains("20u64"), "{default}");
    }

    #[test]
    fn simulation_mistakes_are_named() {
        let err = |args| {
            expand_str(
                Kind::Test,
                args,
                quote!(
                    async fn t() {}
                ),
            )
        };
        assert!(err(quote!(seeds = 5)).contains("`seeds` needs the `simulation` flag"));
        assert!(err(quote!(simulation, seeds = 0)).contains("`seeds` must be at least 1"));
        assert!(
            err(quote!(simulation, flavor = "multi_thread"))
                .contains("`simulation` is a flavor of its own")
        );
        assert!(err(quote!(simulation = true)).contains("`simulation` is a flag"));
        assert!(
            expand_str(
                Kind::Main,
                quote!(simulation),
                quote!(
                    async fn main() {}
                )
            )
            .contains("`simulation` is for `#[runtime::test]`")
        );
    }

    #[test]
    fn the_local_flavor_builds_a_local_runtime() {
        let out = expand_str(
            Kind::Main,
            quote!(flavor = "local"),
            quote!(
                async fn main() {}
            ),
        );
        assert!(
            out.contains(
                ":: runtime :: __private :: Builder :: new_current_thread () . build_local \
                 (:: runtime :: __private :: LocalOptions :: default ())"
            ),
            "{out}"
        );
        assert!(out.contains(". block_on (__runtime_body)"), "{out}");
    }

    #[test]
    fn signature_mistakes_keep_the_function() {
        let out = expand_str(
            Kind::Main,
            TokenStream::new(),
            quote!(
                fn main() {}
            ),
        );
        assert!(out.contains("compile_error"), "{out}");
        assert!(out.contains("the `async` keyword is missing"), "{out}");
        assert!(out.contains("fn main ()"), "{out}");
        let out = expand_str(
            Kind::Main,
            TokenStream::new(),
            quote!(
                async fn main(x: u8) {}
            ),
        );
        assert!(out.contains("cannot accept arguments"), "{out}");
        assert!(out.contains("fn main ()"), "{out}");
        let out = expand_str(
            Kind::Test,
            TokenStream::new(),
            quote!(
                #[test]
                async fn t() {}
            ),
        );
        assert!(out.contains("second `#[test]`"), "{out}");
    }

    #[test]
    fn config_error_still_expands_with_defaults() {
        let out = expand_str(
            Kind::Main,
            quote!(flavor = "x"),
            quote!(
                async fn main() {}
            ),
        );
        assert!(out.contains("compile_error"));
        assert!(out.contains("new_multi_thread ()"), "{out}");
    }

    #[test]
    fn impl_trait_output_is_not_annotated() {
        let out = expand_str(
            Kind::Main,
            TokenStream::new(),
            quote!(
                async fn main() -> impl std::process::Termination {}
            ),
        );
        assert!(!out.contains("__runtime_output"), "{out}");
    }
}
