//! Expansion of `join!` and `try_join!` (reached through `runtime::join!` / `runtime::try_join!`,
//! which pass `$crate` first).
//!
//! Every operand is turned into a future (`IntoFuture`) and wrapped in the runtime's `MaybeDone`
//! (an enum of the running future, its output, or nothing: it drops a future as soon as it
//! completes and keeps its output). The operands go by value into one `__private::PollFutures`
//! (a `Cons` list, pinned once, projected without `unsafe`) with the index of the operand to
//! poll first (a `u8` up to 256 operands). Its poll function captures nothing; it polls them all
//! in the current task, starting one position later on every poll so that no operand is always
//! polled last (with a leading `biased;`, every poll starts at the first operand instead, as
//! Tokio's). `join!` finishes when all are done and yields the outputs as a tuple, in operand
//! order. `try_join!` returns the first `Err` at once; the unfinished futures are dropped when
//! the macro's block ends, right after.
//!
//! The operand expressions are first evaluated into one tuple in a `let`, so a temporary they
//! borrow (`&mut std::future::ready(())`) lives until the macro's block ends (temporary
//! lifetime extension applies to a tuple in a `let`, not to a function's arguments).

use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote_spanned};
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Expr, Token};

/// `[biased;] <operand>, ...`
struct JoinInput {
    biased: bool,
    operands: Punctuated<Expr, Token![,]>,
}

impl Parse for JoinInput {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let biased = input.peek(syn::Ident) && input.peek2(Token![;]) && {
            let fork = input.fork();
            fork.parse::<syn::Ident>()? == "biased"
        };
        if biased {
            input.parse::<syn::Ident>()?;
            input.parse::<Token![;]>()?;
        }
        let operands = Punctuated::<Expr, Token![,]>::parse_terminated(input)?;
        Ok(JoinInput { biased, operands })
    }
}

/// Which of the two macros is expanded.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Join,
    TryJoin,
}

/// Expands `join!` / `try_join!`; `krate` is the path of the `runtime` crate.
pub(crate) fn expand(mode: Mode, krate: TokenStream, input: TokenStream) -> TokenStream {
    let JoinInput { biased, operands } = match JoinInput::parse.parse2(input) {
        Ok(input) => input,
        Err(e) => return e.to_compile_error(),
    };
    let mixed = Span::mixed_site();
    let count = operands.len() as u32;
    if count == 0 {
        return match mode {
            Mode::Join => quote_spanned!(mixed=> ()),
            Mode::TryJoin => quote_spanned!(mixed=> ::core::result::Result::Ok(())),
        };
    }
    let futures: Vec<_> = (0..count)
        .map(|i| format_ident!("__future{}", i, span = mixed))
        .collect();
    let indices: Vec<u32> = (0..count).collect();
    let raw: Vec<_> = (0..count)
        .map(|i| format_ident!("__raw{}", i, span = mixed))
        .collect();
    let operands = operands.iter();

    let (wrap, poll_one, finish) = match mode {
        Mode::Join => (
            quote_spanned!(mixed=> new),
            futures
                .iter()
                .map(|f| {
                    quote_spanned! {mixed=>
                        if #f.as_mut().poll_join(__cx).is_pending() {
                            __any_pending = true;
                        }
                    }
                })
                .collect::<Vec<_>>(),
            quote_spanned!(mixed=> ::core::task::Poll::Ready((#(#futures.as_mut().take_output(),)*))),
        ),
        Mode::TryJoin => (
            quote_spanned!(mixed=> new_try),
            futures
                .iter()
                .map(|f| {
                    quote_spanned! {mixed=>
                        match #f.as_mut().poll_try_join(__cx) {
                            ::core::task::Poll::Pending => __any_pending = true,
                            ::core::task::Poll::Ready(::core::result::Result::Err(error)) => {
                                return ::core::task::Poll::Ready(
                                    ::core::result::Result::Err(error),
                                );
                            }
                            ::core::task::Poll::Ready(::core::result::Result::Ok(())) => {}
                        }
                    }
                })
                .collect(),
            quote_spanned! {mixed=>
                ::core::task::Poll::Ready(::core::result::Result::Ok(
                    (#(#futures.as_mut().take_output(),)*),
                ))
            },
        ),
    };

    let list = crate::list::cons_list(&krate, &futures);
    let split = crate::list::split_list(&futures);
    // The next operand to poll first: the smallest type holding `0..count`.
    let (index, zero) = if count <= 256 {
        (quote_spanned!(mixed=> u8), Literal::u8_suffixed(0))
    } else {
        (quote_spanned!(mixed=> u32), Literal::u32_suffixed(0))
    };
    let last = count - 1;
    let start = if biased {
        // Always from the first operand, in order.
        quote_spanned! {mixed=>
            let _ = __next_start;
            let __start: u32 = 0;
        }
    } else {
        quote_spanned! {mixed=>
            let __start = u32::from(*__next_start);
            *__next_start = if __start == #last { 0 } else { *__next_start + 1 };
        }
    };

    quote_spanned! {mixed=>
        {
            // One tuple in a `let`: temporaries the operands borrow live to the block's end.
            let (#(#raw,)*) = (#(#operands,)*);
            #(
                let #futures = #krate::__private::MaybeDone::#wrap(
                    ::core::future::IntoFuture::into_future(#raw),
                );
            )*
            // The poll function captures nothing: the operands and the start index are handed
            // to it.
            #krate::__private::PollFutures::new(
                #list,
                #zero,
                |__list, __next_start: &mut #index, __cx| {
                    #split
                    #start
                    let mut __any_pending = false;
                    for __offset in 0..#count {
                        // Both terms are below `#count`: one subtraction wraps.
                        let mut __index = __start + __offset;
                        if __index >= #count {
                            __index -= #count;
                        }
                        match __index {
                            #(#indices => { #poll_one })*
                            _ => ::core::unreachable!("`join!` operand index out of range"),
                        }
                    }
                    if __any_pending {
                        return ::core::task::Poll::Pending;
                    }
                    #finish
                },
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn empty_operands() {
        assert_eq!(
            expand(Mode::Join, quote!(k), TokenStream::new()).to_string(),
            "()"
        );
        let out = expand(Mode::TryJoin, quote!(k), TokenStream::new()).to_string();
        assert!(out.ends_with("Ok (())"), "{out}");
    }

    #[test]
    fn one_wrapper_per_operand() {
        let out = expand(Mode::TryJoin, quote!(k), quote!(a, b, c,)).to_string();
        assert_eq!(
            out.matches("k :: __private :: MaybeDone :: new_try")
                .count(),
            3,
            "{out}"
        );
        assert!(out.contains("__index -= 3u32"), "{out}");
    }

    #[test]
    fn biased_starts_at_the_first_operand_and_may_be_empty() {
        let out = expand(Mode::Join, quote!(k), quote!(biased; a, b)).to_string();
        assert!(out.contains("let __start : u32 = 0"), "{out}");
        assert!(!out.contains("__next_start + 1"), "{out}");
        let out = expand(Mode::Join, quote!(k), quote!(a, b)).to_string();
        assert!(out.contains("__next_start + 1"), "{out}");
        assert_eq!(
            expand(Mode::Join, quote!(k), quote!(biased;)).to_string(),
            "()"
        );
        let out = expand(Mode::TryJoin, quote!(k), quote!(biased;)).to_string();
        assert!(out.ends_with("Ok (())"), "{out}");
    }

    #[test]
    fn an_operand_named_biased_is_not_the_keyword() {
        let out = expand(Mode::Join, quote!(k), quote!(biased, b)).to_string();
        assert!(out.contains("__next_start + 1"), "{out}");
        assert!(!out.contains("compile_error"), "{out}");
    }

    #[test]
    fn bad_input_is_an_error() {
        let out = expand(Mode::Join, quote!(k), quote!(a b)).to_string();
        assert!(out.contains("compile_error"), "{out}");
    }
}
