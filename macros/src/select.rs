//! Expansion of `select!` (reached through `runtime::select!`, which passes `$crate` first).
//!
//! Input grammar, after the crate path and `;`:
//! ```text
//! [biased;]
//! <pattern> = <future> [, if <condition>] => <handler> [,]   (zero or more)
//! [else => <handler> [,]]                                      (required with zero branches)
//! ```
//! With no branch, the `select!` is its `else` handler (Tokio accepts that form too).
//! Generated shape:
//! 1. An output enum with one variant per branch plus `Disabled`.
//! 2. An inner block that evaluates every condition (a false one sets its bit in the
//!    disabled-branch mask, a `u8`..`u64` as small as the branch count allows), then every
//!    future expression (disabled ones too, as Tokio does) into one tuple in a `let` (so a
//!    temporary a future expression borrows, `&mut std::future::ready(())`, lives until the
//!    block ends: temporary lifetime extension), each converted with `IntoFuture`, and
//!    awaits one `__private::PollFutures` holding the futures by value (a `Cons` list), the
//!    mask, and a poll function that captures nothing. Starting at a random branch (or branch 0
//!    when `biased`), it polls the enabled branches in turn. A branch that completes is
//!    disabled; if its value matches the pattern (checked on a reference, see
//!    [`crate::pattern`]) the value is returned, else the next branch is tried. With nothing
//!    left pending it returns `Disabled`. So the `select!` future is its futures plus one mask
//!    (Tokio's figures are in `runtime/tests/macros_select.rs`).
//! 3. The inner block ends, dropping every future, *then* the value (held in a mutable
//!    binding, so `ref mut` patterns work) is matched against the real patterns and the
//!    handler runs. Handlers therefore sit outside any generated closure or
//!    loop: `break`, `continue`, `return`, `?` and `.await` in them mean what the user expects,
//!    and they may use whatever the futures borrowed.

use crate::list;
use crate::pattern::shape_check;
use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::{Expr, Pat, Token};

/// The disabled set is a bit mask of at most `u64`.
const MAX_BRANCHES: usize = 64;

struct Branch {
    pat: Pat,
    future: Expr,
    condition: Option<Expr>,
    handler: Expr,
}

struct Select {
    biased: bool,
    branches: Vec<Branch>,
    otherwise: Option<Expr>,
}

/// Whether a handler needs a `,` before the next branch (as in a `match` arm).
fn needs_comma(handler: &Expr) -> bool {
    !matches!(
        handler,
        Expr::Block(_)
            | Expr::If(_)
            | Expr::Match(_)
            | Expr::Loop(_)
            | Expr::While(_)
            | Expr::ForLoop(_)
            | Expr::Unsafe(_)
            | Expr::TryBlock(_)
            | Expr::Const(_)
    )
}

fn parse_handler(input: ParseStream<'_>) -> syn::Result<Expr> {
    input.parse::<Token![=>]>()?;
    let handler = Expr::parse_with_earlier_boundary_rule(input)?;
    if input.is_empty() {
        return Ok(handler);
    }
    // A block-like handler may omit the comma, as in a `match`.
    if needs_comma(&handler) || input.peek(Token![,]) {
        input.parse::<Token![,]>()?;
    }
    Ok(handler)
}

impl Parse for Select {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let biased = input.peek(syn::Ident) && input.peek2(Token![;]) && {
            let fork = input.fork();
            fork.parse::<syn::Ident>()? == "biased"
        };
        if biased {
            input.parse::<syn::Ident>()?;
            input.parse::<Token![;]>()?;
        }
        let mut branches = Vec::new();
        let mut otherwise = None;
        let mut else_span = None;
        while !input.is_empty() {
            if input.peek(Token![else]) {
                let token = input.parse::<Token![else]>()?;
                else_span = Some(token.span);
                if otherwise.is_some() {
                    return Err(syn::Error::new(
                        token.span,
                        "`select!` has more than one `else` branch",
                    ));
                }
                otherwise = Some(parse_handler(input)?);
                continue;
            }
            let pat = Pat::parse_multi_with_leading_vert(input)?;
            input.parse::<Token![=]>()?;
            let future = input.parse::<Expr>()?;
            let condition = if input.peek(Token![,]) && input.peek2(Token![if]) {
                input.parse::<Token![,]>()?;
                input.parse::<Token![if]>()?;
                Some(input.parse::<Expr>()?)
            } else {
                None
            };
            let handler = parse_handler(input)?;
            branches.push(Branch {
                pat,
                future,
                condition,
                handler,
            });
        }
        if branches.is_empty() && otherwise.is_none() {
            return Err(syn::Error::new(
                else_span.unwrap_or_else(Span::call_site),
                "`select!` needs at least one `<pattern> = <future> => <handler>` branch or an \
                 `else` branch",
            ));
        }
        if branches.len() > MAX_BRANCHES {
            return Err(syn::Error::new_spanned(
                &branches[MAX_BRANCHES].pat,
                format!("`select!` supports at most {MAX_BRANCHES} branches"),
            ));
        }
        Ok(Select {
            biased,
            branches,
            otherwise,
        })
    }
}

/// Expands `select!`; `krate` is the path of the `runtime` crate.
pub(crate) fn expand(krate: TokenStream, input: TokenStream) -> TokenStream {
    let select = match syn::parse2::<Select>(input) {
        Ok(select) => select,
        Err(e) => return e.to_compile_error(),
    };
    let mixed = Span::mixed_site();
    if select.branches.is_empty() {
        // Only an `else` branch (the parser requires one): nothing to wait for. The handler
        // sits in a match arm as in the full expansion (a block handler is not a lint there).
        let handler = &select.otherwise;
        return quote_spanned!(mixed=> match () { () => #handler });
    }
    let count = select.branches.len() as u32;
    let variants: Vec<_> = (0..count)
        .map(|i| format_ident!("Branch{}", i, span = mixed))
        .collect();
    let generics: Vec<_> = (0..count)
        .map(|i| format_ident!("T{}", i, span = mixed))
        .collect();
    let futures: Vec<_> = (0..count)
        .map(|i| format_ident!("__future{}", i, span = mixed))
        .collect();
    let raw: Vec<_> = (0..count)
        .map(|i| format_ident!("__raw{}", i, span = mixed))
        .collect();
    let indices: Vec<u32> = (0..count).collect();
    let (mask, one) = mask_type(select.branches.len());

    let preconditions = select.branches.iter().zip(&indices).filter_map(|(b, i)| {
        let cond = b.condition.as_ref()?;
        Some(quote_spanned!(mixed=> if !(#cond) { __disabled |= #one << #i; }))
    });
    // Evaluated in branch order into one tuple, then each converted with `IntoFuture`, then
    // nested into one list.
    let future_exprs = select.branches.iter().map(|b| &b.future);
    let list = list::cons_list(&krate, &futures);
    let split = list::split_list(&futures);
    let checks = select.branches.iter().map(|b| shape_check(&b.pat));
    let pats = select.branches.iter().map(|b| match &b.pat {
        // A leading `|` is not allowed once the pattern is nested in `Variant(..)`.
        Pat::Or(or) => {
            let mut or = or.clone();
            or.leading_vert = None;
            Pat::Or(or)
        }
        pat => pat.clone(),
    });
    let handlers = select.branches.iter().map(|b| &b.handler);
    let start = if select.biased {
        quote_spanned!(mixed=> 0u32)
    } else {
        quote_spanned!(mixed=> #krate::__private::thread_rng_n(#count))
    };
    let otherwise = match &select.otherwise {
        Some(handler) => quote!(#handler),
        None => quote_spanned! {mixed=>
            ::core::panic!("all branches of `select!` are disabled and there is no `else` branch")
        },
    };

    quote_spanned! {mixed=>
        {
            #[allow(clippy::large_enum_variant)]
            enum __SelectOutput<#(#generics,)*> {
                #(#variants(#generics),)*
                Disabled,
            }

            // Mutable so that `ref mut` bindings in the patterns can borrow the value.
            #[allow(unused_mut)]
            let mut __output = {
                let mut __disabled: #mask = 0;
                #(#preconditions)*
                // One tuple in a `let`: temporaries the futures borrow live to the block's end.
                let (#(#raw,)*) = (#(#future_exprs,)*);
                #(let #futures = ::core::future::IntoFuture::into_future(#raw);)*
                // The poll function captures nothing: the futures and the mask are handed to it.
                #krate::__private::PollFutures::new(#list, __disabled, |__list, __disabled, __cx| {
                    #split
                    let mut __any_pending = false;
                    let __start: u32 = #start;
                    for __offset in 0..#count {
                        // `__start < #count` and `__offset < #count`: one subtraction wraps.
                        let mut __branch = __start + __offset;
                        if __branch >= #count {
                            __branch -= #count;
                        }
                        if *__disabled & (#one << __branch) != 0 {
                            continue;
                        }
                        match __branch {
                            #(
                                #indices => {
                                    let __value = match ::core::future::Future::poll(
                                        #futures.as_mut(),
                                        __cx,
                                    ) {
                                        ::core::task::Poll::Ready(value) => value,
                                        ::core::task::Poll::Pending => {
                                            __any_pending = true;
                                            continue;
                                        }
                                    };
                                    *__disabled |= #one << #indices;
                                    #[allow(unused_variables, clippy::redundant_pattern_matching)]
                                    match &__value {
                                        #checks => {}
                                        #[allow(unreachable_patterns)]
                                        _ => continue,
                                    }
                                    return ::core::task::Poll::Ready(
                                        __SelectOutput::#variants(__value),
                                    );
                                }
                            )*
                            _ => ::core::unreachable!("`select!` branch index out of range"),
                        }
                    }
                    if __any_pending {
                        ::core::task::Poll::Pending
                    } else {
                        ::core::task::Poll::Ready(__SelectOutput::Disabled)
                    }
                })
                .await
            };

            match __output {
                #(__SelectOutput::#variants(#pats) => #handlers,)*
                __SelectOutput::Disabled => #otherwise,
                #[allow(unreachable_patterns)]
                _ => ::core::unreachable!("`select!` returned a value its pattern rejects"),
            }
        }
    }
}

/// The smallest unsigned integer with a bit per branch (`branches <= 64`), and its `1`.
fn mask_type(branches: usize) -> (TokenStream, Literal) {
    match branches {
        0..=8 => (quote!(u8), Literal::u8_suffixed(1)),
        9..=16 => (quote!(u16), Literal::u16_suffixed(1)),
        17..=32 => (quote!(u32), Literal::u32_suffixed(1)),
        _ => (quote!(u64), Literal::u64_suffixed(1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn parse(tokens: TokenStream) -> syn::Result<Select> {
        syn::parse2(tokens)
    }

    #[test]
    fn grammar() {
        let s = parse(quote! {
            biased;
            Some(mut v) = a, if ready => { v }
            x = b => x + 1,
            _ = c => {},
            else => 0
        })
        .unwrap();
        assert!(s.biased);
        assert_eq!(s.branches.len(), 3);
        assert!(s.branches[0].condition.is_some());
        assert!(s.branches[1].condition.is_none());
        assert!(s.otherwise.is_some());
    }

    #[test]
    fn a_branch_named_biased_is_not_the_keyword() {
        let s = parse(quote!(biased = fut => biased)).unwrap();
        assert!(!s.biased);
        assert_eq!(s.branches.len(), 1);
    }

    #[test]
    fn mistakes() {
        let e = |t| parse(t).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e(quote!()).contains("at least one"));
        assert!(e(quote!(biased;)).contains("or an `else` branch"));
        assert!(e(quote!(x = a => x else => 1)).contains("expected `,`"));
        assert!(e(quote!(x = a => {} else => 1, else => 2)).contains("more than one `else`"));
        let many: Vec<_> = (0..65).map(|_| quote!(_ = f => {})).collect();
        assert!(e(quote!(#(#many)*)).contains("at most 64"));
    }

    #[test]
    fn only_an_else_branch_is_the_handler() {
        let s = parse(quote!(else => 7)).unwrap();
        assert!(s.branches.is_empty() && s.otherwise.is_some());
        assert_eq!(
            expand(quote!(k), quote!(else => 7)).to_string(),
            "match () { () => 7 }"
        );
        assert_eq!(
            expand(quote!(k), quote!(biased; else => { 8 },)).to_string(),
            "match () { () => { 8 } }"
        );
    }

    #[test]
    fn futures_are_evaluated_into_one_tuple_and_the_output_is_mutable() {
        let out = expand(quote!(k), quote!(a = f => a, ref mut b = g => 0)).to_string();
        assert!(out.contains("let (__raw0 , __raw1 ,) = (f , g ,)"), "{out}");
        assert!(out.contains("let mut __output"), "{out}");
    }

    #[test]
    fn unbiased_expansion_uses_the_rng() {
        let out = expand(quote!(krate), quote!(v = f => v)).to_string();
        assert!(
            out.contains("krate :: __private :: thread_rng_n (1u32)"),
            "{out}"
        );
        let out = expand(quote!(krate), quote!(biased; v = f => v)).to_string();
        assert!(!out.contains("thread_rng_n"), "{out}");
    }
}
