//! The operand list shared by the `select!` and `join!` expansions: the futures go by value
//! into one `__private::Cons` list, and the poll function splits the pinned list back into one
//! pinned reference per future, under the futures' own names.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote_spanned};

/// `Cons::new(f0, Cons::new(f1, ... ()))`: the futures, by value, in one pinnable list.
pub(crate) fn cons_list(krate: &TokenStream, items: &[Ident]) -> TokenStream {
    let mixed = Span::mixed_site();
    items.iter().rev().fold(
        quote_spanned!(mixed=> ()),
        |tail, item| quote_spanned!(mixed=> #krate::__private::Cons::new(#item, #tail)),
    )
}

/// Splits the pinned list `__list` into one pinned reference per item, named like the items.
pub(crate) fn split_list(items: &[Ident]) -> TokenStream {
    let mixed = Span::mixed_site();
    let rest = format_ident!("__rest", span = mixed);
    let steps = items
        .iter()
        .map(|item| quote_spanned!(mixed=> let (mut #item, #rest) = #rest.split();));
    quote_spanned! {mixed=>
        let #rest = __list;
        #(#steps)*
        let _ = #rest;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn list_nests_in_order_and_splits_under_the_same_names() {
        let items = [format_ident!("a"), format_ident!("b")];
        assert_eq!(
            cons_list(&quote!(k), &items).to_string(),
            "k :: __private :: Cons :: new (a , k :: __private :: Cons :: new (b , ()))"
        );
        let split = split_list(&items).to_string();
        assert!(
            split.contains("let (mut a , __rest) = __rest . split ()"),
            "{split}"
        );
        assert!(
            split.contains("let (mut b , __rest) = __rest . split ()"),
            "{split}"
        );
    }
}
