//! Turning a `select!` branch pattern into a *shape check* usable on a reference.
//!
//! `select!` must find out whether a completed branch's value matches the branch pattern
//! without moving the value (it is moved into the handler later). It does so by matching
//! `&value` against a cleaned copy of the pattern, relying on default binding modes: every
//! binding becomes a by-reference binding. Two things in user patterns are not allowed under a
//! by-reference default binding mode, so they are removed from the copy:
//! - binding modifiers (`mut x`, `ref x`, `ref mut x`) become plain `x`;
//! - reference patterns (`&p`, `&mut p`) become `p`, which matches the same values because
//!   default binding modes step through the reference.
//!
//! What the pattern accepts is unchanged; only how it would bind differs, and the check binds
//! nothing that is used.

use syn::Pat;

/// A copy of `pat` that accepts the same values when matched against a reference to them.
pub(crate) fn shape_check(pat: &Pat) -> Pat {
    let mut pat = pat.clone();
    clean(&mut pat);
    pat
}

fn clean(pat: &mut Pat) {
    match pat {
        Pat::Ident(ident) => {
            ident.by_ref = None;
            ident.mutability = None;
            if let Some((_, sub)) = &mut ident.subpat {
                clean(sub);
            }
        }
        Pat::Reference(reference) => {
            clean(&mut reference.pat);
            let inner = std::mem::replace(&mut *reference.pat, Pat::Verbatim(Default::default()));
            *pat = inner;
        }
        Pat::Or(or) => or.cases.iter_mut().for_each(clean),
        Pat::Paren(paren) => clean(&mut paren.pat),
        Pat::Slice(slice) => slice.elems.iter_mut().for_each(clean),
        Pat::Tuple(tuple) => tuple.elems.iter_mut().for_each(clean),
        Pat::TupleStruct(tuple) => tuple.elems.iter_mut().for_each(clean),
        Pat::Struct(strukt) => strukt.fields.iter_mut().for_each(|f| clean(&mut f.pat)),
        Pat::Type(typed) => clean(&mut typed.pat),
        // Literals, ranges, paths, wildcards, rest, consts, macros: nothing binds.
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;
    use syn::parse::Parser;

    fn check(src: &str) -> String {
        let pat = Pat::parse_multi_with_leading_vert.parse_str(src).unwrap();
        shape_check(&pat).into_token_stream().to_string()
    }

    #[test]
    fn modifiers_and_references_are_removed() {
        assert_eq!(check("mut x"), "x");
        assert_eq!(check("Some(ref mut x)"), "Some (x)");
        assert_eq!(check("Ok(&v)"), "Ok (v)");
        assert_eq!(check("&mut (a, mut b)"), "(a , b)");
        assert_eq!(check("Foo { mut a, b: ref c }"), "Foo { a , b : c }");
        assert_eq!(check("mut all @ Some(mut y)"), "all @ Some (y)");
        assert_eq!(check("[mut h, ..] | [h]"), "[h , ..] | [h]");
    }

    #[test]
    fn patterns_without_bindings_are_unchanged() {
        assert_eq!(check("None"), "None");
        assert_eq!(check("1..=5"), "1 ..= 5");
        assert_eq!(check("_"), "_");
    }
}
