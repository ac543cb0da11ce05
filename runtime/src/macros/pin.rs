//! `pin!`: pin values to the stack under their own names.

/// Pins values on the stack, shadowing each name with a `Pin<&mut T>`.
///
/// Two forms: `pin!(a, b)` pins existing local variables (moving them), and
/// `pin! { let a = expr; }` declares and pins in one go. A pinned future can then be polled by
/// reference, for example awaited again and again in a `select!` loop.
///
/// ```
/// #[runtime::main(flavor = "current_thread")]
/// async fn main() {
///     let future = async { 5 };
///     runtime::pin!(future);
///     // `future` is now a `Pin<&mut _>`, so it can be awaited by reference.
///     assert_eq!((&mut future).await, 5);
///
///     runtime::pin! {
///         let other = async { 6 };
///     }
///     assert_eq!(other.await, 6);
/// }
/// ```
#[macro_export]
macro_rules! pin {
    ($($name:ident),* $(,)?) => {
        $(
            #[allow(unused_mut)]
            let mut $name = ::core::pin::pin!($name);
        )*
    };
    ($(let $name:ident = $init:expr;)*) => {
        $(
            let $name = $init;
            $crate::pin!($name);
        )*
    };
}
