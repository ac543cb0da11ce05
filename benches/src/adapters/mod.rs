//! The three [`Rt`](crate::Rt) implementations: [`RuntimeRt`], [`TokioRt`] and [`SmolRt`].

mod runtime_rt;
mod smol_rt;
mod tokio_rt;

pub use runtime_rt::RuntimeRt;
pub use smol_rt::SmolRt;
pub use tokio_rt::TokioRt;
